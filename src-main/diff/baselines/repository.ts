// The baselines' own tables, the same SQL on SQLite and PostgreSQL except where the dialect table (SQL below)
// says otherwise. A baseline keeps its own copy of the approved message and its screenshots (PNG bytes: BLOB, bytea),
// so deleting or pruning the message never loses the baseline.
import type { Envelope, Verdict } from '../../../src-shared/index.js';
import type { CapabilityMigration } from '../../core/capability.js';
import type { SqlClient, SqlDialect } from '../../store/message-store.js';

export const BASELINE_MIGRATIONS: readonly CapabilityMigration[] = [
  {
    version: 1,
    name: '001_baselines',
    sqlite: `
      CREATE TABLE diff_baselines (
        key TEXT PRIMARY KEY,
        message_id INTEGER NOT NULL,
        subject TEXT NOT NULL,
        raw BLOB NOT NULL,
        envelope TEXT NOT NULL,
        widths TEXT NOT NULL,
        approved_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE diff_baseline_screenshots (
        key TEXT NOT NULL REFERENCES diff_baselines(key) ON DELETE CASCADE,
        width INTEGER NOT NULL,
        png BLOB NOT NULL,
        PRIMARY KEY (key, width)
      ) STRICT;
      CREATE TABLE diff_verdicts (
        message_id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        verdict TEXT NOT NULL,
        detail TEXT,
        compared_at TEXT NOT NULL
      ) STRICT;
    `,
    // Keys compare and sort bytewise (COLLATE "C"), as SQLite's TEXT does, whatever the database's locale.
    postgres: `
      CREATE TABLE diff_baselines (
        key text COLLATE "C" PRIMARY KEY,
        message_id bigint NOT NULL,
        subject text NOT NULL,
        raw bytea NOT NULL,
        envelope text NOT NULL,
        widths text NOT NULL,
        approved_at text NOT NULL
      );
      CREATE TABLE diff_baseline_screenshots (
        key text COLLATE "C" NOT NULL REFERENCES diff_baselines(key) ON DELETE CASCADE,
        width integer NOT NULL,
        png bytea NOT NULL,
        PRIMARY KEY (key, width)
      );
      CREATE TABLE diff_verdicts (
        message_id bigint PRIMARY KEY,
        key text COLLATE "C" NOT NULL,
        verdict text NOT NULL,
        detail text,
        compared_at text NOT NULL
      );
    `,
  },
];

export interface StoredBaseline {
  key: string;
  messageId: number;
  subject: string;
  raw: Buffer;
  envelope: Envelope;
  widths: number[];
  approvedAt: string;
  screenshots: Map<number, Buffer>;
}

interface BaselineRow {
  key: string;
  message_id: number;
  subject: string;
  raw: Buffer;
  envelope: string;
  widths: string;
  approved_at: string;
}

/** Where the two dialects differ. */
interface DialectSql {
  /** A condition: message_id is one of the numbers of a JSON array given as the one parameter. */
  messageIdIn: string;
}

const SQL: Record<SqlDialect, DialectSql> = {
  sqlite: { messageIdIn: 'message_id IN (SELECT value FROM json_each(?))' },
  postgres: { messageIdIn: 'message_id IN (SELECT value::bigint FROM jsonb_array_elements_text(?::jsonb))' },
};

export class BaselineRepository {
  readonly #sql: SqlClient;
  readonly #d: DialectSql;

  constructor(sql: SqlClient) {
    this.#sql = sql;
    this.#d = SQL[sql.dialect];
  }

