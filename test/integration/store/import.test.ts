// Importing .eml and mbox files into a real store.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_IMPORT_RESULT_FAILURES, type ImportResult } from '../../../src-shared/index.js';
import { MAX_WAITING_IMPORTS } from '../../../src-main/store/import.js';
import { CORPUS, FIXTURES, openTemp, type Harness } from './helpers.js';

let h: Harness | null = null;
/** The SMTP default: the limit the core passes for a message of an import. */
const MAX_MESSAGE_BYTES = 50 * 1024 * 1024;

function importBuffer(data: Buffer, filename: string, maxMessageBytes = MAX_MESSAGE_BYTES): Promise<ImportResult> {
  return h!.store.import([data], { filename, maxMessageBytes });
}
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

describe('store import', () => {
  it('imports a single .eml byte for byte with an import envelope', async () => {
    h = openTemp();
    const data = fs.readFileSync(path.join(CORPUS, 'mailpit/tags.eml'));
    const r = await importBuffer(data, 'tags.eml');
    expect(r).toMatchObject({ imported: 1, failed: [], failedCount: 0, bytesRead: data.length });
    expect(Buffer.compare(h.store.raw(r.ids[0]!), data)).toBe(0);
    await h.store.idle();
    const m = h.store.list({}).messages[0]!;
    expect(m.subject).toBe('Plain text message');
  });

  it.each(['sample.mboxrd', 'sample-crlf.mbox'])(
    'splits %s, unescapes >From and keeps body From lines',
    async (name) => {
      h = openTemp();
      const crlf = name.includes('crlf');
      const eol = crlf ? '\r\n' : '\n';
      const r = await importBuffer(fs.readFileSync(path.join(FIXTURES, name)), name);
      expect(r.imported).toBe(3);
      expect(r.failed).toEqual([]);
      const [first, second, third] = r.ids.map((id) => h!.store.raw(id).toString('latin1'));
      expect(first!.startsWith(`From: Alice <alice@example.test>${eol}`)).toBe(true);
      expect(first).toContain(`${eol}From the start this line was escaped.${eol}>From here two levels.${eol}`);
      expect(first!.endsWith(`>From here two levels.${eol}`)).toBe(true);
      expect(second).toContain(`${eol}${eol}From which the writer forgot the escape, but no header follows.${eol}`);
      expect(third!.startsWith('From: Dave')).toBe(true);
      await h.store.idle();
      const subjects = h.store
        .list({})
        .messages.map((m) => m.subject)
        .reverse();
      expect(subjects).toEqual(['first', 'second', 'third'].map((w) => `${crlf ? 'crlf ' : ''}${w} mbox message`));
      const detailEnvelope = await h.store.get(r.ids[0]!).then(
        (d) => d.envelope,
        () => null,
      );
      if (detailEnvelope)
        expect(detailEnvelope).toMatchObject({ listener: 'import', mailFrom: 'alice@example.test', rcptTo: [] });
      expect(h.store.list({ query: 'from:carol' }).messages.map((m) => m.id)).toEqual([r.ids[1]]);
    },
  );

  it('imports an mbox of the corpus file that starts with a From_ line', async () => {
    h = openTemp();
    const data = fs.readFileSync(path.join(CORPUS, 'mailparser/large_text.eml'));
    const r = await importBuffer(data, 'large_text.eml');
    expect(r.imported).toBe(1);
    expect(h.store.raw(r.ids[0]!).toString('latin1').startsWith('Return-Path:')).toBe(true);
  });

  it('rejects an empty or garbage file with a clear invalid_argument', async () => {
    h = openTemp();
    await expect(importBuffer(Buffer.alloc(0), 'empty.eml')).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('empty'),
    });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expect(importBuffer(png, 'image.png')).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('not an .eml or mbox'),
    });
    await expect(importBuffer(Buffer.from('just some words\nand more\n'), 'notes.txt')).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(h.store.stats().count).toBe(0);
  });

  it('reports a bad part of an mbox by index and imports the rest', async () => {
    h = openTemp();
    const mbox =
      'From a@x Mon Nov  2 10:00:00 2026\nnot a header line\n\nFrom b@x Mon Nov  2 10:00:00 2026\nSubject: ok one\n\nbody\n\nFrom c@x Mon Nov  2 10:00:00 2026\nSubject: ok two\n\nbody\n';
    const r = await importBuffer(Buffer.from(mbox), 'mixed.mbox');
    expect(r.imported).toBe(2);
    expect(r.failed).toEqual([
      { index: 0, offset: mbox.indexOf('not a header'), error: expect.stringContaining('not an RFC 5322 message') },
    ]);
    await expect(importBuffer(Buffer.from('From nobody\njunk\n'), 'junk.mbox')).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('reports a message past the size limit with its offset and imports the rest', async () => {
    h = openTemp();
    const big = `Subject: big\n\n${'x'.repeat(70)}\n`.repeat(20);
    const mbox = `From a@x Mon Nov  2 10:00:00 2026\n${big}\nFrom b@x Mon Nov  2 10:00:00 2026\nSubject: fits\n\nbody\n`;
    const r = await importBuffer(Buffer.from(mbox), 'sizes.mbox', 1000);
    expect(r).toMatchObject({ imported: 1, failedCount: 1, bytesRead: mbox.length });
    expect(r.failed).toEqual([
      {
        index: 0,
        offset: mbox.indexOf('Subject: big'),
        error: `${big.length} bytes is larger than the 1000-byte message size limit`,
      },
    ]);
    expect(h.store.raw(r.ids[0]!).toString()).toBe('Subject: fits\n\nbody\n');
  });

  it('lists the first failures and counts them all', async () => {
    h = openTemp();
    const parts = Array.from(
      { length: MAX_IMPORT_RESULT_FAILURES + 50 },
      (_, i) => `From n${i}@x\nSubject: big ${i}\n\n${'x'.repeat(200)}\n`,
    );
    const r = await importBuffer(Buffer.from(`${parts.join('\n')}\nFrom ok@x\nSubject: ok\n\nbody\n`), 'big.mbox', 100);
    expect(r.imported).toBe(1);
    expect(r.failedCount).toBe(parts.length);
    expect(r.failed).toHaveLength(MAX_IMPORT_RESULT_FAILURES);
    expect(r.failed.at(-1)).toMatchObject({ index: MAX_IMPORT_RESULT_FAILURES - 1 });
  });

  it('runs imports one at a time: a second waits until the first has read its whole file', async () => {
    h = openTemp();
    const store = h.store;
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow(name: string, waitFor?: Promise<void>): AsyncGenerator<Buffer> {
      for (let i = 0; i < 3; i++) {
        log.push(`${name}${i}`);
        yield Buffer.from(`From ${name}@x\nSubject: ${name} ${i}\n\nbody\n\n`);
        if (i === 0 && waitFor) await waitFor;
      }
    }
    const first = store.import(slow('a', gate), { filename: 'a.mbox', maxMessageBytes: MAX_MESSAGE_BYTES });
    const second = store.import(slow('b'), { filename: 'b.mbox', maxMessageBytes: MAX_MESSAGE_BYTES });
    // Let the second try its luck while the first is stuck at its gate.
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a0']);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(log).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
    expect(Math.max(...a.ids)).toBeLessThan(Math.min(...b.ids));
  });

  it('refuses an import with a clear unavailable when too many wait already', async () => {
    h = openTemp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* held(): AsyncGenerator<Buffer> {
      await gate;
      yield Buffer.from('Subject: held\n\nbody\n');
    }
    const options = { filename: 'x.eml', maxMessageBytes: MAX_MESSAGE_BYTES };
    const running = h.store.import(held(), options);
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = Array.from({ length: MAX_WAITING_IMPORTS }, () =>
      h!.store.import([Buffer.from('Subject: w\n\nb\n')], options),
    );
    await expect(h.store.import([Buffer.from('Subject: x\n\nb\n')], options)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('imports are already waiting'),
    });
    release();
    expect((await Promise.all([running, ...waiting])).map((r) => r.imported)).toEqual(
      Array(MAX_WAITING_IMPORTS + 1).fill(1),
    );
  });

  it('keeps the messages completed before the source failed, and says how far it got', async () => {
    h = openTemp();
    const start = Buffer.from(
      'From a@x\nSubject: one\n\nbody\n\nFrom b@x\nSubject: two\n\nbody\n\nFrom c@x\nSubject: th',
    );
    async function* breaksAfterTwo(): AsyncGenerator<Buffer> {
      yield start;
      throw new Error('aborted');
    }
    await expect(
      h.store.import(breaksAfterTwo(), { filename: 'cut.mbox', maxMessageBytes: MAX_MESSAGE_BYTES }),
    ).rejects.toMatchObject({
      code: 'unavailable',
      message: `cut.mbox: import stopped after ${start.length} bytes and 1 message: aborted`,
    });
    // The second message's end was not confirmed (the line after "From c@x" was cut), so only the first is kept.
    expect(h.store.stats().count).toBe(1);
  });
});
