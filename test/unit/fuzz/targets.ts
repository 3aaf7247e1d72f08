// The parsing entry points under fuzz, each with its inputs, its one timed call and what must hold after it.
// Both the fuzz tests (few runs, fixed seed) and `npm run bench -- --only fuzz` (many runs) use these.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { Core } from '../../../src-main/core/core.js';
import {
  deriveMessage,
  extractAttachment,
  parseDetail,
  quickSummary,
  renderPreview,
  safeFilename,
  stripHtml,
  MAX_FILENAME_BYTES,
} from '../../../src-main/message/index.js';
import { countRemoteResources, cssUrls, scanHtml } from '../../../src-main/message/html-scan.js';
import { MAX_MIME_DEPTH, MAX_MIME_NODES, walkMime } from '../../../src-main/message/mime.js';
import { compileQuery } from '../../../src-main/store/search.js';
import { extractUrls, oneTimeReason } from '../../../src-main/checks/links/extract.js';
import { lintAccessibility, MAX_FINDINGS } from '../../../src-main/diff/accessibility.js';
import { MailwrightError, type MessageSummary, type MimeNode, type PreviewView } from '../../../src-shared/index.js';
import { testEnvelope } from '../../helpers/envelope.js';
import {
  anyCodeUnits,
  anyHtml,
  anyMessage,
  anyQuery,
  corpusMessages,
  CSS_TOKENS,
  flatMessage,
  headerValue,
  runsOf,
} from './arbitraries.js';
import { timed } from './budget.js';
import { runTarget, type FuzzOptions, type FuzzReport, type FuzzTarget, type TargetSession } from './runner.js';

/** Thrown when a call returned but broke a promise of the module; the runner reports it with the input. */
class BrokenInvariant extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new BrokenInvariant(what);
}

const stateless =
  <I>(call: (input: I) => Promise<number>) =>
  async (): Promise<TargetSession<I>> => ({ call, close: async () => {} });

const base: MessageSummary = {
  id: 1,
  receivedAt: '2026-11-28T08:00:00.000Z',
  from: null,
  to: [],
  cc: [],
  bcc: [],
  subject: '',
  date: null,
  size: 0,
  read: false,
  hasAttachments: false,
  snippet: '',
  indexed: true,
  parseError: null,
};

function depthOf(node: MimeNode | null): number {
  let deepest = 0;
  const stack: [MimeNode, number][] = node ? [[node, 0]] : [];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    deepest = Math.max(deepest, d);
    for (const c of n.children) stack.push([c, d + 1]);
  }
  return deepest;
}

const derive: FuzzTarget<Buffer> = {
  name: 'derive',
  claim: 'deriveMessage never throws and keeps its snippet and index text within their budgets',
  inputs: anyMessage,
  bytes: (raw) => raw,
  open: stateless(async (raw) => {
    const { value, ms } = await timed(() => deriveMessage(raw));
    check(
      value.snippet.length <= 200 && !/[\p{Cc}]/u.test(value.snippet),
      'snippet is one line of at most 200 characters',
    );
    check(value.fts.body.length <= 1024 * 1024, 'indexed body within FTS_BODY_CHARS');
    check(value.date === null || !Number.isNaN(Date.parse(value.date)), 'date is null or ISO');
    return ms;
  }),
};

const quickHeaders: FuzzTarget<Buffer> = {
  name: 'quick-summary',
  claim: 'the header-only summary of the SMTP commit path reads any header block without throwing',
  inputs: fc.oneof(
    flatMessage,
    headerValue.map((v) => Buffer.from(`From: ${v}\r\nTo: ${v}\r\nDate: ${v}\r\nSubject: ${v}\r\n\r\nx`, 'latin1')),
  ),
  bytes: (raw) => raw,
  open: stateless(async (raw) => {
    const { value, ms } = await timed(() => quickSummary(raw));
    check(value.to.length <= 500 && value.cc.length <= 500, 'at most MAX_ADDRESSES per header');
    return ms;
  }),
};

const detail: FuzzTarget<Buffer> = {
  name: 'detail',
  claim: 'parseDetail never throws; the MIME tree stays within its depth budget and every attachment name is safe',
  inputs: anyMessage,
  bytes: (raw) => raw,
  open: stateless(async (raw) => {
    const { value, ms } = await timed(() => parseDetail(raw, base, testEnvelope()));
    check(depthOf(value.mimeTree) <= MAX_MIME_DEPTH + 1, 'MIME tree depth within MAX_MIME_DEPTH');
    for (const a of value.attachments) {
      check(
        a.safeFilename.length > 0 && !/[/\\\u0000]/.test(a.safeFilename),
        `safe file name ${JSON.stringify(a.safeFilename)}`,
      );
      check(Buffer.byteLength(a.safeFilename) <= MAX_FILENAME_BYTES, 'safe file name within MAX_FILENAME_BYTES');
    }
    check(Number.isInteger(value.remoteResources) && value.remoteResources >= 0, 'remoteResources is a count');
    return ms;
  }),
};

