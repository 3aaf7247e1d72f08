// The checks' cached results on both stores (SQLite and a private PostgreSQL cluster), written once: a result and
// its badges written and rewritten, a SpamAssassin score with and without a result, fractional scores, and the rows
// of deleted messages forgotten by id and as orphans.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS_MIGRATIONS, ChecksRepository } from '../../../src-main/checks/repository.js';
import { STORE_KINDS, storeFactory, suiteName, type OpenedStore } from '../store/contract/stores.js';
import { envelope, message } from '../store/helpers.js';

describe.each(STORE_KINDS)('%s checks repository', (kind) => {
  const f = storeFactory(kind);

  describe.skipIf(f.skip !== null)(suiteName(f, 'checks'), () => {
    let h: OpenedStore;
    let repo: ChecksRepository;
    let one: number;
    let two: number;

    beforeAll(async () => {
      await f.setup();
      h = await f.open();
      expect(await h.store.migrateCapability('checks', CHECKS_MIGRATIONS)).toEqual([1]);
      repo = new ChecksRepository(h.store.sql);
    });
    afterAll(async () => {
      await h?.cleanup();
      await f.teardown();
    });
    beforeEach(async () => {
      await h.store.deleteAll();
      await h.store.sql.run('DELETE FROM checks_results');
      one = (await h.store.ingest(message({ subject: 'one' }), envelope())).id;
      two = (await h.store.ingest(message({ subject: 'two' }), envelope())).id;
    });

    it('writes a result with its badges and rewrites it; a spam score joins either way', async () => {
      expect(await repo.read(one)).toBeNull();
      const result = JSON.stringify({ id: one, note: "it's ? a 'quote'" });
      await repo.write(one, '2026-12-04T10:00:00.000Z', result, {
        dkim: 'pass',
        dmarc: 'fail',
        compatScore: 87,
        lintErrors: 2,
      });
      expect(await repo.read(one)).toEqual({ checkedAt: '2026-12-04T10:00:00.000Z', result });
      await repo.writeSpamScore(one, 4.25);
      await repo.writeSpamScore(two, -0.5);
      expect(await repo.badges([two, one, 999_999])).toEqual(
        expect.arrayContaining([
          { id: one, dkim: 'pass', dmarc: 'fail', compatScore: 87, spamScore: 4.25, lintErrors: 2 },
          { id: two, dkim: 'none', dmarc: 'none', compatScore: null, spamScore: -0.5, lintErrors: 0 },
        ]),
      );
      expect(await repo.badges([two, one, 999_999])).toHaveLength(2);
      // A score-only row has no result to answer from.
      expect(await repo.read(two)).toEqual({ checkedAt: '', result: '' });

      // A new run replaces the result and badges and keeps the spam score.
      await repo.write(one, '2026-12-04T11:00:00.000Z', '{}', {
        dkim: 'none',
        dmarc: 'pass',
        compatScore: null,
        lintErrors: 0,
      });
      expect(await repo.badges([one])).toEqual([
        { id: one, dkim: 'none', dmarc: 'pass', compatScore: null, spamScore: 4.25, lintErrors: 0 },
      ]);
      await repo.writeSpamScore(one, null);
      expect((await repo.badges([one]))[0]?.spamScore).toBeNull();
      expect(await repo.badges([])).toEqual([]);
    });

    it('forgets the rows of deleted messages, by id and as orphans', async () => {
      for (const id of [one, two]) await repo.writeSpamScore(id, 1);
      await repo.forget([one, 555_555]);
      await repo.forget([]);
      expect((await repo.badges([one, two])).map((b) => b.id)).toEqual([two]);
      await repo.writeSpamScore(one, 1);
      await h.store.delete([two]);
      await repo.forgetOrphans();
      expect((await repo.badges([one, two])).map((b) => b.id)).toEqual([one]);
    });
  });
});
