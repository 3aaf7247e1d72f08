// The Links tab of a message's Checks in Chromium against `serve`, with a real site on loopback: loopback is refused
// until the allow-private toggle is on, then each link shows its status, redirect chain and time; a one-time link
// waits for its confirm button and is only fetched after it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, rowSelector, test } from './fixtures.js';

let site: http.Server;
let base: string;
const paths: string[] = [];

test.beforeAll(async () => {
  site = http.createServer((req, res) => {
    paths.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (req.url === '/moved') res.writeHead(301, { location: '/ok' }).end();
    else if (req.url === '/ok' || req.url?.startsWith('/unsubscribe')) res.writeHead(200).end('ok');
    else if (req.url === '/logo.png') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(16));
    else res.writeHead(404).end('no');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
test.afterAll(async () => {
  site?.closeAllConnections();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
});

test('the Links tab checks links on demand, refuses loopback until allowed, and asks before one-time links', async ({
  page,
  mw,
}) => {
  const unsubscribe = `${base}/unsubscribe?u=9`;
  await mw.send({
    from: 'news@shop.test',
    subject: 'Links tab',
    html:
      `<p><a href="${base}/ok">Shop</a> <a href="${base}/moved">Moved</a> <a href="${base}/gone">Gone</a>` +
      `<img src="${base}/logo.png" alt="logo"> <a href="${unsubscribe}">Unsubscribe</a></p>`,
  });
  await page.goto(mw.http);
  await page.locator(rowSelector('Links tab')).click();
  await page.getByRole('tab', { name: 'Checks' }).click();
  await page.getByRole('tab', { name: 'Links', exact: true }).click();

  // Nothing is fetched until asked.
  expect(paths).toEqual([]);
  await page.getByRole('button', { name: 'Check links' }).click();
  const row = (url: string) => page.locator(`tr[data-link="${url}"]`);
  await expect(row(`${base}/ok`)).toHaveAttribute('data-state', 'refused');
  await expect(row(`${base}/ok`)).toContainText('127.0.0.1');
  expect(paths).toEqual([]);

  await page.getByLabel('Allow loopback and private addresses').check();
  await page.getByRole('button', { name: 'Check links again' }).click();
  await expect(row(`${base}/ok`)).toHaveAttribute('data-state', 'ok');
  await expect(row(`${base}/ok`)).toContainText('200 OK');
  await expect(row(`${base}/ok`)).toContainText(/\d+ ms/);
  await expect(row(`${base}/moved`)).toHaveAttribute('data-state', 'ok');
  await expect(row(`${base}/moved`).locator('.chain li')).toHaveText([`301 HEAD ${base}/moved`, `200 HEAD ${base}/ok`]);
  await expect(row(`${base}/gone`)).toHaveAttribute('data-state', 'broken');
  await expect(row(`${base}/gone`)).toContainText('404 Not Found');
  await expect(row(`${base}/logo.png`)).toContainText('image');
  await expect(row(`${base}/logo.png`)).toHaveAttribute('data-state', 'ok');
  await expect(row(unsubscribe)).toHaveAttribute('data-state', 'confirm');
  await expect(page.locator('[data-check="links-summary"]')).toContainText('1 broken');
  expect(paths.filter((p) => p.includes('/unsubscribe'))).toEqual([]);

  await row(unsubscribe).getByRole('button', { name: 'Check this link' }).click();
  await expect(row(unsubscribe)).toHaveAttribute('data-state', 'ok');
  expect(paths.filter((p) => p.includes('/unsubscribe'))).toEqual(['HEAD /unsubscribe?u=9']);
  await expect(page.locator('[data-check="links-summary"]')).toContainText('0 to confirm');
});