  async count(): Promise<number> {
    return Number((await this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM diff_baselines'))?.n ?? 0);
  }

  /** Every baseline without its bytes (the list view). */
  async list(): Promise<
    Array<Omit<StoredBaseline, 'raw' | 'screenshots' | 'envelope'> & { screenshotWidths: number[] }>
  > {
    const [rows, shots] = await Promise.all([
      this.#sql.all<Omit<BaselineRow, 'raw' | 'envelope'>>(
        'SELECT key, message_id, subject, widths, approved_at FROM diff_baselines ORDER BY key',
      ),
      this.#sql.all<{ key: string; width: number }>('SELECT key, width FROM diff_baseline_screenshots'),
    ]);
    const widths = new Map<string, number[]>();
    for (const s of shots) widths.set(s.key, [...(widths.get(s.key) ?? []), Number(s.width)]);
    return rows.map((r) => ({
      key: r.key,
      messageId: Number(r.message_id),
      subject: r.subject,
      widths: JSON.parse(r.widths) as number[],
      approvedAt: r.approved_at,
      screenshotWidths: (widths.get(r.key) ?? []).sort((a, b) => a - b),
    }));
  }

  async get(key: string): Promise<StoredBaseline | null> {
    const [row, shots] = await Promise.all([
      this.#sql.get<BaselineRow>(
        'SELECT key, message_id, subject, raw, envelope, widths, approved_at FROM diff_baselines WHERE key = ?',
        [key],
      ),
      this.#sql.all<{ width: number; png: Buffer }>('SELECT width, png FROM diff_baseline_screenshots WHERE key = ?', [
        key,
      ]),
    ]);
    if (!row) return null;
    return {
      key: row.key,
      messageId: Number(row.message_id),
      subject: row.subject,
      raw: row.raw,
      envelope: JSON.parse(row.envelope) as Envelope,
      widths: JSON.parse(row.widths) as number[],
      approvedAt: row.approved_at,
      screenshots: new Map(shots.map((s) => [Number(s.width), s.png])),
    };
  }

  /**
   * Replaces the key's baseline and its screenshots in one transaction. The baseline row is written first: on
   * PostgreSQL that locks the key, so a put of the same key on another connection waits and then replaces these
   * screenshots instead of colliding with them.
   */
  async put(b: StoredBaseline): Promise<void> {
    await this.#sql.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO diff_baselines (key, message_id, subject, raw, envelope, widths, approved_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET message_id = excluded.message_id, subject = excluded.subject,
           raw = excluded.raw, envelope = excluded.envelope, widths = excluded.widths,
           approved_at = excluded.approved_at`,
        [b.key, b.messageId, b.subject, b.raw, JSON.stringify(b.envelope), JSON.stringify(b.widths), b.approvedAt],
      );
      await tx.run('DELETE FROM diff_baseline_screenshots WHERE key = ?', [b.key]);
      for (const [width, png] of b.screenshots)
        await tx.run('INSERT INTO diff_baseline_screenshots (key, width, png) VALUES (?, ?, ?)', [b.key, width, png]);
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.#sql.transaction(async (tx) => {
      const deleted = (await tx.run('DELETE FROM diff_baselines WHERE key = ?', [key])).changes > 0;
      await tx.run('DELETE FROM diff_baseline_screenshots WHERE key = ?', [key]);
      return deleted;
    });
  }

  async putVerdict(v: Verdict, comparedAt: string): Promise<void> {
    await this.#sql.run(
      `INSERT INTO diff_verdicts (message_id, key, verdict, detail, compared_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET key = excluded.key, verdict = excluded.verdict,
         detail = excluded.detail, compared_at = excluded.compared_at`,
      [v.messageId, v.key, v.verdict, v.detail, comparedAt],
    );
  }

  async verdicts(ids: readonly number[]): Promise<Verdict[]> {
    if (ids.length === 0) return [];
    const rows = await this.#sql.all<{
      message_id: number;
      key: string;
      verdict: Verdict['verdict'];
      detail: string | null;
    }>(`SELECT message_id, key, verdict, detail FROM diff_verdicts WHERE ${this.#d.messageIdIn}`, [
      JSON.stringify(ids),
    ]);
    return rows.map((r) => ({ messageId: Number(r.message_id), key: r.key, verdict: r.verdict, detail: r.detail }));
  }

  async forgetVerdicts(ids: readonly number[] | 'all'): Promise<void> {
    if (ids === 'all') await this.#sql.run('DELETE FROM diff_verdicts');
    else if (ids.length > 0)
      await this.#sql.run(`DELETE FROM diff_verdicts WHERE ${this.#d.messageIdIn}`, [JSON.stringify(ids)]);
  }
}
