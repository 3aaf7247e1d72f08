// The mailboxes tables on both stores (SQLite and a private PostgreSQL cluster), written once: catch-up from the
// store's messages, folded and exact lists, a mailbox's page with unread counts, deletes, and two repositories
// (as two instances on one database) catching up at once without counting a delivery twice.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAILBOXES_MIGRATIONS, MailboxRepository } from '../../../src-main/mailboxes/repository.js';
import { STORE_KINDS, storeFactory, suiteName, type OpenedStore } from '../store/contract/stores.js';
import { envelope, message } from '../store/helpers.js';

describe.each(STORE_KINDS)('%s mailboxes repository', (kind) => {
  const f = storeFactory(kind);

  describe.skipIf(f.skip !== null)(suiteName(f, 'mailboxes'), () => {
    let h: OpenedStore;
    let repo: MailboxRepository;

    beforeAll(async () => {
      await f.setup();
      h = await f.open();
      expect(await h.store.migrateCapability('mailboxes', MAILBOXES_MIGRATIONS)).toEqual([1, 2]);
    });
    afterAll(async () => {
      await h?.cleanup();
      await f.teardown();
    });
    beforeEach(async () => {
      await h.store.deleteAll();
      repo = new MailboxRepository(h.store.sql);
      await repo.sync();
      await repo.forgetAll();
    });

    async function deliver(rcptTo: string[], subject = 'hello'): Promise<number> {
      return (await h.store.ingest(message({ subject }), envelope({ rcptTo }))).id;
    }

    it('lists every envelope recipient, folded or exact, most recent first, with unread counts', async () => {
      const welcome = await deliver(['Alice+Signup@Example.test', 'bob@example.test'], 'welcome');
      const reset = await deliver(['alice+reset@example.test', 'ALICE+reset@example.test'], 'reset');
      const bcc = await deliver(['hidden@example.test', 'alice@example.test', ' ', 'alice+x@example.test'], 'bcc');
      await h.store.markRead([welcome], true);
      await repo.sync();

      const folded = await repo.list(true, 100, 0);
      expect(folded.total).toBe(3);
      expect(folded.mailboxes.map((m) => [m.address, m.count, m.unread])).toEqual([
        ['alice@example.test', 3, 2],
        ['hidden@example.test', 1, 1],
        ['bob@example.test', 1, 0],
      ]);
      const exact = await repo.list(false, 100, 0);
      expect(exact.mailboxes.map((m) => [m.address, m.count])).toEqual([
        ['alice+x@example.test', 1],
        ['alice@example.test', 1],
        ['hidden@example.test', 1],
        ['alice+reset@example.test', 1],
        ['alice+signup@example.test', 1],
        ['bob@example.test', 1],
      ]);
      expect(await repo.list(false, 2, 1)).toMatchObject({
        total: 6,
        mailboxes: [{ address: 'alice@example.test' }, { address: 'hidden@example.test' }],
      });
      const detail = await h.store.get(bcc);
      expect(folded.mailboxes[0]!.lastReceived).toBe(detail.receivedAt);

      const page = await repo.page('Alice+Anything@EXAMPLE.test', true, 10, 0);
      expect(page.rows.map((r) => r.id)).toEqual([bcc, reset, welcome]);
      expect({ total: page.total, unread: page.unread }).toEqual({ total: 3, unread: 2 });
      const second = await repo.page('alice@example.test', true, 1, 1);
      expect(second.rows.map((r) => r.id)).toEqual([reset]);
      const exactPage = await repo.page('alice+reset@example.test', false, 10, 0);
      expect(exactPage.rows.map((r) => r.id)).toEqual([reset]);
      expect(await repo.page('nobody@example.test', true, 10, 0)).toEqual({ rows: [], total: 0, unread: 0 });
    });

    it('drops deleted messages: counts fall, the newest is looked up again, empty mailboxes go', async () => {
      const first = await deliver(['carol@example.test', 'dave@example.test']);
      const second = await deliver(['carol+b@example.test']);
      await repo.sync();
      await h.store.delete([second]);
      await repo.forget([second, 123_456]);
      const folded = await repo.list(true, 100, 0);
      const firstReceived = (await h.store.get(first)).receivedAt;
      expect(folded.mailboxes).toEqual([
        { address: 'carol@example.test', count: 1, unread: 1, lastReceived: firstReceived },
        { address: 'dave@example.test', count: 1, unread: 1, lastReceived: firstReceived },
      ]);
      expect((await repo.list(false, 100, 0)).mailboxes.map((m) => m.address)).toEqual([
        'carol@example.test',
        'dave@example.test',
      ]);
      await h.store.delete([first]);
      await repo.forget([first]);
      expect(await repo.list(true, 100, 0)).toEqual({ mailboxes: [], total: 0 });
      // Mail after the deletes is read in from where the catch-up stopped.
      await deliver(['erin@example.test']);
      await repo.sync();
      expect((await repo.list(true, 100, 0)).mailboxes.map((m) => m.address)).toEqual(['erin@example.test']);
    });

    it('counts each delivery once when two repositories catch up at the same time', async () => {
      for (let i = 0; i < 40; i++) await deliver([`user${i % 7}@example.test`, `user${i % 7}+x@example.test`]);
      const other = new MailboxRepository(h.store.sql);
      await Promise.all([repo.sync(), other.sync(), repo.sync(), other.sync()]);
      const folded = await repo.list(true, 100, 0);
      expect(folded.total).toBe(7);
      expect(folded.mailboxes.reduce((n, m) => n + m.count, 0)).toBe(40);
      const exact = await other.list(false, 100, 0);
      expect(exact.total).toBe(14);
      expect(exact.mailboxes.reduce((n, m) => n + m.count, 0)).toBe(80);
    });
  });
});
