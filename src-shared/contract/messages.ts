// The messages capability's contract: browsing, reading, marking, deleting and importing captured mail, the shapes
// its results and events carry (src-shared/types.ts names them for the rest of the code), and the budgets every
// binding shares. Must not import electron, node or DOM modules.
import { z } from 'zod';
import { count, isoTime, rowId, verb } from './define.js';

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

const ids = z.array(rowId).min(1).max(MAX_PAGE_SIZE);

export const addressSchema = z.object({ name: z.string(), address: z.string() });

/** What the SMTP client said, as opposed to what the headers claim. */
export const envelopeSchema = z.object({
  /** MAIL FROM; '' for the null sender `<>`. */
  mailFrom: z.string(),
  /** Every RCPT TO, in order. */
  rcptTo: z.array(z.string()),
  /** The name the client gave in HELO/EHLO. */
  heloName: z.string(),
  clientAddress: z.string(),
  clientPort: z.number().int().min(0).max(65535),
  /** Null when the session was plaintext. */
  tls: z.object({ protocol: z.string(), cipher: z.string() }).nullable(),
  /** The username of a successful AUTH, or null. */
  authUser: z.string().nullable(),
  /** Id of the listener that took the message; 'import' for imported mail. */
  listener: z.string(),
});

export const messageSummarySchema = z.object({
  id: rowId,
  /** ISO time the message was committed to the store. */
  receivedAt: isoTime,
  from: addressSchema.nullable(),
  to: z.array(addressSchema),
  cc: z.array(addressSchema),
  /** Envelope recipients that appear in no To/Cc header (Bcc). */
  bcc: z.array(z.string()),
  subject: z.string(),
  /** ISO form of the Date header, or null when absent or unparseable. */
  date: isoTime.nullable(),
  /** Size of the raw message in bytes. */
  size: count,
  read: z.boolean(),
  hasAttachments: z.boolean(),
  snippet: z.string(),
  /** False until the parsed summary and full-text index are derived from the raw bytes. */
  indexed: z.boolean(),
  /** Set when the raw bytes could not be parsed; the raw message is still kept. */
  parseError: z.string().nullable(),
});

export const headerFieldSchema = z.object({ key: z.string(), value: z.string() });

export const attachmentInfoSchema = z.object({
  /** Stable id of the MIME part inside the message, e.g. "1.2". */
  partId: z.string(),
  /** The file name as the message gives it (may be hostile; display only). */
  filename: z.string(),
  /** A name safe to write into a folder: no separators, no traversal, no reserved names. */
  safeFilename: z.string(),
  contentType: z.string(),
  size: count,
  contentId: z.string().nullable(),
  inline: z.boolean(),
});

/** One part of the MIME tree; a budget cut shows as a child of type MIME_TRUNCATED_TYPE (types.ts). */
export const mimeNodeSchema = z
  .object({
    partId: z.string(),
    contentType: z.string(),
    disposition: z.string().nullable(),
    filename: z.string().nullable(),
    charset: z.string().nullable(),
    encoding: z.string().nullable(),
    size: count,
    // A getter, so the schema can name itself; the id names the shared definition in JSON Schema ($defs/MimeNode).
    get children(): z.ZodArray<typeof mimeNodeSchema> {
      return z.array(mimeNodeSchema);
    },
  })
  .meta({ id: 'MimeNode' });

export const messageDetailSchema = messageSummarySchema.extend({
  envelope: envelopeSchema,
  headers: z.array(headerFieldSchema),
  text: z.string().nullable(),
  hasHtml: z.boolean(),
  attachments: z.array(attachmentInfoSchema),
  mimeTree: mimeNodeSchema.nullable(),
  /** Remote URLs (images, CSS, fonts) found in the HTML; they stay blocked until allowed. */
  remoteResources: count,
});

export const messagePageSchema = z.object({
  /** Messages matching the query. */
  total: count,
  /** Unread messages in the whole inbox (the badge), whatever the query. */
  unread: count,
  messages: z.array(messageSummarySchema),
});