/** Our policy meta must come before anything the sender wrote: right after a doctype of at most this much. */
const CSP_META_WITHIN = 8192;

const anyView = fc.option(
  fc.record({
    scheme: fc.constantFrom('light', 'dark', 'inverted'),
    images: fc.constantFrom('on', 'off'),
  }),
  { nil: undefined },
);

const preview: FuzzTarget<[Buffer, boolean, PreviewView | undefined]> = {
  name: 'preview',
  claim: 'renderPreview never throws and always puts the sandboxing CSP first, in every designer view',
  inputs: fc.tuple(anyMessage, fc.boolean(), anyView),
  bytes: ([raw]) => raw,
  open: stateless(async ([raw, allowRemote, view]) => {
    const { value, ms } = await timed(() => renderPreview(raw, { allowRemote, view }));
    check(value.csp.startsWith('sandbox '), 'CSP starts with sandbox');
    const meta = value.html.indexOf('<meta http-equiv="Content-Security-Policy"');
    check(meta >= 0 && meta <= CSP_META_WITHIN, 'CSP meta comes first');
    return ms;
  }),
};

const accessibility: FuzzTarget<string> = {
  name: 'accessibility',
  claim: 'the accessibility lint judges any markup without throwing, each finding at a place inside it',
  inputs: anyHtml,
  bytes: (html) => Buffer.from(html),
  open: stateless(async (html) => {
    const { value, ms } = await timed(() => lintAccessibility(html));
    const lines = html.split('\n').length;
    check(value.findings.length <= MAX_FINDINGS + 1, 'at most MAX_FINDINGS findings (and the lang one)');
    check(
      value.findings.every((f) => f.line >= 1 && f.line <= lines && f.column >= 1),
      'every finding is on a line of the input',
    );
    check(
      value.findings.every((f, i, all) => i === 0 || all[i - 1]!.line <= f.line),
      'findings are in source order',
    );
    return ms;
  }),
};

const mime: FuzzTarget<Buffer> = {
  name: 'mime',
  claim: 'walkMime never rejects, stays within its node and depth budgets, and extraction fails only with not_found',
  inputs: anyMessage,
  bytes: (raw) => raw,
  open: stateless(async (raw) => {
    const { value: walk, ms } = await timed(() => walkMime(raw));
    check(walk.parts.length <= MAX_MIME_NODES, 'at most MAX_MIME_NODES parts');
    check(
      walk.parts.every((p) => p.depth <= MAX_MIME_DEPTH),
      'no part deeper than MAX_MIME_DEPTH',
    );
    check(new Set(walk.parts.map((p) => p.partId)).size === walk.parts.length, 'part ids are unique');
    const leaf = walk.parts.find((p) => p.isLeaf);
    let extractMs = 0;
    if (leaf) {
      const { value: part, ms: t } = await timed(() => extractAttachment(raw, leaf.partId));
      extractMs = t;
      check(part.content.length === leaf.decodedSize, 'extracted bytes match the walked size');
    }
    try {
      await extractAttachment(raw, '99.99.99');
      check(false, 'a missing part id is not_found');
    } catch (err) {
      if (err instanceof BrokenInvariant) throw err;
      check(
        err instanceof MailwrightError && err.code === 'not_found',
        `missing part fails with not_found, not ${String(err)}`,
      );
    }
    return Math.max(ms, extractMs);
  }),
};

