// Importing in the browser: the Import button uploads the picked file as the raw request body and says what
// came in; an import that is still reading shows a progress banner in every open window until it ends.
import http from 'node:http';
import { expect, rowSelector, test } from './fixtures.js';

function mbox(count: number, tag: string): Buffer {
  const parts: string[] = [];
  for (let i = 1; i <= count; i++) {
    parts.push(
      `From sender@example.test Mon Nov  2 10:00:00 2026\nFrom: Importer <sender@example.test>\nSubject: ${tag} ${i}\n\nbody ${i}\n\n`,
    );
  }
  return Buffer.from(parts.join(''));
}

test('the Import button uploads the picked mbox and reports the count', async ({ page, mw }) => {
  await page.goto(mw.http);
  await expect(page.getByRole('heading', { name: 'No messages yet' })).toBeVisible();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles({ name: 'picked.mbox', mimeType: 'application/mbox', buffer: mbox(300, 'Picked') });
  await expect(page.getByRole('status').filter({ hasText: 'Imported 300 messages.' })).toBeVisible();
  await expect(page.locator(rowSelector('Picked 300'))).toBeVisible();
});

test('an import still reading shows its progress, and the banner goes when it ends', async ({ page, mw }) => {
  await page.goto(mw.http);
  await expect(page.getByRole('heading', { name: 'No messages yet' })).toBeVisible();
  // Progress is pushed, not fetched: the event socket must be open before the import starts.
  await expect(page.locator('.item.conn')).toHaveText('Live');
  const body = mbox(600, 'Slow');
  const half = body.indexOf('From sender', Math.floor(body.length / 2));
  const url = new URL(mw.http);
  const req = http.request({
    host: url.hostname,
    port: url.port,
    method: 'POST',
    path: '/api/messages/import?filename=slow.mbox',
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
  });
  const reply = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  // Half the file now; the rest only once the banner has shown the import under way.
  req.write(body.subarray(0, half));
  const banner = page.getByRole('status').filter({ hasText: 'Importing slow.mbox:' });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('%');
  req.end(body.subarray(half));
  expect(await reply).toBe(200);
  await expect(banner).toHaveCount(0);
  await expect(page.locator(rowSelector('Slow 600'))).toBeVisible();
});
