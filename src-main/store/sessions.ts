// Recorded SMTP sessions: batched writes when sessions end, the filtered listing, one session's transcript,
// and retention (the newest maxMessages sessions are kept). Must not import smtp, electron or any binding.
import type Database from 'better-sqlite3';
import type { SessionDetail, SessionPage, SessionRecord } from '../../src-shared/index.js';
import { MAX_PAGE_SIZE, MailwrightError } from '../../src-shared/index.js';
import { clamp, parseTranscript, SUMMARY, toSummary, type SessionRow } from './session-rows.js';

/** What the capture server hands over when a session ends. */
export type SessionInput = SessionRecord;

export interface SessionQuery {
  filter?: 'all' | 'authFailures' | 'rejected' | undefined;
  clientAddress?: string | undefined;
  listener?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/**
 * How long ended sessions wait to be written. Nobody waits on a session row the way a client waits on its
 * 250, so a short timer lets a flood of one-message sessions share a transaction instead of paying a
 * commit each (the message writer already pays one per batch on the same path).
 */
const FLUSH_DELAY_MS = 20;
/** Sessions per transaction: a flood commits in slices that never block the event loop for long. */
const MAX_BATCH_SESSIONS = 500;
const DEFAULT_PAGE_SIZE = 50;

export class SessionStore {
  readonly #db: Database.Database;
  readonly #onAdded: (ids: number[]) => void;
  /** Failures of the timer-driven writes, which have no caller to throw to: the store shows them to the user. */
  readonly #onProblem: (text: string) => void;
  /** The cap: retention's maxMessages, read at each prune so a settings change applies at once. */
  readonly #cap: () => number;
  readonly #insert: Database.Statement;
  #queue: SessionInput[] = [];
  #timer: NodeJS.Timeout | null = null;
  #count: number;
  #closed = false;

  constructor(
    db: Database.Database,
    cap: () => number,
    onAdded: (ids: number[]) => void,
    onProblem: (text: string) => void = () => {},
  ) {
    this.#db = db;
    this.#onProblem = onProblem;
    this.#cap = cap;
    this.#onAdded = onAdded;
    this.#insert = db.prepare(
      `INSERT INTO sessions (listener, client_address, client_port, tls, helo, auth_user, started_at, ended_at, outcome,
         outcome_code, auth_failures, rejected, message_ids, transcript, truncated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#count = db.prepare('SELECT count(*) FROM sessions').pluck().get() as number;
  }

  get count(): number {
    return this.#count;
  }

  /** Queues an ended session; it is written with the others that end within FLUSH_DELAY_MS. */
  add(s: SessionInput): void {
    // Sessions still closing while the app quits have no database left to go to.
    if (this.#closed) return;
    this.#queue.push(s);
    if (this.#queue.length >= MAX_BATCH_SESSIONS) this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      this.#timer.unref();
    }
  }

  /** Writes everything queued now (close, tests). A failed write is logged and dropped: sessions are diagnostics. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    let ids: number[];
    try {
      ids = this.#db.transaction(() => batch.map((s) => this.#write(s)))();
    } catch (err) {
      console.error('[store] could not save SMTP sessions:', err);
      this.#onProblem(`could not save recorded SMTP sessions: ${errorText(err)}`);
      return;
    }
    this.#count += ids.length;
    try {
      this.prune();
    } catch (err) {
      // Runs from a timer: a busy or full database must not become an uncaught exception. The rows are written,
      // so they are announced; the cap is enforced again after the next batch.
      console.error('[store] could not prune SMTP sessions:', err);
      this.#onProblem(`could not remove old SMTP sessions: ${errorText(err)}`);
    }
    this.#onAdded(ids);
  }

  /** Writes what is queued; later sessions are ignored. Called by Store.close() before the database closes. */
  close(): void {
    this.flush();
    this.#closed = true;
  }

  /** Drops the oldest sessions past the cap; returns how many went. */
  prune(): number {
    const cap = this.#cap();
    if (cap <= 0 || this.#count <= cap) return 0;
    const removed = this.#db
      .prepare('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY id LIMIT ?)')
      .run(this.#count - cap).changes;
    this.#count -= removed;
    return removed;
  }

  list(q: SessionQuery): SessionPage {
    const limit = clamp(q.limit, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    const offset = clamp(q.offset, 0, Number.MAX_SAFE_INTEGER, 0);
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.filter === 'authFailures') where.push('auth_failures > 0');
    if (q.filter === 'rejected') where.push('rejected > 0');
    if (q.clientAddress) {
      // smtp-server may report an IPv4 client of a dual-stack socket as ::ffff:a.b.c.d; both spellings match.
      const bare = q.clientAddress.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
      where.push('client_address IN (?, ?)');
      params.push(bare, `::ffff:${bare}`);
    }
    if (q.listener) {
      where.push('listener = ?');
      params.push(q.listener);
    }
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.#db
      .prepare(`SELECT ${SUMMARY} FROM sessions ${cond} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as SessionRow[];
    const total = cond
      ? (this.#db
          .prepare(`SELECT count(*) FROM sessions ${cond}`)
          .pluck()
          .get(...params) as number)
      : this.#count;
    return { total, sessions: rows.map(toSummary) };
  }

  get(id: number): SessionDetail {
    const row = this.#db.prepare(`SELECT ${SUMMARY}, transcript, truncated FROM sessions WHERE id = ?`).get(id) as
      (SessionRow & { transcript: string; truncated: number }) | undefined;
    if (!row) throw new MailwrightError('not_found', `session ${id} does not exist`, 'id');
    return { ...toSummary(row), transcript: parseTranscript(row.transcript), truncatedLines: row.truncated };
  }

  #write(s: SessionInput): number {
    const info = this.#insert.run(
      s.listener,
      s.clientAddress,
      s.clientPort,
      s.tls ? JSON.stringify(s.tls) : null,
      s.helo,
      s.authUser,
      new Date(s.startedAt).toISOString(),
      new Date(s.endedAt).toISOString(),
      s.outcome,
      s.outcomeCode,
      s.authFailures,
      s.rejected,
      JSON.stringify(s.messageIds),
      JSON.stringify(s.lines),
      s.truncatedLines,
    );
    return Number(info.lastInsertRowid);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
