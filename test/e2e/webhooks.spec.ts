// Webhooks: added and edited on their page (URL, events, format, secret), the loopback note, a refused URL named
// on its field, and the delivery log filled live by a real local receiver that fails the first two attempts: one
// delivery, three attempts, each with its status.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { expect, test } from './fixtures.js';

interface Received {
  body: string;
  signature: string | undefined;
}

/** A loopback receiver answering 503 to the first `failures` requests and 200 after. */
async function receiver(failures: number): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  let seen = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen++;
      if (seen <= failures) {
        res.writeHead(503).end('not yet');
        return;
      }
      const signature = req.headers['x-mailwright-signature'];
      received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: signature as string | undefined });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('adds and edits a webhook, and shows each delivery attempt with its status', async ({ page, mw }) => {
  const hook = await receiver(2);
  try {
    await page.goto(`${mw.http}/#/webhooks`);
    await expect(page.getByRole('note')).toContainText('Loopback and private addresses are allowed');
    await expect(page.getByText('No webhooks yet.')).toBeVisible();

    await page.getByRole('button', { name: 'Add webhook' }).click();
    const form = page.getByRole('form', { name: 'New webhook' });
    await form.getByLabel('Id').fill('ci');
    await form.getByLabel('URL').fill('ftp://127.0.0.1/hook');
    await form.getByRole('button', { name: 'Save webhook' }).click();
    await expect(page.getByRole('alert')).toContainText('url must be an http:// or https:// URL');
    await expect(form.getByLabel('URL')).toHaveAttribute('aria-invalid', 'true');

    await form.getByLabel('URL').fill(hook.url);
    await form.getByLabel('Payload format').selectOption('mailpit');
    await form.getByLabel(/^Secret/).fill('s3cret');
    await form.getByRole('button', { name: 'Save webhook' }).click();
    const section = page.getByRole('region', { name: 'Webhook ci' });
    await expect(section).toContainText(hook.url);
    await expect(section).toContainText('message.received · mailpit · signed');
    // Saved in the settings section, the secret never sent back.
    const saved = await mw.call('settings.get', {});
    expect(saved.webhooks).toEqual([
      {
        id: 'ci',
        enabled: true,
        url: hook.url,
        events: ['message.received'],
        format: 'mailpit',
        secret: { stored: true },
      },
    ]);

    // Edit: switch to Mailwright's payload, keeping the stored secret.
    await section.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByRole('form', { name: 'Edit webhook ci' });
    await expect(editor.getByLabel('Keep the stored secret')).toBeChecked();
    await editor.getByLabel('Payload format').selectOption('mailwright');
    await editor.getByRole('button', { name: 'Save webhook' }).click();
    await expect(section).toContainText('message.received · mailwright · signed');

    await mw.send({ to: 'hooked@example.test', subject: 'Hook me' });
    // Retried after 1 s and 2 s: the third attempt is delivered. The log follows live.
    const delivery = section.getByTestId('delivery');
    await expect(delivery).toHaveCount(1);
    await expect(delivery).toContainText('delivered', { timeout: 20_000 });
    const attempts = delivery.getByTestId('attempt');
    await expect(attempts).toHaveCount(3);
    await expect(attempts.nth(0)).toContainText('#1: HTTP 503');
    await expect(attempts.nth(1)).toContainText('#2: HTTP 503');
    await expect(attempts.nth(2)).toContainText('#3: HTTP 200');
    await expect(section.getByRole('heading', { name: 'Deliveries (1)' })).toBeVisible();

    // Delivered exactly once, signed with the secret kept through the edit.
    expect(hook.received).toHaveLength(1);
    const { body, signature } = hook.received[0]!;
    expect(signature).toBe(`sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
    expect((JSON.parse(body) as { event: string }).event).toBe('message.received');

    mkdirSync('test-results/screenshots', { recursive: true });
    await page.screenshot({ path: 'test-results/screenshots/webhooks.png', fullPage: true });

    await section.getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByText('No webhooks yet.')).toBeVisible();
    expect((await mw.call('settings.get', {})).webhooks).toEqual([]);
  } finally {
    await hook.close();
  }
});
