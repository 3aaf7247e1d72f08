// Fresh mail first: the indexer derives the newest pending message before the backlog, and a message someone
// opens before any other pending one. Checked by the order of messages.updated events, never by time.
import { afterEach, describe, expect, it } from 'vitest';
import { envelope, message, openTemp, type Harness } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

const BACKLOG = 300;

async function backlog(): Promise<number[]> {
  const stored = await Promise.all(
    Array.from({ length: BACKLOG }, (_, i) => h.store.ingest(message({ subject: `backlog ${i}` }), envelope())),
  );
  await h.store.idle();
  return stored.map((s) => s.id).sort((a, b) => a - b);
}

/** The batches of ids the indexer reported, in the order it reported them. */
function indexedBatches(): number[][] {
  return h.events.flatMap((e) => (e.event === 'messages.updated' ? [e.data.ids] : []));
}

describe('indexer order', () => {
  it('derives the newest pending message first and works back through the backlog', async () => {
    h = openTemp();
    const ids = await backlog();
    h.events.length = 0;
    await h.store.reindex();
    const batches = indexedBatches();
    expect(batches.length).toBeGreaterThan(1);
    expect(batches[0]).toContain(ids.at(-1));
    expect(batches.at(-1)).toContain(ids[0]);
    // Every batch is older than the one before it.
    for (let i = 1; i < batches.length; i++)
      expect(Math.max(...batches[i]!)).toBeLessThan(Math.min(...batches[i - 1]!));
    expect(batches.flat().sort((a, b) => a - b)).toEqual(ids);
  });

  it('derives a message someone opens ahead of the backlog', async () => {
    h = openTemp();
    const ids = await backlog();
    h.events.length = 0;
    const oldest = ids[0]!;
    const reindexed = h.store.reindex();
    // The run has not taken its first batch yet (it starts on the next turn of the loop).
    const detail = await h.store.get(oldest);
    expect(detail.id).toBe(oldest);
    await reindexed;
    const batches = indexedBatches();
    const batchOf = (id: number): number => batches.findIndex((b) => b.includes(id));
    expect(batchOf(oldest)).toBe(0);
    // Without the request it would have come last, with its neighbour.
    expect(batchOf(ids[1]!)).toBe(batches.length - 1);
    expect(batches.flat().filter((id) => id === oldest)).toHaveLength(1);
  });

  it('makes the newest message searchable before the backlog after a flood', async () => {
    h = openTemp();
    await backlog();
    h.events.length = 0;
    const reindexed = h.store.reindex();
    const latest = await h.store.ingest(message({ subject: 'the one we wait for' }), envelope());
    const reportedAtCommit = indexedBatches().length;
    await reindexed;
    const batches = indexedBatches();
    // The batch in flight when it was committed was chosen without it; the next one takes it.
    expect(batches.findIndex((b) => b.includes(latest.id))).toBeLessThanOrEqual(reportedAtCommit + 1);
    expect(batches.slice(reportedAtCommit + 2).flat().length).toBeGreaterThan(0);
    expect(h.store.list({ query: 'subject:"the one we wait for"' }).messages.map((m) => m.id)).toEqual([latest.id]);
  });
});
