// Mailboxes per envelope recipient against a real core: nodemailer delivers, the REST routes read.
import fs from 'node:fs';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailbox, MessagePage } from '../../../src-shared/index.js';
import { corpusFiles } from '../../helpers/corpus.js';
import { request, sendRaw, startStack, type Stack } from '../serve/helpers.js';

let stack: Stack;
let base: string;
const WRITE = { 'X-Mailwright-Request': '1', 'Content-Type': 'application/json' };

beforeAll(async () => {
  stack = await startStack();
  base = stack.http.url;
});
afterAll(async () => {
  await stack?.stop();
});

async function deliver(to: string[], subject: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: stack.smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  try {
    await transport.sendMail({
      envelope: { from: 'app@shop.test', to },
      from: 'app@shop.test',
      to: to[0],
      subject,
      text: 'x',
    });
  } finally {
    transport.close();
  }
}

async function mailboxes(query = ''): Promise<Mailbox[]> {
  const res = await request(base, `/api/mailboxes${query}`);
  expect(res.status).toBe(200);
  return res.json<{ mailboxes: Mailbox[] }>().mailboxes;
}

const byAddress = (list: Mailbox[], address: string): Mailbox | undefined => list.find((m) => m.address === address);

describe('mailboxes', () => {
  it('lists every envelope recipient, folding plus-addresses unless asked not to', async () => {
    await deliver(['Alice+Signup@Example.test', 'bob@example.test'], 'welcome');
    await deliver(['alice+reset@example.test'], 'reset');
    await deliver(['hidden@example.test', 'alice@example.test'], 'bcc copy');
    const folded = await mailboxes();
    expect(byAddress(folded, 'alice@example.test')).toMatchObject({ count: 3, unread: 3 });
    expect(byAddress(folded, 'bob@example.test')).toMatchObject({ count: 1 });
    expect(byAddress(folded, 'hidden@example.test')).toMatchObject({ count: 1 });
    expect(byAddress(folded, 'alice+signup@example.test')).toBeUndefined();
    const exact = await mailboxes('?fold=false');
    expect(byAddress(exact, 'alice+signup@example.test')).toMatchObject({ count: 1 });
    expect(byAddress(exact, 'alice+reset@example.test')).toMatchObject({ count: 1 });
    expect(byAddress(exact, 'alice@example.test')).toMatchObject({ count: 1 });
    expect(folded[0]!.lastReceived >= folded.at(-1)!.lastReceived).toBe(true);
    expect((await request(base, '/api/mailboxes?fold=maybe')).json()).toMatchObject({ error: { field: 'fold' } });
  });

  it("pages one mailbox's messages, newest first, and follows read state and deletes", async () => {
    const page = (await request(base, '/api/mailboxes/alice%40example.test/messages')).json<MessagePage>();
    expect(page.messages.map((m) => m.subject)).toEqual(['bcc copy', 'reset', 'welcome']);
    expect(page.total).toBe(3);
    const plus = (
      await request(base, '/api/mailboxes/alice%2Breset%40example.test/messages?fold=false')
    ).json<MessagePage>();
    expect(plus.messages.map((m) => m.subject)).toEqual(['reset']);

    const welcome = page.messages.find((m) => m.subject === 'welcome')!;
    await request(base, `/api/messages/${welcome.id}/read`, { method: 'POST', headers: WRITE, body: '{}' });
    expect(byAddress(await mailboxes(), 'alice@example.test')).toMatchObject({ count: 3, unread: 2 });
    const del = await request(base, `/api/messages/${welcome.id}`, { method: 'DELETE', headers: WRITE });
    expect(del.status).toBe(200);
    expect(byAddress(await mailboxes(), 'alice@example.test')).toMatchObject({ count: 2, unread: 2 });
    expect(byAddress(await mailboxes(), 'bob@example.test')).toBeUndefined();
    const empty = (await request(base, '/api/mailboxes/nobody%40example.test/messages')).json<MessagePage>();
    expect(empty).toMatchObject({ total: 0, messages: [] });
  });

  it('makes fresh disposable addresses under the domain the settings name', async () => {
    const a = (await request(base, '/api/mailboxes/new', { method: 'POST', headers: WRITE, body: '{}' })).json<{
      address: string;
    }>();
    const b = (await request(base, '/api/mailboxes/new', { method: 'POST', headers: WRITE, body: '{}' })).json<{
      address: string;
    }>();
    expect(a.address).toMatch(/^[a-z2-7]{12}@mailwright\.test$/);
    expect(a.address).not.toBe(b.address);
    const set = await request(base, '/api/settings', {
      method: 'PUT',
      headers: WRITE,
      body: JSON.stringify({ mailboxes: { disposableDomain: 'qa.example.test' } }),
    });
    expect(set.status).toBe(200);
    const c = (await request(base, '/api/mailboxes/new', { method: 'POST', headers: WRITE, body: '{}' })).json<{
      address: string;
    }>();
    expect(c.address).toMatch(/@qa\.example\.test$/);
    const bad = await request(base, '/api/settings', {
      method: 'PUT',
      headers: WRITE,
      body: JSON.stringify({ mailboxes: { disposableDomain: 'not a domain' } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: { field: 'mailboxes.disposableDomain' } });
    await deliver([c.address], 'to the disposable one');
    const box = (await request(base, `/api/mailboxes/${encodeURIComponent(c.address)}/messages`)).json<MessagePage>();
    expect(box.messages.map((m) => m.subject)).toEqual(['to the disposable one']);
  });

  it('pages the mailbox list, newest first, with counts kept in step with deletes', async () => {
    const at = (await request(base, '/api/mailboxes?limit=1000')).json<{ total: number }>().total;
    for (let i = 0; i < 5; i++) await deliver([`pager${i}@example.test`, `pager${i}+x@example.test`], `p${i}`);
    const first = (await request(base, '/api/mailboxes?limit=2')).json<{ mailboxes: Mailbox[]; total: number }>();
    expect(first.total).toBe(at + 5);
    expect(first.mailboxes.map((m) => m.address)).toEqual(['pager4@example.test', 'pager3@example.test']);
    // Both recipients of one message are one message in the folded mailbox.
    expect(first.mailboxes[0]).toMatchObject({ count: 1, unread: 1 });
    const next = (await request(base, '/api/mailboxes?limit=2&offset=2')).json<{ mailboxes: Mailbox[] }>();
    expect(next.mailboxes.map((m) => m.address)).toEqual(['pager2@example.test', 'pager1@example.test']);
    const exact = (await request(base, '/api/mailboxes?fold=false&limit=2')).json<{ mailboxes: Mailbox[] }>();
    expect(exact.mailboxes.map((m) => m.address).sort()).toEqual(['pager4+x@example.test', 'pager4@example.test']);
    expect((await request(base, '/api/mailboxes?limit=0')).json()).toMatchObject({ error: { field: 'limit' } });

    // Deleting a mailbox's newest message moves it back to its previous one; deleting its last drops it.
    await deliver(['pager1@example.test'], 'p1 again');
    const again = (await request(base, '/api/mailboxes?limit=1')).json<{ mailboxes: Mailbox[] }>().mailboxes[0]!;
    expect(again).toMatchObject({ address: 'pager1@example.test', count: 2 });
    const p1 = (await request(base, '/api/mailboxes/pager1%40example.test/messages')).json<MessagePage>();
    await request(base, `/api/messages/${p1.messages[0]!.id}`, { method: 'DELETE', headers: WRITE });
    const after = (await request(base, '/api/mailboxes?limit=1000')).json<{ mailboxes: Mailbox[]; total: number }>();
    expect(byAddress(after.mailboxes, 'pager1@example.test')).toMatchObject({
      count: 1,
      lastReceived: p1.messages[1]!.receivedAt,
    });
    expect(after.mailboxes[0]!.address).toBe('pager4@example.test');
    await request(base, `/api/messages/${p1.messages[1]!.id}`, { method: 'DELETE', headers: WRITE });
    const gone = (await request(base, '/api/mailboxes?limit=1000')).json<{ mailboxes: Mailbox[]; total: number }>();
    expect(byAddress(gone.mailboxes, 'pager1@example.test')).toBeUndefined();
    expect(gone.total).toBe(at + 4);
  });

  it('takes every corpus message and empties with the inbox', async () => {
    for (const file of corpusFiles()) await sendRaw(stack.smtpPort, fs.readFileSync(file), 'corpus+x@example.test');
    const box = byAddress(await mailboxes(), 'corpus@example.test');
    expect(box?.count).toBeGreaterThan(0);
    const page = (await request(base, '/api/mailboxes/corpus%40example.test/messages?limit=1000')).json<MessagePage>();
    expect(page.messages).toHaveLength(box!.count);
    await request(base, '/api/messages', { method: 'DELETE', headers: WRITE });
    expect(await mailboxes()).toEqual([]);
  });
});
