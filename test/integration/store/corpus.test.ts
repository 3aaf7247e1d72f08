// Every corpus message goes into a real store: listed, byte-identical, searchable, openable.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFiles, envelope, openTemp, type Harness } from './helpers.js';

const files = corpusFiles();
let h: Harness;
const ids = new Map<string, number>();

/** A word from the subject or body that the index must find (first word of 4+ letters). */
function searchWord(subject: string, snippet: string): string | null {
  const words = `${subject} ${snippet}`.match(/\p{L}{4,}/gu);
  return words?.[0] ?? null;
}

describe('store with the corpus', () => {
  beforeAll(async () => {
    h = openTemp({ retention: { maxMessages: 0, maxBytes: 0 } });
    const summaries = await Promise.all(files.map((f) => h.store.ingest(fs.readFileSync(f), envelope())));
    summaries.forEach((s, i) => ids.set(files[i]!, s.id));
    await h.store.idle();
  });
  afterAll(() => h.cleanup());

  it('finds corpus files', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it('lists every message, newest first, all indexed', () => {
    const page = h.store.list({ limit: 1000 });
    expect(page.total).toBe(files.length);
    expect(page.messages.map((m) => m.id)).toEqual([...ids.values()].sort((a, b) => b - a));
    expect(page.messages.every((m) => m.indexed)).toBe(true);
    expect(h.store.stats().pending).toBe(0);
  });

  it.each(files.map((f) => [path.relative(path.dirname(path.dirname(f)), f), f]))(
    '%s: raw is byte-identical',
    (_n, f) => {
      const raw = h.store.raw(ids.get(f)!);
      expect(Buffer.compare(raw, fs.readFileSync(f))).toBe(0);
    },
  );

  it.each(files.map((f) => [path.relative(path.dirname(path.dirname(f)), f), f]))(
    '%s: searchable by a word of its subject or body',
    (_n, f) => {
      const id = ids.get(f)!;
      const summary = h.store.list({ limit: 1000 }).messages.find((m) => m.id === id)!;
      const word = searchWord(summary.subject, summary.snippet);
      if (word === null) {
        // A message with no words at all (an image as root): its header values are still indexed.
        expect(h.store.list({ query: 'screenshot' }).messages.map((m) => m.id)).toContain(id);
        return;
      }
      expect(h.store.list({ query: word, limit: 1000 }).messages.map((m) => m.id)).toContain(id);
    },
  );

  it.each(files.map((f) => [path.relative(path.dirname(path.dirname(f)), f), f]))(
    '%s: get() gives the detail with its envelope',
    async (_n, f) => {
      const id = ids.get(f)!;
      const summary = h.store.list({ limit: 1000 }).messages.find((m) => m.id === id)!;
      const detail = await h.store.get(id);
      expect(detail).toMatchObject({ id, subject: summary.subject, size: summary.size, indexed: true });
      expect(detail.envelope).toEqual(envelope());
    },
  );

  it('a missing id is not_found, never a database error', async () => {
    expect(() => h.store.raw(999_999)).toThrow(expect.objectContaining({ code: 'not_found' }));
    await expect(h.store.get(999_999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps NUL and 8-bit bytes of the hostile message', () => {
    const f = files.find((x) => x.endsWith('nul-and-8bit.eml'))!;
    const raw = h.store.raw(ids.get(f)!);
    expect(raw.includes(0)).toBe(true);
    expect(raw.some((b) => b >= 0x80)).toBe(true);
  });

  it('decodes encoded-word subjects', () => {
    const f = files.find((x) => x.endsWith('charsets.eml'))!;
    const m = h.store.list({ limit: 1000 }).messages.find((x) => x.id === ids.get(f))!;
    expect(m.subject).toContain('Café');
    expect(h.store.list({ query: 'naïve' }).messages.map((x) => x.id)).toContain(m.id);
  });
});
