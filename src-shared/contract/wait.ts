// The wait capability: a long-poll that answers with the first message matching a query once it arrives.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { verb } from './define.js';
import { MAX_QUERY_LENGTH, messageSummarySchema } from './messages.js';

/** The longest a wait may hold a request: past five minutes a proxy or the client has given up anyway. */
export const MAX_WAIT_MS = 5 * 60 * 1000;
/** What a wait without a timeout allows: long enough for a slow CI job's mail, short enough to notice a miss. */
export const DEFAULT_WAIT_MS = 30_000;
/** A message id or an ISO 8601 time; nothing longer is either. */
const MAX_AFTER_CHARS = 64;

export const waitArgsSchema = z
  .object({
    /** The inbox search syntax; empty or absent matches any message. */
    query: z.string().max(MAX_QUERY_LENGTH).optional(),
    /**
     * Only messages that arrived after this: a message id, or an ISO time. Absent: the newest message already
     * stored that matches, else the first that arrives.
     */
    after: z.string().max(MAX_AFTER_CHARS).optional(),
    timeoutMs: z.number().int().min(0).max(MAX_WAIT_MS).optional(),
  })
  .strict();
export type WaitArgs = z.input<typeof waitArgsSchema>;

/** `message` is null when the timeout passed (the REST route answers 408 then); waitedMs is how long it held. */
export const waitResultSchema = z.object({
  message: messageSummarySchema.nullable(),
  timedOut: z.boolean(),
  waitedMs: z.number(),
});
export type WaitResult = z.infer<typeof waitResultSchema>;

export const waitVerbs = {
  'wait.message': verb(waitArgsSchema, waitResultSchema),
} as const;
