// The mailboxes tables: which envelope recipient each message was delivered to, kept in step with the store by
// reading new rows of `messages` (id order) when someone asks, and by the store's delete events. Plain SQL, so
// porting it to PostgreSQL is a matter of placeholders.
import type Database from 'better-sqlite3';
import type { Mailbox } from '../../src-shared/contract/mailboxes.js';
import { parseJson, type MessageRow, SUMMARY_COLUMNS } from '../store/rows.js';

export const MAILBOXES_MIGRATIONS = [
  {
    version: 1,
    name: '001_mailboxes',
    sqlite: `
CREATE TABLE mailboxes_messages (
  address    TEXT    NOT NULL,
  base       TEXT    NOT NULL,
  message_id INTEGER NOT NULL,
  PRIMARY KEY (address, message_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX mailboxes_messages_base ON mailboxes_messages (base, message_id);
CREATE INDEX mailboxes_messages_id ON mailboxes_messages (message_id);
-- The newest message id already read from messages: the next catch-up starts after it.
CREATE TABLE mailboxes_sync (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  message_id INTEGER NOT NULL
) STRICT;
INSERT INTO mailboxes_sync (id, message_id) VALUES (1, 0);
`,
  },
];

/** Messages read per catch-up step: one transaction each, so a catch-up over 100,000 messages never blocks long. */
const SYNC_STEP = 5000;
/** A recipient longer than RFC 5321 allows is not an address; it is stored cut, so it still lists. */
const MAX_ADDRESS = 256;

/** `Alice+Signup@Example.test` → `alice@example.test`; an address without a plus detail is its own base. */
export function baseAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const plus = local.indexOf('+');
  return plus > 0 ? local.slice(0, plus) + address.slice(at < 0 ? address.length : at) : address;
}

export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase().slice(0, MAX_ADDRESS);
}

export class MailboxRepository {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Reads the recipients of messages committed since the last call. Cheap when nothing is new (one indexed read). */
  sync(): void {
    const cursor = this.#stmt('SELECT message_id AS id FROM mailboxes_sync WHERE id = 1');
    const rows = this.#stmt('SELECT id, envelope FROM messages WHERE id > ? ORDER BY id LIMIT ?');
    const insert = this.#stmt('INSERT OR IGNORE INTO mailboxes_messages (address, base, message_id) VALUES (?, ?, ?)');
    const advance = this.#stmt('UPDATE mailboxes_sync SET message_id = ? WHERE id = 1');
    const step = this.#db.transaction((after: number): number => {
      const batch = rows.all(after, SYNC_STEP) as { id: number; envelope: string }[];
      for (const row of batch) {
        const rcptTo = parseJson<{ rcptTo?: unknown }>(row.envelope, {}).rcptTo;
        for (const r of Array.isArray(rcptTo) ? rcptTo : []) {
          if (typeof r !== 'string' || r.trim() === '') continue;
          const address = normalizeAddress(r);
          insert.run(address, baseAddress(address), row.id);
        }
      }
      const last = batch.at(-1)?.id;
      if (last !== undefined) advance.run(last);
      return batch.length;
    });
    for (;;) {
      const after = (cursor.get() as { id: number }).id;
      if (step(after) < SYNC_STEP) return;
    }
  }

  forget(ids: readonly number[]): void {
    this.#stmt('DELETE FROM mailboxes_messages WHERE message_id IN (SELECT value FROM json_each(?))').run(
      JSON.stringify(ids),
    );
  }

  forgetAll(): void {
    this.#db.exec('DELETE FROM mailboxes_messages');
  }

  /** Every mailbox with its counts, the most recently used first. */
  list(fold: boolean): Mailbox[] {
    const column = fold ? 'base' : 'address';
    // DISTINCT: alice+a and alice+b on one message are one message in alice's folded mailbox.
    return this.#stmt(
      `SELECT mm.${column} AS address, count(DISTINCT m.id) AS count,
              count(DISTINCT CASE WHEN m.read = 0 THEN m.id END) AS unread, max(m.received_at) AS lastReceived
         FROM mailboxes_messages mm JOIN messages m ON m.id = mm.message_id
        GROUP BY mm.${column} ORDER BY lastReceived DESC, address`,
    ).all() as Mailbox[];
  }

  /** One mailbox's messages, newest first, as summary rows (the caller fills in unindexed ones). */
  page(
    address: string,
    fold: boolean,
    limit: number,
    offset: number,
  ): { rows: MessageRow[]; total: number; unread: number } {
    const column = fold ? 'base' : 'address';
    const key = fold ? baseAddress(normalizeAddress(address)) : normalizeAddress(address);
    const ids = `SELECT DISTINCT message_id FROM mailboxes_messages WHERE ${column} = ?`;
    const rows = this.#stmt(
      `SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE m.id IN (${ids}) ORDER BY m.id DESC LIMIT ? OFFSET ?`,
    ).all(key, limit, offset) as MessageRow[];
    const counts = this.#stmt(
      `SELECT count(*) AS total, coalesce(sum(m.read = 0), 0) AS unread FROM messages m WHERE m.id IN (${ids})`,
    ).get(key) as { total: number; unread: number };
    return { rows, ...counts };
  }

  #stmt(sql: string): Database.Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }
}
