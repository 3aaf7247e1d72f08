// The confirmed stalls of issue 7 (and one the link-urls target found in the link check's first draft), each kept
// as the exact input that froze the event loop. Each one was
// quadratic in the length of a run of spaces (5 s for 100,000 characters), so a linear call finishes far
// inside CALL_BUDGET_MS and the quadratic one far outside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../src-main/core/core.js';
import { extractUrls } from '../../../src-main/checks/links/extract.js';
import { cssUrls } from '../../../src-main/message/html-scan.js';
import { parseDetail, quickSummary, safeFilename } from '../../../src-main/message/index.js';
import { testEnvelope } from '../../helpers/envelope.js';
import { base } from '../message/helpers.js';
import { CALL_BUDGET_MS, timed } from './budget.js';

/** Long enough that the old quadratic patterns took seconds even on a quiet machine. */
const RUN = 100_000;
const spaces = ' '.repeat(RUN);
/** Header runs stay inside the 64 KB the header-only summary reads, where the old patterns took seconds. */
const HEADER_RUN = 60_000;
const headerSpaces = ' '.repeat(HEADER_RUN);

function message(headers: string, body = 'body'): Buffer {
  return Buffer.from(`${headers}\r\nMessage-ID: <r@example.test>\r\n\r\n${body}\r\n`, 'latin1');
}

describe('issue 7: one message cannot stall the process', () => {
  it('opens HTML whose <style> holds url( and 100,000 spaces', async () => {
    const html = `<html><body><style>a{background:url(${spaces}</style><p>hi</p></body></html>`;
    const raw = message('From: a@example.test\r\nContent-Type: text/html', html);
    const { value: detail, ms } = await timed(() => parseDetail(raw, base, testEnvelope()));
    expect(detail.hasHtml).toBe(true);
    expect(detail.remoteResources).toBe(0);
    expect(ms).toBeLessThan(CALL_BUDGET_MS);
  });

  it('reads CSS url() with long runs of spaces, quotes and parentheses around the URL', async () => {
    for (const css of [
      `a{background:url(${spaces}`,
      `a{background:url(${spaces}x${spaces}`,
      `a{background:url("x"${spaces}`,
      `a{background:url(${'('.repeat(RUN)}`,
      `a{background:url(${'"'.repeat(RUN)}`,
      `@import${spaces}`,
    ]) {
      const { ms } = await timed(() => cssUrls(css));
      expect(ms, css.slice(0, 30)).toBeLessThan(CALL_BUDGET_MS);
    }
    // The scanner still reads what the pattern read.
    expect(cssUrls(`a{background:url(${spaces}http://x.test/a.png${spaces})}`)).toEqual(['http://x.test/a.png']);
    expect(cssUrls(`a{background:URL(${spaces}"http://x.test/b.png"${spaces})}`)).toEqual(['http://x.test/b.png']);
  });

  it('reads a From of a word, 60,000 spaces and another word without stalling', async () => {
    for (const from of [
      `a${headerSpaces}x`,
      `a${headerSpaces}<a@example.test`,
      `"a"${headerSpaces}<a@example.test>x`,
    ]) {
      const { value, ms } = await timed(() => quickSummary(message(`From: ${from}`)));
      expect(ms).toBeLessThan(CALL_BUDGET_MS);
      expect(value.subject).toBe('');
    }
    expect(quickSummary(message(`From: Alice${headerSpaces}<alice@example.test>`)).from).toEqual({
      name: 'Alice',
      address: 'alice@example.test',
    });
  });

  it('reads a Date with 60,000 spaces (and parentheses) inside without stalling', async () => {
    for (const date of [
      `x${headerSpaces}x`,
      `x${' ('.repeat(HEADER_RUN / 2)}x`,
      `x${headerSpaces}(comment${headerSpaces}x`,
    ]) {
      const { value, ms } = await timed(() => quickSummary(message(`Date: ${date}`)));
      expect(ms).toBeLessThan(CALL_BUDGET_MS);
      expect(value.date).toBeNull();
    }
    // A trailing comment is still ignored.
    expect(quickSummary(message('Date: Mon, 2 Nov 2026 10:00:00 +0000 (UTC)')).date).toBe('2026-11-02T10:00:00.000Z');
  });

  it('cleans an attachment name of a word, 100,000 spaces and another word without stalling', async () => {
    const { value, ms } = await timed(() => safeFilename(`a${spaces}b.txt`));
    expect(ms).toBeLessThan(CALL_BUDGET_MS);
    // Cut to 200 bytes, then the trailing spaces Windows would drop go too.
    expect(value).toBe('a.txt');
  });
});

describe('issue 7: no search is a server error', () => {
  let dir: string;
  let core: Core;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-fuzz-regress-'));
    core = await Core.start({ dataDir: dir, listeners: [] });
    const imported = await core.invoke('messages.import', {
      filename: 'abc.eml',
      data: message('From: a@example.test\r\nSubject: abc').toString('base64'),
    });
    expect(imported.ok).toBe(true);
    await core.idle();
  });

  afterAll(async () => {
    await core?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers abc%00 (a NUL in the query) with results, not "unterminated string"', async () => {
    for (const query of ['abc\u0000', 'abc\u0000def', '"abc\u0000"', 'subject:abc\u0000', '-abc\u0000', '\u0000']) {
      const page = await core.invoke('messages.list', { query });
      expect(page.ok ? 'ok' : page.error, JSON.stringify(query)).toBe('ok');
    }
    const page = await core.invoke('messages.list', { query: 'abc\u0000' });
    expect(page.ok && page.value.total).toBe(1);
  });
});

describe('the link check reads any message in linear time', () => {
  it('lists the URLs of a <style> full of url(url(url(… and of text with a run of closing parentheses', async () => {
    for (const [html, text] of [
      [`<style>${'url('.repeat(RUN / 4)}</style>`, null],
      [`<div style="${'url('.repeat(RUN / 4)}"></div>`, null],
      [null, `https://a.test/${')'.repeat(RUN)}`],
      [null, `https://a.test/${'.'.repeat(RUN)}`],
    ] as const) {
      const { value, ms } = await timed(() => extractUrls(html, text));
      expect(ms, (html ?? text ?? '').slice(0, 30)).toBeLessThan(CALL_BUDGET_MS);
      if (text) expect(value.map((f) => f.url)).toEqual(['https://a.test/']);
    }
  });
});
