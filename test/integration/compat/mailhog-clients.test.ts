// The real MailHog clients, unchanged, against a real `serve`: blueimp's `mailhog` 4.16.0 and `mailhog-awesome`
// 0.1.4 (which wraps it). Mail is sent over SMTP by nodemailer; assertions are on what the libraries return.
import mailhog from 'mailhog';
import { MailhogClient } from 'mailhog-awesome';
import type nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK_PORT_0, startServe, type ServeProcess } from '../../helpers/serve-process.js';
import { sendThrough } from './helpers.js';

let serve: ServeProcess;
let api: ReturnType<typeof mailhog>;
let awesome: MailhogClient;

/** How long mail may take to become searchable on a slow machine; polled, never slept. */
const INDEX_BUDGET_MS = 30_000;

beforeAll(async () => {
  serve = await startServe(LOOPBACK_PORT_0, {}, { freshDataDir: true });
  const { hostname: host, port } = new URL(serve.http);
  api = mailhog({ host, port: Number(port) });
  awesome = new MailhogClient({ host, port: Number(port), defaults: { numRetries: 0 } });
});
afterAll(async () => {
  await serve?.stop();
});

function smtp(mail: nodemailer.SendMailOptions): Promise<void> {
  return sendThrough(serve, mail);
}

/** The libraries type a missing answer as null; a test that gets one has failed. */
function must<T>(value: T | null | undefined | 0): T {
  if (value === null || value === undefined || value === 0) throw new Error('no answer');
  return value;
}

/** The envelope fields of MailHog's shape, which blueimp's types leave out. */
type Envelope = { From: unknown; To: { Mailbox: string; Domain: string }[]; Raw: { Helo: string } };

