// The server capability's contract: the capture server's status (listeners, certificates, store totals), its live
// figures, and the certificate a listener presents. src-shared/types.ts names the shapes for the rest of the code.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { count, isoTime, verb } from './define.js';
import { AUTH_MECHANISMS, AUTH_POLICIES, TLS_MODES } from '../settings-names.js';

export const certificateInfoSchema = z.object({
  subject: z.string(),
  validFrom: isoTime,
  validTo: isoTime,
  /** SHA-256 of the DER certificate, colon-separated hex (what clients show when asked to trust it). */
  fingerprint256: z.string(),
});

export const listenerStateSchema = z.enum(['starting', 'listening', 'stopped', 'error']);

export const listenerStatusSchema = z.object({
  id: z.string(),
  host: z.string(),
  /** The bound port once listening (a configured 0 picks a free one). */
  port: z.number().int().min(0).max(65535),
  tls: z.enum(TLS_MODES),
  state: listenerStateSchema,
  error: z.string().nullable(),
  /** AUTH policy and the mechanisms offered. */
  auth: z.object({
    policy: z.enum(AUTH_POLICIES),
    mechanisms: z.array(z.enum(AUTH_MECHANISMS)),
    anyCredentials: z.boolean(),
  }),
  /** The certificate this listener presents (null until started, or with TLS 'none'). */
  certificate: certificateInfoSchema.nullable(),
});

export const serverStatusSchema = z.object({
  version: z.string(),
  listeners: z.array(listenerStatusSchema),
  certificate: certificateInfoSchema.nullable(),
  messageCount: count,
  totalBytes: count,
  /** How many messages retention has removed since start-up. */
  prunedSinceStart: count,
  /** Where messages are kept; a shared database may be out of reach for a while (mail is refused with 451 then). */
  store: z.object({
    kind: z.enum(['sqlite', 'postgres']),
    /** "SQLite in the data folder", "PostgreSQL at db.example:5432": never a password. */
    location: z.string(),
    available: z.boolean(),
    /** Why it is out of reach, while it is. */
    outage: z.string().nullable(),
  }),
});

/** One minute of the live figures; `minute` is the start of the minute (ISO). */
export const metricsBucketSchema = z.object({
  minute: isoTime,
  sessions: count,
  accepted: count,
  rejected: count,
  authFailures: count,
  bytes: count,
});

/** Counters since the server started, plus the last 15 minutes for a rate. */
export const liveFiguresSchema = z.object({
  startedAt: isoTime,
  sessions: count,
  messagesAccepted: count,
  /** Refusals by reply code ("552": 3). */
  rejectedByCode: z.record(z.string(), count),
  authFailures: count,
  bytesReceived: count,
  activeConnections: count,
  /** Hits per fault-rule id, from the fault engine. */
  faultRuleHits: z.record(z.string(), count),
  /** Oldest first, one per minute, the current minute last. */
  perMinute: z.array(metricsBucketSchema),
});

export const serverVerbs = {
  'server.status': verb(z.object({}).strict(), serverStatusSchema),
  'metrics.get': verb(z.object({}).strict(), liveFiguresSchema),
  /** The certificate a listener presents, for clients to trust (never the key). */
  'listeners.certificate': verb(
    z.object({ id: z.string().min(1).max(64) }).strict(),
    z.object({
      /** The certificate alone, PEM-encoded. */
      pem: z.string(),
      info: certificateInfoSchema,
      /** What to name the file when saving it. */
      filename: z.string(),
    }),
  ),
} as const;

export interface ServerEvents {
  /** A listener changed state (started, stopped, failed); carries the whole status. */
  'server.status': z.output<typeof serverStatusSchema>;
}
