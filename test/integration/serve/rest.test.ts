// The REST routes against a real core: mail sent over SMTP with nodemailer, read back over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult, MessageDetail, MessagePage, Result, Settings } from '../../../src-shared/index.js';
import { ROUTES } from '../../../src-main/serve/routes.js';
import { APP_CSP } from '../../../src-main/serve/security.js';
import { serveStoreCluster } from '../../helpers/postgres.js';
import { readCorpus, request, sendRaw, sendSimple, startStack, type Stack } from './helpers.js';

let stack: Stack;
let base: string;

beforeAll(async () => {
  stack = await startStack();
  base = stack.http.url;
});
afterAll(async () => {
  await stack?.stop();
});

async function list(query = ''): Promise<MessagePage> {
  const res = await request(base, `/api/messages${query}`);
  expect(res.status).toBe(200);
  return res.json<MessagePage>();
}

async function idBySubject(subject: string): Promise<number> {
  await stack.core.idle();
  const page = await list(`?query=${encodeURIComponent(`subject:"${subject}"`)}`);
  const found = page.messages.find((m) => m.subject === subject);
  if (!found) throw new Error(`no message with subject ${subject}`);
  return found.id;
}

describe('REST over a real core', () => {
  it('runs on the store its project chose (SQLite, or PostgreSQL in serve-postgres)', async () => {
    const res = await request(stack.http.url, '/api/status');
    const status = JSON.parse(res.body.toString()) as { store: { kind: string } };
    expect(status.store.kind).toBe(serveStoreCluster() ? 'postgres' : 'sqlite');
    expect(status.store.kind).toBe(process.env.MW_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');
  });

  it('lists sent mail with the issue-required fields', async () => {
    await sendSimple(stack.smtpPort, 'hello rest');
    await stack.core.idle();
    const page = await list();
    expect(page.total).toBeGreaterThanOrEqual(1);
    const m = page.messages.find((x) => x.subject === 'hello rest');
    expect(m).toMatchObject({
      from: { address: 'a@example.test' },
      to: [{ address: 'b@example.test' }],
      subject: 'hello rest',
    });
    expect(typeof m?.id).toBe('number');
    expect(typeof m?.size).toBe('number');
    expect(m).toHaveProperty('date');
  });

  it('pages with limit and offset, and rejects a bad limit as invalid_argument', async () => {
    await sendSimple(stack.smtpPort, 'page one');
    await sendSimple(stack.smtpPort, 'page two');
    await stack.core.idle();
    const first = await list('?limit=1&offset=0');
    expect(first.messages).toHaveLength(1);
    const second = await list('?limit=1&offset=1');
    expect(second.messages[0]?.id).not.toBe(first.messages[0]?.id);
    const bad = await request(base, '/api/messages?limit=abc');
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: { code: string; field?: string } }>().error).toMatchObject({
      code: 'invalid_argument',
      field: 'limit',
    });
    const tooMany = await request(base, '/api/messages?limit=100000');
    expect(tooMany.status).toBe(400);
  });

  it('gets one parsed message, and serves app security headers on API answers', async () => {
    await sendSimple(stack.smtpPort, 'detail please');
    const id = await idBySubject('detail please');
    const res = await request(base, `/api/messages/${id}`);
    expect(res.status).toBe(200);
    expect(res.json<MessageDetail>()).toMatchObject({
      id,
      subject: 'detail please',
      text: expect.stringContaining('body of detail please'),
    });
    expect(res.headers['content-security-policy']).toBe(APP_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('returns 400 for a non-numeric id and 404 for an unknown one', async () => {
    for (const bad of ['abc', '0', '-1', '1.5', '1e3']) {
      const res = await request(base, `/api/messages/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('invalid_argument');
    }
    const missing = await request(base, '/api/messages/987654');
    expect(missing.status).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('not_found');
    expect((await request(base, '/api/messages/987654/raw')).status).toBe(404);
  });

  it('downloads the raw message byte-identical to what was sent', async () => {
    const file = readCorpus('mailpit/plain-text.eml');
    await sendRaw(stack.smtpPort, file);
    const id = await idBySubject('Plain text message');
    const res = await request(base, `/api/messages/${id}/raw`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('message/rfc822');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="message-${id}.eml"`);
    expect(Buffer.compare(res.body, file)).toBe(0);
    const source = await request(base, `/api/messages/${id}/source`);
    expect(source.json<{ size: number }>().size).toBe(file.length);
  });

  it('downloads hostile-named attachments under safe RFC 6266 names', async () => {
    await sendRaw(stack.smtpPort, readCorpus('hostile/evil-filenames.eml'));
    const id = await idBySubject('attachments with hostile names');
    const detail = (await request(base, `/api/messages/${id}`)).json<MessageDetail>();
    expect(detail.attachments.length).toBeGreaterThanOrEqual(3);
    for (const a of detail.attachments) {
      const res = await request(base, `/api/messages/${id}/attachments/${encodeURIComponent(a.partId)}`);
      expect(res.status).toBe(200);
      const cd = String(res.headers['content-disposition']);
      expect(cd).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
      const decoded = decodeURIComponent(cd.split("filename*=UTF-8''")[1]!);
      expect(decoded).toBe(a.safeFilename);
      expect(decoded).not.toMatch(/[/\\\0\u202e]|\.\./);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain('sandbox');
      expect(res.body.length).toBe(a.size);
    }
    expect((await request(base, `/api/messages/${id}/attachments/999`)).status).toBe(404);
  });

  it('serves the preview with the CSP as a header that sandboxes it and lets only the app frame it', async () => {
    await sendRaw(stack.smtpPort, readCorpus('hostile/xss-script.eml'));
    const id = await idBySubject('Script, handlers and javascript: links');
    const res = await request(base, `/api/messages/${id}/preview?remote=0`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain('sandbox');
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(csp).not.toMatch(/img-src[^;]*http:/);
  });

  it('loads remote content in the preview only with the key messages.remoteContentKey hands out', async () => {
    await sendSimple(stack.smtpPort, 'remote key please');
    await sendSimple(stack.smtpPort, 'remote key of another');
    const id = await idBySubject('remote key please');
    const otherId = await idBySubject('remote key of another');
    const imgSrc = (res: { headers: Record<string, unknown> }) =>
      /img-src ([^;]*)/.exec(String(res.headers['content-security-policy']))?.[1];
    // What a link inside the message could ask for, or a guess: refused, never read as "allowed".
    for (const remote of ['1', 'yes', 'x'.repeat(43)]) {
      const refused = await request(base, `/api/messages/${id}/preview?remote=${remote}`);
      expect(refused.status, remote).toBe(403);
      expect(refused.json(), remote).toMatchObject({ error: { code: 'forbidden', field: 'remote' } });
    }
    expect(imgSrc(await request(base, `/api/messages/${id}/preview`))).toBe('data:');

    const keyed = await request(base, '/api/call/messages.remoteContentKey', {
      method: 'POST',
      body: JSON.stringify({ id }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(keyed.status).toBe(200);
    const { key } = keyed.json<{ value: { key: string } }>().value;
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const allowed = await request(base, `/api/messages/${id}/preview?remote=${key}`);
    expect(allowed.status).toBe(200);
    expect(imgSrc(allowed)).toBe('data: http: https:');
    expect(allowed.body.toString('utf8')).not.toContain(key);
    // The key is this message's: it allows nothing for another one.
    expect((await request(base, `/api/messages/${otherId}/preview?remote=${key}`)).status).toBe(403);
  });

  it('marks read and unread', async () => {
    await sendSimple(stack.smtpPort, 'read me');
    const id = await idBySubject('read me');
    const read = await request(base, `/api/messages/${id}/read`, {
      method: 'POST',
      headers: { 'X-Mailwright-Request': '1' },
    });
    expect(read.json()).toEqual({ updated: 1 });
    expect((await request(base, `/api/messages/${id}`)).json<MessageDetail>().read).toBe(true);
    const unread = await request(base, `/api/messages/${id}/read`, {
      method: 'POST',
      body: '{"read":false}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(unread.status).toBe(200);
    expect((await request(base, `/api/messages/${id}`)).json<MessageDetail>().read).toBe(false);
  });

  it('imports an .eml from the request body, byte for byte', async () => {
    const file = readCorpus('mailpit/regular-attachment.eml');
    const res = await request(base, '/api/messages/import?filename=regular.eml', {
      method: 'POST',
      body: file,
      headers: { 'Content-Type': 'message/rfc822' },
    });
    expect(res.status).toBe(200);
    const result = res.json<ImportResult>();
    expect(result.imported).toBe(1);
    const raw = await request(base, `/api/messages/${result.ids[0]}/raw`);
    expect(Buffer.compare(raw.body, file)).toBe(0);
  });

  it('reads and updates settings', async () => {
    const before = (await request(base, '/api/settings')).json<Settings>();
    expect(before.retention).toHaveProperty('maxMessages');
    const put = await request(base, '/api/settings', {
      method: 'PUT',
      body: JSON.stringify({ retention: { maxMessages: 123456 } }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(put.status).toBe(200);
    expect(put.json<Settings>().retention.maxMessages).toBe(123456);
    const bad = await request(base, '/api/settings', {
      method: 'PUT',
      body: JSON.stringify({ retention: { maxMessages: -1 } }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(bad.status).toBe(400);
  });

  it('answers the generic call route with a Result and the mapped status', async () => {
    const ok = await request(base, '/api/call/server.status', {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json<Result<{ version: string }>>()).toMatchObject({ ok: true, value: { version: expect.any(String) } });
    const empty = await request(base, '/api/call/messages.list', {
      method: 'POST',
      headers: { 'X-Mailwright-Request': '1' },
    });
    expect(empty.json<Result<MessagePage>>().ok).toBe(true);
    const badArgs = await request(base, '/api/call/messages.get', {
      method: 'POST',
      body: '{"id":"x"}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(badArgs.status).toBe(400);
    expect(badArgs.json()).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    const badJson = await request(base, '/api/call/messages.list', {
      method: 'POST',
      body: '{',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.json()).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    const unknown = await request(base, '/api/call/desktop.openExternal', {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('answers unknown API paths with 404 JSON and wrong methods with 405', async () => {
    const none = await request(base, '/api/nope');
    expect(none.status).toBe(404);
    expect(none.json<{ error: { code: string } }>().error.code).toBe('not_found');
    const wrong = await request(base, '/api/status', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
    expect((await request(base, '/api/events')).status).toBe(426);
  });

  it('documents exactly the mounted routes (binding and capabilities) in openapi.json', async () => {
    const doc = (await request(base, '/api/openapi.json')).json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
    );
    // The binding's own table plus every capability's routes, as serve mounts them.
    const routed = [...ROUTES, ...stack.core.routes()].map((r) => `${r.method} ${r.path}`);
    expect(new Set(documented)).toEqual(new Set(routed));
    expect(documented).toHaveLength(routed.length);
  });

  it('gives every verb argument and result schemas generated from the contract', async () => {
    const doc = (await request(base, '/api/openapi.json')).json<{
      components: { schemas: Record<string, Record<string, unknown>> };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    const schemas = doc.components.schemas;
    expect(schemas['CallArgs.messages.list']).toMatchObject({ type: 'object' });
    expect(Object.keys(schemas).filter((k) => k.startsWith('CallResult.')).length).toBeGreaterThan(10);
    // Every $ref in the document points at a schema that exists.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref, 'every $ref points into components').toMatch(/^#\/components\/schemas\//);
      expect(schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    // The message detail's MIME tree is recursive: it is one named component that refers to itself.
    expect(JSON.stringify(schemas['CallResult.messages.get'])).toContain('#/components/schemas/');
  });

  it('deletes one message, then all', async () => {
    await sendSimple(stack.smtpPort, 'delete me');
    const id = await idBySubject('delete me');
    const del = await request(base, `/api/messages/${id}`, {
      method: 'DELETE',
      headers: { 'X-Mailwright-Request': '1' },
    });
    expect(del.json()).toEqual({ deleted: 1 });
    expect((await request(base, `/api/messages/${id}`)).status).toBe(404);
    const total = (await list()).total;
    expect(total).toBeGreaterThan(0);
    const all = await request(base, '/api/messages', { method: 'DELETE', headers: { 'X-Mailwright-Request': '1' } });
    expect(all.json()).toEqual({ deleted: total });
    expect((await list()).total).toBe(0);
  });
});
