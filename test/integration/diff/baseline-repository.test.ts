// The golden baselines' tables through BaselineRepository, written once and run on both stores (SQLite and a
// private PostgreSQL cluster): the approved message and PNG screenshots byte-exact, replace and delete, the list
// in key order without bytes, and verdicts.
import fs from 'node:fs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BASELINE_MIGRATIONS,
  BaselineRepository,
  type StoredBaseline,
} from '../../../src-main/diff/baselines/repository.js';
import { corpusFiles, envelope } from '../store/helpers.js';
import { STORE_KINDS, storeFactory, suiteName, type OpenedStore } from '../store/contract/stores.js';

/** A real PNG of the width, with noisy pixels so its bytes cover the whole byte range. */
function png(width: number, seed: number): Buffer {
  const image = new PNG({ width, height: 8 });
  for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 131 + seed * 17) & 0xff;
  return PNG.sync.write(image);
}

/** Every byte value, CR/LF and NUL included: what a bytea or BLOB must hand back unchanged. */
const EVERY_BYTE = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));

function baseline(key: string, over: Partial<StoredBaseline> = {}): StoredBaseline {
  return {
    key,
    messageId: 42,
    subject: `Subject of ${key}`,
    raw: Buffer.concat([Buffer.from(`X-Mailwright-Template: ${key}\r\n\r\n`), EVERY_BYTE]),
    envelope: envelope({ rcptTo: ['qa@example.test'] }),
    widths: [375, 600],
    approvedAt: '2026-12-04T12:00:00.000Z',
    screenshots: new Map([
      [600, png(600, 1)],
      [375, png(375, 2)],
    ]),
    ...over,
  };
}

