// The preview document in real Chromium: served the way a binding serves it (CSP header, sandboxed frame),
// scripts must not run and, unless allowed, no request may reach a "remote" server on loopback.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPreview, type PreviewDocument } from '../../../src-main/message/index.js';
import { corpus, fixture } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const GIF = Buffer.from('R0lGODlhAQABAAAAACw=', 'base64');
const FRAME_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe.skipIf(!existsSync(CHROMIUM))('preview in Chromium', () => {
  let browser: Browser;
  const remoteHits: string[] = [];
  const remote = http.createServer((req, res) => {
    remoteHits.push(req.url ?? '');
    const css = req.url?.endsWith('.css');
    res.writeHead(200, { 'content-type': css ? 'text/css' : 'image/gif' });
    res.end(css ? 'p{color:red}' : GIF);
  });
  // Connections, not only requests: a preconnect or a refused frame opens a socket and sends nothing.
  let remoteConnections = 0;
  remote.on('connection', () => remoteConnections++);
  let remotePort = 0;
  // What the app binding would serve; each test sets the documents it needs.
  let docs: Record<string, { doc: PreviewDocument; sendCsp: boolean }> = {};
  const app = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/frame') {
      const src = url.searchParams.get('src') ?? '';
      const sandbox = url.searchParams.get('sandbox') ?? FRAME_SANDBOX;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!DOCTYPE html><script>window.got=[];addEventListener('message',e=>got.push(String(e.data)))</script>` +
          `<iframe sandbox="${sandbox}" src="/doc/${src}"></iframe>`,
      );
      return;
    }
    const entry = docs[url.pathname.replace('/doc/', '')];
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      ...(entry.sendCsp ? { 'content-security-policy': entry.doc.csp } : {}),
    });
    res.end(entry.doc.html);
  });
  let appPort = 0;

  beforeAll(async () => {
    remotePort = await listen(remote);
    appPort = await listen(app);
    browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false });
  });
  afterAll(async () => {
    await browser?.close();
    await close(remote);
    await close(app);
  });

  /** Opens the framed document and returns what its scripts posted to the parent, after a message round trip. */
  async function framedMessages(name: string, sandbox = FRAME_SANDBOX): Promise<string[]> {
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${appPort}/frame?src=${name}&sandbox=${encodeURIComponent(sandbox)}`, {
        waitUntil: 'load',
      });
      // Messages the frame posted before now are delivered before this one (same task source, FIFO).
      return await page.evaluate(
        () =>
          new Promise<string[]>((resolve) => {
            // Runs in the page; this side compiles without DOM types.
            const w = globalThis as unknown as {
              got: string[];
              addEventListener(type: 'message', fn: (e: { data: unknown }) => void): void;
              postMessage(message: string, origin: string): void;
            };
            w.addEventListener('message', (e) => e.data === 'probe' && resolve(w.got.filter((m) => m !== 'probe')));
            w.postMessage('probe', '*');
          }),
      );
    } finally {
      await page.close();
    }
  }

  it('runs no script from xss-script.eml, framed or opened top-level, while an unprotected control does', async () => {
    const doc = await renderPreview(corpus('hostile/xss-script.eml'), { allowRemote: false });
    docs = {
      safe: { doc, sendCsp: true },
      control: {
        doc: { html: doc.html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''), csp: '' },
        sendCsp: false,
      },
    };
    expect(await framedMessages('control', 'allow-scripts')).toContain('pwned-script');
    expect(await framedMessages('safe')).toEqual([]);

    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${appPort}/doc/safe`, { waitUntil: 'load' });
      expect(await page.title()).toBe('');
      expect(await page.locator('p').textContent()).toBe('Hello');
    } finally {
      await page.close();
    }
  });

  it('makes no remote request unless remote content is allowed, and shows cid: images', async () => {
    const raw = Buffer.from(
      fixture('remote-resources.eml').toString('latin1').replaceAll('REMOTE', `127.0.0.1:${remotePort}`),
      'latin1',
    );
    const blocked = await renderPreview(raw, { allowRemote: false });
    docs = {
      blocked: { doc: blocked, sendCsp: true },
      // As srcdoc or a binding that forgets the header would serve it: the <meta> CSP must hold on its own.
      metaOnly: { doc: blocked, sendCsp: false },
      allowed: { doc: await renderPreview(raw, { allowRemote: true }), sendCsp: true },
    };
    remoteHits.length = 0;
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${appPort}/frame?src=blocked`, { waitUntil: 'load' });
      const frame = page.frames().find((f) => f.url().endsWith('/doc/blocked'));
      expect(frame).toBeDefined();
      const logo = frame!.locator('img[alt="logo"]');
      const loaded = await logo.evaluate((img) => {
        const i = img as unknown as { complete: boolean; naturalWidth: number };
        return i.complete ? i.naturalWidth : 0;
      });
      expect(loaded).toBe(1);
      expect(remoteHits).toEqual([]);
    } finally {
      await page.close();
    }

    expect(await framedMessages('metaOnly')).toEqual([]);
    expect(remoteHits).toEqual([]);

    // The same document with remote content allowed reaches the server: the blocked run could have failed.
    await framedMessages('allowed');
    expect(remoteHits).toEqual(
      expect.arrayContaining(['/pixel.gif', '/small.png', '/style.css', '/import.css', '/body-bg.png']),
    );
    expect(remoteHits).not.toContain('/refresh');
  });

  it("opens no connection for remote-hints.eml with remote content blocked, where the sender's markup does", async () => {
    const raw = Buffer.from(
      fixture('remote-hints.eml').toString('utf8').replaceAll('REMOTE', `127.0.0.1:${remotePort}`),
    );
    const blocked = await renderPreview(raw, { allowRemote: false });
    // The control: the sender's HTML as it came, under the same CSP and frame sandbox, without our renames.
    const senderHtml = String((await simpleParser(raw)).html);
    const csp = `<meta http-equiv="Content-Security-Policy" content="${blocked.csp}">`;
    docs = {
      blocked: { doc: blocked, sendCsp: true },
      control: { doc: { html: csp + senderHtml, csp: blocked.csp }, sendCsp: true },
    };

    remoteHits.length = 0;
    remoteConnections = 0;
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${appPort}/frame?src=blocked`, { waitUntil: 'load' });
      const frame = page.frames().find((f) => f.url().endsWith('/doc/blocked'));
      // The frame still shows the preview: no refresh, no <base>, no link took it anywhere.
      expect(await frame!.locator('p').first().textContent()).toBe(
        'Hints hidden where htmlparser2 and a browser disagree',
      );
      expect(frame!.url()).toBe(`http://127.0.0.1:${appPort}/doc/blocked`);
    } finally {
      await page.close();
    }
    expect(remoteHits).toEqual([]);
    expect(remoteConnections).toBe(0);

    // The same page load with the sender's markup reaches the server (Chromium 156 connects to a refused <iframe>),
    // so the blocked run above could have failed.
    await framedMessages('control');
    expect(remoteConnections).toBeGreaterThan(0);
  });

  it('opens every link of remote-hints.eml in a new window and never moves the preview frame', async () => {
    const raw = Buffer.from(
      fixture('remote-hints.eml').toString('utf8').replaceAll('REMOTE', `127.0.0.1:${remotePort}`),
    );
    docs = { blocked: { doc: await renderPreview(raw, { allowRemote: false }), sendCsp: true } };
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${appPort}/frame?src=blocked`, { waitUntil: 'load' });
      const frame = page.frames().find((f) => f.url().endsWith('/doc/blocked'))!;
      // target=_self, target=_top, and an SVG <a>, which Chromium lets navigate its own frame unless it has a target.
      for (const [text, opens] of [
        ['Show images', `http://127.0.0.1:${appPort}/doc/blocked?remote=1`],
        ['a link is not a resource', `http://127.0.0.1:${remotePort}/clicked`],
        ['svg link', `http://127.0.0.1:${remotePort}/svg-link`],
      ]) {
        const popup = context.waitForEvent('page');
        await frame.getByText(text!, { exact: true }).click();
        const opened = await popup;
        await opened.waitForLoadState('load');
        expect(opened.url(), text).toBe(opens);
        await opened.close();
        expect(frame.url(), text).toBe(`http://127.0.0.1:${appPort}/doc/blocked`);
        expect(frame.isDetached(), text).toBe(false);
      }
    } finally {
      await context.close();
    }
  });
});
