// The baselines' own tables, in plain SQL (issue 13 ports every table to PostgreSQL). A baseline keeps its own copy
// of the approved message and its screenshots, so deleting or pruning the message never loses the baseline.
import type Database from 'better-sqlite3';
import type { Envelope, Verdict } from '../../../src-shared/index.js';
import type { CapabilityMigration } from '../../core/capability.js';

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

export class BaselineRepository {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM diff_baselines').get() as { n: number }).n;
  }

  /** Every baseline without its bytes (the list view). */
  list(): Array<Omit<StoredBaseline, 'raw' | 'screenshots' | 'envelope'> & { screenshotWidths: number[] }> {
    const rows = this.#db
      .prepare(
        `SELECT b.key, b.message_id, b.subject, b.widths, b.approved_at,
                (SELECT json_group_array(width) FROM diff_baseline_screenshots s WHERE s.key = b.key) AS shots
         FROM diff_baselines b ORDER BY b.key`,
      )
      .all() as Array<Omit<BaselineRow, 'raw' | 'envelope'> & { shots: string }>;
    return rows.map((r) => ({
      key: r.key,
      messageId: r.message_id,
      subject: r.subject,
      widths: JSON.parse(r.widths) as number[],
      approvedAt: r.approved_at,
      screenshotWidths: (JSON.parse(r.shots) as number[]).sort((a, b) => a - b),
    }));
  }

  get(key: string): StoredBaseline | null {
    const row = this.#db.prepare('SELECT * FROM diff_baselines WHERE key = ?').get(key) as BaselineRow | undefined;
    if (!row) return null;
    const shots = this.#db.prepare('SELECT width, png FROM diff_baseline_screenshots WHERE key = ?').all(key) as Array<{
      width: number;
      png: Buffer;
    }>;
    return {
      key: row.key,
      messageId: row.message_id,
      subject: row.subject,
      raw: row.raw,
      envelope: JSON.parse(row.envelope) as Envelope,
      widths: JSON.parse(row.widths) as number[],
      approvedAt: row.approved_at,
      screenshots: new Map(shots.map((s) => [s.width, s.png])),
    };
  }

  /** Replaces the key's baseline and its screenshots in one transaction. */
  put(b: StoredBaseline): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM diff_baseline_screenshots WHERE key = ?').run(b.key);
      this.#db
        .prepare(
          `INSERT INTO diff_baselines (key, message_id, subject, raw, envelope, widths, approved_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET message_id = excluded.message_id, subject = excluded.subject,
             raw = excluded.raw, envelope = excluded.envelope, widths = excluded.widths,
             approved_at = excluded.approved_at`,
        )
        .run(b.key, b.messageId, b.subject, b.raw, JSON.stringify(b.envelope), JSON.stringify(b.widths), b.approvedAt);
      const insert = this.#db.prepare('INSERT INTO diff_baseline_screenshots (key, width, png) VALUES (?, ?, ?)');
      for (const [width, png] of b.screenshots) insert.run(b.key, width, png);
    })();
  }

  delete(key: string): boolean {
    return this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM diff_baseline_screenshots WHERE key = ?').run(key);
      return this.#db.prepare('DELETE FROM diff_baselines WHERE key = ?').run(key).changes > 0;
    })();
  }

  putVerdict(v: Verdict, comparedAt: string): void {
    this.#db
      .prepare(
        `INSERT INTO diff_verdicts (message_id, key, verdict, detail, compared_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET key = excluded.key, verdict = excluded.verdict,
           detail = excluded.detail, compared_at = excluded.compared_at`,
      )
      .run(v.messageId, v.key, v.verdict, v.detail, comparedAt);
  }

  verdicts(ids: readonly number[]): Verdict[] {
    if (ids.length === 0) return [];
    const rows = this.#db
      .prepare(
        `SELECT message_id, key, verdict, detail FROM diff_verdicts
         WHERE message_id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(ids)) as Array<{
      message_id: number;
      key: string;
      verdict: Verdict['verdict'];
      detail: string | null;
    }>;
    return rows.map((r) => ({ messageId: r.message_id, key: r.key, verdict: r.verdict, detail: r.detail }));
  }

  forgetVerdicts(ids: readonly number[] | 'all'): void {
    if (ids === 'all') this.#db.prepare('DELETE FROM diff_verdicts').run();
    else if (ids.length > 0)
      this.#db
        .prepare('DELETE FROM diff_verdicts WHERE message_id IN (SELECT value FROM json_each(?))')
        .run(JSON.stringify(ids));
  }
}
