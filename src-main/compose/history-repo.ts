// SQL for compose_sends: one row per send attempt, the report as JSON and the message bytes, which are dropped
// under the same retention caps as captured mail (count and bytes). Through the capability's SqlClient, so on
// SQLite and PostgreSQL alike; the one difference (LIKE is case-sensitive on PostgreSQL) is in LIKE below.
import type { SqlClient, SqlValue } from '../store/message-store.js';
import type { SendKind, SendOutcome, SendReport, SendSummary } from '../../src-shared/index.js';

export const HISTORY_MIGRATION = {
  version: 1,
  name: '001_sends',
  sqlite: `
    CREATE TABLE compose_sends (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      kind TEXT NOT NULL,
      profile_id TEXT NOT NULL,
      profile_name TEXT NOT NULL,
      host TEXT NOT NULL,
      port INTEGER NOT NULL,
      mail_from TEXT NOT NULL,
      rcpt_to TEXT NOT NULL,
      subject TEXT NOT NULL,
      outcome TEXT NOT NULL,
      reply TEXT,
      message_id TEXT,
      ms REAL NOT NULL,
      size INTEGER NOT NULL,
      report TEXT NOT NULL,
      raw BLOB
    ) STRICT;
    CREATE INDEX compose_sends_outcome ON compose_sends (outcome, id);
  `,
  postgres: `
    CREATE TABLE compose_sends (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at text NOT NULL,
      kind text NOT NULL,
      profile_id text NOT NULL,
      profile_name text NOT NULL,
      host text NOT NULL,
      port integer NOT NULL,
      mail_from text NOT NULL,
      rcpt_to text NOT NULL,
      subject text NOT NULL,
      outcome text NOT NULL,
      reply text,
      message_id text,
      ms double precision NOT NULL,
      size integer NOT NULL,
      report text NOT NULL,
      raw bytea
    );
    CREATE INDEX compose_sends_outcome ON compose_sends (outcome, id);
  `,
};

export interface SendRecord {
  kind: SendKind;
  profileId: string;
  profileName: string;
  host: string;
  port: number;
  subject: string;
  report: Omit<SendReport, 'id'>;
  raw: Buffer | null;
}

interface Row {
  id: number;
  at: string;
  kind: SendKind;
  profile_id: string;
  profile_name: string;
  host: string;
  port: number;
  mail_from: string;
  rcpt_to: string;
  subject: string;
  outcome: SendOutcome;
  reply: string | null;
  message_id: string | null;
  ms: number;
  size: number;
  has_raw: number;
}

// has_raw as 0/1 in both dialects (a bare IS NOT NULL is a boolean on PostgreSQL).
const SUMMARY_COLUMNS =
  'id, at, kind, profile_id, profile_name, host, port, mail_from, rcpt_to, subject, outcome, reply, message_id, ms, size, CASE WHEN raw IS NULL THEN 0 ELSE 1 END AS has_raw';

/** The case-insensitive LIKE of each dialect (SQLite's LIKE already ignores ASCII case). */
const LIKE = { sqlite: 'LIKE', postgres: 'ILIKE' } as const;

/** Sends read per query while retention looks for the oldest bytes to drop. */
const RETENTION_CHUNK = 256;

interface Held {
  count: number;
  bytes: number;
  firstId: number;
}

export class HistoryRepo {
  readonly #sql: SqlClient;
  /**
   * Sends that still hold their bytes, and how many bytes: counted once, then kept up to date by each insert, so
   * retention costs nothing while under its caps (counting reads every row, ~130 ms at 26,000 sends), and past
   * them reads only the oldest sends still holding bytes (`firstId` on). Kept by this process: sends recorded by
   * another instance on the same database are counted when this one next starts.
   */
  #held: Held | null = null;
  /** The retention pass under way: passes run one at a time, so two never drop the same bytes twice. */
  #retaining: Promise<unknown> = Promise.resolve();

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  insert(r: SendRecord): Promise<number> {
    return this.#insert(this.#sql, r);
  }

  /**
   * Several records in one transaction (bulk runs write their sends in batches); their ids in order. Given `tx`
   * (a transaction's client), they are written in that transaction instead of one of their own.
   */
  async insertMany(records: readonly SendRecord[], tx?: SqlClient): Promise<number[]> {
    const write = async (db: SqlClient) => {
      const ids: number[] = [];
      for (const r of records) ids.push(await this.#insert(db, r));
      return ids;
    };
    if (tx) return write(tx);
    try {
      return await this.#sql.transaction(write);
    } catch (err) {
      this.forgetHeld();
      throw err;
    }
  }

  /**
   * Forgets what it counted as held, so the next retention pass counts again: for a transaction that wrote sends
   * here and was then rolled back (their bytes were counted as they went in).
   */
  forgetHeld(): void {
    this.#held = null;
  }

  async #insert(db: SqlClient, r: SendRecord): Promise<number> {
    const row = await db.get<{ id: number }>(
      `INSERT INTO compose_sends (at, kind, profile_id, profile_name, host, port, mail_from, rcpt_to, subject, outcome,
           reply, message_id, ms, size, report, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING id`,
      [
        new Date().toISOString(),
        r.kind,
        r.profileId,
        r.profileName,
        r.host,
        r.port,
        r.report.envelope.from,
        JSON.stringify(r.report.envelope.to),
        r.subject,
        r.report.outcome,
        r.report.reply,
        r.report.messageId,
        r.report.ms,
        r.report.size,
        JSON.stringify(r.report),
        r.raw,
      ],
    );
    if (this.#held && r.raw) {
      this.#held.count++;
      this.#held.bytes += r.raw.length;
    }
    return Number(row!.id);
  }

