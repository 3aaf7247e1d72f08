// The sessions capability's contract: the recorded SMTP sessions (who connected, what was said, how it ended) and
// the shapes its results carry (src-shared/types.ts names them). Must not import electron, node or DOM modules.
import { z } from 'zod';
import { count, isoTime, rowId, verb } from './define.js';
import { MAX_PAGE_SIZE } from './messages.js';

/** An IPv6 address with zone is under 64 characters and a listener id is typed by hand; 256 is past both. */
export const MAX_ADDRESS_LENGTH = 256;

/** How an SMTP session ended. 'delivered' wins when any message was stored, even if others were refused. */
export const sessionOutcomeSchema = z.enum(['delivered', 'rejected', 'authFailed', 'dropped', 'timedOut', 'quit']);

export const sessionTlsSchema = z.object({ protocol: z.string(), cipher: z.string() });

export const sessionSummarySchema = z.object({
  id: rowId,
  listener: z.string(),
  clientAddress: z.string(),
  clientPort: z.number().int().min(0).max(65535),
  tls: sessionTlsSchema.nullable(),
  helo: z.string(),
  authUser: z.string().nullable(),
  startedAt: isoTime,
  endedAt: isoTime,
  outcome: sessionOutcomeSchema,
  /** The reply code behind 'rejected' / 'authFailed' / 'timedOut' (the last refusal); null otherwise. */
  outcomeCode: z.number().int().min(100).max(599).nullable(),
  authFailures: count,
  /** Refusals (4xx/5xx replies) other than AUTH failures. */
  rejected: count,
  messageIds: z.array(rowId),
});

export const transcriptLineSchema = z.object({
  /** C: what the client sent (secrets and message data elided), S: what the server replied. */
  dir: z.enum(['C', 'S']),
  text: z.string(),
  /** Milliseconds after startedAt. */
  at: count,
});

export const sessionDetailSchema = sessionSummarySchema.extend({
  transcript: z.array(transcriptLineSchema),
  /** Lines left out once the session passed the recording budget; 0 for a complete transcript. */
  truncatedLines: count,
});

export const sessionPageSchema = z.object({
  total: count,
  sessions: z.array(sessionSummarySchema),
});

export const sessionsVerbs = {
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
    sessionPageSchema,
  ),
  'sessions.get': verb(z.object({ id: rowId }).strict(), sessionDetailSchema),
} as const;

export interface SessionsEvents {
  /** SMTP sessions ended and were recorded (coalesced: one event per write batch). */
  'sessions.added': { ids: number[] };
}
