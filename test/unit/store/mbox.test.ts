// The streaming import splitter: the same messages whatever the chunk boundaries, mbox semantics on Buffers,
// and bounded memory for lines and messages past the size limit.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImportSplitter, type SplitMessage } from '../../../src-main/store/mbox.js';

const FIXTURES = path.resolve(new URL('../../fixtures/store', import.meta.url).pathname);
const LIMIT = 1024 * 1024;

function split(data: Buffer, chunkSize = data.length || 1, max = LIMIT): SplitMessage[] {
  const splitter = new ImportSplitter('test.mbox', max);
  const out: SplitMessage[] = [];
  for (let at = 0; at < data.length; at += chunkSize) out.push(...splitter.push(data.subarray(at, at + chunkSize)));
  out.push(...splitter.end());
  return out;
}

const text = (m: SplitMessage): string => m.raw?.toString('latin1') ?? `<${m.size} bytes dropped>`;

/** Edge cases of the From_ rules, each where a chunk boundary can fall anywhere. */
const EDGE_CASES: Record<string, string> = {
  'escapes and body From lines': fs.readFileSync(path.join(FIXTURES, 'sample.mboxrd'), 'latin1'),
  'CRLF mbox': fs.readFileSync(path.join(FIXTURES, 'sample-crlf.mbox'), 'latin1'),
  'From line as the last line': 'From a@x\nSubject: one\n\nbody\n\nFrom the end',
  'no newline at the end': 'From a@x\nSubject: one\n\nbody',
  'two blank lines before a separator': 'From a@x\nSubject: one\n\nbody\n\n\nFrom b@x\nSubject: two\n\nbody two\n',
  'From line after a non-blank line stays': 'From a@x\nSubject: one\n\nbody\nFrom b@x\nSubject: two\n',
  'blank, From, blank, From, header': 'From a@x\nSubject: one\n\n\nFrom x\n\nFrom b@x\nSubject: two\n',
  'byte order mark before the From line': '\xef\xbb\xbfFrom a@x\nSubject: bom\n\nbody\n',
  'mboxrd escapes in headers and deep':
    'From a@x\n>From: escaped header\nSubject: s\n\n>>>>From deep\n>not a From line\n',
};

