// The mailbox summary migration on both stores (SQLite and a private PostgreSQL cluster): mailboxes read in under
// the first schema get their summary rows, matching what a GROUP BY over the deliveries says, and the repository
// keeps them from there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseAddress, MAILBOXES_MIGRATIONS, MailboxRepository } from '../../../src-main/mailboxes/repository.js';
import type { SqlClient } from '../../../src-main/store/index.js';
import { STORE_KINDS, storeFactory, suiteName, type OpenedStore } from '../store/contract/stores.js';
import { envelope, message } from '../store/helpers.js';

/** What the list said before there was a summary: a GROUP BY over every delivery. */
function grouped(sql: SqlClient, column: 'base' | 'address') {
  return sql.all(
    `SELECT mm.${column} AS address, count(DISTINCT m.id) AS count,
            count(DISTINCT CASE WHEN m.read = 0 THEN m.id END) AS unread, max(m.received_at) AS "lastReceived"
       FROM mailboxes_messages mm JOIN messages m ON m.id = mm.message_id
      GROUP BY mm.${column} ORDER BY max(m.id) DESC, address`,
  );
}

describe.each(STORE_KINDS)('%s mailbox summary', (kind) => {
  const f = storeFactory(kind);

  describe.skipIf(f.skip !== null)(suiteName(f, 'mailbox summary'), () => {
    let h: OpenedStore | undefined;
    beforeAll(() => f.setup());
    afterAll(async () => {
      await h?.cleanup();
      await f.teardown();
    });

    it('is filled by the migration from mailboxes read in before it, and agrees with a GROUP BY after changes', async () => {
      h = await f.open();
      const { store } = h;
      const sql = store.sql;
      expect(await store.migrateCapability('mailboxes', MAILBOXES_MIGRATIONS.slice(0, 1))).toEqual([1]);
      const rcpts = [['a+1@x.test', 'a+2@x.test'], ['b@x.test'], ['A@x.test', 'c@x.test'], ['b+z@x.test']];
      const ids: number[] = [];
      for (const rcptTo of rcpts) ids.push((await store.ingest(message(), envelope({ rcptTo }))).id);
      await store.markRead([ids[1]!], true);
      // What the first schema's catch-up wrote: a row per (recipient, message), and the cursor.
      for (const [i, r] of rcpts.entries())
        for (const a of r)
          await sql.run('INSERT INTO mailboxes_messages (address, base, message_id) VALUES (?, ?, ?)', [
            a.toLowerCase(),
            baseAddress(a.toLowerCase()),
            ids[i]!,
          ]);
      await sql.run('UPDATE mailboxes_sync SET message_id = ?', [ids.at(-1)!]);
      expect(await store.migrateCapability('mailboxes', MAILBOXES_MIGRATIONS)).toEqual([2]);
      const repo = new MailboxRepository(sql);
      for (const fold of [true, false])
        expect((await repo.list(fold, 100, 0)).mailboxes).toEqual(await grouped(sql, fold ? 'base' : 'address'));
      expect((await repo.list(true, 100, 0)).mailboxes[0]).toMatchObject({ address: 'b@x.test', count: 2, unread: 1 });

      // New mail, a read flip, deletes (the newest of a mailbox, and the only message of another).
      ids.push((await store.ingest(message(), envelope({ rcptTo: ['a+3@x.test', 'd@x.test'] }))).id);
      await repo.sync();
      await store.markRead([ids[2]!], true);
      await store.delete([ids[3]!, ids[4]!]);
      await repo.forget([ids[3]!, ids[4]!]);
      for (const fold of [true, false]) {
        const listed = await repo.list(fold, 100, 0);
        expect(listed.mailboxes).toEqual(await grouped(sql, fold ? 'base' : 'address'));
        expect(listed.total).toBe(listed.mailboxes.length);
      }
      expect((await repo.list(true, 100, 0)).mailboxes.map((m) => m.address)).toEqual([
        'a@x.test',
        'c@x.test',
        'b@x.test',
      ]);
      expect(await repo.list(true, 1, 1)).toMatchObject({ total: 3, mailboxes: [{ address: 'c@x.test' }] });
      await repo.forgetAll();
      expect(await repo.list(true, 100, 0)).toEqual({ total: 0, mailboxes: [] });
    });
  });
});
