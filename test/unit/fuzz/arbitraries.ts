// Hostile inputs for the parser fuzz properties. Random strings rarely hit the shapes that hurt a parser,
// so most generators here build them on purpose: long runs of a few tokens (the shape that makes a
// backtracking pattern quadratic), unterminated quotes and comments, deep MIME nesting, odd charsets and
// raw 8-bit bytes, and the corpus messages with such runs spliced in.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { CORPUS_DIR, corpusFiles } from '../../helpers/corpus.js';

/**
 * Longest run of one token. A pattern that is quadratic in a run takes about 5 s on 100,000 characters and
 * well under the call budget on 20,000, so runs must reach this far for the budget to catch one.
 */
export const MAX_RUN_CHARS = 120_000;
/** Longest generated string; the corpus messages themselves go up to 1.2 MB. */
export const MAX_INPUT_CHARS = 300_000;

/** Repetitions of a token: usually a few, sometimes a run long enough to expose quadratic matching. */
function repeatCount(token: string): fc.Arbitrary<number> {
  const longest = Math.max(1, Math.floor(MAX_RUN_CHARS / token.length));
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: longest }) },
  );
}

/** A string of up to `maxRuns` runs, each one token repeated: `url(` + 100,000 spaces, `((((`, `"""`. */
export function runsOf(tokens: readonly string[], maxRuns = 6): fc.Arbitrary<string> {
  const run = fc.constantFrom(...tokens).chain((t) => repeatCount(t).map((n) => t.repeat(n)));
  return fc.array(run, { minLength: 1, maxLength: maxRuns }).map((runs) => runs.join('').slice(0, MAX_INPUT_CHARS));
}

/** Any UTF-16 code unit, lone surrogate halves and NUL included. */
export const anyCodeUnits = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength });

const SPACE_TOKENS = [' ', '\t', '\n', '\r\n', '\u00a0', '\u2028', '\f'];

export const CSS_TOKENS = [
  ...SPACE_TOKENS,
  '"',
  "'",
  '(',
  ')',
  'url(',
  'URL(',
  'url(url(',
  '\\',
  '/*',
  '*/',
  '@import',
  '@import "',
  "@import '",
  'http://x.test/a.png',
  '//x.test/',
  'a',
  ';',
  '{',
  '}',
  ':',
  'background:',
  '\u0130',
  'é',
];

export const HTML_TOKENS = [
  ...SPACE_TOKENS,
  '<',
  '>',
  '</',
  '/>',
  '<style>',
  '</style>',
  '<style',
  '<script>',
  '</script',
  '<!--',
  '-->',
  '--!>',
  '<a href="http://x.test/">',
  '<img src="http://x.test/i.png">',
  '<img src=',
  '<b>',
  '</b>',
  '<p>',
  ' style="',
  '"',
  "'",
  '=',
  '&',
  '&#x',
  '&#',
  '&amp;',
  '&nbsp;',
  '&#xFFFFFF;',
  ';',
  'http-equiv',
  'cid:',
  'cid:a@b',
  'url(',
  '<meta http-equiv="refresh" content="0;url=',
  '<meta http-equiv=refresh content=',
  'url=',
  '<link rel="preconnect dns-prefetch" href="http://x.test">',
  '<!doctype html>',
  '<!DOCTYPE',
  '<svg><use href="',
  '<![CDATA[',
  ']]>',
  '\u0000',
  'é',
  'word',
  '\ufeff',
];

export const HEADER_TOKENS = [
  ' ',
  '\t',
  '(',
  ')',
  '"',
  '<',
  '>',
  '@',
  ',',
  ';',
  ':',
  '\\',
  '.',
  '=',
  '=?utf-8?B?',
  '=?iso-8859-1?Q?',
  '=?x?q?',
  '?=',
  '?',
  '\r\n ',
  '\r\n\t',
  'a',
  'Name',
  'x@y.test',
  '<x@y.test>',
  'xn--',
  '\u0000',
  '\u00e9',
  '\u00ff',
  '\u0080',
  'Mon, 2 Nov 2026 10:00:00 +0000',
  '+0000',
  '2026',
  '%',
  '*',
  "'",
  "utf-8''",
  'filename*0=',
  'boundary=',
];

export const QUERY_TOKENS = [
  ' ',
  '"',
  '-',
  ':',
  'from:',
  'to:',
  'subject:',
  'has:',
  'is:',
  'before:',
  'after:',
  '*',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\n',
  'abc',
  'abc*',
  'hello',
  'ü',
  '\ud800',
  '\udc00',
  '\ud83d\ude00',
  '{',
  '}',
  '(',
  ')',
  'AND',
  'OR',
  'NOT',
  'NEAR',
  '^',
  '+',
  '2026-01-02',
  '2026-02-30',
  '\\',
  "'",
  '%00',
  ';',
  '--',
  'attachment',
  'unread',
  '{sender}',
];

