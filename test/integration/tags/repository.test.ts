// The tags table and the `tag:`/`is:tagged` operators on both stores (SQLite and a private PostgreSQL cluster),
// written once: set, add, rename, delete, case folding, forgetting deleted mail, and search through the store.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MessageStore } from '../../../src-main/store/index.js';
import { TAG_OPERATORS, TAGS_MIGRATIONS, TagsRepository } from '../../../src-main/tags/repository.js';
import { STORE_KINDS, storeFactory, suiteName, type OpenedStore } from '../store/contract/stores.js';
import { envelope, message } from '../store/helpers.js';

async function ids(store: MessageStore, query: string): Promise<number[]> {
  return (await store.list({ query, limit: 100 })).messages.map((m) => m.id);
}

describe.each(STORE_KINDS)('%s tags repository', (kind) => {
  const f = storeFactory(kind);

  describe.skipIf(f.skip !== null)(suiteName(f, 'tags'), () => {
    let h: OpenedStore;
    let repo: TagsRepository;
    let one: number;
    let two: number;

    beforeAll(async () => {
      await f.setup();
      h = await f.open();
      expect(await h.store.migrateCapability('tags', TAGS_MIGRATIONS)).toEqual([1]);
      for (const [name, op] of Object.entries(TAG_OPERATORS)) h.store.addSearchOperator(name, op);
      repo = new TagsRepository(h.store.sql);
    });
    afterAll(async () => {
      await h?.cleanup();
      await f.teardown();
    });
    beforeEach(async () => {
      await h.store.deleteAll();
      await h.store.sql.run('DELETE FROM tags_message_tags');
      one = (await h.store.ingest(message({ subject: 'tag one' }), envelope())).id;
      two = (await h.store.ingest(message({ subject: 'tag two' }), envelope())).id;
      await h.store.idle();
    });

    it('sets, adds, lists, gets, renames and deletes, ignoring case', async () => {
      expect(await repo.set([one, two, 999_999], ['Invoice', 'to do'])).toBe(2);
      expect(await repo.add([two], ['urgent', 'INVOICE'])).toBe(1);
      const found = await repo.forMessages([one, two, 999_999]);
      expect(found.get(one)).toEqual(['Invoice', 'to do']);
      expect(found.get(two)).toEqual(['Invoice', 'to do', 'urgent']);
      expect(found.has(999_999)).toBe(false);
      expect(await repo.all()).toEqual([
        { tag: 'Invoice', count: 2 },
        { tag: 'to do', count: 2 },
        { tag: 'urgent', count: 1 },
      ]);

      // Renaming onto a tag a message already has merges the two.
      expect(await repo.rename('URGENT', 'to do')).toBe(1);
      expect((await repo.forMessages([two])).get(two)).toEqual(['Invoice', 'to do']);
      expect(await repo.delete('invoice')).toBe(2);
      expect(await repo.all()).toEqual([{ tag: 'to do', count: 2 }]);

      // set replaces; an empty list clears.
      expect(await repo.set([one], ['a:b', 'a1', 'B_2', 'b.1'])).toBe(1);
      expect((await repo.forMessages([one])).get(one)).toEqual(['a1', 'a:b', 'b.1', 'B_2']);
      expect(await repo.set([one], [])).toBe(1);
      expect((await repo.forMessages([one])).has(one)).toBe(false);
    });

    it('answers tag: and is:tagged through the store search, with negation and other operators', async () => {
      await repo.set([one, two], ['Invoice']);
      await repo.add([two], ['urgent']);
      expect(await ids(h.store, 'tag:urgent')).toEqual([two]);
      expect(await ids(h.store, 'tag:INVOICE')).toEqual([two, one]);
      expect(await ids(h.store, 'tag:invoice -tag:urgent')).toEqual([one]);
      expect(await ids(h.store, 'is:tagged subject:one')).toEqual([one]);
      expect(await ids(h.store, 'tag:nothing')).toEqual([]);
      // Other is: values still reach the store's own operator.
      expect(await ids(h.store, 'is:unread tag:urgent')).toEqual([two]);
      await repo.set([one, two], []);
      expect(await ids(h.store, 'is:tagged')).toEqual([]);
      expect(await h.store.matching('tag:invoice', [one, two])).toEqual([]);
    });

    it('forgets the tags of deleted messages, by id and as orphans', async () => {
      await repo.set([one, two], ['keep']);
      await h.store.delete([one]);
      await repo.forget([one]);
      expect(await repo.all()).toEqual([{ tag: 'keep', count: 1 }]);
      await h.store.deleteAll();
      expect(await repo.all()).toEqual([{ tag: 'keep', count: 1 }]);
      await repo.forgetOrphans();
      expect(await repo.all()).toEqual([]);
      // Tags for messages that no longer exist are not written.
      expect(await repo.add([two], ['late'])).toBe(0);
      expect(await repo.all()).toEqual([]);
    });

    it('adds each message its own tags in one go, skipping gone messages and tags already there', async () => {
      await repo.set([one], ['Old']);
      const given = new Map([
        [one, ['old', 'new']],
        [two, ['signup', 'Café']],
        [777_777, ['ghost']],
      ]);
      expect(await repo.addEach(given)).toEqual([one, two]);
      const found = await repo.forMessages([one, two, 777_777]);
      expect(found.get(one)).toEqual(['new', 'Old']);
      expect(found.get(two)).toEqual(['Café', 'signup']);
      expect(found.has(777_777)).toBe(false);
      expect(await ids(h.store, 'tag:café')).toEqual([two]);
      expect(await repo.addEach(new Map())).toEqual([]);
    });

    it('rolls a failed write back whole', async () => {
      await repo.set([one], ['first']);
      await expect(
        h.store.sql.transaction(async (tx) => {
          await tx.run('DELETE FROM tags_message_tags');
          throw new Error('stop');
        }),
      ).rejects.toThrow('stop');
      expect(await repo.all()).toEqual([{ tag: 'first', count: 1 }]);
    });
  });
});
