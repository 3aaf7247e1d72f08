// The mailbox summary migration on a real SQLite database: mailboxes read in under the first schema get their
// summary rows, matching what a GROUP BY over the deliveries says, and the repository keeps them from there.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { baseAddress, MAILBOXES_MIGRATIONS, MailboxRepository } from '../../../src-main/mailboxes/repository.js';

let db: Database.Database | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

/** The columns of `messages` the mailboxes read (the store's own table has more). */
function open(): Database.Database {
  const d = new Database(':memory:');
  d.exec(
    'CREATE TABLE messages (id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, read INTEGER NOT NULL DEFAULT 0, envelope TEXT NOT NULL)',
  );
  return d;
}

function deliver(d: Database.Database, id: number, rcptTo: string[], read = 0): void {
  d.prepare('INSERT INTO messages (id, received_at, read, envelope) VALUES (?, ?, ?, ?)').run(
    id,
    new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
    read,
    JSON.stringify({ rcptTo }),
  );
}

/** What the list said before there was a summary: a GROUP BY over every delivery. */
function grouped(d: Database.Database, column: 'base' | 'address') {
  return d
    .prepare(
      `SELECT mm.${column} AS address, count(DISTINCT m.id) AS count,
              count(DISTINCT CASE WHEN m.read = 0 THEN m.id END) AS unread, max(m.received_at) AS lastReceived
         FROM mailboxes_messages mm JOIN messages m ON m.id = mm.message_id
        GROUP BY mm.${column} ORDER BY max(m.id) DESC, address`,
    )
    .all();
}

describe('mailbox summary', () => {
  it('is filled by the migration from mailboxes read in before it, and agrees with a GROUP BY after changes', () => {
    db = open();
    db.exec(MAILBOXES_MIGRATIONS[0]!.sqlite);
    const rcpts = [['a+1@x.test', 'a+2@x.test'], ['b@x.test'], ['A@x.test', 'c@x.test'], ['b+z@x.test']];
    rcpts.forEach((r, i) => deliver(db!, i + 1, r, i === 1 ? 1 : 0));
    // What the first schema's catch-up wrote: a row per (recipient, message), and the cursor.
    const insert = db.prepare('INSERT OR IGNORE INTO mailboxes_messages (address, base, message_id) VALUES (?, ?, ?)');
    rcpts.forEach((r, i) => r.forEach((a) => insert.run(a.toLowerCase(), baseAddress(a.toLowerCase()), i + 1)));
    db.prepare('UPDATE mailboxes_sync SET message_id = ?').run(rcpts.length);
    db.exec(MAILBOXES_MIGRATIONS[1]!.sqlite);
    const repo = new MailboxRepository(db);
    for (const fold of [true, false])
      expect(repo.list(fold, 100, 0).mailboxes).toEqual(grouped(db, fold ? 'base' : 'address'));
    expect(repo.list(true, 100, 0).mailboxes[0]).toMatchObject({ address: 'b@x.test', count: 2, unread: 1 });

    // New mail, a read flip, deletes (the newest of a mailbox, and the only message of another).
    deliver(db, 5, ['a+3@x.test', 'd@x.test']);
    repo.sync();
    db.prepare('UPDATE messages SET read = 1 WHERE id = 3').run();
    db.prepare('DELETE FROM messages WHERE id IN (4, 5)').run();
    repo.forget([4, 5]);
    for (const fold of [true, false]) {
      const listed = repo.list(fold, 100, 0);
      expect(listed.mailboxes).toEqual(grouped(db, fold ? 'base' : 'address'));
      expect(listed.total).toBe(listed.mailboxes.length);
    }
    expect(repo.list(true, 100, 0).mailboxes.map((m) => m.address)).toEqual(['a@x.test', 'c@x.test', 'b@x.test']);
    expect(repo.list(true, 1, 1)).toMatchObject({ total: 3, mailboxes: [{ address: 'c@x.test' }] });
    repo.forgetAll();
    expect(repo.list(true, 100, 0)).toEqual({ total: 0, mailboxes: [] });
  });
});
