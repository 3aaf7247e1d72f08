// Store life cycle on a real database: events, read state, delete, retention, reindex, durability.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Events } from '../../../src-shared/index.js';
import type { StoreEvent } from '../../../src-main/store/index.js';
import { DEFAULT_RETENTION } from '../../../src-main/store/index.js';
import { envelope, message, openTemp, type Harness } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

function eventsOf<K extends StoreEvent['event']>(events: StoreEvent[], name: K): Events[K][] {
  // messages.added carries its summaries lazily (read from the headers only when someone listens).
  return events
    .filter((e) => e.event === name)
    .map((e) => (typeof e.data === 'function' ? e.data() : e.data) as Events[K]);
}

describe('store life cycle', () => {
  it('ingest resolves once stored; added carries a header summary; updated follows once derived', async () => {
    h = openTemp();
    const s = await h.store.ingest(message({ subject: '=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=' }), envelope());
    expect(s.id).toBeGreaterThan(0);
    expect(eventsOf(h.events, 'messages.added')[0]!.messages[0]).toMatchObject({
      id: s.id,
      subject: 'Grüße',
      from: { name: 'Alice', address: 'alice@example.test' },
      read: false,
      indexed: false,
    });
    await h.store.idle();
    expect(eventsOf(h.events, 'messages.updated').flatMap((e) => e.ids)).toContain(s.id);
    expect(h.store.list({}).messages[0]).toMatchObject({ id: s.id, indexed: true, snippet: 'body text' });
  });

  it('commits a burst in one batch and resolves every promise', async () => {
    h = openTemp();
    const all = await Promise.all(
      Array.from({ length: 300 }, (_, i) => h!.store.ingest(message({ subject: `m${i}` }), envelope())),
    );
    expect(new Set(all.map((s) => s.id)).size).toBe(300);
    expect(eventsOf(h.events, 'messages.added').length).toBeLessThan(300);
    expect(h.store.stats().count).toBe(300);
  });

  it('markRead, delete and deleteAll change state and say so', async () => {
    h = openTemp();
    const [a, b, c] = await Promise.all(
      [1, 2, 3].map((i) => h!.store.ingest(message({ subject: `m${i}` }), envelope())),
    );
    expect(h.store.markRead([a!.id, b!.id, 999], true)).toBe(2);
    expect(h.store.list({})).toMatchObject({ total: 3, unread: 1 });
    expect(eventsOf(h.events, 'messages.updated').at(-1)!.ids.sort()).toEqual([a!.id, b!.id].sort());
    expect(h.store.delete([a!.id, 999])).toBe(1);
    expect(eventsOf(h.events, 'messages.deleted')).toEqual([{ ids: [a!.id] }]);
    expect(() => h!.store.raw(a!.id)).toThrow(expect.objectContaining({ code: 'not_found' }));
    await h.store.idle();
    expect(h.store.deleteAll()).toBe(2);
    expect(eventsOf(h.events, 'messages.cleared')).toEqual([{ deleted: 2 }]);
    expect(h.store.stats()).toEqual({ count: 0, bytes: 0, pending: 0 });
    expect(h.store.list({ query: 'm3' }).total).toBe(0);
    const d = await h.store.ingest(message(), envelope());
    expect(d.id).toBeGreaterThan(c!.id);
  });

  it('markAllRead marks what a search matches, or everything, and says which', async () => {
    h = openTemp();
    const [invoice, welcome, other] = await Promise.all(
      ['Invoice 7', 'Welcome', 'Invoice 8'].map((subject) => h!.store.ingest(message({ subject }), envelope())),
    );
    await h.store.idle();
    expect(h.store.markAllRead('subject:invoice')).toBe(2);
    expect(eventsOf(h.events, 'messages.updated').at(-1)!.ids.sort()).toEqual([invoice!.id, other!.id].sort());
    expect(h.store.list({ query: 'is:unread' }).messages.map((m) => m.id)).toEqual([welcome!.id]);
    // Already-read messages are not counted again; no query means the whole inbox.
    expect(h.store.markAllRead('subject:invoice')).toBe(0);
    expect(h.store.markAllRead(undefined)).toBe(1);
    expect(h.store.list({})).toMatchObject({ total: 3, unread: 0 });
  });

  it('keeps the unread count in step with a real count through every kind of write', async () => {
    h = openTemp({ retention: { maxMessages: 6, maxBytes: 0 } });
    const counted = (): number => {
      const db = new Database(path.join(h!.dir, 'mailwright.db'), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM messages WHERE read = 0').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const check = (): void => expect(h!.store.list({}).unread).toBe(counted());
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.store.ingest(message({ subject: `m${i}` }), envelope())).id);
    check();
    // Marking read twice counts once; marking an unread one unread changes nothing; unknown ids are ignored.
    h.store.markRead([ids[0]!, ids[1]!], true);
    h.store.markRead([ids[0]!, 999], true);
    h.store.markRead([ids[2]!], false);
    check();
    expect(h.store.list({}).unread).toBe(3);
    h.store.markRead([ids[1]!], false);
    check();
    h.store.delete([ids[0]!, ids[3]!]); // one read, one unread
    check();
    await h.store.idle();
    h.store.markAllRead('subject:m4');
    check();
    // Retention prunes the oldest (ids[1], unread) to make room.
    for (let i = 5; i < 9; i++) await h.store.ingest(message({ subject: `m${i}` }), envelope());
    check();
    expect(h.store.list({}).total).toBe(6);
    const reopened = await h.reopen();
    expect(reopened.list({}).unread).toBe(counted());
    reopened.deleteAll();
    expect(reopened.list({}).unread).toBe(0);
  });

  it('retention by count prunes the oldest and emits pruned', async () => {
    h = openTemp({ retention: { maxMessages: 3, maxBytes: 0 } });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.store.ingest(message({ subject: `m${i}` }), envelope())).id);
    expect(h.store.list({}).messages.map((m) => m.id)).toEqual(ids.slice(2).reverse());
    const pruned = eventsOf(h.events, 'messages.pruned');
    expect(pruned.flatMap((p) => p.ids)).toEqual(ids.slice(0, 2));
    expect(pruned.every((p) => p.reason === 'maxMessages')).toBe(true);
    expect(pruned.at(-1)!.totalPruned).toBe(2);
  });

  it('retention by size prunes the oldest until the total fits', async () => {
    h = openTemp({ retention: { maxMessages: 0, maxBytes: 0 } });
    const raws = [0, 1, 2, 3].map((i) => message({ subject: `m${i}`, body: 'x'.repeat(1000) }));
    const ids: number[] = [];
    for (const r of raws) ids.push((await h.store.ingest(r, envelope())).id);
    const size = raws[0]!.length;
    h.store.setRetention({ maxMessages: 0, maxBytes: 2 * size + 10 });
    expect(h.store.list({}).messages.map((m) => m.id)).toEqual([ids[3], ids[2]]);
    expect(eventsOf(h.events, 'messages.pruned')).toEqual([
      { ids: [ids[0], ids[1]], reason: 'maxBytes', totalPruned: 2 },
    ]);
    expect(h.store.stats().bytes).toBe(2 * size);
  });

  it('retention settings persist, default sensibly and reject nonsense', async () => {
    h = openTemp();
    expect(h.store.retention).toEqual(DEFAULT_RETENTION);
    h.store.setRetention({ maxMessages: 10, maxBytes: 0 });
    await h.reopen();
    expect(h.store.retention).toEqual({ maxMessages: 10, maxBytes: 0 });
    expect(() => h!.store.setRetention({ maxMessages: -1, maxBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
    expect(() => h!.store.setRetention({ maxMessages: 1.5, maxBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
  });

  it('reindex rebuilds summaries and the index from raw bytes', async () => {
    h = openTemp();
    const s = await h.store.ingest(message({ subject: 'rebuild me', body: 'quokka' }), envelope());
    await h.store.idle();
    const before = h.store.list({}).messages[0]!;
    expect(await h.store.reindex()).toBe(1);
    expect(h.store.list({}).messages[0]).toEqual(before);
    expect(h.store.list({ query: 'quokka' }).messages.map((m) => m.id)).toEqual([s.id]);
    expect(h.store.stats().pending).toBe(0);
  });

  it('a reopened store keeps raw bytes and resumes derivation of pending messages', async () => {
    h = openTemp();
    const raws = Array.from({ length: 40 }, (_, i) => message({ subject: `durable ${i}`, body: `wombat${i}` }));
    const ids = (await Promise.all(raws.map((r) => h!.store.ingest(r, envelope())))).map((s) => s.id);
    // Close right after the commit, before derivation had its turn.
    await h.reopen();
    ids.forEach((id, i) => expect(Buffer.compare(h!.store.raw(id), raws[i]!)).toBe(0));
    await h.store.idle();
    expect(h.store.stats()).toMatchObject({ count: 40, pending: 0 });
    expect(h.store.list({ query: 'wombat39' }).messages.map((m) => m.id)).toEqual([ids[39]]);
  });

  it('close commits what was queued and refuses work afterwards', async () => {
    h = openTemp();
    const p = h.store.ingest(message({ subject: 'queued at close' }), envelope());
    await h.store.close();
    const s = await p;
    await expect(h.store.ingest(message(), envelope())).rejects.toMatchObject({ code: 'unavailable' });
    expect(() => h!.store.list({})).toThrow(expect.objectContaining({ code: 'unavailable' }));
    await h.reopen();
    expect(h.store.list({}).messages.map((m) => m.subject)).toEqual(['queued at close']);
    expect(h.store.list({}).messages.map((m) => m.id)).toEqual([s.id]);
  });

  it('a message with unparseable parts is kept and listed', async () => {
    h = openTemp();
    const raw = Buffer.from('no headers at all, just \x00 garbage \xff\xfe');
    const s = await h.store.ingest(raw, envelope());
    await h.store.idle();
    expect(Buffer.compare(h.store.raw(s.id), raw)).toBe(0);
    expect(h.store.list({}).messages[0]!.id).toBe(s.id);
  });
});

describe('derivation version', () => {
  it('re-derives every message when the stored derive version differs', async () => {
    h = openTemp();
    await h.store.ingest(message({ body: 'platypus' }), envelope());
    await h.store.idle();
    await h.store.close();
    const db = new Database(path.join(h.dir, 'mailwright.db'));
    db.prepare("UPDATE settings SET value = '0' WHERE key = 'derive_version'").run();
    db.close();
    await h.reopen();
    expect(h.store.stats().pending).toBe(1);
    await h.store.idle();
    expect(h.store.list({ query: 'platypus' }).total).toBe(1);
  });
});
