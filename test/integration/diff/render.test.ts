// Screenshots and visual diffs in a real Chromium (found as the e2e tests find it): deterministic renders, a 1-px
// colour change in a button detected, nothing for a changed Date header, dark and light differing only for a
// template with prefers-color-scheme CSS, images off, no remote request ever made, the time cap, no browser.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailwrightError } from '../../../src-shared/index.js';
import { ChromiumRenderer } from '../../../src-main/diff/render/chromium.js';
import { diffPngs } from '../../../src-main/diff/render/pixel-diff.js';
import { renderMessage, renderSettings, visualDiff } from '../../../src-main/diff/render/screenshots.js';
import { corpusFiles } from '../../helpers/corpus.js';
import { findChromium } from '../../e2e/browser.js';

const renderer = new ChromiumRenderer({ env: { MAILWRIGHT_CHROMIUM: findChromium() } });
afterAll(() => renderer.close());

function eml(html: string, date = 'Mon, 01 Dec 2026 10:00:00 +0000'): Buffer {
  return Buffer.from(
    `Date: ${date}\r\nMessage-ID: <${date.length}.${html.length}@example.test>\r\nFrom: a@example.test\r\n` +
      `To: b@example.test\r\nSubject: render\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`,
  );
}

function button(borderColour: string): string {
  return (
    '<!doctype html><html lang="en"><body style="margin:0;background:#fff;font:16px sans-serif">' +
    '<p style="margin:20px">Your order is ready.</p>' +
    `<a href="https://shop.example/" style="display:inline-block;margin:20px;padding:10px 20px;background:#2563eb;` +
    `color:#fff;text-decoration:none;border:0;border-left:1px solid ${borderColour}">View order</a></body></html>`
  );
}

const DARK_AWARE =
  '<!doctype html><html><head><style>body{background:#ffffff;color:#111}' +
  '@media (prefers-color-scheme: dark){body{background:#111111;color:#eee}}</style></head>' +
  '<body><p>Hello in both schemes</p></body></html>';

const light = renderSettings({});

describe('screenshots in Chromium', () => {
  it('renders a message at the width asked, the same pixels every time', async () => {
    const raw = eml(button('#2563eb'));
    const first = await renderMessage(renderer, raw, renderSettings({ width: 375 }));
    const second = await renderMessage(renderer, raw, renderSettings({ width: 375 }));
    expect(first.width).toBe(375);
    expect(first.height).toBeGreaterThan(50);
    expect(diffPngs(first.png, second.png).changedPixels).toBe(0);
  });

  it('detects a one-pixel-wide colour change in a button', async () => {
    const d = await visualDiff(
      renderer,
      { id: 1, raw: eml(button('#2563eb')) },
      { id: 2, raw: eml(button('#dc2626')) },
      light,
    );
    // The border is 1 px wide and as tall as the button: a few dozen pixels, nothing else.
    expect(d.changedPixels).toBeGreaterThan(10);
    expect(d.changedPixels).toBeLessThan(80);
    expect(d.pixelRatio).toBeGreaterThan(0);
    expect(d.pixelRatio).toBeLessThan(0.001);
    expect(Buffer.from(d.diff.png, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('shows nothing for a changed Date header', async () => {
    const d = await visualDiff(
      renderer,
      { id: 1, raw: eml(button('#2563eb')) },
      { id: 2, raw: eml(button('#2563eb'), 'Tue, 02 Dec 2026 11:00:00 +0000') },
      light,
    );
    expect(d.changedPixels).toBe(0);
    expect(d.pixelRatio).toBe(0);
  });

  it('dark and light differ for a template with prefers-color-scheme CSS, and only for it', async () => {
    const dark = renderSettings({ scheme: 'dark' });
    const aware = eml(DARK_AWARE);
    const l = await renderMessage(renderer, aware, light);
    const d = await renderMessage(renderer, aware, dark);
    expect(diffPngs(l.png, d.png).ratio).toBeGreaterThan(0.5);
    const plain = eml(button('#2563eb'));
    const pl = await renderMessage(renderer, plain, light);
    const pd = await renderMessage(renderer, plain, dark);
    expect(diffPngs(pl.png, pd.png).changedPixels).toBe(0);
  });

  it('with images off, an inline image is not drawn', async () => {
    const red = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
    const raw = eml(
      `<body style="margin:0;background:#fff"><img src="data:image/png;base64,${red}" width="200" height="100" alt=""></body>`,
    );
    const on = await renderMessage(renderer, raw, light);
    const off = await renderMessage(renderer, raw, renderSettings({ images: 'off' }));
    expect(diffPngs(on.png, off.png).changedPixels).toBeGreaterThan(10_000);
  });

  describe('remote content', () => {
    let server: http.Server;
    let hits = 0;
    beforeAll(async () => {
      server = http.createServer((_req, res) => {
        hits++;
        res.end('body{background:red}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is never requested, in either images mode', async () => {
      const port = (server.address() as AddressInfo).port;
      const base = `http://127.0.0.1:${port}`;
      const raw = eml(
        `<html><head><link rel="stylesheet" href="${base}/a.css"><style>@import url(${base}/b.css);</style></head>` +
          `<body style="background:url(${base}/c.png)"><img src="${base}/d.png"><iframe src="${base}/e"></iframe></body></html>`,
      );
      await renderMessage(renderer, raw, light);
      await renderMessage(renderer, raw, renderSettings({ images: 'off', scheme: 'dark' }));
      expect(hits).toBe(0);
    });
  });

  it('renders every corpus message or says clearly why not', async () => {
    for (const file of corpusFiles()) {
      const outcome = await renderMessage(renderer, fs.readFileSync(file), light).then(
        (r) => ({ ok: r.width === 600 && r.height > 0 }),
        (err: unknown) => ({ ok: err instanceof MailwrightError && /took longer|did not start/.test(err.message) }),
      );
      expect({ file, ...outcome }).toEqual({ file, ok: true });
    }
  }, 300_000);

  it('a visual diff of a message without HTML says there is none', async () => {
    const text = Buffer.from('From: a@example.test\r\nSubject: t\r\n\r\nplain text\r\n');
    await expect(visualDiff(renderer, { id: 1, raw: eml('<p>x</p>') }, { id: 7, raw: text }, light)).rejects.toThrow(
      'message 7 has no HTML part, so there is no visual diff',
    );
  });

  it('stops a render past its time cap with a clear error, and the next render works', async () => {
    const hurried = new ChromiumRenderer({ env: { MAILWRIGHT_CHROMIUM: findChromium() }, timeoutMs: 1 });
    try {
      await expect(renderMessage(hurried, eml(button('#000')), light)).rejects.toThrow(
        /the render took longer than 0.001 s and was stopped/,
      );
    } finally {
      await hurried.close();
    }
    const after = await renderMessage(renderer, eml(button('#000')), light);
    expect(after.width).toBe(600);
  });

  it('without a browser says how to get one', async () => {
    const none = new ChromiumRenderer({ env: { MAILWRIGHT_CHROMIUM: '/nonexistent/chromium' } });
    expect(await none.status()).toMatchObject({ available: false, browser: null });
    expect((await none.status()).help).toContain('apt-get install chromium');
    await expect(renderMessage(none, eml('<p>x</p>'), light)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('npx playwright install chromium'),
    });
  });
});
