// The HTML preview is safe: hostile scripts never run, and remote content stays blocked until the user asks.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { CORPUS_DIR } from '../helpers/corpus.js';
import { expect, rowSelector, test } from './fixtures.js';

const XSS_EML = `${CORPUS_DIR}/hostile/xss-script.eml`;
const XSS_SUBJECT = 'Script, handlers and javascript: links';
const SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';
/** A 1x1 transparent PNG, so the canary answers like a real tracking pixel. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** Records every postMessage the app's own window receives, from any frame, from the very first script. */
async function recordParentMessages(page: Page): Promise<string[]> {
  const received: string[] = [];
  await page.exposeFunction('mwRecordMessage', (data: string) => received.push(data));
  await page.addInitScript(`window.addEventListener('message', (e) => {
    window.mwRecordMessage(typeof e.data === 'string' ? e.data : JSON.stringify(e.data));
  });`);
  return received;
}

/** A round trip through the parent's own message queue: everything posted before it has been delivered. */
async function drainMessages(page: Page, received: string[], marker: string): Promise<void> {
  await page.evaluate(`window.postMessage(${JSON.stringify(marker)}, '*')`);
  await expect.poll(() => received.includes(marker)).toBe(true);
}

/** Waits until the preview iframe's document has fired its load event (scripts, onload and onerror done). */
async function previewLoaded(page: Page) {
  const handle = await page.locator('iframe[title="HTML preview"]').elementHandle();
  const frame = await handle.contentFrame();
  await frame!.waitForLoadState('load');
  return frame!;
}

test('the preview of xss-script.eml runs no script, handler or javascript: link', async ({ page, mw }) => {
  const received = await recordParentMessages(page);
  await mw.sendRaw(readFileSync(XSS_EML), { from: 'attacker@example.test', to: ['qa@example.test'] });
  await mw.send({ subject: 'Harmless follow-up', html: '<p>Nothing to see</p>' });
  await page.goto(mw.http);

  await page.locator(rowSelector(XSS_SUBJECT)).click();
  const iframe = page.locator('iframe[title="HTML preview"]');
  await expect(iframe).toHaveAttribute('sandbox', SANDBOX);
  const preview = page.frameLocator('iframe[title="HTML preview"]');
  await expect(preview.getByText('Hello')).toBeVisible();
  const frame = await previewLoaded(page);

  // The javascript: link is the one side effect that needs a user; give it one.
  await preview.getByText('click').click();
  await drainMessages(page, received, 'mw-marker-1');

  // A second navigation of the preview frame: the first document is gone, anything it queued is delivered.
  await page.locator(rowSelector('Harmless follow-up')).click();
  await expect(preview.getByText('Nothing to see')).toBeVisible();
  await previewLoaded(page);
  await drainMessages(page, received, 'mw-marker-2');

  expect(received.filter((m) => m.startsWith('pwned'))).toEqual([]);
  expect(received).toEqual(['mw-marker-1', 'mw-marker-2']);
  expect(await page.title()).toBe('Mailwright');
  expect(await frame.title().catch(() => '')).not.toBe('pwned');
});

test('a remote image is fetched only after "Load remote content" for that message', async ({ page, mw }) => {
  const requests: string[] = [];
  let onRequest: (req: IncomingMessage) => void = () => {};
  const canary: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    onRequest(req);
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    res.end(PIXEL);
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  const port = (canary.address() as AddressInfo).port;
  try {
    await mw.send({
      subject: 'Tracking pixel inside',
      html: `<p>Newsletter</p><img src="http://127.0.0.1:${port}/pixel.png" width="1" height="1" alt="">`,
    });
    await page.goto(mw.http);
    await page.locator(rowSelector('Tracking pixel inside')).click();
    const preview = page.frameLocator('iframe[title="HTML preview"]');
    await expect(preview.getByText('Newsletter')).toBeVisible();
    await previewLoaded(page);
    // The load event waits for every image the document may fetch: none reached the canary.
    expect(requests).toEqual([]);
    await expect(page.getByText('1 remote resource blocked')).toBeVisible();

    const fetched = new Promise<IncomingMessage>((resolve) => (onRequest = resolve));
    await page.getByRole('button', { name: 'Load remote content' }).click();
    const req = await fetched;
    expect(req.url).toBe('/pixel.png');
    await expect(page.getByText('Remote content loaded (1)')).toBeVisible();
  } finally {
    canary.closeAllConnections();
    await new Promise<void>((resolve) => canary.close(() => resolve()));
  }
});

