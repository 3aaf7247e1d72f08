// SQL for the compose_profiles table: one row per profile, its document as JSON with every secret sealed.
// Plain SQL only, so issue 13's PostgreSQL port is a copy.
import type Database from 'better-sqlite3';

export const PROFILES_MIGRATION = {
  version: 1,
  name: '001_profiles_and_sends',
  sqlite: `
    CREATE TABLE compose_profiles (
      id TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      doc TEXT NOT NULL
    ) STRICT;
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

export interface ProfileRow {
  id: string;
  doc: string;
}

export class ProfilesRepo {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  all(): ProfileRow[] {
    return this.#db.prepare('SELECT id, doc FROM compose_profiles ORDER BY position, id').all() as ProfileRow[];
  }

  get(id: string): ProfileRow | undefined {
    return this.#db.prepare('SELECT id, doc FROM compose_profiles WHERE id = ?').get(id) as ProfileRow | undefined;
  }

  insert(id: string, doc: string): void {
    this.#db
      .prepare(
        'INSERT INTO compose_profiles (id, position, doc) VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM compose_profiles), ?)',
      )
      .run(id, doc);
  }

  update(id: string, doc: string): void {
    this.#db.prepare('UPDATE compose_profiles SET doc = ? WHERE id = ?').run(doc, id);
  }

  delete(id: string): boolean {
    return this.#db.prepare('DELETE FROM compose_profiles WHERE id = ?').run(id).changes > 0;
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }
}
