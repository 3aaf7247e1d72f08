// The Settings page against a real `serve`: applying keeps stored mail and untouched listeners (with their open
// sessions) running, a preset listener takes real AUTH over STARTTLS, a refused apply names the field and changes
// nothing, the certificate card matches what a TLS client sees, and a fault rule refuses mail and counts its hits.
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { Page } from '@playwright/test';
import nodemailer from 'nodemailer';
import type { Settings } from '../../src-shared/settings.js';
import { expect, rowSelector, test, type Mailwright } from './fixtures.js';

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Listeners' })).toBeVisible();
}

async function openInbox(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Settings', exact: true })).toHaveAttribute('aria-pressed', 'false');
}

async function applyOk(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Applied.' })).toBeVisible();
}

/** What the server runs, read over the REST API as a script would. */
async function runningSettings(page: Page, mw: Mailwright): Promise<Settings> {
  const response = await page.request.get(`${mw.http}/api/settings`);
  expect(response.ok()).toBe(true);
  return (await response.json()) as Settings;
}

async function boundPort(mw: Mailwright, id: string): Promise<number> {
  const listener = (await mw.call('server.status', {})).listeners.find((l) => l.id === id);
  expect(listener?.state, `listener ${id}: ${listener?.error ?? 'missing'}`).toBe('listening');
  return listener!.port;
}

async function addListener(page: Page, preset: RegExp): Promise<void> {
  await page.getByRole('button', { name: 'Add listener' }).click();
  await page.getByRole('button', { name: preset }).click();
}

/** An SMTP session driven by hand, so the test can hold it open across an apply. */
async function openSession(host: string, port: number) {
  const socket = net.connect(port, host);
  socket.setEncoding('utf8');
  const ready: string[] = [];
  const waiting: { resolve: (reply: string) => void; reject: (err: Error) => void }[] = [];
  let buffer = '';
  let lines: string[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
      lines.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (!/^\d{3}(?: |$)/.test(lines.at(-1)!)) continue;
      const reply = lines.join('\n');
      lines = [];
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(reply);
      else ready.push(reply);
    }
  });
  socket.on('close', () => waiting.splice(0).forEach((w) => w.reject(new Error('the SMTP connection closed'))));
  socket.on('error', () => {});
  const reply = () =>
    new Promise<string>((resolve, reject) => {
      const next = ready.shift();
      if (next !== undefined) resolve(next);
      else if (socket.destroyed) reject(new Error('the SMTP connection closed'));
      else waiting.push({ resolve, reject });
    });
  await once(socket, 'connect');
  const greeting = await reply();
  return {
    greeting,
    command(line: string): Promise<string> {
      socket.write(`${line}\r\n`);
      return reply();
    },
    close: () => socket.destroy(),
  };
}

/** The SHA-256 fingerprint a TLS client sees on an implicit-TLS port. */
async function peerFingerprint(host: string, port: number): Promise<string> {
  const socket = tls.connect({ host, port, rejectUnauthorized: false, servername: 'localhost' });
  try {
    await once(socket, 'secureConnect');
    return socket.getPeerCertificate().fingerprint256;
  } finally {
    socket.destroy();
  }
}