/** Polls a search until it finds `count` messages (the full-text index catches up in the background). */
async function searchable(query: string, kind: 'from' | 'to' | 'containing', count = 1): Promise<void> {
  const deadline = Date.now() + INDEX_BUDGET_MS;
  for (let i = 0; i < 3000 && Date.now() < deadline; i++) {
    if (must(await api.search(query, kind)).count >= count) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${kind}:${query} never found ${count}`);
}

describe('blueimp mailhog against serve', () => {
  it('lists messages in MailHog shape, with decoded getters', async () => {
    await smtp({
      from: 'Shop <shop@example.test>',
      to: 'buyer@example.test',
      cc: 'copy@example.test',
      subject: 'Order 77 shipped',
      text: 'Order 77 is on its way.',
      attachments: [{ filename: 'label.txt', content: 'LABEL-77' }],
    });
    const result = must(await api.messages());
    expect(result).toMatchObject({ total: 1, count: 1, start: 0 });
    const mail = result.items[0]!;
    const envelope = mail as unknown as Envelope;
    expect(mail.ID).toMatch(/^\d+$/);
    expect(envelope.From).toEqual({ Relays: null, Mailbox: 'shop', Domain: 'example.test', Params: '' });
    expect(envelope.To.map((t) => `${t.Mailbox}@${t.Domain}`)).toEqual(['buyer@example.test', 'copy@example.test']);
    expect(envelope.Raw.Helo).not.toBe('');
    expect(mail.subject).toBe('Order 77 shipped');
    expect(mail.from).toBe('Shop <shop@example.test>');
    expect(mail.cc).toBe('copy@example.test');
    expect(mail.text).toContain('Order 77 is on its way.');
    expect(mail.html).toBeUndefined();
    expect(mail.attachments.map((a) => a.name)).toEqual(['label.txt']);
    expect(api.decode(mail.attachments[0]!.Body, mail.attachments[0]!.encoding)).toBe('LABEL-77');
    expect(mail.deliveryDate.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('searches by from, to and containing, and finds the latest of each', async () => {
    await smtp({
      from: 'alerts@example.test',
      to: 'ops@example.test',
      subject: 'Disk full',
      text: 'volume vol-9 is full',
      html: '<p>volume <b>vol-9</b> is full</p>',
    });
    await searchable('vol-9', 'containing');
    expect(must(await api.search('alerts@example.test', 'from')).items.map((m) => m.subject)).toEqual(['Disk full']);
    expect((await api.latestTo('ops@example.test'))?.subject).toBe('Disk full');
    expect((await api.latestFrom('shop@example.test'))?.subject).toBe('Order 77 shipped');
    const disk = await api.latestContaining('vol-9');
    expect(disk?.subject).toBe('Disk full');
    expect(disk?.text).toContain('volume vol-9 is full');
    expect(disk?.html).toContain('<b>vol-9</b>');
    expect(await api.latestContaining('no-such-token-anywhere')).toBe(0);
    expect(must(await api.messages(0, 1)).items).toHaveLength(1);
    expect(must(await api.messages(1, 1)).items[0]?.subject).toBe('Order 77 shipped');
  });

  it('deletes one message', async () => {
    const latest = await api.latestTo('ops@example.test');
    if (!latest) throw new Error('no message to delete');
    const response = (await api.deleteMessage(latest.ID)) as { statusCode?: number };
    expect(response.statusCode).toBe(200);
    expect(must(await api.messages()).total).toBe(1);
  });

  it('releases through the SMTP server in the body (sent without a Content-Type) to a real capture listener', async () => {
    const before = must(await api.messages());
    const original = before.items[0]!;
    const response = (await api.releaseMessage(original.ID, {
      host: serve.smtpHost,
      port: String(serve.smtpPort),
      email: 'released-to@example.test',
    })) as { statusCode?: number; headers?: Record<string, string> };
    expect(response.statusCode, response.headers?.['x-mailwright-reason']).toBe(200);
    // The listener captured it again, for the recipient the client named.
    const released = must(await api.messages());
    expect(released.total).toBe(before.total + 1);
    const copy = released.items[0]!;
    expect(copy.subject).toBe(original.subject);
    expect((copy as unknown as Envelope).To.map((t) => `${t.Mailbox}@${t.Domain}`)).toEqual([
      'released-to@example.test',
    ]);
    // The profile made for the one release is gone again.
    const profiles = (await (
      await fetch(`${serve.http}/api/call/compose.profiles.list`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      })
    ).json()) as { ok: boolean; value: { profiles: unknown[] } };
    expect(profiles.value.profiles).toEqual([]);
    // MailHog's answers for a bad config and an unknown id.
    const bad = (await api.releaseMessage(original.ID, { host: '', port: '25', email: 'x@example.test' })) as {
      statusCode?: number;
    };
    expect(bad.statusCode).toBe(400);
    const missing = (await api.releaseMessage('999999', {
      host: serve.smtpHost,
      port: String(serve.smtpPort),
      email: 'x@example.test',
    })) as { statusCode?: number };
    expect(missing.statusCode).toBe(404);
    await api.deleteMessage(copy.ID);
  });

  it('keeps the request-intent check for a bare release POST that a browser could send', async () => {
    const id = must(await api.messages()).items[0]!.ID;
    const url = `${serve.http}/api/v1/messages/${id}/release`;
    const body = new TextEncoder().encode(
      JSON.stringify({ Host: serve.smtpHost, Port: String(serve.smtpPort), Email: 'page@example.test' }),
    );
    // A page's POST always carries Origin (here our own, which passes the Origin check) and, with a body, a type.
    const withOrigin = await fetch(url, { method: 'POST', headers: { Origin: serve.http }, body });
    expect(withOrigin.status).toBe(415);
    const formType = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body });
    expect(formType.status).toBe(415);
    expect(must(await api.messages()).total).toBe(1);
  });

  it('deletes all through the MailHog base path', async () => {
    const prefixed = mailhog({
      host: new URL(serve.http).hostname,
      port: Number(new URL(serve.http).port),
      basePath: '/api/mailhog',
    });
    const response = (await prefixed.deleteAll()) as { statusCode?: number };
    expect(response.statusCode).toBe(200);
    expect(must(await api.messages()).total).toBe(0);
  });
});

describe('mailhog-awesome against serve', () => {
  it('finds, filters and deletes emails', async () => {
    await smtp({ from: 'a@example.test', to: 'inbox-1@example.test', subject: 'Welcome aboard', text: 'code 4411' });
    await smtp({ from: 'b@example.test', to: 'inbox-2@example.test', subject: 'Reset password', text: 'code 9922' });
    await searchable('9922', 'containing');
    const all = await awesome.getAllEmails();
    expect(all.map((e) => e.subject)).toEqual(['Reset password', 'Welcome aboard']);
    expect((await awesome.getLastEmail({ to: 'inbox-1@example.test' }))?.subject).toBe('Welcome aboard');
    expect((await awesome.getEmails({ body: '4411' })).map((e) => e.subject)).toEqual(['Welcome aboard']);
    expect((await awesome.getEmails({ subject: 'Reset' })).map((e) => e.to)).toEqual(['inbox-2@example.test']);
    expect((await awesome.getInbox('inbox-2@example.test')).map((e) => e.subject)).toEqual(['Reset password']);
    expect(await awesome.clearInbox('inbox-2@example.test')).toBe(true);
    expect((await awesome.getAllEmails()).map((e) => e.subject)).toEqual(['Welcome aboard']);
    expect(await awesome.deleteAllEmails()).toBe(true);
    expect(await awesome.getAllEmails()).toEqual([]);
  });
});

describe('compat.mailhog setting', () => {
  it('serves MailHog at GET/DELETE /api/v1/messages, so an unchanged blueimp client can delete all', async () => {
    await smtp({ from: 'a@example.test', to: 'b@example.test', subject: 'shared path', text: 'x' });
    const put = await fetch(`${serve.http}/api/settings`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ compat: { mailhog: true } }),
    });
    expect(put.status).toBe(200);
    const list = (await (await fetch(`${serve.http}/api/v1/messages`)).json()) as {
      Content: { Headers: { Subject: string[] } };
    }[];
    expect(list.map((m) => m.Content.Headers.Subject[0])).toEqual(['shared path']);
    const response = (await api.deleteAll()) as { statusCode?: number };
    expect(response.statusCode).toBe(200);
    expect(must(await api.messages()).total).toBe(0);
  });
});
