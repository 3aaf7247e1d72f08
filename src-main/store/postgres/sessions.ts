// Recorded SMTP sessions in PostgreSQL: the SQLite SessionStore's batching, listing and retention, over a pool.
import type pg from 'pg';
import type { SessionDetail, SessionPage } from '../../../src-shared/index.js';
import { MAX_PAGE_SIZE, MailwrightError } from '../../../src-shared/index.js';
import type { SessionRepository } from '../message-store.js';
import { clamp, parseTranscript, SUMMARY, toSummary, type SessionRow } from '../session-rows.js';
import type { SessionInput, SessionQuery } from '../sessions.js';

/** As sessions.ts: nobody waits on a session row, so ended sessions share a statement. */
const FLUSH_DELAY_MS = 20;
const MAX_BATCH_SESSIONS = 500;
const DEFAULT_PAGE_SIZE = 50;

const COLUMNS = [
  'listener',
  'client_address',
  'client_port',
  'tls',
  'helo',
  'auth_user',
  'started_at',
  'ended_at',
  'outcome',
  'outcome_code',
  'auth_failures',
  'rejected',
  'message_ids',
  'transcript',
  'truncated',
] as const;
const TYPES = [
  'text',
  'text',
  'int',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int',
  'int',
  'int',
  'text',
  'text',
  'int',
];

export class PgSessions implements SessionRepository {
  readonly #pool: pg.Pool;
  readonly #cap: () => Promise<number>;
  readonly #onAdded: (ids: number[]) => Promise<void>;
  readonly #onProblem: (text: string) => void;
  #queue: SessionInput[] = [];
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    pool: pg.Pool,
    cap: () => Promise<number>,
    onAdded: (ids: number[]) => Promise<void>,
    onProblem: (text: string) => void,
  ) {
    this.#pool = pool;
    this.#cap = cap;
    this.#onAdded = onAdded;
    this.#onProblem = onProblem;
  }

  add(s: SessionInput): void {
    if (this.#closed) return;
    this.#queue.push(s);
    if (this.#queue.length >= MAX_BATCH_SESSIONS) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
      this.#timer.unref();
    }
  }

  /** Writes what is queued; a failed write is reported and dropped (sessions are diagnostics). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return this.#writing;
    this.#writing = this.#writing.then(() => this.#write(batch));
    return this.#writing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  async #write(batch: SessionInput[]): Promise<void> {
    const columns: unknown[][] = COLUMNS.map(() => []);
    for (const s of batch) {
      const values = [
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
      ];
      values.forEach((v, i) => columns[i]!.push(v));
    }
    const unnest = TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
    let ids: number[];
    try {
      const r = await this.#pool.query(
        `INSERT INTO sessions (${COLUMNS.join(', ')}) SELECT * FROM unnest(${unnest}) RETURNING id`,
        columns,
      );
      ids = r.rows.map((row: { id: number }) => row.id).sort((a, b) => a - b);
    } catch (err) {
      this.#onProblem(`could not save recorded SMTP sessions: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    try {
      await this.prune();
    } catch (err) {
      this.#onProblem(`could not remove old SMTP sessions: ${err instanceof Error ? err.message : String(err)}`);
    }
    await this.#onAdded(ids);
  }

  /** Drops the oldest sessions past the cap (retention's maxMessages); returns how many went. */
  async prune(): Promise<number> {
    const cap = await this.#cap();
    if (cap <= 0) return 0;
    const r = await this.#pool.query(
      'DELETE FROM sessions WHERE id < (SELECT id FROM sessions ORDER BY id DESC OFFSET $1 - 1 LIMIT 1)',
      [cap],
    );
    return r.rowCount ?? 0;
  }

  async list(q: SessionQuery): Promise<SessionPage> {
    const limit = clamp(q.limit, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    const offset = clamp(q.offset, 0, Number.MAX_SAFE_INTEGER, 0);
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.filter === 'authFailures') where.push('auth_failures > 0');
    if (q.filter === 'rejected') where.push('rejected > 0');
    if (q.clientAddress) {
      const bare = q.clientAddress.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
      params.push(bare, `::ffff:${bare}`);
      where.push(`client_address IN ($${params.length - 1}, $${params.length})`);
    }
    if (q.listener) {
      params.push(q.listener);
      where.push(`listener = $${params.length}`);
    }
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = (
      await this.#pool.query(
        `SELECT ${SUMMARY} FROM sessions ${cond} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, limit, offset],
      )
    ).rows as SessionRow[];
    const total = (await this.#pool.query<{ n: number }>(`SELECT count(*) AS n FROM sessions ${cond}`, params)).rows[0]!
      .n;
    return { total, sessions: rows.map(toSummary) };
  }

  async get(id: number): Promise<SessionDetail> {
    const row = (await this.#pool.query(`SELECT ${SUMMARY}, transcript, truncated FROM sessions WHERE id = $1`, [id]))
      .rows[0] as (SessionRow & { transcript: string; truncated: number }) | undefined;
    if (!row) throw new MailwrightError('not_found', `session ${id} does not exist`, 'id');
    return { ...toSummary(row), transcript: parseTranscript(row.transcript), truncatedLines: row.truncated };
  }
}
