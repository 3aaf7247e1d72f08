// The capture state several instances share, in the store's database (PostgreSQL's `capture_shared`, schema 004):
// AUTH lockouts, fault-rule nth/every counters, greylist triples and throttle windows. Each step is one atomic
// statement (INSERT … ON CONFLICT DO UPDATE … RETURNING), so two instances counting the same key at once both
// count and agree on who was 3rd. Times are the calling instance's clock (epoch ms): instances on different hosts
// need synchronised clocks, as any greylister does. Rows expire by time; a prune runs at most once a minute.
import type { CountLimit, LockoutLimits, SharedCaptureState } from '../capture/index.js';
import { GREYLIST_ENTRY_TTL_MS, THROTTLE_WINDOW_MS } from '../capture/faults/state.js';
import type { SqlClient } from '../store/message-store.js';

/** A counter untouched this long is forgotten: "the 3rd message" after a month of silence counts afresh. */
export const COUNTER_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** How often expired rows are deleted (at most; only when the state is used). */
export const PRUNE_EVERY_MS = 60_000;

/** The throttle log of recent accepted events: `t.stamps` inside the window (`?`: the window's start). */
const RECENT = 'ARRAY(SELECT s FROM unnest(t.stamps) AS s WHERE s > ?::bigint)';

const SQL = {
  nth: `INSERT INTO capture_shared AS t (scope, key, n, expires_at) VALUES (?, ?, 1, ?::bigint)
        ON CONFLICT (scope, key) DO UPDATE SET n = LEAST(t.n + 1, ?::bigint), expires_at = excluded.expires_at
        RETURNING n::int AS n`,
  every: `INSERT INTO capture_shared AS t (scope, key, n, expires_at) VALUES (?, ?, 1, ?::bigint)
          ON CONFLICT (scope, key) DO UPDATE SET n = t.n % ?::bigint + 1, expires_at = excluded.expires_at
          RETURNING n::int AS n`,
  // A triple not seen for the entry lifetime starts again, as GreylistStore does.
  greylist: `INSERT INTO capture_shared AS t (scope, key, first_at, last_at, expires_at)
             VALUES (?, ?, ?::bigint, ?::bigint, ?::bigint)
             ON CONFLICT (scope, key) DO UPDATE SET
               first_at = CASE WHEN excluded.last_at - t.last_at > ?::bigint THEN excluded.first_at ELSE t.first_at END,
               last_at = excluded.last_at, expires_at = excluded.expires_at
             RETURNING first_at::float8 AS first_at`,
  // Over the limit: refused and not logged, so a key holds at most perMinute stamps (ThrottleStore's rule).
  throttle: `INSERT INTO capture_shared AS t (scope, key, stamps, refused, expires_at)
             VALUES (?, ?, ARRAY[?::bigint], false, ?::bigint)
             ON CONFLICT (scope, key) DO UPDATE SET
               refused = cardinality(${RECENT}) >= ?::int,
               stamps = CASE WHEN cardinality(${RECENT}) >= ?::int THEN ${RECENT} ELSE ${RECENT} || ?::bigint END,
               expires_at = excluded.expires_at
             RETURNING refused`,
  // The failure that reaches maxFailures sets the lock and clears the log (AuthLockout's rule).
  authFailed: `INSERT INTO capture_shared AS t (scope, key, stamps, until_at, expires_at)
               VALUES (?, ?, ?::bigint[], ?::bigint, ?::bigint)
               ON CONFLICT (scope, key) DO UPDATE SET
                 until_at = CASE WHEN cardinality(${RECENT}) + 1 >= ?::int THEN ?::bigint ELSE t.until_at END,
                 stamps = CASE WHEN cardinality(${RECENT}) + 1 >= ?::int THEN '{}' ELSE ${RECENT} || ?::bigint END,
                 expires_at = GREATEST(t.expires_at, excluded.expires_at)
               RETURNING until_at::float8 AS until_at`,
  lockedFor: 'SELECT until_at::float8 AS until_at FROM capture_shared WHERE scope = ? AND key = ?',
  authSucceeded: `UPDATE capture_shared SET stamps = '{}' WHERE scope = ? AND key = ?`,
  forget: 'DELETE FROM capture_shared WHERE scope = ?',
  forgetExcept: 'DELETE FROM capture_shared WHERE scope = ? AND NOT starts_with(key, ?)',
  prune: 'DELETE FROM capture_shared WHERE expires_at < ?::bigint',
} as const;

