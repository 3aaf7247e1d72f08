// The checks' own table: each message's latest offline check results (JSON) and the figures the inbox badges show,
// so a list page reads badges without running anything. Plain SQL, so it ports to PostgreSQL (issue 13) as it is.
// Must not import electron, serve/ or another capability's folder.
import type Database from 'better-sqlite3';

export const CHECKS_MIGRATIONS = [
  {
    version: 1,
    name: '001_results',
    sqlite: `
      CREATE TABLE checks_results (
        message_id   INTEGER PRIMARY KEY,
        checked_at   TEXT    NOT NULL,
        result       TEXT    NOT NULL,
        dkim         TEXT    NOT NULL,
        dmarc        TEXT    NOT NULL,
        compat_score INTEGER,
        lint_errors  INTEGER NOT NULL,
        spam_score   REAL
      ) STRICT;
    `,
  },
] as const;

export interface StoredBadges {
  id: number;
  dkim: string;
  dmarc: string;
  compatScore: number | null;
  spamScore: number | null;
  lintErrors: number;
}

export class ChecksRepository {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  read(id: number): { checkedAt: string; result: string } | null {
    const row = this.#db.prepare('SELECT checked_at, result FROM checks_results WHERE message_id = ?').get(id) as
      { checked_at: string; result: string } | undefined;
    return row ? { checkedAt: row.checked_at, result: row.result } : null;
  }

  write(id: number, checkedAt: string, result: string, badges: Omit<StoredBadges, 'id' | 'spamScore'>): void {
    this.#db
      .prepare(
        `INSERT INTO checks_results (message_id, checked_at, result, dkim, dmarc, compat_score, lint_errors)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET checked_at = excluded.checked_at, result = excluded.result,
           dkim = excluded.dkim, dmarc = excluded.dmarc, compat_score = excluded.compat_score,
           lint_errors = excluded.lint_errors`,
      )
      .run(id, checkedAt, result, badges.dkim, badges.dmarc, badges.compatScore, badges.lintErrors);
  }

  /** Keeps the latest SpamAssassin score for the badge (a row is made if the offline checks never ran). */
  writeSpamScore(id: number, score: number | null): void {
    this.#db
      .prepare(
        `INSERT INTO checks_results (message_id, checked_at, result, dkim, dmarc, compat_score, lint_errors, spam_score)
         VALUES (?, '', '', 'none', 'none', NULL, 0, ?)
         ON CONFLICT (message_id) DO UPDATE SET spam_score = excluded.spam_score`,
      )
      .run(id, score);
  }

  badges(ids: readonly number[]): StoredBadges[] {
    if (ids.length === 0) return [];
    return this.#db
      .prepare(
        `SELECT message_id AS id, dkim, dmarc, compat_score AS compatScore, spam_score AS spamScore,
                lint_errors AS lintErrors
         FROM checks_results WHERE message_id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(ids)) as StoredBadges[];
  }

  forget(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.#db
      .prepare('DELETE FROM checks_results WHERE message_id IN (SELECT value FROM json_each(?))')
      .run(JSON.stringify(ids));
  }

  forgetOrphans(): void {
    this.#db.prepare('DELETE FROM checks_results WHERE message_id NOT IN (SELECT id FROM messages)').run();
  }
}
