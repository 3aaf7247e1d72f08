// The tags table: which message carries which tag. Plain SQL, so it ports to PostgreSQL (issue 13) as it is.
// Must not import electron, serve/ or another capability's folder.
import type Database from 'better-sqlite3';

export const TAGS_MIGRATIONS = [
  {
    version: 1,
    name: '001_message_tags',
    // NOCASE: `tag:Invoice` finds `invoice`, and one message cannot carry both spellings (as in Mailpit).
    sqlite: `
      CREATE TABLE tags_message_tags (
        message_id INTEGER NOT NULL,
        tag        TEXT    NOT NULL COLLATE NOCASE,
        PRIMARY KEY (message_id, tag)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX tags_message_tags_by_tag ON tags_message_tags (tag, message_id);
    `,
  },
] as const;

export class TagsRepository {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Every tag in use with its message count, sorted by name. */
  all(): { tag: string; count: number }[] {
    return this.#db
      .prepare('SELECT tag, count(*) AS count FROM tags_message_tags GROUP BY tag ORDER BY tag COLLATE NOCASE')
      .all() as { tag: string; count: number }[];
  }

  /** Each message's tags, sorted; messages without tags are absent from the map. */
  forMessages(ids: readonly number[]): Map<number, string[]> {
    const rows = this.#db
      .prepare(
        'SELECT message_id AS id, tag FROM tags_message_tags WHERE message_id IN (SELECT value FROM json_each(?)) ' +
          'ORDER BY message_id, tag COLLATE NOCASE',
      )
      .all(JSON.stringify(ids)) as { id: number; tag: string }[];
    const out = new Map<number, string[]>();
    for (const r of rows) {
      const list = out.get(r.id);
      if (list) list.push(r.tag);
      else out.set(r.id, [r.tag]);
    }
    return out;
  }

  /** Replaces the tags of the messages that exist among `ids`; returns how many messages that was. */
  set(ids: readonly number[], tags: readonly string[]): number {
    return this.#db.transaction(() => {
      const existing = this.#existing(ids);
      const list = JSON.stringify(existing);
      this.#db.prepare('DELETE FROM tags_message_tags WHERE message_id IN (SELECT value FROM json_each(?))').run(list);
      this.#insert(existing, tags);
      return existing.length;
    })();
  }

  /** Adds tags to the messages that exist among `ids`; returns how many messages that was. */
  add(ids: readonly number[], tags: readonly string[]): number {
    return this.#db.transaction(() => {
      const existing = this.#existing(ids);
      this.#insert(existing, tags);
      return existing.length;
    })();
  }

  /** Renames on every message; where a message already has `to`, the two merge. Returns the messages touched. */
  rename(from: string, to: string): number {
    return this.#db.transaction(() => {
      const ids = this.#db
        .prepare('SELECT message_id FROM tags_message_tags WHERE tag = ?')
        .pluck()
        .all(from) as number[];
      this.#db.prepare('DELETE FROM tags_message_tags WHERE tag = ?').run(from);
      this.#insert(ids, [to]);
      return ids.length;
    })();
  }

  delete(tag: string): number {
    return this.#db.prepare('DELETE FROM tags_message_tags WHERE tag = ?').run(tag).changes;
  }

  /** Drops the tags of deleted messages (ids are never reused, so this is tidying, not correctness). */
  forget(ids: readonly number[]): void {
    this.#db
      .prepare('DELETE FROM tags_message_tags WHERE message_id IN (SELECT value FROM json_each(?))')
      .run(JSON.stringify(ids));
  }

  /** Drops every tag whose message is gone (after a delete-all, or deletes made while the app was not running). */
  forgetOrphans(): void {
    this.#db.prepare('DELETE FROM tags_message_tags WHERE message_id NOT IN (SELECT id FROM messages)').run();
  }

  #existing(ids: readonly number[]): number[] {
    return this.#db
      .prepare('SELECT id FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id')
      .pluck()
      .all(JSON.stringify(ids)) as number[];
  }

  #insert(ids: readonly number[], tags: readonly string[]): void {
    const insert = this.#db.prepare('INSERT OR IGNORE INTO tags_message_tags (message_id, tag) VALUES (?, ?)');
    for (const id of ids) for (const tag of tags) insert.run(id, tag);
  }
}

/** `tag:NAME` and `is:tagged` as SQL over the store's `messages m`. */
export const TAG_CONDITION = 'm.id IN (SELECT message_id FROM tags_message_tags WHERE tag = ?)';
export const TAGGED_CONDITION = 'm.id IN (SELECT message_id FROM tags_message_tags)';
