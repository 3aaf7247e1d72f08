// Importing .eml and mbox files into a real store.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CORPUS, FIXTURES, openTemp, type Harness } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

describe('store import', () => {
  it('imports a single .eml byte for byte with an import envelope', async () => {
    h = openTemp();
    const data = fs.readFileSync(path.join(CORPUS, 'mailpit/tags.eml'));
    const r = await h.store.importFile(data, 'tags.eml');
    expect(r).toMatchObject({ imported: 1, failed: [] });
    expect(Buffer.compare(h.store.raw(r.ids[0]!), data)).toBe(0);
    await h.store.idle();
    const m = h.store.list({}).messages[0]!;
    expect(m.subject).toBe('Plain text message');
  });

  it.each(['sample.mboxrd', 'sample-crlf.mbox'])('splits %s, unescapes >From and keeps body From lines', async (name) => {
    h = openTemp();
    const crlf = name.includes('crlf');
    const eol = crlf ? '\r\n' : '\n';
    const r = await h.store.importFile(fs.readFileSync(path.join(FIXTURES, name)), name);
    expect(r.imported).toBe(3);
    expect(r.failed).toEqual([]);
    const [first, second, third] = r.ids.map((id) => h!.store.raw(id).toString('latin1'));
    expect(first!.startsWith(`From: Alice <alice@example.test>${eol}`)).toBe(true);
    expect(first).toContain(`${eol}From the start this line was escaped.${eol}>From here two levels.${eol}`);
    expect(first!.endsWith(`>From here two levels.${eol}`)).toBe(true);
    expect(second).toContain(`${eol}${eol}From which the writer forgot the escape, but no header follows.${eol}`);
    expect(third!.startsWith('From: Dave')).toBe(true);
    await h.store.idle();
    const subjects = h.store.list({}).messages.map((m) => m.subject).reverse();
    expect(subjects).toEqual(['first', 'second', 'third'].map((w) => `${crlf ? 'crlf ' : ''}${w} mbox message`));
    const detailEnvelope = await h.store.get(r.ids[0]!).then((d) => d.envelope, () => null);
    if (detailEnvelope) expect(detailEnvelope).toMatchObject({ listener: 'import', mailFrom: 'alice@example.test', rcptTo: [] });
    expect(h.store.list({ query: 'from:carol' }).messages.map((m) => m.id)).toEqual([r.ids[1]]);
  });

  it('imports an mbox of the corpus file that starts with a From_ line', async () => {
    h = openTemp();
    const data = fs.readFileSync(path.join(CORPUS, 'mailparser/large_text.eml'));
    const r = await h.store.importFile(data, 'large_text.eml');
    expect(r.imported).toBe(1);
    expect(h.store.raw(r.ids[0]!).toString('latin1').startsWith('Return-Path:')).toBe(true);
  });

  it('rejects an empty or garbage file with a clear invalid_argument', async () => {
    h = openTemp();
    await expect(h.store.importFile(Buffer.alloc(0), 'empty.eml')).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('empty') });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expect(h.store.importFile(png, 'image.png')).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('not an .eml or mbox') });
    await expect(h.store.importFile(Buffer.from('just some words\nand more\n'), 'notes.txt')).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(h.store.stats().count).toBe(0);
  });

  it('reports a bad part of an mbox by index and imports the rest', async () => {
    h = openTemp();
    const mbox = 'From a@x Mon Nov  2 10:00:00 2026\nnot a header line\n\nFrom b@x Mon Nov  2 10:00:00 2026\nSubject: ok one\n\nbody\n\nFrom c@x Mon Nov  2 10:00:00 2026\nSubject: ok two\n\nbody\n';
    const r = await h.store.importFile(Buffer.from(mbox), 'mixed.mbox');
    expect(r.imported).toBe(2);
    expect(r.failed).toEqual([{ index: 0, error: expect.stringContaining('not an RFC 5322 message') }]);
    await expect(h.store.importFile(Buffer.from('From nobody\njunk\n'), 'junk.mbox')).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
