// MailHog's routes over a real core where its client libraries do not reach: Jim as fault rules refusing real
// SMTP, the SSE event stream, content types, MailHog's answers for unknown ids, and the corpus through its shape.
import http from 'node:http';
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

describe('MailHog routes', () => {
  it('answers with MailHog content types, null for an unknown id, and 400 for a bad search', async () => {
    await sendSimple(stack.smtpPort, 'hog one');
    const v2 = await request(base, '/api/v2/messages');
    expect(v2.headers['content-type']).toBe('text/json');
    const list = v2.json<{ total: number; count: number; start: number; items: { ID: string }[] }>();
    expect(list).toMatchObject({ total: 1, count: 1, start: 0 });
    const one = await request(base, `/api/v1/messages/${list.items[0]!.ID}`);
    expect(one.headers['content-type']).toBe('text/json');
    expect(one.json<{ ID: string }>().ID).toBe(list.items[0]!.ID);
    expect((await request(base, '/api/v1/messages/999999')).text()).toBe('null');
    expect((await request(base, '/api/v1/messages/nope')).text()).toBe('null');
    expect((await request(base, '/api/mailhog/v1/messages')).json<unknown[]>()).toHaveLength(1);
    expect((await request(base, '/api/v2/search?kind=subject&query=x')).status).toBe(400);
    expect((await request(base, '/api/v2/search?kind=from&query=')).status).toBe(400);
    const raw = await request(base, `/api/v1/messages/${list.items[0]!.ID}/download`);
    expect(raw.headers['content-type']).toBe('message/rfc822');
    expect(raw.text()).toContain('Subject: hog one');
    expect((await request(base, '/api/v1/messages/999999', { method: 'DELETE' })).status).toBe(200);
  });

  it('maps Jim onto fault rules: created, read, updated, refusing SMTP, removed', async () => {
    expect((await request(base, '/api/v2/jim')).status).toBe(404);
    const created = await request(base, '/api/v2/jim', {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"RejectRecipientChance":1,"AcceptChance":1,"DisconnectChance":0,"RejectSenderChance":0}',
    });
    expect(created.status).toBe(201);
    expect((await request(base, '/api/v2/jim', { method: 'POST', headers: JSON_TYPE, body: '{}' })).status).toBe(400);
    const jim = (await request(base, '/api/v2/jim')).json<Record<string, number>>();
    expect(jim).toMatchObject({
      RejectRecipientChance: 1,
      AcceptChance: 1,
      RejectAuthChance: 0.05,
      LinkSpeedMax: 10240,
    });
    await expect(sendSimple(stack.smtpPort, 'refused by jim')).rejects.toMatchObject({ responseCode: 550 });
    const bad = await request(base, '/api/v2/jim', { method: 'PUT', headers: JSON_TYPE, body: '{"AcceptChance":2}' });
    expect(bad.status).toBe(400);
    expect(
      (await request(base, '/api/v2/jim', { method: 'PUT', headers: JSON_TYPE, body: '{"RejectRecipientChance":0}' }))
        .status,
    ).toBe(200);
    await sendSimple(stack.smtpPort, 'jim lets it through');
    expect((await request(base, '/api/v2/jim', { method: 'DELETE' })).status).toBe(200);
    expect((await request(base, '/api/v2/jim', { method: 'DELETE' })).status).toBe(404);
    const settings = await stack.core.invoke('settings.get', {});
    expect(settings.ok && settings.value.faults).toEqual([]);
  });

  it('streams each new message over /api/v1/events as server-sent events', async () => {
    const url = new URL('/api/v1/events', base);
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.get(
        { host: url.hostname, port: url.port, path: url.pathname, headers: { Host: url.host } },
        (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream');
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            if (buffer.startsWith(': connected') && !buffer.includes('data: ')) {
              sendSimple(stack.smtpPort, 'event stream mail').catch(reject);
            }
            const data = /data: (.*)\n\n/.exec(buffer);
            if (data) {
              req.destroy();
              resolve(data[1]!);
            }
          });
        },
      );
      req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
    });
    const event = JSON.parse(received) as { Content: { Headers: Record<string, string[]> }; Raw: { Helo: string } };
    expect(event.Content.Headers.Subject).toEqual(['event stream mail']);
  });

  it('downloads a decoded MIME part', async () => {
    const raw =
      'From: a@example.test\r\nTo: b@example.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/mixed; boundary="XX"\r\n\r\npreamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n' +
      '--XX\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n' +
      'Content-Disposition: attachment; filename="a.pdf"\r\n\r\nJVBERi0xLjQ=\r\n--XX--\r\nepilogue\r\n';
    const imported = await stack.core.importStream([Buffer.from(raw)], { filename: 'parts.eml' });
    const id = imported.ids[0]!;
    const message = (await request(base, `/api/v1/messages/${id}`)).json<{ MIME: { Parts: { Body: string }[] } }>();
    expect(message.MIME.Parts.map((p) => p.Body)).toEqual(['hello', 'JVBERi0xLjQ=']);
    const part = await request(base, `/api/v1/messages/${id}/mime/part/1/download`);
    expect(part.headers['content-type']).toBe('application/pdf');
    expect(part.text()).toBe('%PDF-1.4');
    expect((await request(base, `/api/v1/messages/${id}/mime/part/7/download`)).status).toBe(404);
  });

  it('gives every corpus message MailHog shape without a server error', async () => {
    await request(base, '/api/mailhog/v1/messages', { method: 'DELETE' });
    for (const file of corpusFiles()) await stack.core.importFile(file);
    let start = 0;
    let seen = 0;
    for (let page = 0; page < 20; page++) {
      const res = await request(base, `/api/v2/messages?start=${start}&limit=250`);
      expect(res.status).toBe(200);
      const body = res.json<{ total: number; count: number }>();
      seen += body.count;
      start += body.count;
      if (start >= body.total || body.count === 0) break;
    }
    expect(seen).toBeGreaterThan(0);
    expect((await request(base, '/api/v1/messages')).status).toBe(200);
  });
});
