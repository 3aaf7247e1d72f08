// importStream's pacing: it reads the next chunk only after the previous step of messages is committed, so a
// slow store slows the reading instead of piling messages up in memory. The ingest here commits when told to.
import { describe, expect, it } from 'vitest';
import type { MessageId } from '../../../src-shared/index.js';
import { importStream } from '../../../src-main/store/import.js';

/** Event-loop turns to let the import run as far as it can on its own. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('importStream pacing', () => {
  it('stops reading while a step of 256 messages waits for its commit', async () => {
    const total = 1000;
    let pulled = 0;
    async function* oneMessagePerChunk(): AsyncGenerator<Buffer> {
      for (let i = 0; i < total; i++) {
        pulled++;
        yield Buffer.from(`From s${i}@x\nSubject: m${i}\n\nbody ${i}\n\n`);
      }
    }
    const uncommitted: (() => void)[] = [];
    let nextId = 1;
    const ingest = (): Promise<{ id: MessageId }> =>
      new Promise((resolve) => {
        const id = nextId++;
        uncommitted.push(() => resolve({ id }));
      });
    const done = importStream(oneMessagePerChunk(), { filename: 'paced.mbox', maxMessageBytes: 1024 }, ingest);

    const seen: number[] = [];
    for (let round = 0; round < 10 && seen.reduce((a, b) => a + b, 0) < total; round++) {
      await settle();
      // Nothing is committed: the import must be waiting with one step handed over and at most two more chunks read
      // (the splitter holds a message until the next From_ line confirms where it ends).
      expect(pulled - (nextId - 1)).toBeLessThanOrEqual(2);
      seen.push(uncommitted.length);
      for (const commit of uncommitted.splice(0)) commit();
    }
    const result = await done;
    expect(seen.slice(0, 3)).toEqual([256, 256, 256]);
    expect(result.imported).toBe(total);
    expect(result.ids).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });
});