/** Charsets real and broken: mailparser must decode or fall back, never throw. */
const CHARSETS = [
  'utf-8',
  'iso-8859-1',
  'windows-1252',
  'shift_jis',
  'iso-2022-jp',
  'koi8-r',
  'utf-16',
  'gb18030',
  'x-unknown',
  '',
];
const ENCODINGS = ['7bit', '8bit', 'base64', 'quoted-printable', 'binary', 'x-uuencode', 'bogus'];

/** A header value made of hostile runs, sometimes with raw 8-bit bytes or folded many times. */
export const headerValue: fc.Arbitrary<string> = runsOf(HEADER_TOKENS, 5);

const HEADER_NAMES = [
  'From',
  'To',
  'Cc',
  'Bcc',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'Received',
  'Content-Type',
  'Content-Disposition',
  'Content-Transfer-Encoding',
  'Content-ID',
  'MIME-Version',
  'X-Junk',
];

const headerLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...HEADER_NAMES), headerValue).map(([k, v]) => `${k}: ${v}`) },
  // Not a header line at all: no colon, or a name of spaces.
  { weight: 1, arbitrary: headerValue },
  // One field folded thousands of times.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...HEADER_NAMES), fc.integer({ min: 1, max: 20_000 }))
      .map(([k, n]) => `${k}: a${'\r\n b'.repeat(n)}`),
  },
);

/** A body of one of the hostile kinds: HTML runs, CSS in a style element or attribute, plain runs. */
const htmlBody: fc.Arbitrary<string> = fc.oneof(
  runsOf(HTML_TOKENS, 8),
  runsOf(CSS_TOKENS, 6).map((css) => `<html><head><style>${css}</style></head><body><p>x</p></body></html>`),
  runsOf(CSS_TOKENS, 6).map((css) => `<div style="${css}">x</div>`),
);

/** Headers plus a body, the body HTML or text, with a content type and encoding of any kind. */
export const flatMessage: fc.Arbitrary<Buffer> = fc
  .record({
    headers: fc.array(headerLine, { maxLength: 8 }),
    type: fc.constantFrom(
      'text/html',
      'text/plain',
      'text/plain; format=flowed; delsp=yes',
      'application/octet-stream',
      '',
    ),
    charset: fc.constantFrom(...CHARSETS),
    encoding: fc.constantFrom(...ENCODINGS),
    body: fc.oneof(htmlBody, runsOf(HEADER_TOKENS, 4)),
    lineEnd: fc.constantFrom('\r\n', '\n'),
  })
  .map(({ headers, type, charset, encoding, body, lineEnd }) => {
    const head = [...headers, `Content-Type: ${type}; charset="${charset}"`, `Content-Transfer-Encoding: ${encoding}`];
    return Buffer.from(`${head.join(lineEnd)}${lineEnd}${lineEnd}${body}${lineEnd}`, 'latin1');
  });

interface MimeShape {
  kind: 'leaf' | 'multipart' | 'message';
  children: MimeShape[];
  type: string;
  charset: string;
  encoding: string;
  body: string;
  filename: string;
  /** The closing boundary line is left out, as broken mailers do. */
  unclosed: boolean;
}

const leafShape: fc.Arbitrary<MimeShape> = fc.record({
  kind: fc.constant('leaf' as const),
  children: fc.constant([]),
  type: fc.constantFrom(
    'text/plain',
    'text/html',
    'image/png',
    'application/pdf',
    'message/delivery-status',
    'text/calendar',
  ),
  charset: fc.constantFrom(...CHARSETS),
  encoding: fc.constantFrom(...ENCODINGS),
  body: fc.oneof(htmlBody, fc.constantFrom('aGVsbG8=', '=E9=\r\n=XX=', '!!!not base64!!!', '')),
  filename: fc.oneof(
    fc.constant(''),
    runsOf(['../', '..\\', 'a', ' ', '.', '\u202e', 'CON', ':', '*', '\u0000', 'é'], 4),
  ),
  unclosed: fc.constant(false),
});

/** A MIME tree a few levels deep and wide, with broken boundaries and encodings here and there. */
const mimeTree: fc.Arbitrary<MimeShape> = fc.letrec<{ node: MimeShape }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafShape,
    fc.record({
      kind: fc.constantFrom('multipart' as const, 'message' as const),
      children: fc.array(tie('node'), { minLength: 0, maxLength: 4 }),
      type: fc.constantFrom('multipart/mixed', 'multipart/alternative', 'multipart/related', 'multipart/report'),
      charset: fc.constant(''),
      encoding: fc.constantFrom('7bit', 'base64'),
      body: fc.constant(''),
      filename: fc.constant(''),
      unclosed: fc.boolean(),
    }),
  ),
})).node;

