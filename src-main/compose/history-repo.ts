// SQL for compose_sends: one row per send attempt, the report as JSON and the message bytes, which are dropped
// under the same retention caps as captured mail (count and bytes). Plain SQL (window functions exist in both
// SQLite and PostgreSQL), so issue 13's port is a copy.
import type Database from 'better-sqlite3';
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

const SUMMARY_COLUMNS =
  'id, at, kind, profile_id, profile_name, host, port, mail_from, rcpt_to, subject, outcome, reply, message_id, ms, size, raw IS NOT NULL AS has_raw';

export class HistoryRepo {
  readonly #db: Database.Database;
  #insertStatement: Database.Statement | undefined;
  /**
   * Sends that still hold their bytes, and how many bytes: counted once, then kept up to date by each insert, so
   * retention costs nothing while under its caps (counting reads every row, ~130 ms at 26,000 sends), and past
   * them reads only the oldest sends still holding bytes (`firstId` on).
   */
  #held: { count: number; bytes: number; firstId: number } | null = null;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  insert(r: SendRecord): number {
    return this.#insert(r);
  }

  /** Several records in one transaction (bulk runs write their sends in batches); their ids in order. */
  insertMany(records: readonly SendRecord[]): number[] {
    return this.#db.transaction(() => records.map((r) => this.#insert(r)))();
  }

  #insert(r: SendRecord): number {
    // Prepared once, on first use: the table exists only after the capability's migrations ran.
    this.#insertStatement ??= this.#db.prepare(
      `INSERT INTO compose_sends (at, kind, profile_id, profile_name, host, port, mail_from, rcpt_to, subject, outcome,
           reply, message_id, ms, size, report, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const info = this.#insertStatement.run(
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
    );
    if (this.#held && r.raw) {
      this.#held.count++;
      this.#held.bytes += r.raw.length;
    }
    return Number(info.lastInsertRowid);
  }

  list(a: { query?: string; outcome?: SendOutcome; limit: number; offset: number }): {
    sends: SendSummary[];
    total: number;
  } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (a.outcome) {
      where.push('outcome = ?');
      params.push(a.outcome);
    }
    if (a.query) {
      // A plain substring search: history is small next to the inbox and has no full-text index of its own.
      const like = `%${a.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(
        "(subject LIKE ? ESCAPE '\\' OR rcpt_to LIKE ? ESCAPE '\\' OR mail_from LIKE ? ESCAPE '\\' OR profile_name LIKE ? ESCAPE '\\' OR reply LIKE ? ESCAPE '\\' OR message_id LIKE ? ESCAPE '\\')",
      );
      params.push(like, like, like, like, like, like);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.#db.prepare(`SELECT COUNT(*) AS n FROM compose_sends ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.#db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM compose_sends ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, a.limit, a.offset) as Row[];
    return { sends: rows.map(summary), total };
  }

  get(id: number): { summary: SendSummary; report: SendReport } | null {
    const row = this.#db.prepare(`SELECT ${SUMMARY_COLUMNS}, report FROM compose_sends WHERE id = ?`).get(id) as
      (Row & { report: string }) | undefined;
    if (!row) return null;
    return { summary: summary(row), report: { ...(JSON.parse(row.report) as Omit<SendReport, 'id'>), id: row.id } };
  }

  raw(id: number): Buffer | null | undefined {
    const row = this.#db.prepare('SELECT raw FROM compose_sends WHERE id = ?').get(id) as
      { raw: Buffer | null } | undefined;
    return row ? row.raw : undefined;
  }

  /** Drops the bytes of the oldest sends past the caps; the rows (and their reports) stay. */
  applyRetention(maxMessages: number, maxBytes: number): number {
    const held = (this.#held ??= this.#countHeld());
    if (held.count <= maxMessages && held.bytes <= maxBytes) return 0;
    // Past a cap: the oldest sends holding bytes go first until both caps hold again (what ranking every send from
    // the newest would drop), read from the oldest held id on, so a run at the cap costs a few rows per call.
    let count = held.count;
    let bytes = held.bytes;
    let last = -1;
    for (const row of this.#db
      .prepare('SELECT id, LENGTH(raw) AS size FROM compose_sends WHERE id >= ? AND raw IS NOT NULL ORDER BY id')
      .iterate(held.firstId) as IterableIterator<{ id: number; size: number }>) {
      if (count <= maxMessages && bytes <= maxBytes) break;
      count--;
      bytes -= row.size;
      last = row.id;
    }
    if (last < 0) return 0;
    const dropped = this.#db
      .prepare('UPDATE compose_sends SET raw = NULL WHERE id >= ? AND id <= ? AND raw IS NOT NULL')
      .run(held.firstId, last).changes;
    this.#held = { count, bytes, firstId: last + 1 };
    return dropped;
  }

  #countHeld(): { count: number; bytes: number; firstId: number } {
    const row = this.#db
      .prepare(
        'SELECT COUNT(raw) AS count, COALESCE(SUM(LENGTH(raw)), 0) AS bytes, MIN(CASE WHEN raw IS NOT NULL THEN id END) AS first FROM compose_sends',
      )
      .get() as { count: number; bytes: number; first: number | null };
    return { count: row.count, bytes: row.bytes, firstId: row.first ?? 0 };
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