describe('ImportSplitter', () => {
  it.each(Object.keys(EDGE_CASES))('%s: the same messages for every chunk size', (name) => {
    const data = Buffer.from(EDGE_CASES[name]!, 'latin1');
    const whole = split(data);
    expect(whole.length).toBeGreaterThan(0);
    for (let size = 1; size <= Math.min(data.length, 64); size++)
      expect(split(data, size), `chunk size ${size}`).toEqual(whole);
  });

  it('splits the mboxrd fixture, unescapes one > and keeps unescaped body From lines', () => {
    const messages = split(fs.readFileSync(path.join(FIXTURES, 'sample.mboxrd')));
    expect(messages.map((m) => m.mailFrom)).toEqual(['alice@example.test', '', '']);
    expect(messages.map((m) => m.index)).toEqual([0, 1, 2]);
    expect(text(messages[0]!)).toBe(
      'From: Alice <alice@example.test>\nTo: bob@example.test\nSubject: first mbox message\n\nHello Bob.\n' +
        'From the start this line was escaped.\n>From here two levels.\n',
    );
    expect(text(messages[1]!)).toContain('\n\nFrom which the writer forgot the escape, but no header follows.\n');
    expect(text(messages[1]!).endsWith('no header follows.\n')).toBe(true);
    expect(text(messages[2]!)).toBe('From: Dave <dave@example.test>\nSubject: third mbox message\n\nThird body.\n');
  });

  it('gives each message the file offset where it starts', () => {
    const data = Buffer.from(EDGE_CASES['two blank lines before a separator']!, 'latin1');
    for (const m of split(data)) {
      expect(data.subarray(m.offset, m.offset + 8).toString('latin1')).toBe('Subject:');
    }
    const bom = split(Buffer.from(EDGE_CASES['byte order mark before the From line']!, 'latin1'));
    expect(bom).toMatchObject([{ offset: 3 + 'From a@x\n'.length, raw: Buffer.from('Subject: bom\n\nbody\n') }]);
  });

  it('keeps an .eml exactly as it is, byte order mark included', () => {
    const eml = Buffer.from(
      '\xef\xbb\xbfSubject: x\r\n\r\nFrom here on\r\n\r\nFrom x\r\nSubject: not a separator\r\n',
      'latin1',
    );
    for (const size of [1, 7, eml.length])
      expect(split(eml, size)).toEqual([{ index: 0, offset: 0, mailFrom: '', raw: eml, size: eml.length }]);
  });

  it('refuses an empty file and one that is neither mbox nor .eml, naming the file', () => {
    expect(() => split(Buffer.alloc(0))).toThrow(/test\.mbox: the file is empty/);
    expect(() => split(Buffer.from('just words\n'))).toThrow(/not an \.eml or mbox file/);
    expect(() => split(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toThrow(
      /not an \.eml or mbox file/,
    );
    // The first line is decided before the whole file is read: a long first line without a colon is refused early.
    const splitter = new ImportSplitter('long.txt', LIMIT);
    expect(() => splitter.push(Buffer.alloc(4096, 0x61))).toThrow(/not an \.eml or mbox file/);
  });

  it('drops a message past the size limit but counts its size, and the next one still comes through', () => {
    const big = `From a@x\nSubject: big\n\n${'0123456789\n'.repeat(200)}\nFrom b@x\nSubject: small\n\nok\n`;
    for (const size of [5, 64, big.length]) {
      const messages = split(Buffer.from(big), size, 1000);
      expect(messages).toMatchObject([
        { index: 0, raw: null, size: 'Subject: big\n\n'.length + 2200 },
        { index: 1, mailFrom: 'b@x', raw: Buffer.from('Subject: small\n\nok\n') },
      ]);
    }
  });

  it('keeps only the start of a line longer than any message may be, and still finds the next separator', () => {
    const line = 'x'.repeat(50_000);
    const data = Buffer.from(`From a@x\nSubject: long\n\n${line}\n\nFrom b@x\nSubject: after\n\nok\n`);
    const splitter = new ImportSplitter('long.mbox', 1000);
    const out: SplitMessage[] = [];
    for (let at = 0; at < data.length; at += 100) out.push(...splitter.push(data.subarray(at, at + 100)));
    out.push(...splitter.end());
    expect(out).toMatchObject([
      { raw: null, size: 'Subject: long\n\n'.length + line.length + 1 },
      { mailFrom: 'b@x', raw: Buffer.from('Subject: after\n\nok\n') },
    ]);
  });
});

/**
 * The whole-file, string-based mbox splitter that ImportSplitter replaced, kept as the oracle of its semantics:
 * a From_ line is "From " at the start of the file, or after a blank line and before a header line; one '>' is
 * removed from ">*From " lines; the blank line before a From_ line (and at the end) is not part of the message.
 */
function referenceSplit(data: Buffer): { raw: string; mailFrom: string }[] {
  const header = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
  const lines = data.toString('latin1').split(/(?<=\n)/);
  const out: { raw: string; mailFrom: string }[] = [];
  let current: string[] | null = null;
  let mailFrom = '';
  const finish = (): void => {
    if (!current) return;
    if (current.length > 0 && /^\r?\n$/.test(current[current.length - 1]!)) current.pop();
    out.push({ raw: current.join(''), mailFrom });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isFrom =
      line.startsWith('From ') &&
      (i === 0 || (/^\r?\n$/.test(lines[i - 1]!) && lines[i + 1] !== undefined && header.test(lines[i + 1]!)));
    if (isFrom) {
      finish();
      current = [];
      const sender = line.slice(5).trim().split(/\s+/)[0] ?? '';
      mailFrom = sender === '-' || sender === 'MAILER-DAEMON' ? '' : sender;
      continue;
    }
    current?.push(/^>+From /.test(line) ? line.slice(1) : line);
  }
  finish();
  return out;
}

/** Lines chosen to hit every rule: separators, escapes, blanks, headers, body text, LF and CRLF, no final newline. */
const TRICKY_LINES = [
  'From a@x Mon Nov  2 10:00:00 2026',
  'From - Mon',
  'From MAILER-DAEMON x',
  'From ',
  'From:',
  'From: Alice <a@x>',
  '>From escaped',
  '>>From twice',
  '>From',
  '> From',
  'Subject: s',
  'X-Long-Name: v',
  'Subject : spaced',
  'body text',
  '',
  '',
  '\r',
  ' From indented',
  'Fromage',
  'F',
  '>',
];

describe('ImportSplitter against the string splitter it replaced', () => {
  it('splits any mix of tricky lines the same way, whatever the chunk size', () => {
    const line = fc.record({ text: fc.constantFrom(...TRICKY_LINES), crlf: fc.boolean() });
    const file = fc.record({
      first: fc.constantFrom('From a@x Mon', 'From - Mon'),
      lines: fc.array(line, { maxLength: 60 }),
      finalNewline: fc.boolean(),
    });
    fc.assert(
      fc.property(file, fc.integer({ min: 1, max: 40 }), ({ first, lines, finalNewline }, chunkSize) => {
        let text = `${first}\n${lines.map((l) => l.text + (l.crlf ? '\r\n' : '\n')).join('')}`;
        if (!finalNewline) text = text.replace(/\r?\n$/, '');
        const data = Buffer.from(text, 'latin1');
        const got = split(data, chunkSize).map((m) => ({ raw: m.raw!.toString('latin1'), mailFrom: m.mailFrom }));
        expect(got).toEqual(referenceSplit(data));
      }),
      { seed: 20261204, numRuns: 500 },
    );
  });
});