function renderMime(shape: MimeShape, depth: number): string {
  if (shape.kind === 'message') {
    const inner = shape.children[0];
    return `Content-Type: message/rfc822\r\n\r\nSubject: nested ${depth}\r\n${inner ? renderMime(inner, depth + 1) : '\r\nbody'}`;
  }
  if (shape.kind === 'leaf') {
    const name = shape.filename ? `; filename="${shape.filename}"` : '';
    return (
      `Content-Type: ${shape.type}; charset=${shape.charset}${name}\r\nContent-Transfer-Encoding: ${shape.encoding}\r\n` +
      `Content-Disposition: ${shape.filename ? 'attachment' : 'inline'}${name}\r\nContent-ID: <p${depth}@x>\r\n\r\n${shape.body}`
    );
  }
  // Some nested parts reuse the parent's boundary, as hostile mail does.
  const boundary = depth % 3 === 2 ? `b${depth - 1}` : `b${depth}`;
  const parts = shape.children.map((c) => `--${boundary}\r\n${renderMime(c, depth + 1)}\r\n`).join('');
  return `Content-Type: ${shape.type}; boundary="${boundary}"\r\n\r\n${parts}${shape.unclosed ? '' : `--${boundary}--\r\n`}`;
}

/** multipart inside multipart, `depth` times: far past MAX_MIME_DEPTH and mailsplit's own limits. */
export function deeplyNested(depth: number, unclosed: boolean): Buffer {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
  for (let d = depth; d > 0; d--)
    body = `Content-Type: multipart/mixed; boundary="d${d}"\r\n\r\n--d${d}\r\n${body}${unclosed ? '' : `--d${d}--\r\n`}`;
  return Buffer.from(`From: a@x.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}`, 'latin1');
}

export const mimeMessage: fc.Arbitrary<Buffer> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.array(headerLine, { maxLength: 4 }), mimeTree)
      .map(([headers, tree]) =>
        Buffer.from(`${[...headers, 'MIME-Version: 1.0'].join('\r\n')}\r\n${renderMime(tree, 0)}\r\n`, 'latin1'),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 400 }), fc.boolean()).map(([d, u]) => deeplyNested(d, u)),
  },
);

/** Every corpus message, read once per process (3 MB). */
let corpusCache: { name: string; raw: Buffer }[] | null = null;
export function corpusMessages(): { name: string; raw: Buffer }[] {
  corpusCache ??= corpusFiles().map((file) => ({ name: path.relative(CORPUS_DIR, file), raw: fs.readFileSync(file) }));
  return corpusCache;
}

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete' | 'duplicate'; at: number; length: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'lf-only' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(headerValue, runsOf(HTML_TOKENS, 4), runsOf(CSS_TOKENS, 4)),
  }),
  fc.record({
    kind: fc.constantFrom('delete' as const, 'duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 5000 }),
  }),
  fc.record({
    kind: fc.constant('byte' as const),
    at: fc.nat(),
    value: fc.constantFrom(0x00, 0x0a, 0x0d, 0x20, 0x2d, 0x3a, 0x3c, 0x80, 0xc3, 0xff),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.constant({ kind: 'lf-only' as const }),
);

function mutate(raw: Buffer, m: Mutation): Buffer {
  if (m.kind === 'lf-only') return Buffer.from(raw.toString('latin1').replaceAll('\r\n', '\n'), 'latin1');
  const at = raw.length === 0 ? 0 : m.at % raw.length;
  switch (m.kind) {
    case 'insert':
      return Buffer.concat([raw.subarray(0, at), Buffer.from(m.text, 'latin1'), raw.subarray(at)]);
    case 'delete':
      return Buffer.concat([raw.subarray(0, at), raw.subarray(at + m.length)]);
    case 'duplicate':
      return Buffer.concat([raw.subarray(0, at + m.length), raw.subarray(at)]);
    case 'byte': {
      const copy = Buffer.from(raw);
      if (copy.length) copy[at] = m.value;
      return copy;
    }
    case 'truncate':
      return raw.subarray(0, at);
  }
}

/** A corpus message with a few mutations: hostile runs spliced in, bytes flipped, parts cut or doubled. */
export const mutatedCorpusMessage: fc.Arbitrary<Buffer> = fc
  .tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([pick, mutations]) => {
    const messages = corpusMessages();
    return mutations.reduce(mutate, messages[pick % messages.length]!.raw);
  });

/** Every kind of message input: flat hostile messages, MIME trees, and mutated corpus files. */
export const anyMessage: fc.Arbitrary<Buffer> = fc.oneof(flatMessage, mimeMessage, mutatedCorpusMessage);

/** HTML as a message body would carry it, including CSS and the corpus's HTML with runs spliced in. */
export const anyHtml: fc.Arbitrary<string> = fc.oneof(
  htmlBody,
  runsOf(HTML_TOKENS, 8),
  fc
    .tuple(runsOf(HTML_TOKENS, 3), runsOf(CSS_TOKENS, 4), runsOf(HTML_TOKENS, 3))
    .map(([a, css, b]) => `${a}<style>${css}</style>${b}`),
  anyCodeUnits(2000),
);

/** Search queries: operator soup, control characters, lone surrogates, and some past the contract's length cap. */
export const anyQuery: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...QUERY_TOKENS), { maxLength: 40 }).map((t) => t.join('')) },
  { weight: 2, arbitrary: anyCodeUnits(300) },
  { weight: 1, arbitrary: runsOf(QUERY_TOKENS, 4).map((q) => q.slice(0, 2500)) },
);
