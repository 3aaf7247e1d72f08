// A recorded SMTP session's row as both session stores keep it (sessions.ts for SQLite, postgres/sessions.ts), and
// what reads it back: the summary columns, the row as a summary, the stored transcript as lines.
import type { SessionOutcome, SessionSummary, SessionTls, TranscriptLine } from '../../src-shared/index.js';
import { parseJson } from './rows.js';

export interface SessionRow {
  id: number;
  listener: string;
  client_address: string;
  client_port: number;
  tls: string | null;
  helo: string;
  auth_user: string | null;
  started_at: string;
  ended_at: string;
  outcome: SessionOutcome;
  outcome_code: number | null;
  auth_failures: number;
  rejected: number;
  message_ids: string;
}

/** The columns of a session's summary, in the order every list and lookup reads them. */
export const SUMMARY = `id, listener, client_address, client_port, tls, helo, auth_user, started_at, ended_at, outcome, outcome_code,
  auth_failures, rejected, message_ids`;

export function toSummary(r: SessionRow): SessionSummary {
  return {
    id: r.id,
    listener: r.listener,
    clientAddress: r.client_address,
    clientPort: r.client_port,
    tls: parseJson<SessionTls | null>(r.tls, null),
    helo: r.helo,
    authUser: r.auth_user,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    outcome: r.outcome,
    outcomeCode: r.outcome_code,
    authFailures: r.auth_failures,
    rejected: r.rejected,
    messageIds: parseJson<number[]>(r.message_ids, []),
  };
}

export function parseTranscript(text: string): TranscriptLine[] {
  const raw = parseJson<unknown>(text, []);
  if (!Array.isArray(raw)) return [];
  const out: TranscriptLine[] = [];
  for (const line of raw) {
    if (!Array.isArray(line)) continue;
    const [dir, at, said] = line as unknown[];
    if (dir === 'C' || dir === 'S') out.push({ dir, at: Number(at) || 0, text: String(said ?? '') });
  }
  return out;
}

/** A page parameter as an integer in [min, max], or the fallback when it is missing or not a number. */
export function clamp(n: number | undefined, min: number, max: number, fallback: number): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(n)));
}
