// The binding's headers in a real Chromium: the app CSP still lets the page reach its WebSocket and frame a preview,
// no script in a hostile preview runs, and the token sign-in works with a real cookie jar.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../../src-shared/index.js';
import { startHttpBinding } from '../../../src-main/serve/http.js';
import { readCorpus, request, sendSimple, startStack, type Stack } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';

/** A stand-in app shell: connects the event socket and frames one preview, reporting through window globals. */
const APP_JS = `
const id = new URLSearchParams(location.search).get('id');
const messages = [];
window.__messages = messages;
window.addEventListener('message', (e) => messages.push(String(e.data)));
const ws = new WebSocket('ws://' + location.host + '/api/events');
ws.onopen = () => { window.__wsOpen = true; };
ws.onmessage = (e) => {
  const env = JSON.parse(e.data);
  if (env.event === 'messages.added') window.__added = env.data.messages.map((m) => m.subject);
};
if (id) {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-popups allow-popups-to-escape-sandbox');
  frame.src = '/api/messages/' + id + '/preview?remote=0';
  frame.onload = () => { window.__frameLoaded = true; };
  document.body.append(frame);
}
`;

let stack: Stack;
let browser: Browser;
let rendererDir: string;

beforeAll(async () => {
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-app-'));
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>shell</title><body><script type="module" src="./assets/app.js"></script></body>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), APP_JS);
  stack = await startStack({ rendererDir });
  if (fs.existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  fs.rmSync(rendererDir, { recursive: true, force: true });
});

describe.skipIf(!fs.existsSync(CHROMIUM))('in Chromium', () => {
  it('connects the WebSocket, receives new mail, and frames a preview in which no script runs', async () => {
    const imported = await request(stack.http.url, '/api/messages/import?filename=xss.eml', { method: 'POST', body: readCorpus('hostile/xss-script.eml'), headers: { 'Content-Type': 'message/rfc822' } });
    const id = imported.json<ImportResult>().ids[0]!;
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      await page.goto(`${stack.http.url}?id=${id}`);
      await page.waitForFunction(() => (globalThis as unknown as { __wsOpen?: boolean }).__wsOpen === true);
      await sendSimple(stack.smtpPort, 'seen by the browser');
      await page.waitForFunction(() => ((globalThis as unknown as { __added?: string[] }).__added ?? []).includes('seen by the browser'));
      await page.waitForFunction(() => (globalThis as unknown as { __frameLoaded?: boolean }).__frameLoaded === true);

      const frame = page.frames().find((f) => f.url().includes('/preview'));
      expect(frame).toBeDefined();
      expect(await frame!.locator('body').innerText()).toContain('Hello');
      // Scripts, handlers and javascript: links in the message must all stay dead.
      await frame!.locator('a').click({ noWaitAfter: true }).catch(() => undefined);
      // A sentinel posted now is queued behind anything the frame posted before, so waiting for it is enough.
      await page.evaluate(() => (globalThis as unknown as { postMessage(m: string, o: string): void }).postMessage('sentinel', '*'));
      await page.waitForFunction(() => (globalThis as unknown as { __messages: string[] }).__messages.includes('sentinel'));
      expect(await page.evaluate(() => (globalThis as unknown as { __messages: string[] }).__messages)).toEqual(['sentinel']);
      expect(await page.title()).toBe('shell');
      expect(dialogs).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('signs in with /?token= and then reaches the API and the WebSocket with the cookie', async () => {
    const token = 'browser-token-123';
    const binding = await startHttpBinding(stack.core, { host: '127.0.0.1', port: 0, token, rendererDir });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const denied = await page.goto(binding.url);
      expect(denied?.status()).toBe(401);
      await page.goto(`${binding.url}?token=${token}`);
      expect(new URL(page.url()).search).toBe('');
      await page.waitForFunction(() => (globalThis as unknown as { __wsOpen?: boolean }).__wsOpen === true);
      const status = await page.evaluate(async () => (await fetch('/api/status')).status);
      expect(status).toBe(200);
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'mailwright_token')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    } finally {
      await context.close();
      await binding.close();
    }
  });
});