test('mail already stored survives an apply and still opens', async ({ page, mw }) => {
  await page.goto(mw.http);
  await mw.send({ subject: 'Kept across apply', text: 'still here after the settings changed' });
  await expect(page.locator(rowSelector('Kept across apply'))).toBeVisible();

  await openSettings(page);
  const retention = page.getByRole('region', { name: 'Retention' });
  await retention.getByLabel('Max messages').fill('500');
  await expect(page.getByText('Unsaved changes: retention')).toBeVisible();
  await applyOk(page);
  expect((await runningSettings(page, mw)).retention.maxMessages).toBe(500);
  await expect(page.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();

  await openInbox(page);
  await expect(page.getByTestId('message-count')).toHaveText(/^1 message\b/);
  await page.locator(rowSelector('Kept across apply')).click();
  await expect(page.locator('#message-subject')).toHaveText('Kept across apply');
});

test('a 587 preset listener with a user runs AUTH over STARTTLS; the first listener keeps its open session', async ({
  page,
  mw,
}) => {
  await page.goto(mw.http);
  const held = await openSession(mw.smtpHost, mw.smtpPort);
  try {
    expect(held.greeting).toMatch(/^220 /);
    expect(await held.command('EHLO held.example.test')).toMatch(/^250/);

    await openSettings(page);
    await addListener(page, /^587: submission/);
    const editor = page.getByRole('form', { name: 'Listener submission' });
    await expect(editor.getByLabel('TLS mode')).toHaveValue('starttls-required');
    await expect(editor.getByLabel('AUTH policy')).toHaveValue('required');
    await editor.getByLabel('Port', { exact: true }).fill('0');
    await editor.getByLabel('Accept any credentials').uncheck();
    await editor.getByRole('button', { name: 'Add credential' }).click();
    await editor.getByLabel('Credential 1 username').fill('user');
    await editor.getByLabel('Credential 1 password').fill('secret');
    await applyOk(page);
    await expect(page.getByRole('status').filter({ hasText: 'Applied.' })).toContainText('submission');

    const port = await boundPort(mw, 'submission');
    expect(port).toBeGreaterThan(0);
    const item = page.getByTestId('listener-status-submission');
    await expect(item).toContainText(`:${port}`);
    await expect(item).toContainText('AUTH required');
    await expect(item).toContainText('listening');
    // The stored password comes back as a placeholder, never as the value.
    await expect(editor.getByLabel('Credential 1 password')).toHaveValue('');
    await expect(editor.getByLabel('Credential 1 password')).toHaveAttribute('placeholder', /stored/);

    const submit = (pass: string) =>
      nodemailer.createTransport({
        host: mw.smtpHost,
        port,
        secure: false,
        requireTLS: true,
        auth: { user: 'user', pass },
        tls: { rejectUnauthorized: false },
      });
    const mail = { from: 'app@example.test', to: 'qa@example.test', text: 'over submission' };
    await expect(submit('wrong').sendMail({ ...mail, subject: 'Wrong password' })).rejects.toThrow(/535/);
    await submit('secret').sendMail({ ...mail, subject: 'Via submission' });

    // The first listener was not restarted: the session opened before the apply still delivers.
    expect(await held.command('MAIL FROM:<held@example.test>')).toMatch(/^250/);
    expect(await held.command('RCPT TO:<qa@example.test>')).toMatch(/^250/);
    expect(await held.command('DATA')).toMatch(/^354/);
    expect(
      await held.command('Subject: Held session survived\r\n\r\nsent over a session opened before the apply\r\n.'),
    ).toMatch(/^250/);
    await mw.send({ subject: 'Via the first listener' });

    await openInbox(page);
    for (const subject of ['Via submission', 'Held session survived', 'Via the first listener']) {
      await expect(page.locator(rowSelector(subject))).toBeVisible();
    }
    await expect(page.locator(rowSelector('Wrong password'))).toHaveCount(0);
  } finally {
    held.close();
  }
});

test('an invalid CIDR is refused with the field named and marked; the running config is kept', async ({ page, mw }) => {
  await page.goto(mw.http);
  await openSettings(page);
  const before = await runningSettings(page, mw);
  const field = page.getByRole('form', { name: 'Listener smtp' }).getByLabel('Allowed clients (CIDR or address)');
  await field.fill('10.0.0.0/33');
  await page.getByRole('button', { name: 'Apply', exact: true }).click();

  const alert = page.getByRole('alert').filter({ hasText: 'Not applied' });
  await expect(alert).toContainText('allowClients');
  await expect(alert).toContainText('10.0.0.0/33');
  await expect(field).toHaveAttribute('data-field', 'listeners.0.limits.allowClients');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(/10\.0\.0\.0\/33/);
  await expect(field).toBeFocused();
  await expect(field).toHaveValue('10.0.0.0/33');

  expect(await runningSettings(page, mw)).toEqual(before);
  await mw.send({ subject: 'Accepted after a refused apply' });
  await expect(page.getByTestId('message-count')).toHaveText(/^1 message\b/);
  await expect(page.getByTestId('listener-status-smtp')).toContainText('listening');
});

test('a port in use is refused naming the listener and port; the old listener keeps running', async ({ page, mw }) => {
  const blocker = net.createServer();
  blocker.listen(0, mw.smtpHost);
  await once(blocker, 'listening');
  const busy = (blocker.address() as AddressInfo).port;
  try {
    await page.goto(mw.http);
    await openSettings(page);
    const before = await runningSettings(page, mw);
    const port = page.getByRole('form', { name: 'Listener smtp' }).getByLabel('Port', { exact: true });
    await port.fill(String(busy));
    await page.getByRole('button', { name: 'Apply', exact: true }).click();

    const alert = page.getByRole('alert').filter({ hasText: 'Not applied' });
    await expect(alert).toContainText(`${busy}`);
    await expect(alert).toContainText(/in use/i);
    await expect(alert).toContainText('smtp');
    await expect(port).toHaveAttribute('aria-invalid', 'true');

    expect(await runningSettings(page, mw)).toEqual(before);
    await expect(page.getByTestId('listener-status-smtp')).toContainText('listening');
    // The listener runs on port 0's pick; a refused apply must not move it, or clients lose the address they were given.
    expect(await boundPort(mw, 'smtp'), 'the refused apply restarted the old listener on another port').toBe(
      mw.smtpPort,
    );
    await mw.send({ subject: 'Old port still takes mail' });
    await expect(page.getByTestId('message-count')).toHaveText(/^1 message\b/);
  } finally {
    blocker.close();
  }
});

test('the certificate card shows the fingerprint a TLS client sees, and the downloaded PEM matches it', async ({
  page,
  mw,
}) => {
  await page.goto(mw.http);
  await openSettings(page);
  await addListener(page, /^465: implicit TLS/);
  const editor = page.getByRole('form', { name: 'Listener submissions' });
  await editor.getByLabel('Port', { exact: true }).fill('0');
  await expect(editor.getByText('Apply to see the certificate')).toBeVisible();
  await applyOk(page);

  const seen = await peerFingerprint(mw.smtpHost, await boundPort(mw, 'submissions'));
  expect(seen).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const card = page.getByRole('region', { name: 'Certificate of submissions' });
  await expect(card.getByTestId('cert-fingerprint')).toHaveText(seen);
  await expect(card.getByTestId('cert-subject')).not.toBeEmpty();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.getByRole('button', { name: 'Download PEM' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.(pem|crt)$/);
  const pem = readFileSync(await download.path(), 'utf8');
  expect(new X509Certificate(pem).fingerprint256).toBe(seen);
});

test('a "mailbox full" rule refuses mail with 552 5.2.2 and counts the hit; switched off, mail flows again', async ({
  page,
  mw,
}) => {
  await page.goto(mw.http);
  await openSettings(page);
  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.getByRole('button', { name: /^Mailbox full/ }).click();
  const row = page.getByRole('row').filter({ has: page.getByTestId('fault-hits-mailbox-full') });
  await expect(row).toContainText('reply 552 5.2.2 Mailbox full');
  await expect(row).toContainText('all listeners');
  await expect(page.getByTestId('fault-hits-mailbox-full')).toHaveText('0');
  await applyOk(page);

  await expect(mw.send({ subject: 'Refused by the rule' })).rejects.toThrow(/552 5\.2\.2/);
  await expect(page.getByTestId('fault-hits-mailbox-full')).toHaveText('1');

  await page.getByLabel('Enable rule mailbox-full').uncheck();
  await applyOk(page);
  expect((await runningSettings(page, mw)).faults).toEqual([
    expect.objectContaining({ id: 'mailbox-full', enabled: false }),
  ]);
  await mw.send({ subject: 'Through again' });
  await expect(page.getByTestId('fault-hits-mailbox-full')).toHaveText('1');
  await openInbox(page);
  await expect(page.locator(rowSelector('Through again'))).toBeVisible();
  await expect(page.locator(rowSelector('Refused by the rule'))).toHaveCount(0);
});

test('settings applied elsewhere while the draft has edits are announced, and reloading takes them', async ({
  page,
  mw,
}) => {
  await page.goto(mw.http);
  await openSettings(page);
  const maxMessages = page.getByRole('region', { name: 'Retention' }).getByLabel('Max messages');
  await maxMessages.fill('123');
  const response = await page.request.put(`${mw.http}/api/settings`, { data: { retention: { maxMessages: 777 } } });
  expect(response.ok()).toBe(true);

  await expect(page.getByText('Settings were changed elsewhere')).toBeVisible();
  await expect(maxMessages).toHaveValue('123');
  await page.getByRole('button', { name: 'Reload settings (drop my edits)' }).click();
  await expect(maxMessages).toHaveValue('777');
  await expect(page.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();
});
