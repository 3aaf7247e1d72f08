// The tags table: which message carries which tag, in SQLite or PostgreSQL (deps.sql). The few statements that
// differ between the two are in one table per dialect below; everything else is the same SQL.
// Must not import electron, serve/ or another capability's folder.
import type { DialectMigration, DialectSearchOperator, SqlClient, SqlDialect } from '../store/message-store.js';
import type { SearchOperator } from '../store/search.js';
import { cleanTag } from '../../src-shared/index.js';

export const TAGS_MIGRATIONS: readonly DialectMigration[] = [
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
    // PostgreSQL has no NOCASE: a case-insensitive ICU collation does its work (equality, the primary key and
    // GROUP BY ignore case). It also folds non-ASCII letters (É = é), which SQLite's NOCASE leaves apart.
    postgres: `
      CREATE COLLATION IF NOT EXISTS tags_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
      CREATE TABLE tags_message_tags (
        message_id bigint NOT NULL,
        tag        text   NOT NULL COLLATE tags_nocase,
        PRIMARY KEY (message_id, tag)
      );
      CREATE INDEX tags_message_tags_by_tag ON tags_message_tags (tag, message_id);
    `,
  },
];

/** The statements whose SQL differs by dialect. `?ids` lists are JSON arrays of numbers. */
interface Statements {
  /** A subquery of the ids in one JSON array parameter. */
  ids: string;
  /** Every (id, tag) pair of a JSON array of ids and a JSON array of tags, skipping pairs already there. */
  insert: string;
  /** Each [id, tag] pair of a JSON array, skipping pairs already there. */
  insertPairs: string;
  /** Tags with their counts, sorted by name whatever the case (as NOCASE orders: ASCII letters folded, then bytes). */
  all: string;
  /** ORDER BY of a message's tags. */
  tagOrder: string;
}

const SQL: Record<SqlDialect, Statements> = {
  sqlite: {
    ids: 'SELECT value FROM json_each(?)',
    insert:
      'INSERT OR IGNORE INTO tags_message_tags (message_id, tag) SELECT i.value, t.value FROM json_each(?) i, json_each(?) t',
    insertPairs: `INSERT OR IGNORE INTO tags_message_tags (message_id, tag)
                    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`,
    all: 'SELECT tag, count(*) AS count FROM tags_message_tags GROUP BY tag ORDER BY tag COLLATE NOCASE',
    tagOrder: 'tag COLLATE NOCASE',
  },
  postgres: {
    ids: 'SELECT json_array_elements_text(?::json)::bigint',
    insert: `INSERT INTO tags_message_tags (message_id, tag)
               SELECT i::bigint, t FROM json_array_elements_text(?::json) i, json_array_elements_text(?::json) t
             ON CONFLICT DO NOTHING`,
    insertPairs: `INSERT INTO tags_message_tags (message_id, tag)
                    SELECT (v->>0)::bigint, v->>1 FROM json_array_elements(?::json) v
                  ON CONFLICT DO NOTHING`,
    // min(): one spelling per group whatever the collation; the order is byte order of the lower-cased name.
    all: `SELECT min(tag COLLATE "C") AS tag, count(*)::int AS count FROM tags_message_tags
           GROUP BY tag ORDER BY lower(min(tag COLLATE "C")) COLLATE "C"`,
    tagOrder: 'lower(tag) COLLATE "C"',
  },
};

export class TagsRepository {
  readonly #sql: SqlClient;
  readonly #q: Statements;

  constructor(sql: SqlClient) {
    this.#sql = sql;
    this.#q = SQL[sql.dialect];
  }

  /** Every tag in use with its message count, sorted by name. */
  all(): Promise<{ tag: string; count: number }[]> {
    return this.#sql.all<{ tag: string; count: number }>(this.#q.all);
  }