export class SqlCaptureState implements SharedCaptureState {
  #lastPrune = 0;
  /** The latest prune of expired rows (resolves, never rejects): what a test or a shutdown may wait for. */
  pruning: Promise<void> = Promise.resolve();

  constructor(
    readonly sql: SqlClient,
    readonly onProblem: (text: string) => void = (text) => console.warn(text),
  ) {
    if (sql.dialect !== 'postgres') throw new Error('SqlCaptureState needs the PostgreSQL store');
  }

  async count(scope: string, key: string, limit: CountLimit, now: number): Promise<boolean> {
    this.#prune(now);
    const expires = now + COUNTER_TTL_MS;
    if ('nth' in limit) {
      const row = await this.sql.get<{ n: number }>(SQL.nth, [scope, key, expires, limit.nth + 1]);
      return row?.n === limit.nth;
    }
    const row = await this.sql.get<{ n: number }>(SQL.every, [scope, key, expires, limit.every]);
    return row?.n === limit.every;
  }

  async greylist(scope: string, key: string, seconds: number, now: number): Promise<boolean> {
    this.#prune(now);
    const ttl = GREYLIST_ENTRY_TTL_MS;
    const row = await this.sql.get<{ first_at: number }>(SQL.greylist, [scope, key, now, now, now + ttl, ttl]);
    const first = row?.first_at ?? now;
    // first === now: this attempt is the first (or the triple had expired): refused like a new one.
    return first === now || now - first < seconds * 1000;
  }

  async throttle(scope: string, key: string, perMinute: number, now: number): Promise<boolean> {
    this.#prune(now);
    const since = now - THROTTLE_WINDOW_MS;
    const row = await this.sql.get<{ refused: boolean }>(SQL.throttle, [
      scope,
      key,
      now,
      now + THROTTLE_WINDOW_MS,
      since,
      perMinute,
      since,
      perMinute,
      since,
      since,
      now,
    ]);
    return row?.refused === true;
  }

  async lockedFor(scope: string, client: string, now: number): Promise<number> {
    const row = await this.sql.get<{ until_at: number | null }>(SQL.lockedFor, [scope, client]);
    const left = (row?.until_at ?? 0) - now;
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  async authFailed(scope: string, client: string, limits: LockoutLimits, now: number): Promise<number> {
    this.#prune(now);
    const since = now - limits.windowSeconds * 1000;
    const until = now + limits.lockSeconds * 1000;
    const lockNow = limits.maxFailures <= 1;
    const row = await this.sql.get<{ until_at: number | null }>(SQL.authFailed, [
      scope,
      client,
      lockNow ? '{}' : `{${now}}`, // an array literal: SqlValue has no arrays
      lockNow ? until : null,
      now + (limits.windowSeconds + limits.lockSeconds) * 1000,
      since,
      limits.maxFailures,
      until,
      since,
      limits.maxFailures,
      since,
      now,
    ]);
    return row?.until_at === until ? limits.lockSeconds : 0;
  }

  async authSucceeded(scope: string, client: string): Promise<void> {
    await this.sql.run(SQL.authSucceeded, [scope, client]);
  }

  async forget(scope: string, keepPrefix?: string): Promise<void> {
    if (keepPrefix) await this.sql.run(SQL.forgetExcept, [scope, keepPrefix]);
    else await this.sql.run(SQL.forget, [scope]);
  }

  /** Deletes expired rows, at most once a minute, off the caller's path (a failure is reported, not thrown). */
  #prune(now: number): void {
    if (now - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = now;
    this.pruning = this.sql
      .run(SQL.prune, [now])
      .then(() => undefined)
      .catch((err: unknown) =>
        this.onProblem(`[capture] could not delete expired shared capture state: ${(err as Error).message}`),
      );
  }
}
