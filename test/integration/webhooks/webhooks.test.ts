// Webhooks against a real core and a real HTTP receiver on loopback: retries, the log, signatures, formats.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../../../src-shared/index.js';
import { request, startStack, type Stack } from '../serve/helpers.js';

let stack: Stack;
let base: string;
const WRITE = { 'X-Mailwright-Request': '1', 'Content-Type': 'application/json' };

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A receiver that answers each request with the next status of `statuses` (the last one repeats); null never answers. */
async function receiver(statuses: (number | null)[]) {
  const got: Received[] = [];
  const held: http.ServerResponse[] = [];
  let released = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses[Math.min(got.length, statuses.length - 1)]!;
      got.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        status: status ?? (released ? 200 : 0),
      });
      if (status === null && !released) held.push(res);
      else if (status === null) res.writeHead(200).end();
      else res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    /** Answers the held requests, and every later one at once. */
    release: () => {
      released = true;
      held.splice(0).forEach((res) => res.writeHead(200).end());
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

beforeAll(async () => {
  stack = await startStack();
  base = stack.http.url;
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(async () => {
  await setHooks([]);
});

async function setHooks(hooks: unknown[]): Promise<ReturnType<typeof request>> {
  return request(base, '/api/settings', { method: 'PUT', headers: WRITE, body: JSON.stringify({ webhooks: hooks }) });
}

async function send(subject: string): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: stack.smtpPort, tls: { rejectUnauthorized: false } });
  try {
    await t.sendMail({ from: 'app@shop.test', to: 'qa@example.test', subject, text: 'hello' });
  } finally {
    t.close();
  }
}

/** Resolves when `n` deliveries have reached a final state (delivered or failed), or with `final` false, were queued. */
function settled(n: number, final = true): Promise<void> {
  return new Promise((resolve) => {
    let done = 0;
    const off = stack.core.events.on('webhooks.delivery', ({ ids, state }) => {
      if ((state !== 'pending') === final && (done += ids.length) === n) {
        off();
        resolve();
      }
    });
  });
}

async function log(): Promise<WebhookDelivery[]> {
  return (await request(base, '/api/webhooks/deliveries')).json<{ deliveries: WebhookDelivery[] }>().deliveries;
}

describe('webhooks', () => {
  it('retries with backoff after two failures, delivers exactly once, and logs three attempts', async () => {
    const r = await receiver([500, 503, 204]);
    try {
      const set = await setHooks([
        { id: 'qa', enabled: true, url: r.url, events: ['message.received'], format: 'mailwright', secret: 's3cret' },
      ]);
      expect(set.status).toBe(200);
      const done = settled(1);
      await send('retry me');
      await done;
      expect(r.got.map((g) => g.status)).toEqual([500, 503, 204]);
      expect(r.got.filter((g) => g.status >= 200 && g.status < 300)).toHaveLength(1);
      // Every retry sends the same bytes with the same signature.
      expect(new Set(r.got.map((g) => g.body)).size).toBe(1);
      const body = r.got[0]!.body;
      expect(r.got[0]!.headers['x-mailwright-signature']).toBe(
        `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`,
      );
      expect(JSON.parse(body)).toMatchObject({ event: 'message.received', message: { subject: 'retry me' } });
      const [delivery] = await log();
      expect(delivery).toMatchObject({ webhookId: 'qa', event: 'message.received', state: 'delivered' });
      expect(delivery!.attempts.map((a) => a.status)).toEqual([500, 503, 204]);
      expect(delivery!.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      // Backoff: the second retry waited longer than the first.
      const at = delivery!.attempts.map((a) => Date.parse(a.at));
      expect(at[2]! - at[1]!).toBeGreaterThan(at[1]! - at[0]!);
      // The secret never leaves the core.
      const settings = (await request(base, '/api/settings')).json<{ webhooks: { secret: unknown }[] }>();
      expect(settings.webhooks[0]!.secret).toEqual({ stored: true });
    } finally {
      await r.close();
    }
  });

  it('sends the body Mailpit sends when the format is mailpit', async () => {
    const r = await receiver([200]);
    try {
      await setHooks([{ id: 'mp', enabled: true, url: r.url, events: ['message.received'], format: 'mailpit' }]);
      const done = settled(1);
      await send('mailpit shape');
      await done;
      const body = JSON.parse(r.got[0]!.body) as Record<string, unknown>;
      expect(body).toMatchObject({ Subject: 'mailpit shape', To: [{ Name: '', Address: 'qa@example.test' }] });
      expect(typeof body.ID).toBe('string');
      expect(r.got[0]!.headers['x-mailwright-signature']).toBeUndefined();
    } finally {
      await r.close();
    }
  });

  it('keeps accepting mail while the receiver hangs', async () => {
    const r = await receiver([null]);
    try {
      await setHooks([{ id: 'slow', enabled: true, url: r.url, events: ['message.received'], format: 'mailwright' }]);
      // 20 messages, each answered 250 while every delivery request is held open.
      const queued = settled(20, false);
      for (let i = 0; i < 20; i++) await send(`while hanging ${i}`);
      await queued;
      const pending = (await log()).filter((d) => d.webhookId === 'slow');
      expect(pending).toHaveLength(20);
      expect(pending.every((d) => d.state === 'pending')).toBe(true);
      const done = settled(20);
      r.release();
      await done;
      expect((await log()).filter((d) => d.webhookId === 'slow' && d.state === 'delivered')).toHaveLength(20);
    } finally {
      await r.close();
    }
  });

  it('refuses a URL that is not http(s), naming the field', async () => {
    for (const url of ['ftp://example.test/x', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url']) {
      const res = await setHooks([
        { id: 'bad', enabled: true, url, events: ['message.received'], format: 'mailwright' },
      ]);
      expect(res.status, url).toBe(400);
      expect(res.json(), url).toMatchObject({ error: { code: 'invalid_argument', field: 'webhooks.0.url' } });
    }
  });
});