  /** Each message's tags, sorted; messages without tags are absent from the map. */
  async forMessages(ids: readonly number[]): Promise<Map<number, string[]>> {
    const rows = await this.#sql.all<{ id: number; tag: string }>(
      `SELECT message_id AS id, tag FROM tags_message_tags WHERE message_id IN (${this.#q.ids}) ` +
        `ORDER BY message_id, ${this.#q.tagOrder}`,
      [JSON.stringify(ids)],
    );
    const out = new Map<number, string[]>();
    for (const r of rows) {
      const list = out.get(r.id);
      if (list) list.push(r.tag);
      else out.set(r.id, [r.tag]);
    }
    return out;
  }

  /** Replaces the tags of the messages that exist among `ids`; returns how many messages that was. */
  set(ids: readonly number[], tags: readonly string[]): Promise<number> {
    return this.#sql.transaction(async (tx) => {
      const existing = await this.#existing(tx, ids);
      await tx.run(`DELETE FROM tags_message_tags WHERE message_id IN (${this.#q.ids})`, [JSON.stringify(existing)]);
      await this.#insert(tx, existing, tags);
      return existing.length;
    });
  }

  /** Adds tags to the messages that exist among `ids`; returns how many messages that was. */
  add(ids: readonly number[], tags: readonly string[]): Promise<number> {
    return this.#sql.transaction(async (tx) => {
      const existing = await this.#existing(tx, ids);
      await this.#insert(tx, existing, tags);
      return existing.length;
    });
  }

  /**
   * Adds each message its own tags (rules over a batch of new mail), in one transaction whatever the batch size.
   * Returns the ids that exist among them.
   */
  addEach(tagsById: ReadonlyMap<number, readonly string[]>): Promise<number[]> {
    return this.#sql.transaction(async (tx) => {
      const existing = await this.#existing(tx, [...tagsById.keys()]);
      const pairs = existing.flatMap((id) => (tagsById.get(id) ?? []).map((tag) => [id, tag]));
      if (pairs.length) await tx.run(this.#q.insertPairs, [JSON.stringify(pairs)]);
      return existing;
    });
  }

  /** Renames on every message; where a message already has `to`, the two merge. Returns the messages touched. */
  rename(from: string, to: string): Promise<number> {
    return this.#sql.transaction(async (tx) => {
      const rows = await tx.all<{ id: number }>('SELECT message_id AS id FROM tags_message_tags WHERE tag = ?', [from]);
      const ids = rows.map((r) => r.id);
      await tx.run('DELETE FROM tags_message_tags WHERE tag = ?', [from]);
      await this.#insert(tx, ids, [to]);
      return ids.length;
    });
  }

  async delete(tag: string): Promise<number> {
    return (await this.#sql.run('DELETE FROM tags_message_tags WHERE tag = ?', [tag])).changes;
  }

  /** Drops the tags of deleted messages (ids are never reused, so this is tidying, not correctness). */
  async forget(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#sql.run(`DELETE FROM tags_message_tags WHERE message_id IN (${this.#q.ids})`, [JSON.stringify(ids)]);
  }

  /** Drops every tag whose message is gone (after a delete-all, or deletes made while the app was not running). */
  async forgetOrphans(): Promise<void> {
    await this.#sql.run('DELETE FROM tags_message_tags WHERE message_id NOT IN (SELECT id FROM messages)');
  }

  async #existing(tx: SqlClient, ids: readonly number[]): Promise<number[]> {
    const rows = await tx.all<{ id: number }>(`SELECT id FROM messages WHERE id IN (${this.#q.ids}) ORDER BY id`, [
      JSON.stringify(ids),
    ]);
    return rows.map((r) => r.id);
  }

  async #insert(tx: SqlClient, ids: readonly number[], tags: readonly string[]): Promise<void> {
    if (ids.length === 0 || tags.length === 0) return;
    await tx.run(this.#q.insert, [JSON.stringify(ids), JSON.stringify(tags)]);
  }
}

/** `tag:NAME` and `is:tagged` as SQL over the store's `messages m`: the same SQL in both dialects. */
export const TAG_CONDITION = 'm.id IN (SELECT message_id FROM tags_message_tags WHERE tag = ?)';
export const TAGGED_CONDITION = 'm.id IN (SELECT message_id FROM tags_message_tags)';

const tagOperator: SearchOperator = (value) => {
  const tag = cleanTag(value);
  return tag ? { sql: TAG_CONDITION, params: [tag] } : null;
};
const taggedOperator: SearchOperator = (value) =>
  /^tagged$/i.test(value) ? { sql: TAGGED_CONDITION, params: [] } : null;

/** The search operators the tags add, per dialect (the store picks its own). */
export const TAG_OPERATORS: Readonly<Record<'tag' | 'is', DialectSearchOperator>> = {
  tag: { sqlite: tagOperator, postgres: tagOperator },
  is: { sqlite: taggedOperator, postgres: taggedOperator },
};
