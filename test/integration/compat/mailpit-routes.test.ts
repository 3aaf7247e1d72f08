// Mailpit's routes over a real core, by hand where the client library cannot reach: request-intent rules, the
// double-slash /view path, probes, malformed input, and every corpus message through every one-message route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFiles } from '../../helpers/corpus.js';
import { request, sendSimple, startStack, type Stack } from '../serve/helpers.js';

let stack: Stack;
let base: string;
const JSON_TYPE = { 'Content-Type': 'application/json' };

beforeAll(async () => {
  stack = await startStack();
  base = stack.http.url;
});
afterAll(async () => {
  await stack?.stop();
});

describe('Mailpit routes', () => {
  it('lets body-less DELETE and PUT through without a Content-Type, but never a form type or a bare POST', async () => {
    await sendSimple(stack.smtpPort, 'intent one');
    expect(
      (await request(base, '/api/v1/messages', { method: 'DELETE', headers: { 'Content-Type': 'text/plain' } })).status,
    ).toBe(415);
    expect(
      (
        await request(base, '/api/v1/chaos', {
          method: 'PUT',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'a=b',
        })
      ).status,
    ).toBe(415);
    expect((await request(base, '/api/v1/send', { method: 'POST', body: '{}' })).status).toBe(415);
    expect((await request(base, '/api/v1/messages', { method: 'GET' })).json<{ total: number }>().total).toBe(1);
    const bare = await request(base, '/api/v1/messages', { method: 'DELETE' });
    expect(bare.status).toBe(200);
    expect(bare.text()).toBe('ok');
    expect((await request(base, '/api/v1/messages')).json<{ total: number }>().total).toBe(0);
  });

  it('serves /view/ with one slash or two, sandboxed, and the health probes', async () => {
    await sendSimple(stack.smtpPort, 'view me');
    for (const p of ['/view/latest.txt', '//view/latest.txt']) {
      const res = await request(base, p);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
    expect((await request(base, '//view/latest.html')).status).toBe(404); // a text-only message has no HTML part
    expect((await request(base, '/livez')).text()).toBe('ok');
    expect((await request(base, '/readyz')).status).toBe(200);
  });

  it('serves the HTML of a message on /view under a CSP that runs no script and loads nothing remote', async () => {
    const sent = await stack.core.invoke('mailpit.send', {
      From: { Email: 'a@example.test' },
      To: [{ Email: 'b@example.test' }],
      HTML: '<p>hi</p><script>alert(1)</script><img src="https://tracker.example/p.gif">',
    });
    if (!sent.ok) throw new Error(sent.error.message);
    const res = await request(base, `/view/${sent.value.ID}.html`);
    expect(res.status).toBe(200);
    expect(res.text()).toContain('<p>hi</p>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('sandbox');
    expect(csp).not.toMatch(/script-src|https:/);
  });

  it('never answers 500 to a malformed search or body', async () => {
    const queries = [
      '"',
      '-',
      '!',
      'from:',
      'before:notadate',
      'larger:x',
      'tag:',
      'is:',
      '((',
      'a:b:c',
      '\u0000',
      '"a" "b',
      'reply-to:"x y"',
      '!!!',
      '-"',
    ];
    for (const q of queries) {
      const res = await request(base, `/api/v1/search?query=${encodeURIComponent(q)}`);
      expect(res.status, q).toBeLessThan(500);
    }
    expect((await request(base, '/api/v1/search?query=')).status).toBe(400);
    expect((await request(base, '/api/v1/messages', { method: 'PUT', headers: JSON_TYPE, body: '{' })).status).toBe(
      400,
    );
    expect(
      (await request(base, '/api/v1/messages', { method: 'DELETE', headers: JSON_TYPE, body: '[1]' })).status,
    ).toBe(400);
    const chaos = await request(base, '/api/v1/chaos', {
      method: 'PUT',
      headers: JSON_TYPE,
      body: '{"Sender":{"ErrorCode":250,"Probability":5}}',
    });
    expect(chaos.status).toBe(400);
    expect(chaos.text()).toContain('Sender.ErrorCode');
    const send = await request(base, '/api/v1/send', {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"From":{"Email":"a@example.test"}}',
    });
    expect(send.status).toBe(400);
    expect(send.text()).toContain('no recipients');
    expect((await request(base, '/api/v1/message/1x/raw')).status).toBe(404);
    expect((await request(base, '/api/v1/message/latest/part/9.9')).status).toBe(404);
  });

  it('serves every corpus message through every one-message route without a server error', async () => {
    await request(base, '/api/v1/messages', { method: 'DELETE' });
    for (const file of corpusFiles()) {
      const result = await stack.core.importFile(file);
      expect(result.imported + result.failedCount, file).toBeGreaterThan(0);
    }
    const list = await request(base, '/api/v1/messages?limit=1000');
    expect(list.status).toBe(200);
    const { messages } = list.json<{ messages: { ID: string }[] }>();
    expect(messages.length).toBeGreaterThan(0);
    for (const { ID } of messages) {
      const message = await request(base, `/api/v1/message/${ID}`);
      expect(message.status, ID).toBe(200);
      const detail = message.json<{ Attachments: { PartID: string }[]; Inline: { PartID: string }[] }>();
      for (const p of [
        `/api/v1/message/${ID}/headers`,
        `/api/v1/message/${ID}/raw`,
        `/view/${ID}.html`,
        `/view/${ID}.txt`,
      ]) {
        expect((await request(base, p)).status, p).toBeLessThan(500);
      }
      // html-check is offline (caniemail's bundled data): Mailpit's report, or its 400 when there is no HTML.
      const html = await request(base, `/api/v1/message/${ID}/html-check`);
      expect([200, 400], ID).toContain(html.status);
      if (html.status === 200)
        expect(html.json<{ Total: { Nodes: number } }>().Total.Nodes, ID).toBeGreaterThanOrEqual(0);
      for (const part of [...detail.Attachments, ...detail.Inline]) {
        expect((await request(base, `/api/v1/message/${ID}/part/${part.PartID}`)).status).toBe(200);
      }
    }
  });
});
