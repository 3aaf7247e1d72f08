// GET /api/diff and the diff.messages verb against a real core: the template fixtures sent over SMTP (nodemailer),
// so the envelopes and client ports are real too.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessibilityReport, MessageDiff, MessagePage, Result, VisualDiff } from '../../../src-shared/index.js';
import { request, sendRaw, startStack, type Stack } from '../serve/helpers.js';

const FIXTURES = path.resolve(new URL('../../fixtures/diff', import.meta.url).pathname);

let stack: Stack;
const ids: Record<string, number> = {};

beforeAll(async () => {
  stack = await startStack();
  for (const name of ['order-v1', 'order-v1-resent', 'order-v2']) {
    await sendRaw(stack.smtpPort, fs.readFileSync(path.join(FIXTURES, `${name}.eml`)));
    await stack.core.idle();
    const page = (await request(stack.http.url, '/api/messages?limit=1')).json<MessagePage>();
    ids[name] = page.messages[0]!.id;
  }
});
afterAll(async () => {
  await stack?.stop();
});

describe('GET /api/diff', () => {
  it('returns no changes for a resend and exactly the template changes for v2', async () => {
    const same = await request(stack.http.url, `/api/diff?a=${ids['order-v1']}&b=${ids['order-v1-resent']}`);
    expect(same.status).toBe(200);
    expect(same.json<MessageDiff>().summary).toMatchObject({ identical: true, changedSections: [] });

    const v2 = await request(stack.http.url, `/api/diff?a=${ids['order-v1']}&b=${ids['order-v2']}`);
    const diff = v2.json<MessageDiff>();
    expect(diff.summary.changedSections).toEqual(['text', 'htmlSource', 'htmlText', 'links', 'images']);
    expect(diff.a).toEqual({ id: ids['order-v1'], subject: 'Your order', hasHtml: true });
  });

  it('shows the client port and volatile headers with ignoreVolatile=0', async () => {
    const res = await request(
      stack.http.url,
      `/api/diff?a=${ids['order-v1']}&b=${ids['order-v1-resent']}&ignoreVolatile=0`,
    );
    const diff = res.json<MessageDiff>();
    const envelope = diff.sections.find((s) => s.id === 'envelope')!;
    expect(envelope.items.map((i) => i.label)).toEqual(['Client port']);
    expect(diff.summary.changedSections).toContain('headers');
  });

  it('answers 400 for a bad id or flag and 404 for a missing message', async () => {
    const bad = await request(stack.http.url, `/api/diff?a=x&b=${ids['order-v1']}`);
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: { field: string } }>().error.field).toBe('a');
    const flag = await request(stack.http.url, `/api/diff?a=1&b=2&ignoreVolatile=maybe`);
    expect(flag.status).toBe(400);
    const missing = await request(stack.http.url, `/api/diff?a=${ids['order-v1']}&b=999999`);
    expect(missing.status).toBe(404);
  });

  it('is the same verb the UI calls', async () => {
    const res = await request(stack.http.url, '/api/call/diff.messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: ids['order-v1'], b: ids['order-v2'], htmlView: 'raw' }),
    });
    const result = res.json<Result<MessageDiff>>();
    expect(result.ok && result.value.options.htmlView).toBe('raw');
    const unknownOption = await request(stack.http.url, '/api/call/diff.messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1, b: 2, colour: 'red' }),
    });
    expect(unknownOption.status).toBe(400);
  });

  it('GET /api/messages/{id}/screenshot returns a PNG at the width asked', async () => {
    const res = await request(
      stack.http.url,
      `/api/messages/${ids['order-v2']}/screenshot?width=375&scheme=dark&images=off`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.body.subarray(1, 4).toString()).toBe('PNG');
    expect(res.body.readUInt32BE(16)).toBe(375);
    const bad = await request(stack.http.url, `/api/messages/${ids['order-v2']}/screenshot?scheme=sepia`);
    expect(bad.status).toBe(400);
    const narrow = await request(stack.http.url, `/api/messages/${ids['order-v2']}/screenshot?width=10`);
    expect(narrow.status).toBe(400);
  }, 60_000);

  it('diff.visual compares the renders of two messages', async () => {
    const res = await request(stack.http.url, '/api/call/diff.visual', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: ids['order-v1'], b: ids['order-v1-resent'] }),
    });
    const result = res.json<Result<VisualDiff>>();
    if (!result.ok) throw new Error(result.error.message);
    // Same template, reformatted: the same pixels.
    expect(result.value.changedPixels).toBe(0);
    expect(result.value.a.width).toBe(600);
  }, 60_000);
});

describe('GET /api/messages/{id}/accessibility', () => {
  const send = async (raw: string): Promise<number> => {
    await sendRaw(stack.smtpPort, Buffer.from(raw));
    await stack.core.idle();
    return (await request(stack.http.url, '/api/messages?limit=1')).json<MessagePage>().messages[0]!.id;
  };
  const head = 'From: a@example.test\r\nTo: b@example.test\r\nSubject: a11y\r\nMIME-Version: 1.0\r\n';

  it('names each finding with its element, line and column; a text-only message says it has no HTML', async () => {
    const html = [
      '<html>',
      '<body>',
      '  <img src="cid:x">',
      '<p><a href="https://x.example/">click here</a></p>',
      '</body></html>',
    ];
    const id = await send(`${head}Content-Type: text/html; charset=utf-8\r\n\r\n${html.join('\r\n')}\r\n`);
    const res = await request(stack.http.url, `/api/messages/${id}/accessibility`);
    expect(res.status).toBe(200);
    const report = res.json<AccessibilityReport>();
    expect(report.hasHtml).toBe(true);
    expect(report.findings.map((f) => [f.rule, f.line, f.column, f.element])).toEqual([
      ['lang', 1, 1, '<html>'],
      ['img-alt', 3, 3, '<img src="cid:x">'],
      ['link-text', 4, 4, '<a href="https://x.example/">'],
    ]);

    const text = await send(`${head}Content-Type: text/plain\r\n\r\nJust text\r\n`);
    const none = (await request(stack.http.url, `/api/messages/${text}/accessibility`)).json<AccessibilityReport>();
    expect(none).toMatchObject({ hasHtml: false, findings: [] });
    expect(none.note).toContain('no HTML part');
    expect((await request(stack.http.url, '/api/messages/999999/accessibility')).status).toBe(404);
  });

  it('screenshots the forced inversion too, and it differs from light', async () => {
    const url = (scheme: string) => `/api/messages/${ids['order-v2']}/screenshot?width=320&scheme=${scheme}`;
    const light = await request(stack.http.url, url('light'));
    const inverted = await request(stack.http.url, url('inverted'));
    expect(inverted.status).toBe(200);
    expect(inverted.headers['content-type']).toBe('image/png');
    expect(inverted.body.readUInt32BE(16)).toBe(320);
    expect(inverted.body.equals(light.body)).toBe(false);
  }, 60_000);
});
