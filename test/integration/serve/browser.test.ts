// The binding's headers in a real Chromium: the app CSP still lets the page reach its WebSocket and frame a preview,
// no script in a hostile preview runs, the token sign-in works with a real cookie jar, and a page on another port
// that the browser sends our cookie from can neither change state nor open the events.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
  fs.writeFileSync(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><title>shell</title><body><script type="module" src="./assets/app.js"></script></body>',
  );
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
    const imported = await request(stack.http.url, '/api/messages/import?filename=xss.eml', {
      method: 'POST',
      body: readCorpus('hostile/xss-script.eml'),
      headers: { 'Content-Type': 'message/rfc822' },
    });
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
      await page.waitForFunction(() =>
        ((globalThis as unknown as { __added?: string[] }).__added ?? []).includes('seen by the browser'),
      );
      await page.waitForFunction(() => (globalThis as unknown as { __frameLoaded?: boolean }).__frameLoaded === true);

      const frame = page.frames().find((f) => f.url().includes('/preview'));
      expect(frame).toBeDefined();
      expect(await frame!.locator('body').innerText()).toContain('Hello');
      // Scripts, handlers and javascript: links in the message must all stay dead.
      await frame!
        .locator('a')
        .click({ noWaitAfter: true })
        .catch(() => undefined);
      // A sentinel posted now is queued behind anything the frame posted before, so waiting for it is enough.
      await page.evaluate(() =>
        (globalThis as unknown as { postMessage(m: string, o: string): void }).postMessage('sentinel', '*'),
      );
      await page.waitForFunction(() =>
        (globalThis as unknown as { __messages: string[] }).__messages.includes('sentinel'),
      );
      expect(await page.evaluate(() => (globalThis as unknown as { __messages: string[] }).__messages)).toEqual([
        'sentinel',
      ]);
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
  it('a page of the app under test on another port sends our cookie along, and still changes nothing', async () => {
    const token = 'browser-token-0123456';
    const binding = await startHttpBinding(stack.core, { host: '127.0.0.1', port: 0, token, rendererDir });
    const target = `http://127.0.0.1:${binding.port}`;
    // The hostile page tries what a page can do without asking: a text/plain form post, no-cors fetches with and
    // without a body, a JSON fetch (which needs a preflight), and the event WebSocket.
    const attackPage = `<!doctype html><body>
      <iframe name="sink"></iframe>
      <form method="post" enctype="text/plain" target="sink" action="${target}/api/call/messages.deleteAll"><input name='{"a":"' value='"}'></form>
      <script>
        window.__done = (async () => {
          const out = {};
          document.forms[0].submit();
          // Cross-Origin-Resource-Policy makes even the opaque answer unreadable: the fetch itself fails.
          out.noCors = await fetch('${target}/api/call/settings.update', { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{"retention":{"maxMessages":7}}' })
            .then(() => 'answered', () => 'blocked');
          out.json = await fetch('${target}/api/call/messages.deleteAll', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{}' })
            .then((r) => 'answered ' + r.status, () => 'blocked');
          out.ws = await new Promise((resolve) => {
            const ws = new WebSocket('ws://127.0.0.1:${binding.port}/api/events');
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
          });
          return out;
        })();
      </script></body>`;
    const app = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(attackPage));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext();
    try {
      await sendSimple(stack.smtpPort, 'still here after the attack');
      const before = await stack.core.invoke('messages.list', {});
      if (!before.ok) throw new Error('messages.list failed');
      const page = await context.newPage();
      await page.goto(`${binding.url}?token=${token}`);
      const refusals: number[] = [];
      const failures: string[] = [];
      page.on('response', (r) => {
        if (r.url().startsWith(target)) refusals.push(r.status());
      });
      page.on('requestfailed', (r) => {
        if (r.url().startsWith(target))
          failures.push(`${r.method()} ${new URL(r.url()).pathname} ${r.failure()?.errorText ?? ''}`);
      });
      const formAnswer = page.waitForResponse(
        (r) => r.url().endsWith('/api/call/messages.deleteAll') && r.request().method() === 'POST',
      );
      await page.goto(`http://127.0.0.1:${(app.address() as AddressInfo).port}/`);
      const result = await page.evaluate(
        () => (globalThis as unknown as { __done: Promise<Record<string, string>> }).__done,
      );
      expect((await formAnswer).status()).toBe(403);
      expect(result).toEqual({ noCors: 'blocked', json: 'blocked', ws: 'refused' });
      // The cookie went along (same site: ports do not count), so it was the Origin check that said no, not the token.
      expect(
        refusals.every((status) => status === 403),
        refusals.join(','),
      ).toBe(true);
      // The no-cors post reached the server and was answered (then withheld by CORP); the JSON one died at its preflight.
      expect(
        failures.some((f) => /^POST \/api\/call\/settings\.update net::ERR_BLOCKED_BY_RESPONSE/.test(f)),
        failures.join('\n'),
      ).toBe(true);
      const after = await stack.core.invoke('messages.list', {});
      expect(after.ok && after.value.total).toBe(before.value.total);
      const settings = await stack.core.invoke('settings.get', {});
      expect(settings.ok && settings.value.retention.maxMessages).not.toBe(7);
    } finally {
      await context.close();
      app.close();
      await binding.close();
    }
  });
});