export const listQuerySchema = z
  .object({
    /** Search syntax: free text, "phrases", from: to: subject: has:attachment is:unread before: after: */
    query: z.string().max(MAX_QUERY_LENGTH).optional(),
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    offset: z.number().int().min(0).optional(),
  })
  .strict();

export const importFailureSchema = z.object({
  /** 0-based position of the message in its file (of the file in a multi-file import, when the whole file failed). */
  index: count,
  /** Byte offset in the file where the message starts; absent when the whole file failed. */
  offset: count.optional(),
  error: z.string(),
});

export const importResultSchema = z.object({
  imported: count,
  /** Ids of the first MAX_IMPORT_RESULT_IDS messages imported, in file order. */
  ids: z.array(rowId).max(MAX_IMPORT_RESULT_IDS),
  /** The first MAX_IMPORT_RESULT_FAILURES failures; failedCount counts them all. */
  failed: z.array(importFailureSchema).max(MAX_IMPORT_RESULT_FAILURES),
  failedCount: count,
  bytesRead: count,
});

/** Pushed while an import runs (a few times a second) and once when it ends. */
export const importProgressSchema = z.object({
  /** Counts up from 1 per process: ties the events of one import together. */
  importId: z.number().int().positive(),
  filename: z.string(),
  bytesRead: count,
  /** The file's size when known (its Content-Length, or the file on disk), else null. */
  totalBytes: count.nullable(),
  imported: count,
  failed: count,
  done: z.boolean(),
});

export const messagesVerbs = {
  'messages.list': verb(listQuerySchema, messagePageSchema),
  'messages.get': verb(z.object({ id: rowId }).strict(), messageDetailSchema),
  /** The raw message decoded for display (the byte-exact download is a separate route). */
  'messages.source': verb(z.object({ id: rowId }).strict(), z.object({ source: z.string(), size: count })),
  /** The preview's remote= value that loads remote content for this message, until the process restarts. */
  'messages.remoteContentKey': verb(z.object({ id: rowId }).strict(), z.object({ key: z.string() })),
  'messages.markRead': verb(z.object({ ids, read: z.boolean() }).strict(), z.object({ updated: count })),
  /** Marks every unread message the search matches as read (every message without a query). */
  'messages.markAllRead': verb(
    z.object({ query: z.string().max(MAX_QUERY_LENGTH).optional() }).strict(),
    z.object({ updated: count }),
  ),
  'messages.delete': verb(z.object({ ids }).strict(), z.object({ deleted: count })),
  'messages.deleteAll': verb(z.object({}).strict(), z.object({ deleted: count })),
  'messages.import': verb(
    z
      .object({
        filename: z.string().min(1).max(1024),
        /** File content, base64-encoded (small files only; see MAX_INLINE_IMPORT_BYTES). */
        data: z.string().max(Math.ceil(MAX_INLINE_IMPORT_BYTES / 3) * 4),
      })
      .strict(),
    importResultSchema,
  ),
  'messages.reindex': verb(z.object({}).strict(), z.object({ reindexed: count })),
} as const;

type Summary = z.output<typeof messageSummarySchema>;

/** Push events of messages. They say what changed; the renderer re-fetches and coalesces bursts. */
export interface MessagesEvents {
  /** New messages were committed (by SMTP or import). */
  'messages.added': { messages: Summary[] };
  /** Derived data or read state changed for these messages. */
  'messages.updated': { ids: number[] };
  'messages.deleted': { ids: number[] };
  'messages.cleared': { deleted: number };
  /** Retention removed messages: the UI must say so. */
  'messages.pruned': { ids: number[]; reason: 'maxMessages' | 'maxBytes'; totalPruned: number };
  /** An import is reading its file (a few times a second), or has ended (`done`). */
  'import.progress': z.output<typeof importProgressSchema>;
}