/** A loopback "remote" server that answers a pixel and records every request, as a tracking server would. */
async function startCanary() {
  const requests: string[] = [];
  const waiters: ((url: string) => void)[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    waiters.splice(0).forEach((resolve) => resolve(req.url ?? ''));
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    res.end(PIXEL);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    requests,
    pixel: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pixel.png`,
    /** Resolves with the path of the next request. */
    nextRequest: () => new Promise<string>((resolve) => waiters.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('a link inside the message cannot turn remote content on, and the label keeps saying blocked', async ({
  page,
  mw,
}) => {
  const canary = await startCanary();
  try {
    await mw.send({
      subject: 'Hostile show-images link',
      html: `<p>Newsletter</p><img src="${canary.pixel}" width="1" height="1" alt=""><a href="?remote=1" target="_self">Show images</a>`,
    });
    await page.goto(mw.http);
    await page.locator(rowSelector('Hostile show-images link')).click();
    const preview = page.frameLocator('iframe[title="HTML preview"]');
    await expect(preview.getByText('Newsletter')).toBeVisible();
    const frame = await previewLoaded(page);
    const blockedUrl = frame.url();

    // Every link leaves the frame for a new window (the popup escapes the sandbox, as a link opened from a mail
    // client would); the one this link opens is refused, since ?remote=1 is not this message's key.
    const popupOpened = page.context().waitForEvent('page');
    const remoteLoaded = canary.nextRequest();
    await preview.getByText('Show images').click();
    // Whichever comes first: a popup (the link left the frame) or the canary (the link turned remote content on).
    const outcome = await Promise.race([popupOpened, remoteLoaded.then((url) => `remote content loaded: ${url}`)]);
    expect(typeof outcome).not.toBe('string');
    const popup = await popupOpened;
    await popup.waitForLoadState('load');
    expect(new URL(popup.url()).searchParams.get('remote')).toBe('1');
    await expect(popup.locator('body')).toContainText('forbidden');
    await popup.close();

    await previewLoaded(page);
    expect(frame.url()).toBe(blockedUrl);
    expect(canary.requests).toEqual([]);
    await expect(page.getByText('1 remote resource blocked')).toBeVisible();

    // The button still works: the key it fetches is the only way to remote content.
    const fetched = canary.nextRequest();
    await page.getByRole('button', { name: 'Load remote content' }).click();
    expect(await fetched).toBe('/pixel.png');
    await expect(page.getByText('Remote content loaded (1)')).toBeVisible();
    const src = (await page.locator('iframe[title="HTML preview"]').getAttribute('src')) ?? '';
    expect(new URL(src, mw.http).searchParams.get('remote')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  } finally {
    await canary.close();
  }
});

test('after the event socket reconnects, remote content is blocked again until asked (a restart refuses old keys)', async ({
  page,
  mw,
}) => {
  const canary = await startCanary();
  let connections = 0;
  let dropFirst: (() => Promise<void>) | null = null;
  await page.routeWebSocket(/\/api\/events$/, (ws) => {
    connections++;
    ws.connectToServer();
    if (connections === 1) dropFirst = () => ws.close({ code: 1006, reason: 'simulated outage' });
  });
  try {
    await mw.send({
      subject: 'Pixel across a reconnect',
      html: `<p>Newsletter</p><img src="${canary.pixel}" width="1" height="1" alt="">`,
    });
    await page.goto(mw.http);
    await expect(page.getByText('Live', { exact: true })).toBeVisible();
    await page.locator(rowSelector('Pixel across a reconnect')).click();
    const fetched = canary.nextRequest();
    await page.getByRole('button', { name: 'Load remote content' }).click();
    expect(await fetched).toBe('/pixel.png');
    await expect(page.getByText('Remote content loaded (1)')).toBeVisible();

    await dropFirst!();
    await expect(page.getByText('1 remote resource blocked')).toBeVisible();
    expect(connections).toBe(2);
    const src = (await page.locator('iframe[title="HTML preview"]').getAttribute('src')) ?? '';
    expect(new URL(src, mw.http).searchParams.get('remote')).toBe('0');
  } finally {
    await canary.close();
  }
});
