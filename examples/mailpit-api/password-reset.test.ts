// A test suite as a Mailpit user has it: the `mailpit-api` client, unchanged, pointed at the mail server's web
// port. The app under test (a password-reset endpoint, below) sends its mail over SMTP with nodemailer; the test
// waits for the mail with `waitForMessage`, reads it, follows the link, and clears the inbox. The only
// Mailwright-specific line is `startMailServer()`, where a Mailpit suite would read MAILPIT_URL.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MailpitClient } from 'mailpit-api';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMailServer, type MailServer } from './mailwright.js';

/** The app under test: POST /reset?email= mails a one-time link; GET /reset/<token> uses it (once). */
async function startApp(smtp: { host: string; port: number }) {
  const transport = nodemailer.createTransport({ ...smtp, secure: false, tls: { rejectUnauthorized: false } });
  const tokens = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app.local');
    if (req.method === 'POST' && url.pathname === '/reset') {
      const email = url.searchParams.get('email') ?? '';
      const token = randomBytes(12).toString('hex');
      tokens.set(token, email);
      const link = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reset/${token}`;
      transport
        .sendMail({
          from: 'Example Shop <no-reply@shop.example.test>',
          to: email,
          subject: 'Reset your password',
          text: `Someone asked to reset your password. Use this link: ${link}\n`,
          html: `<p>Someone asked to reset your password.</p><p><a href="${link}">Reset it</a></p>`,
        })
        .then(
          () => res.writeHead(202).end(),
          (err: Error) => res.writeHead(502).end(err.message),
        );
      return;
    }
    const email = url.pathname.startsWith('/reset/') ? tokens.get(url.pathname.slice('/reset/'.length)) : undefined;
    if (req.method === 'GET' && email) {
      tokens.delete(url.pathname.slice('/reset/'.length));
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`Choose a new password for ${email}`);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Unknown or used link');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      transport.close();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let mail: MailServer;
let app: Awaited<ReturnType<typeof startApp>>;
let mailpit: MailpitClient;

beforeAll(async () => {
  mail = await startMailServer();
  app = await startApp(mail.smtp);
  mailpit = new MailpitClient(mail.http);
  await mailpit.deleteMessages();
});
afterEach(async () => {
  await mailpit.deleteMessages();
});
afterAll(async () => {
  await app?.close();
  await mail?.stop();
});

async function requestReset(email: string): Promise<void> {
  const res = await fetch(`${app.url}/reset?email=${encodeURIComponent(email)}`, { method: 'POST' });
  expect(res.status).toBe(202);
}

describe('password reset mail', () => {
  it('arrives, carries a working one-time link, and is cleared afterwards', async () => {
    await requestReset('ada@example.test');

    const message = await mailpit.waitForMessage(
      { query: 'to:ada@example.test subject:"Reset your password"' },
      { timeout: 30_000, interval: 100 },
    );
    expect(message.From).toEqual({ Name: 'Example Shop', Address: 'no-reply@shop.example.test' });
    expect(message.To).toEqual([{ Name: '', Address: 'ada@example.test' }]);
    expect(message.Subject).toBe('Reset your password');
    expect(message.Text).toContain('Use this link:');

    const link = /href="([^"]+)"/.exec(message.HTML)?.[1];
    expect(link).toMatch(new RegExp(`^${app.url}/reset/[0-9a-f]{24}$`));
    const first = await fetch(link!);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('Choose a new password for ada@example.test');
    const again = await fetch(link!);
    expect(again.status).toBe(404);

    const headers = await mailpit.getMessageHeaders(message.ID);
    expect(headers.Subject).toEqual(['Reset your password']);
    const source = await mailpit.getMessageSource(message.ID);
    expect(source).toContain('Subject: Reset your password');

    expect(await mailpit.deleteMessages()).toBe('ok');
    const after = await mailpit.listMessages();
    expect(after.messages_count).toBe(0);
    expect(after.messages).toEqual([]);
  });

  it('keeps mail for different people apart', async () => {
    await requestReset('bob@example.test');
    await requestReset('cy@example.test');

    const all = await mailpit.waitForMessages({ count: 2 }, { timeout: 30_000, interval: 100 });
    expect(all.messages.map((m) => m.To[0]?.Address).sort()).toEqual(['bob@example.test', 'cy@example.test']);

    const forCy = await mailpit.searchMessages({ query: 'to:cy@example.test' });
    expect(forCy.messages_count).toBe(1);
    expect(forCy.messages[0]!.Subject).toBe('Reset your password');
    expect(forCy.messages[0]!.Read).toBe(false);

    // Opening a message marks it read, as Mailpit does.
    await mailpit.getMessageSummary(forCy.messages[0]!.ID);
    const read = await mailpit.searchMessages({ query: 'is:read' });
    expect(read.messages.map((m) => m.ID)).toEqual([forCy.messages[0]!.ID]);
  });
});
