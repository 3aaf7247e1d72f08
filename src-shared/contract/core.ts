// The verbs and events of the capabilities that came before the per-capability layout (messages, settings,
// sessions, status, metrics, listeners), and the budgets every binding shares.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { verb } from './define.js';
import type {
  ImportProgress,
  ImportResult,
  LiveFigures,
  MessageDetail,
  MessageId,
  MessagePage,
  MessageSummary,
  ServerStatus,
  SessionDetail,
  SessionPage,
  CertificateInfo,
} from '../types.js';
import { settingsUpdateSchema, type Settings, type SettingsPresets } from '../settings.js';

/** Budget for one page of the inbox; the virtualized list asks for pages, never for everything. */
export const MAX_PAGE_SIZE = 1000;
/** A search longer than this is a mistake or an attack, not a query. */
export const MAX_QUERY_LENGTH = 2000;
/**
 * Budget of one streamed import. An import is read as a stream and committed as it goes, so its size costs time
 * and disk (which retention caps), never memory: no budget by default. A binding may set one (serve's maxImportBytes).
 */
export const MAX_IMPORT_BYTES = Number.MAX_SAFE_INTEGER;
/**
 * The messages.import call carries its file inline as base64 in a JSON body, so it is for small files: 512 KiB is
 * ~700 KB of base64, inside the 1 MB every JSON call may send. Larger files stream: POST /api/messages/import with
 * the file as the body, or the desktop's import dialog.
 */
export const MAX_INLINE_IMPORT_BYTES = 512 * 1024;
/** The result lists of an import stop here, so a file of a million messages answers in a few hundred kilobytes. */
export const MAX_IMPORT_RESULT_IDS = 10_000;
export const MAX_IMPORT_RESULT_FAILURES = 100;

/** An IPv6 address with zone is under 64 characters and a listener id is typed by hand; 256 is past both. */
export const MAX_ADDRESS_LENGTH = 256;

const id = z.number().int().positive();
const ids = z.array(id).min(1).max(MAX_PAGE_SIZE);

/** These capabilities' verbs; `Core.invoke` validates arguments with them before any handler runs. */
export const coreVerbs = {
  'messages.list': verb(
    z
      .object({
        query: z.string().max(MAX_QUERY_LENGTH).optional(),
        limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    z.custom<MessagePage>(),
  ),
  'messages.get': verb(z.object({ id }).strict(), z.custom<MessageDetail>()),
  /** The raw message decoded for display (the byte-exact download is a separate route). */
  'messages.source': verb(z.object({ id }).strict(), z.custom<{ source: string; size: number }>()),
  /** The preview's remote= value that loads remote content for this message, until the process restarts. */
  'messages.remoteContentKey': verb(z.object({ id }).strict(), z.custom<{ key: string }>()),
  'messages.markRead': verb(z.object({ ids, read: z.boolean() }).strict(), z.custom<{ updated: number }>()),
  'messages.delete': verb(z.object({ ids }).strict(), z.custom<{ deleted: number }>()),
  'messages.deleteAll': verb(z.object({}).strict(), z.custom<{ deleted: number }>()),
  'messages.import': verb(
    z
      .object({
        filename: z.string().min(1).max(1024),
        /** File content, base64-encoded (small files only; see MAX_INLINE_IMPORT_BYTES). */
        data: z.string().max(Math.ceil(MAX_INLINE_IMPORT_BYTES / 3) * 4),
      })
      .strict(),
    z.custom<ImportResult>(),
  ),
  'messages.reindex': verb(z.object({}).strict(), z.custom<{ reindexed: number }>()),
  'settings.get': verb(z.object({}).strict(), z.custom<Settings>()),
  /** Validates every section, applies it (restarting only listeners that changed) and saves it; on error nothing changes. */
  'settings.update': verb(settingsUpdateSchema, z.custom<Settings>()),
  'settings.presets': verb(z.object({}).strict(), z.custom<SettingsPresets>()),
  /** The certificate a listener presents, for clients to trust (never the key). */
  'listeners.certificate': verb(
    z.object({ id: z.string().min(1).max(64) }).strict(),
    z.custom<{ pem: string; info: CertificateInfo; filename: string }>(),
  ),
  'server.status': verb(z.object({}).strict(), z.custom<ServerStatus>()),
  'sessions.list': verb(
    z
      .object({
        filter: z.enum(['all', 'authFailures', 'rejected']).optional(),
        /** Exact client address (IPv4 also matches its ::ffff: form). */
        clientAddress: z.string().max(MAX_ADDRESS_LENGTH).optional(),
        listener: z.string().max(MAX_ADDRESS_LENGTH).optional(),
        limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    z.custom<SessionPage>(),
  ),
  'sessions.get': verb(z.object({ id }).strict(), z.custom<SessionDetail>()),
  'metrics.get': verb(z.object({}).strict(), z.custom<LiveFigures>()),
} as const;

/** These capabilities' push events. They say what changed; the renderer re-fetches and coalesces bursts. */
export interface CoreEvents {
  /** New messages were committed (by SMTP or import). */
  'messages.added': { messages: MessageSummary[] };
  /** Derived data or read state changed for these messages. */
  'messages.updated': { ids: MessageId[] };
  'messages.deleted': { ids: MessageId[] };
  'messages.cleared': { deleted: number };
  /** Retention removed messages: the UI must say so. */
  'messages.pruned': { ids: MessageId[]; reason: 'maxMessages' | 'maxBytes'; totalPruned: number };
  'server.status': ServerStatus;
  /** Settings were applied (from any window, the API or another tab). */
  'settings.changed': Settings;
  /** SMTP sessions ended and were recorded (coalesced: one event per write batch). */
  'sessions.added': { ids: number[] };
  /** An import is reading its file (a few times a second), or has ended (`done`). */
  'import.progress': ImportProgress;
}

/** Desktop-only verbs: they open native dialogs, so only the Electron binding has them. */
export const desktopCallArgs = {
  'desktop.saveRaw': z.object({ id }).strict(),
  'desktop.saveAttachments': z.object({ id, partIds: z.array(z.string().max(64)).min(1).max(1000) }).strict(),
  'desktop.importFiles': z.object({}).strict(),
  'desktop.openExternal': z.object({ url: z.string().max(8192) }).strict(),
  'desktop.saveCertificate': z.object({ id: z.string().min(1).max(64) }).strict(),
} as const;

export interface DesktopCallResults {
  'desktop.saveRaw': { path: string | null };
  'desktop.saveAttachments': { folder: string | null; written: string[] };
  'desktop.importFiles': ImportResult | null;
  'desktop.openExternal': { opened: boolean };
  'desktop.saveCertificate': { path: string | null };
}
