// The one typed contract: every call the UI can make and every event it receives.
// Electron IPC, the HTTP API and the renderer are bindings of this file.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
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
} from './types.js';
import { settingsUpdateSchema, type Settings, type SettingsPresets } from './settings.js';
import type { CallName, DesktopCallName } from './names.js';

export { CALL_NAMES, DESKTOP_CALL_NAMES, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from './names.js';
export type { CallName, DesktopCallName } from './names.js';

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

/** Argument schemas: `Core.invoke`, the one entry every binding calls, validates with them before any handler runs. */
export const callArgs = {
  'messages.list': z
    .object({
      query: z.string().max(MAX_QUERY_LENGTH).optional(),
      limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
      offset: z.number().int().min(0).optional(),
    })
    .strict(),
  'messages.get': z.object({ id }).strict(),
  'messages.source': z.object({ id }).strict(),
  'messages.remoteContentKey': z.object({ id }).strict(),
  'messages.markRead': z.object({ ids, read: z.boolean() }).strict(),
  'messages.delete': z.object({ ids }).strict(),
  'messages.deleteAll': z.object({}).strict(),
  'messages.import': z
    .object({
      filename: z.string().min(1).max(1024),
      /** File content, base64-encoded (small files only; see MAX_INLINE_IMPORT_BYTES). */
      data: z.string().max(Math.ceil(MAX_INLINE_IMPORT_BYTES / 3) * 4),
    })
    .strict(),
  'messages.reindex': z.object({}).strict(),
  'settings.get': z.object({}).strict(),
  'settings.update': settingsUpdateSchema,
  'settings.presets': z.object({}).strict(),
  'listeners.certificate': z.object({ id: z.string().min(1).max(64) }).strict(),
  'server.status': z.object({}).strict(),
  'sessions.list': z
    .object({
      filter: z.enum(['all', 'authFailures', 'rejected']).optional(),
      /** Exact client address (IPv4 also matches its ::ffff: form). */
      clientAddress: z.string().max(MAX_ADDRESS_LENGTH).optional(),
      listener: z.string().max(MAX_ADDRESS_LENGTH).optional(),
      limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
      offset: z.number().int().min(0).optional(),
    })
    .strict(),
  'sessions.get': z.object({ id }).strict(),
  'metrics.get': z.object({}).strict(),
} as const satisfies Record<CallName, z.ZodType>;

/** Result type of every call. */
export interface CallResults {
  'messages.list': MessagePage;
  'messages.get': MessageDetail;
  /** The raw message decoded for display (the byte-exact download is a separate route). */
  'messages.source': { source: string; size: number };
  /** The preview's remote= value that loads remote content for this message, until the process restarts. */
  'messages.remoteContentKey': { key: string };
  'messages.markRead': { updated: number };
  'messages.delete': { deleted: number };
  'messages.deleteAll': { deleted: number };
  'messages.import': ImportResult;
  'messages.reindex': { reindexed: number };
  'settings.get': Settings;
  /** Validates every section, applies it (restarting only listeners that changed) and saves it; on error nothing changes. */
  'settings.update': Settings;
  'settings.presets': SettingsPresets;
  /** The certificate a listener presents, for clients to trust (never the key). */
  'listeners.certificate': { pem: string; info: CertificateInfo; filename: string };
  'server.status': ServerStatus;
  'sessions.list': SessionPage;
  'sessions.get': SessionDetail;
  'metrics.get': LiveFigures;
}

export type CallArgs<K extends CallName> = z.input<(typeof callArgs)[K]>;
export type ParsedCallArgs<K extends CallName> = z.output<(typeof callArgs)[K]>;
export type CallResult<K extends CallName> = CallResults[K];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(callArgs, name);
}

/** Push events. They say what changed; the renderer re-fetches and coalesces bursts. */
export interface Events {
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

export type EventName = keyof Events;
export const EVENT_NAMES: EventName[] = [
  'messages.added',
  'messages.updated',
  'messages.deleted',
  'messages.cleared',
  'messages.pruned',
  'server.status',
  'settings.changed',
  'sessions.added',
  'import.progress',
];

export interface EventEnvelope<K extends EventName = EventName> {
  event: K;
  data: Events[K];
}

/** Argument schemas of the desktop-only verbs. */
export const desktopCallArgs = {
  'desktop.saveRaw': z.object({ id }).strict(),
  'desktop.saveAttachments': z.object({ id, partIds: z.array(z.string().max(64)).min(1).max(1000) }).strict(),
  'desktop.importFiles': z.object({}).strict(),
  'desktop.openExternal': z.object({ url: z.string().max(8192) }).strict(),
  'desktop.saveCertificate': z.object({ id: z.string().min(1).max(64) }).strict(),
} as const satisfies Record<DesktopCallName, z.ZodType>;

export interface DesktopCallResults {
  'desktop.saveRaw': { path: string | null };
  'desktop.saveAttachments': { folder: string | null; written: string[] };
  'desktop.importFiles': ImportResult | null;
  'desktop.openExternal': { opened: boolean };
  'desktop.saveCertificate': { path: string | null };
}

export type DesktopCallArgs<K extends DesktopCallName> = z.input<(typeof desktopCallArgs)[K]>;
