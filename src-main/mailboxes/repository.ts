// The mailboxes tables: which envelope recipient each message was delivered to, kept in step with the store by
// reading new rows of `messages` (id order) when someone asks, and by the store's delete events. Runs on SQLite or
// PostgreSQL (deps.sql): the statements that differ are in one table per dialect below.
import type { Mailbox } from '../../src-shared/contract/mailboxes.js';
import type { DialectMigration, SqlClient, SqlDialect } from '../store/message-store.js';
import { parseJson, type MessageRow, SUMMARY_COLUMNS } from '../store/rows.js';

export const MAILBOXES_MIGRATIONS: readonly DialectMigration[] = [
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
    // "C": addresses compare and sort byte by byte, as SQLite's BINARY does.
    postgres: `
CREATE TABLE mailboxes_messages (
  address    text COLLATE "C" NOT NULL,
  base       text COLLATE "C" NOT NULL,
  message_id bigint NOT NULL,
  PRIMARY KEY (address, message_id)
);
CREATE INDEX mailboxes_messages_base ON mailboxes_messages (base, message_id);
CREATE INDEX mailboxes_messages_id ON mailboxes_messages (message_id);
-- The newest message id already read from messages: the next catch-up starts after it.
CREATE TABLE mailboxes_sync (
  id         integer PRIMARY KEY CHECK (id = 1),
  message_id bigint  NOT NULL
);
INSERT INTO mailboxes_sync (id, message_id) VALUES (1, 0);
`,
  },
  {
    version: 2,
    name: '002_mailbox_summary',
    // One row per mailbox, kept in step as mail is read in and deleted, so the list is a page of an index instead
    // of a GROUP BY over every delivery (490 ms at 10,000 addresses). fold = 1: keyed by base (plus folded).
    // last_id is the newest message: ids grow with arrival, so it orders like last_received.
    sqlite: `
CREATE TABLE mailboxes_summary (
  fold          INTEGER NOT NULL,
  address       TEXT    NOT NULL,
  count         INTEGER NOT NULL,
  last_id       INTEGER NOT NULL,
  last_received TEXT    NOT NULL,
  PRIMARY KEY (fold, address)
) STRICT, WITHOUT ROWID;
CREATE INDEX mailboxes_summary_recent ON mailboxes_summary (fold, last_id DESC, address);
INSERT INTO mailboxes_summary (fold, address, count, last_id, last_received)
  SELECT 0, g.address, g.n, g.last, m.received_at
    FROM (SELECT address, count(*) AS n, max(message_id) AS last FROM mailboxes_messages GROUP BY address) g
    JOIN messages m ON m.id = g.last;
INSERT INTO mailboxes_summary (fold, address, count, last_id, last_received)
  SELECT 1, g.base, g.n, g.last, m.received_at
    FROM (SELECT base, count(DISTINCT message_id) AS n, max(message_id) AS last FROM mailboxes_messages GROUP BY base) g
    JOIN messages m ON m.id = g.last;
`,
    postgres: `
CREATE TABLE mailboxes_summary (
  fold          integer NOT NULL,
  address       text COLLATE "C" NOT NULL,
  count         integer NOT NULL,
  last_id       bigint  NOT NULL,
  last_received text COLLATE "C" NOT NULL,
  PRIMARY KEY (fold, address)
);
CREATE INDEX mailboxes_summary_recent ON mailboxes_summary (fold, last_id DESC, address);
INSERT INTO mailboxes_summary (fold, address, count, last_id, last_received)
  SELECT 0, g.address, g.n, g.last, m.received_at
    FROM (SELECT address, count(*) AS n, max(message_id) AS last FROM mailboxes_messages GROUP BY address) g
    JOIN messages m ON m.id = g.last;
INSERT INTO mailboxes_summary (fold, address, count, last_id, last_received)
  SELECT 1, g.base, g.n, g.last, m.received_at
    FROM (SELECT base, count(DISTINCT message_id) AS n, max(message_id) AS last FROM mailboxes_messages GROUP BY base) g
    JOIN messages m ON m.id = g.last;
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

/** The statements whose SQL differs by dialect. Lists are bound as one JSON array parameter. */
interface Statements {
  /** A subquery of the numbers in a JSON array. */
  ids: string;
  /** A subquery of the strings in a JSON array. */
  texts: string;
  /** The catch-up cursor, locked for the transaction (catch-ups and forgets of several instances take turns). */
  cursor: string;
  /** Deliveries from a JSON array of [address, base, messageId], skipping known ones; returns those written. */
  deliver: string;
  /** Adds to summary rows from a JSON array of [fold, address, count, lastId, lastReceived]. */
  summarize: string;
  /** How many of a mailbox's messages are unread, as `unread`. */
  unread: string;
}

const SQL: Record<SqlDialect, Statements> = {
  sqlite: {
    ids: 'SELECT value FROM json_each(?)',
    texts: 'SELECT value FROM json_each(?)',
    // BEGIN IMMEDIATE already holds the write lock.
    cursor: 'SELECT message_id AS id FROM mailboxes_sync WHERE id = 1',
    // WHERE true: SQLite's upsert after INSERT … SELECT needs it to parse.
    deliver: `INSERT OR IGNORE INTO mailboxes_messages (address, base, message_id)
                SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
                  FROM json_each(?) WHERE true
              RETURNING address, base, message_id AS id`,
    summarize: `INSERT INTO mailboxes_summary (fold, address, count, last_id, last_received)
                  SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                         json_extract(value, '$[3]'), json_extract(value, '$[4]')
                    FROM json_each(?) WHERE true
                ON CONFLICT (fold, address) DO UPDATE SET count = count + excluded.count,
                  last_received = CASE WHEN excluded.last_id > last_id THEN excluded.last_received ELSE last_received END,
                  last_id = max(last_id, excluded.last_id)`,
    unread: 'coalesce(sum(m.read = 0), 0) AS unread',
  },
  postgres: {
    ids: 'SELECT json_array_elements_text(?::json)::bigint',
    texts: 'SELECT json_array_elements_text(?::json)',
    cursor: 'SELECT message_id AS id FROM mailboxes_sync WHERE id = 1 FOR UPDATE',
    deliver: `INSERT INTO mailboxes_messages (address, base, message_id)
                SELECT v->>0, v->>1, (v->>2)::bigint FROM json_array_elements(?::json) v
              ON CONFLICT DO NOTHING
              RETURNING address, base, message_id AS id`,
    summarize: `INSERT INTO mailboxes_summary AS s (fold, address, count, last_id, last_received)
                  SELECT (v->>0)::int, v->>1, (v->>2)::int, (v->>3)::bigint, v->>4 FROM json_array_elements(?::json) v
                ON CONFLICT (fold, address) DO UPDATE SET count = s.count + excluded.count,
                  last_received = CASE WHEN excluded.last_id > s.last_id THEN excluded.last_received ELSE s.last_received END,
                  last_id = greatest(s.last_id, excluded.last_id)`,
    unread: 'count(*) FILTER (WHERE m.read = 0) AS unread',
  },
};

/** A summary row's increment: messages new to the mailbox and the newest of them. */
interface Increment {
  count: number;
  lastId: number;
  lastReceived: string;
}

export class MailboxRepository {
  readonly #sql: SqlClient;
  readonly #q: Statements;
  /** The catch-up running now: callers queue behind it, so each sees what was committed before it asked. */
  #syncing: Promise<void> = Promise.resolve();

  constructor(sql: SqlClient) {
    this.#sql = sql;
    this.#q = SQL[sql.dialect];
  }

  /** Reads the recipients of messages committed since the last call. Cheap when nothing is new (one indexed read). */
  sync(): Promise<void> {
    const run = this.#syncing.then(() => this.#catchUp());
    this.#syncing = run.catch(() => {});
    return run;
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const read = await this.#sql.transaction((tx) => this.#step(tx));
      if (read < SYNC_STEP) return;
    }
  }

  /** One catch-up step: up to SYNC_STEP messages read in, their deliveries and summary counts written at once. */
  async #step(tx: SqlClient): Promise<number> {
    const after = (await tx.get<{ id: number }>(this.#q.cursor))!.id;
    const batch = await tx.all<{ id: number; envelope: string; receivedAt: string }>(
      'SELECT id, envelope, received_at AS "receivedAt" FROM messages WHERE id > ? ORDER BY id LIMIT ?',
      [after, SYNC_STEP],
    );
    const last = batch.at(-1)?.id;
    if (last === undefined) return 0;
    const deliveries: [string, string, number][] = [];
    const received = new Map<number, string>();
    for (const row of batch) {
      received.set(row.id, row.receivedAt);
      const rcptTo = parseJson<{ rcptTo?: unknown }>(row.envelope, {}).rcptTo;
      const seen = new Set<string>();
      for (const r of Array.isArray(rcptTo) ? rcptTo : []) {
        if (typeof r !== 'string' || r.trim() === '') continue;
        const address = normalizeAddress(r);
        if (seen.has(address)) continue;
        seen.add(address);
        deliveries.push([address, baseAddress(address), row.id]);
      }
    }
    if (deliveries.length) {
      // Only deliveries new to the table count: a message is new to every mailbox it is read into.
      const written = await tx.all<{ address: string; base: string; id: number }>(this.#q.deliver, [
        JSON.stringify(deliveries),
      ]);
      const increments = [new Map<string, Increment>(), new Map<string, Increment>()] as const;
      // alice+a and alice+b on one message are one message in alice's folded mailbox.
      const folded = new Set<string>();
      const bump = (fold: 0 | 1, key: string, id: number): void => {
        const inc = increments[fold].get(key);
        if (!inc) increments[fold].set(key, { count: 1, lastId: id, lastReceived: received.get(id)! });
        else {
          inc.count++;
          if (id > inc.lastId) Object.assign(inc, { lastId: id, lastReceived: received.get(id)! });
        }
      };
      for (const w of written) {
        bump(0, w.address, w.id);
        const key = `${w.id} ${w.base}`;
        if (!folded.has(key)) bump(1, w.base, w.id);
        folded.add(key);
      }
      const rows = ([0, 1] as const).flatMap((fold) =>
        [...increments[fold]].map(([key, i]) => [fold, key, i.count, i.lastId, i.lastReceived]),
      );
      if (rows.length) await tx.run(this.#q.summarize, [JSON.stringify(rows)]);
    }
    await tx.run('UPDATE mailboxes_sync SET message_id = ? WHERE id = 1', [last]);
    return batch.length;
  }

  /** Drops deleted messages from their mailboxes: counts go down, and a mailbox that lost its newest looks again. */
  async forget(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    const json = JSON.stringify(ids);
    await this.#sql.transaction(async (tx) => {
      await tx.get(this.#q.cursor); // waits for a catch-up that may be writing these messages' deliveries
      const rows = await tx.all<{ address: string; base: string; id: number }>(
        `SELECT address, base, message_id AS id FROM mailboxes_messages WHERE message_id IN (${this.#q.ids})`,
        [json],
      );
      if (rows.length === 0) return;
      await tx.run(`DELETE FROM mailboxes_messages WHERE message_id IN (${this.#q.ids})`, [json]);
      // Per mailbox key, the distinct messages it loses.
      const lost = [new Map<string, Set<number>>(), new Map<string, Set<number>>()] as const;
      for (const r of rows) {
        (lost[0].get(r.address) ?? lost[0].set(r.address, new Set()).get(r.address)!).add(r.id);
        (lost[1].get(r.base) ?? lost[1].set(r.base, new Set()).get(r.base)!).add(r.id);
      }
      const gone = new Set(ids);
      const column = ['address', 'base'] as const;
      for (const fold of [0, 1] as const)
        for (const [key, messages] of lost[fold]) {
          const left = await tx.get<{ count: number; lastId: number }>(
            'UPDATE mailboxes_summary SET count = count - ? WHERE fold = ? AND address = ? RETURNING count, last_id AS "lastId"',
            [messages.size, fold, key],
          );
          if (!left) continue;
          const last =
            left.count > 0 && gone.has(left.lastId)
              ? ((
                  await tx.get<{ id: number | null }>(
                    `SELECT max(message_id) AS id FROM mailboxes_messages WHERE ${column[fold]} = ?`,
                    [key],
                  )
                )?.id ?? null)
              : undefined;
          if (left.count <= 0 || last === null)
            await tx.run('DELETE FROM mailboxes_summary WHERE fold = ? AND address = ?', [fold, key]);
          else if (last !== undefined)
            await tx.run(
              `UPDATE mailboxes_summary SET last_id = ?, last_received = (SELECT received_at FROM messages WHERE id = ?)
                WHERE fold = ? AND address = ?`,
              [last, last, fold, key],
            );
        }
    });
  }

  async forgetAll(): Promise<void> {
    await this.#sql.transaction(async (tx) => {
      await tx.get(this.#q.cursor);
      await tx.run('DELETE FROM mailboxes_messages');
      await tx.run('DELETE FROM mailboxes_summary');
    });
  }

  /**
   * One page of mailboxes with their counts, the most recently used first, and how many there are. The page is
   * read from the summary index; only its rows' unread counts are counted.
   */
  async list(fold: boolean, limit: number, offset: number): Promise<{ mailboxes: Mailbox[]; total: number }> {
    const key = fold ? 1 : 0;
    const rows = await this.#sql.all<Omit<Mailbox, 'unread'>>(
      `SELECT address, count, last_received AS "lastReceived" FROM mailboxes_summary
        WHERE fold = ? ORDER BY last_id DESC, address LIMIT ? OFFSET ?`,
      [key, limit, offset],
    );
    const total = (await this.#sql.get<{ n: number }>('SELECT count(*) AS n FROM mailboxes_summary WHERE fold = ?', [
      key,
    ]))!.n;
    const column = fold ? 'base' : 'address';
    // One indexed probe per listed mailbox, in one statement.
    const unread = new Map(
      (
        await this.#sql.all<{ address: string; n: number }>(
          `SELECT mm.${column} AS address, count(DISTINCT mm.message_id) AS n
             FROM mailboxes_messages mm JOIN messages m ON m.id = mm.message_id
            WHERE mm.${column} IN (${this.#q.texts}) AND m.read = 0
            GROUP BY mm.${column}`,
          [JSON.stringify(rows.map((r) => r.address))],
        )
      ).map((r) => [r.address, r.n]),
    );
    return {
      total,
      mailboxes: rows.map((r) => ({
        address: r.address,
        count: r.count,
        unread: unread.get(r.address) ?? 0,
        lastReceived: r.lastReceived,
      })),
    };
  }

  /** One mailbox's messages, newest first, as summary rows (the caller fills in unindexed ones). */
  async page(
    address: string,
    fold: boolean,
    limit: number,
    offset: number,
  ): Promise<{ rows: MessageRow[]; total: number; unread: number }> {
    const column = fold ? 'base' : 'address';
    const key = fold ? baseAddress(normalizeAddress(address)) : normalizeAddress(address);
    const ids = `SELECT DISTINCT message_id FROM mailboxes_messages WHERE ${column} = ?`;
    const rows = await this.#sql.all<MessageRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE m.id IN (${ids}) ORDER BY m.id DESC LIMIT ? OFFSET ?`,
      [key, limit, offset],
    );
    const counts = (await this.#sql.get<{ total: number; unread: number }>(
      `SELECT count(*) AS total, ${this.#q.unread} FROM messages m WHERE m.id IN (${ids})`,
      [key],
    ))!;
    return { rows, ...counts };
  }
}