  async list(a: { query?: string; outcome?: SendOutcome; limit: number; offset: number }): Promise<{
    sends: SendSummary[];
    total: number;
  }> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (a.outcome) {
      where.push('outcome = ?');
      params.push(a.outcome);
    }
    if (a.query) {
      // A plain substring search: history is small next to the inbox and has no full-text index of its own.
      const like = `%${a.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const op = LIKE[this.#sql.dialect];
      const columns = ['subject', 'rcpt_to', 'mail_from', 'profile_name', 'reply', 'message_id'];
      where.push(`(${columns.map((c) => `${c} ${op} ? ESCAPE '\\'`).join(' OR ')})`);
      params.push(...columns.map(() => like));
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.#sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM compose_sends ${clause}`, params))!.n;
    const rows = await this.#sql.all<Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM compose_sends ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`,
      [...params, a.limit, a.offset],
    );
    return { sends: rows.map(summary), total: Number(total) };
  }

  async get(id: number): Promise<{ summary: SendSummary; report: SendReport } | null> {
    const row = await this.#sql.get<Row & { report: string }>(
      `SELECT ${SUMMARY_COLUMNS}, report FROM compose_sends WHERE id = ?`,
      [id],
    );
    if (!row) return null;
    return {
      summary: summary(row),
      report: { ...(JSON.parse(row.report) as Omit<SendReport, 'id'>), id: Number(row.id) },
    };
  }

  async raw(id: number): Promise<Buffer | null | undefined> {
    const row = await this.#sql.get<{ raw: Buffer | null }>('SELECT raw FROM compose_sends WHERE id = ?', [id]);
    return row ? row.raw : undefined;
  }

  /** Drops the bytes of the oldest sends past the caps; the rows (and their reports) stay. How many dropped. */
  applyRetention(maxMessages: number, maxBytes: number): Promise<number> {
    const pass = this.#retaining.catch(() => {}).then(() => this.#retain(maxMessages, maxBytes));
    this.#retaining = pass;
    return pass;
  }

  async #retain(maxMessages: number, maxBytes: number): Promise<number> {
    const held = (this.#held ??= await this.#countHeld());
    if (held.count <= maxMessages && held.bytes <= maxBytes) return 0;
    // Past a cap: the oldest sends holding bytes go first until both caps hold again (what ranking every send from
    // the newest would drop), read from the oldest held id on, a chunk at a time, so a run at the cap costs a few
    // rows per call. Inserts meanwhile add to `held`; what this pass drops is taken off it at the end.
    const start = { count: held.count, bytes: held.bytes };
    let count = start.count;
    let bytes = start.bytes;
    let last = -1;
    let from = held.firstId;
    scan: for (;;) {
      const rows = await this.#sql.all<{ id: number; size: number }>(
        'SELECT id, LENGTH(raw) AS size FROM compose_sends WHERE id >= ? AND raw IS NOT NULL ORDER BY id LIMIT ?',
        [from, RETENTION_CHUNK],
      );
      for (const row of rows) {
        if (count <= maxMessages && bytes <= maxBytes) break scan;
        count--;
        bytes -= Number(row.size);
        last = Number(row.id);
      }
      if (rows.length < RETENTION_CHUNK) break;
      from = last + 1;
    }
    if (last < 0) return 0;
    const dropped = (
      await this.#sql.run('UPDATE compose_sends SET raw = NULL WHERE id >= ? AND id <= ? AND raw IS NOT NULL', [
        held.firstId,
        last,
      ])
    ).changes;
    held.count -= start.count - count;
    held.bytes -= start.bytes - bytes;
    held.firstId = last + 1;
    return dropped;
  }

  async #countHeld(): Promise<Held> {
    const row = (await this.#sql.get<{ count: number; bytes: number; first: number | null }>(
      'SELECT COUNT(raw) AS count, COALESCE(SUM(LENGTH(raw)), 0) AS bytes, MIN(CASE WHEN raw IS NOT NULL THEN id END) AS first FROM compose_sends',
    ))!;
    return { count: Number(row.count), bytes: Number(row.bytes), firstId: row.first === null ? 0 : Number(row.first) };
  }
}

function summary(r: Row): SendSummary {
  return {
    id: r.id,
    at: r.at,
    kind: r.kind,
    profileId: r.profile_id,
    profileName: r.profile_name,
    host: r.host,
    port: r.port,
    from: r.mail_from,
    to: JSON.parse(r.rcpt_to) as string[],
    subject: r.subject,
    outcome: r.outcome,
    reply: r.reply,
    messageId: r.message_id,
    ms: r.ms,
    size: r.size,
    hasRaw: r.has_raw === 1,
  };
}
