// Bulk send, part of the compose capability: N copies of a message, or one message per CSV row with `{{column}}`
// placeholders filled in any field, sent through a profile with a connection pool, a pace, retries of 4xx replies
// and a hard cap per run. Progress is pushed as events; each run keeps a row per message, exportable as CSV or JSON.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { composedMessageSchema, profileIdSchema } from './compose.js';
import { verb } from './define.js';

/** The CSV travels in a JSON call (1 MB in all over HTTP); the core allows a little less. */
export const MAX_BULK_CSV_CHARS = 900 * 1024;
export const MAX_BULK_CONCURRENCY = 64;
export const MAX_BULK_ATTEMPTS = 10;
/** Backoff doubles from the base; a minute's base would already wait an hour by the seventh attempt. */
export const MAX_BULK_BACKOFF_MS = 60_000;
/** Runs kept in the store with their rows; the oldest go when a new run starts. */
export const MAX_BULK_RUNS_STORED = 100;

/** `interrupted`: the process ended while the run was running (found so at the next start). */
export const BULK_STATES = ['running', 'done', 'cancelled', 'failed', 'interrupted'] as const;
export type BulkState = (typeof BULK_STATES)[number];
export const BULK_ROW_OUTCOMES = ['delivered', 'partial', 'rejected', 'failed', 'cancelled'] as const;
export type BulkRowOutcome = (typeof BULK_ROW_OUTCOMES)[number];

export const bulkSourceSchema = z.discriminatedUnion('kind', [
  /** The message as it is, `count` times (`{{n}}` is the copy's number, from 1). */
  z.object({ kind: z.literal('copies'), count: z.number().int().min(1).max(1_000_000) }).strict(),
  /** One message per row; the first line names the columns, each `{{column}}` takes the row's value. */
  z.object({ kind: z.literal('csv'), csv: z.string().min(1).max(MAX_BULK_CSV_CHARS) }).strict(),
]);

export const bulkSettingsSchema = z
  .object({
    /** Messages in flight at once, each on its own pooled connection. */
    concurrency: z.number().int().min(1).max(MAX_BULK_CONCURRENCY).default(4),
    /** Messages started per second across the run; 0 is as fast as the server answers. */
    perSecond: z.number().min(0).max(100_000).default(0),
    /** Messages sent over one connection before it is closed and a new one opened (nodemailer's pool). */
    messagesPerConnection: z.number().int().min(1).max(100_000).default(100),
    /** Attempts per message in all: a 4xx reply (or a dropped connection) is tried again, a 5xx never. */
    attempts: z.number().int().min(1).max(MAX_BULK_ATTEMPTS).default(3),
    /** Wait before the second attempt; doubled for each one after. */
    backoffMs: z.number().int().min(0).max(MAX_BULK_BACKOFF_MS).default(1000),
  })
  .strict();
export type BulkSettings = z.infer<typeof bulkSettingsSchema>;

export const bulkStartArgsSchema = z
  .object({
    profile: profileIdSchema,
    /** The template: `{{column}}` in any field (addresses, subject, bodies, header values, attachment names). */
    message: composedMessageSchema,
    source: bulkSourceSchema,
    settings: bulkSettingsSchema.default({
      concurrency: 4,
      perSecond: 0,
      messagesPerConnection: 100,
      attempts: 3,
      backoffMs: 1000,
    }),
    /** Required when the profile's host is not loopback. */
    confirm: z.boolean().optional(),
  })
  .strict();
export type BulkStartArgs = z.input<typeof bulkStartArgsSchema>;

