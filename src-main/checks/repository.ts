// The checks' own table: each message's latest offline check results (JSON) and the figures the inbox badges show,
// so a list page reads badges without running anything. Runs on SQLite or PostgreSQL (deps.sql); the one fragment
// that differs (a JSON list of ids) is in the per-dialect table below.
// Must not import electron, serve/ or another capability's folder.
import type { DialectMigration, SqlClient, SqlDialect } from '../store/message-store.js';

export const CHECKS_MIGRATIONS: readonly DialectMigration[] = [
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
    postgres: `
      CREATE TABLE checks_results (
        message_id   bigint  PRIMARY KEY,
        checked_at   text    NOT NULL,
        result       text    NOT NULL,
        dkim         text    NOT NULL,
        dmarc        text    NOT NULL,
        compat_score integer,
        lint_errors  integer NOT NULL,
        spam_score   double precision
      );
    `,
  },
];

/** A subquery of the ids in one JSON array parameter, per dialect. */
const ID_LIST: Record<SqlDialect, string> = {
  sqlite: 'SELECT value FROM json_each(?)',
  postgres: 'SELECT json_array_elements_text(?::json)::bigint',
};

export interface StoredBadges {
  id: number;
  dkim: string;
  dmarc: string;
  compatScore: number | null;
  spamScore: number | null;
  lintErrors: number;
}

export class ChecksRepository {
  readonly #sql: SqlClient;
  readonly #ids: string;

  constructor(sql: SqlClient) {
    this.#sql = sql;
    this.#ids = ID_LIST[sql.dialect];
  }

  async read(id: number): Promise<{ checkedAt: string; result: string } | null> {
    const row = await this.#sql.get<{ checked_at: string; result: string }>(
      'SELECT checked_at, result FROM checks_results WHERE message_id = ?',
      [id],
    );
    return row ? { checkedAt: row.checked_at, result: row.result } : null;
  }

  async write(
    id: number,
    checkedAt: string,
    result: string,
    badges: Omit<StoredBadges, 'id' | 'spamScore'>,
  ): Promise<void> {
    await this.#sql.run(
      `INSERT INTO checks_results (message_id, checked_at, result, dkim, dmarc, compat_score, lint_errors)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET checked_at = excluded.checked_at, result = excluded.result,
         dkim = excluded.dkim, dmarc = excluded.dmarc, compat_score = excluded.compat_score,
         lint_errors = excluded.lint_errors`,
      [id, checkedAt, result, badges.dkim, badges.dmarc, badges.compatScore, badges.lintErrors],
    );
  }

  /** Keeps the latest SpamAssassin score for the badge (a row is made if the offline checks never ran). */
  async writeSpamScore(id: number, score: number | null): Promise<void> {
    await this.#sql.run(
      `INSERT INTO checks_results (message_id, checked_at, result, dkim, dmarc, compat_score, lint_errors, spam_score)
       VALUES (?, '', '', 'none', 'none', NULL, 0, ?)
       ON CONFLICT (message_id) DO UPDATE SET spam_score = excluded.spam_score`,
      [id, score],
    );
  }

  async badges(ids: readonly number[]): Promise<StoredBadges[]> {
    if (ids.length === 0) return [];
    // Quoted aliases: PostgreSQL would fold them to lower case.
    return this.#sql.all<StoredBadges>(
      `SELECT message_id AS id, dkim, dmarc, compat_score AS "compatScore", spam_score AS "spamScore",
              lint_errors AS "lintErrors"
       FROM checks_results WHERE message_id IN (${this.#ids})`,
      [JSON.stringify(ids)],
    );
  }

  async forget(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#sql.run(`DELETE FROM checks_results WHERE message_id IN (${this.#ids})`, [JSON.stringify(ids)]);
  }

  async forgetOrphans(): Promise<void> {
    await this.#sql.run('DELETE FROM checks_results WHERE message_id NOT IN (SELECT id FROM messages)');
  }
}