const htmlScan: FuzzTarget<string> = {
  name: 'html-scan',
  claim: 'the HTML and CSS scan counts remote resources of any markup without throwing',
  inputs: fc.oneof(anyHtml, runsOf(CSS_TOKENS, 6)),
  bytes: (html) => Buffer.from(html),
  open: stateless(async (html) => {
    const { value, ms } = await timed(() => {
      let inside = true;
      scanHtml(html, { tag: (t) => void (inside &&= t.start >= 0 && t.start < t.end && t.end <= html.length) });
      return { remote: countRemoteResources(html), urls: cssUrls(html), inside };
    });
    check(value.inside, 'every tag lies inside the HTML');
    check(Number.isInteger(value.remote) && value.remote >= 0, 'remote count is a count');
    const starts = (html.match(/url\(|@import/gi) ?? []).length;
    check(value.urls.length <= starts, 'at most one CSS URL per url( or @import');
    return ms;
  }),
};

const linkUrls: FuzzTarget<string> = {
  name: 'link-urls',
  claim: "the link check's URL extraction and one-time heuristic take any markup and text without throwing",
  inputs: fc.oneof(anyHtml, runsOf(['https://a.test/', '(', ')', '.', '?token=', 'url("', '<a href="', '"', ' '], 8)),
  bytes: (text) => Buffer.from(text),
  open: stateless(async (text) => {
    const { value, ms } = await timed(() => {
      const found = extractUrls(text, text);
      return { found, reasons: found.map((f) => oneTimeReason(f.url)) };
    });
    const urls = value.found.map((f) => f.url);
    check(new Set(urls).size === urls.length, 'each URL listed once');
    check(
      urls.every((u) => u !== '' && u === u.trim() && !/^(mailto|cid|data):/i.test(u)),
      'no empty or non-web URL',
    );
    check(
      value.reasons.every((r) => r === null || typeof r === 'string'),
      'a reason is words or null',
    );
    return ms;
  }),
};

const htmlToText: FuzzTarget<string> = {
  name: 'html-to-text',
  claim: 'stripHtml turns any markup into one line of words without throwing',
  inputs: anyHtml,
  bytes: (html) => Buffer.from(html),
  open: stateless(async (html) => {
    const { value, ms } = await timed(() => stripHtml(html));
    check(value === value.trim() && !/\s\s/.test(value), 'white space collapsed and trimmed');
    return ms;
  }),
};

const filenames: FuzzTarget<string> = {
  name: 'filenames',
  claim: 'safeFilename turns any attachment name into one safe, bounded file name',
  inputs: fc.oneof(
    runsOf(['../', '..\\', 'a', ' ', '.', '\u202e', 'CON', ':', '*', '\u0000', 'é', '\ud800', '\t', 'b.txt'], 6),
    anyCodeUnits(400),
  ),
  bytes: (name) => Buffer.from(name),
  open: stateless(async (name) => {
    const { value, ms } = await timed(() => safeFilename(name));
    check(value.length > 0 && !/[/\\\u0000-\u001f]/.test(value), `safe name ${JSON.stringify(value.slice(0, 40))}`);
    check(Buffer.byteLength(value) <= MAX_FILENAME_BYTES, 'within MAX_FILENAME_BYTES');
    return ms;
  }),
};

/** Messages the search target's store holds, so queries run against real index rows. */
const SEARCH_CORPUS_MESSAGES = 12;

const search: FuzzTarget<string> = {
  name: 'search',
  claim: 'every query returns results or invalid_argument, never another error',
  inputs: anyQuery,
  bytes: (q) => Buffer.from(q),
  async open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-fuzz-search-'));
    const core = await Core.start({ dataDir: dir, listeners: [] });
    try {
      const small = corpusMessages()
        .filter((m) => m.raw.length < 64 * 1024)
        .slice(0, SEARCH_CORPUS_MESSAGES);
      for (const m of small)
        await core.invoke('messages.import', { filename: path.basename(m.name), data: m.raw.toString('base64') });
      await core.idle();
    } catch (err) {
      await core.stop();
      throw err;
    }
    return {
      async call(query) {
        const compiled = compileQuery(query);
        check(compiled.params.length === (compiled.where.match(/\?/g) ?? []).length, 'one parameter per placeholder');
        const { value: page, ms } = await timed(() => core.invoke('messages.list', { query, limit: 50 }));
        check(
          page.ok || page.error.code === 'invalid_argument',
          `answered ${page.ok ? 'ok' : `${page.error.code}: ${page.error.message}`}`,
        );
        return ms;
      },
      async close() {
        await core.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export interface RunnableTarget {
  name: string;
  claim: string;
  run(options: FuzzOptions): Promise<FuzzReport>;
}

function runnable<I>(target: FuzzTarget<I>): RunnableTarget {
  return { name: target.name, claim: target.claim, run: (options) => runTarget(target, options) };
}

export const TARGETS: readonly RunnableTarget[] = [
  runnable(derive),
  runnable(quickHeaders),
  runnable(detail),
  runnable(preview),
  runnable(accessibility),
  runnable(mime),
  runnable(htmlScan),
  runnable(htmlToText),
  runnable(linkUrls),
  runnable(filenames),
  runnable(search),
];