export const bulkProgressSchema = z.object({
  id: z.string(),
  state: z.enum(BULK_STATES),
  total: z.number(),
  /** Messages finished (any outcome). */
  done: z.number(),
  /** Messages every recipient accepted, or some (partial). */
  sent: z.number(),
  /** Messages no recipient accepted (refused, failed after the last attempt, or cancelled mid-send). */
  failed: z.number(),
  /** Attempts that met a 4xx (or a dropped connection) and were tried again. */
  retries: z.number(),
  /** Recipients that were refused for good, and messages that failed, by reply (`550 5.1.1`) or error code. */
  failuresByCode: z.record(z.string(), z.number()),
  /** Replies that were retried, by code (`451 4.7.1`, `421 4.7.0`). */
  retriedByCode: z.record(z.string(), z.number()),
  /** Messages finished per second since the start. */
  perSecond: z.number(),
  /** Milliseconds per message (its last attempt), over the messages finished so far. */
  latency: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }),
  elapsedMs: z.number(),
  /** Null until there is a rate to go by, and once the run ended. */
  etaMs: z.number().nullable(),
  /** Why the run stopped early (failed), or null. */
  error: z.string().nullable(),
});
export type BulkProgress = z.infer<typeof bulkProgressSchema>;

export const bulkRunSchema = bulkProgressSchema.extend({
  profileId: z.string(),
  profileName: z.string(),
  host: z.string(),
  port: z.number(),
  source: z.enum(['copies', 'csv']),
  settings: bulkSettingsSchema,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type BulkRun = z.infer<typeof bulkRunSchema>;

export const bulkRecipientSchema = z.object({
  address: z.string(),
  /** accepted at RCPT (and the message taken); refused at RCPT; failed with the whole message (no reply of its own). */
  outcome: z.enum(['accepted', 'refused', 'failed']),
  /** The reply that decided it (RCPT's for a refusal, the message's otherwise), or the error. */
  reply: z.string().nullable(),
  /** The attempts this recipient was part of: a 4xx at RCPT tries only the recipients it put off again. */
  attempts: z.number(),
});
export type BulkRecipient = z.infer<typeof bulkRecipientSchema>;

export const bulkRowSchema = z.object({
  /** 1-based: the copy's number, or the CSV row (its data line, the header not counted). */
  n: z.number(),
  recipient: z.string(),
  outcome: z.enum(BULK_ROW_OUTCOMES),
  /** The server's reply to the message (or the refusal of its recipients), or the error. */
  reply: z.string().nullable(),
  /** Milliseconds of the last attempt. */
  latencyMs: z.number(),
  attempts: z.number(),
  /** The send history entry, once written. */
  sendId: z.number().nullable(),
  /** Each envelope recipient's final outcome (the JSON export; the CSV keeps a line per message). */
  recipients: z.array(bulkRecipientSchema),
});
export type BulkRow = z.infer<typeof bulkRowSchema>;

const runId = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, 'a bulk run id is lower-case letters, digits and "-"')
  .max(64);

export const bulkVerbs = {
  /** Checks everything (profile, CSV, placeholders, cap, guardrails), then starts the run and answers at once. */
  'compose.bulk.start': verb(bulkStartArgsSchema, bulkRunSchema),
  'compose.bulk.get': verb(z.object({ id: runId }).strict(), bulkRunSchema),
  /** The stored runs (the newest MAX_BULK_RUNS_STORED), newest first. */
  'compose.bulk.list': verb(z.object({}).strict(), z.object({ runs: z.array(bulkRunSchema) })),
  /** Stops a run: nothing new starts, messages in flight finish and are recorded. */
  'compose.bulk.cancel': verb(z.object({ id: runId }).strict(), bulkRunSchema),
  /** The run's summary, a row per message, as CSV or JSON text (the REST export routes download it). */
  'compose.bulk.export': verb(
    z.object({ id: runId, format: z.enum(['csv', 'json']) }).strict(),
    z.object({ filename: z.string(), contentType: z.string(), content: z.string() }),
  ),
} as const;

export type BulkVerb = keyof typeof bulkVerbs;

export interface BulkEvents {
  /** A run's figures, four times a second while it runs and once when it ends. */
  'compose.bulk.progress': BulkProgress;
}