describe.each(STORE_KINDS)('%s baselines repository', (kind) => {
  const f = storeFactory(kind);

  describe.skipIf(f.skip !== null)(suiteName(f, 'baselines repository'), () => {
    let h: OpenedStore;
    let repo: BaselineRepository;
    beforeAll(async () => {
      await f.setup();
      h = await f.open();
      expect(await h.store.migrateCapability('diff', BASELINE_MIGRATIONS)).toEqual([1]);
      repo = new BaselineRepository(h.store.sql);
    });
    afterAll(async () => {
      await h?.cleanup();
      await f.teardown();
    });
    beforeEach(() =>
      h.store.sql.exec('DELETE FROM diff_baseline_screenshots; DELETE FROM diff_baselines; DELETE FROM diff_verdicts;'),
    );

    it('stores a corpus message and its PNGs and gives back the same bytes', async () => {
      // The largest message of the corpus (corpusFiles() gives absolute paths).
      const file = corpusFiles().reduce((x, y) => (fs.statSync(x).size >= fs.statSync(y).size ? x : y));
      const raw = fs.readFileSync(file);
      const b = baseline('order-confirmation', { raw, messageId: 2 ** 40 + 7 });
      await repo.put(b);
      const got = await repo.get('order-confirmation');
      expect(got).not.toBeNull();
      expect(got!.raw.equals(raw)).toBe(true);
      expect(got!.messageId).toBe(2 ** 40 + 7);
      expect(got!.envelope).toEqual(b.envelope);
      expect(got!.widths).toEqual([375, 600]);
      expect([...got!.screenshots.keys()].sort((x, y) => x - y)).toEqual([375, 600]);
      for (const [width, bytes] of b.screenshots) {
        expect(got!.screenshots.get(width)!.equals(bytes)).toBe(true);
        expect(PNG.sync.read(got!.screenshots.get(width)!).width).toBe(width);
      }
      expect(await repo.get('nothing-here')).toBeNull();
    });

    it('lists every baseline in bytewise key order, with its screenshot widths and no bytes', async () => {
      await repo.put(baseline('b'));
      await repo.put(baseline('B', { screenshots: new Map() }));
      await repo.put(baseline('a-é'));
      await repo.put(baseline('Z', { widths: [320], screenshots: new Map([[320, png(320, 3)]]) }));
      expect(await repo.count()).toBe(4);
      const list = await repo.list();
      expect(list.map((b) => b.key)).toEqual(['B', 'Z', 'a-é', 'b']);
      expect(list[0]).toEqual({
        key: 'B',
        messageId: 42,
        subject: 'Subject of B',
        widths: [375, 600],
        approvedAt: '2026-12-04T12:00:00.000Z',
        screenshotWidths: [],
      });
      expect(list.map((b) => b.screenshotWidths)).toEqual([[], [320], [375, 600], [375, 600]]);
    });

    it('replaces a baseline with its screenshots, and deletes one with them', async () => {
      await repo.put(baseline('welcome'));
      const newer = baseline('welcome', {
        messageId: 43,
        subject: 'Welcome, again',
        widths: [800],
        screenshots: new Map([[800, png(800, 4)]]),
      });
      await repo.put(newer);
      expect(await repo.count()).toBe(1);
      const got = await repo.get('welcome');
      expect(got).toMatchObject({ messageId: 43, subject: 'Welcome, again', widths: [800] });
      expect([...got!.screenshots.keys()]).toEqual([800]);
      expect(got!.screenshots.get(800)!.equals(newer.screenshots.get(800)!)).toBe(true);
      expect(await repo.delete('welcome')).toBe(true);
      expect(await repo.delete('welcome')).toBe(false);
      expect(await repo.get('welcome')).toBeNull();
      const left = await h.store.sql.get<{ n: number }>('SELECT count(*) AS n FROM diff_baseline_screenshots');
      expect(Number(left!.n)).toBe(0);
    });

    it('approving one key from several connections at once leaves one whole baseline', async () => {
      const puts = [320, 375, 480, 600, 720, 800].map((width, i) =>
        baseline('race', { messageId: i, widths: [width], screenshots: new Map([[width, png(width, i)]]) }),
      );
      await Promise.all(puts.map((b) => repo.put(b)));
      const got = await repo.get('race');
      // Whichever came last, its row and its screenshots, nothing of the others.
      const winner = puts[got!.messageId]!;
      expect(got!.widths).toEqual(winner.widths);
      expect([...got!.screenshots.keys()]).toEqual(winner.widths);
      expect(got!.screenshots.get(winner.widths[0]!)!.equals(winner.screenshots.get(winner.widths[0]!)!)).toBe(true);
    });

    it('keeps one verdict per message, the newest, and forgets them by id or all at once', async () => {
      expect(await repo.verdicts([])).toEqual([]);
      await repo.putVerdict({ messageId: 1, key: 'k', verdict: 'changed', detail: 'text: 2 changed lines' }, 'T1');
      await repo.putVerdict({ messageId: 1, key: 'k', verdict: 'same', detail: null }, 'T2');
      await repo.putVerdict({ messageId: 2, key: 'k', verdict: 'error', detail: 'no renderer' }, 'T2');
      await repo.putVerdict({ messageId: 2 ** 40, key: 'j', verdict: 'same', detail: null }, 'T3');
      const sorted = async (ids: number[]) => (await repo.verdicts(ids)).sort((x, y) => x.messageId - y.messageId);
      expect(await sorted([1, 2, 3, 2 ** 40])).toEqual([
        { messageId: 1, key: 'k', verdict: 'same', detail: null },
        { messageId: 2, key: 'k', verdict: 'error', detail: 'no renderer' },
        { messageId: 2 ** 40, key: 'j', verdict: 'same', detail: null },
      ]);
      await repo.forgetVerdicts([2, 99]);
      expect((await sorted([1, 2, 2 ** 40])).map((v) => v.messageId)).toEqual([1, 2 ** 40]);
      await repo.forgetVerdicts([]);
      expect(await sorted([1, 2 ** 40])).toHaveLength(2);
      await repo.forgetVerdicts('all');
      expect(await repo.verdicts([1, 2 ** 40])).toEqual([]);
    });
  });
});
