// POST /api/messages/import as a stream: progress events, chunked bodies, the body budget, and the small inline
// messages.import call. The large-file heap proof is import-heap.test.ts.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportProgress, ImportResult, Result } from '../../../src-shared/index.js';
import { MAX_INLINE_IMPORT_BYTES } from '../../../src-shared/index.js';
import { startHttpBinding } from '../../../src-main/serve/http.js';
import { request, startStack, type Stack } from './helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

function mbox(count: number, tag: string): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++)
    parts.push(`From s${i}@example.test Mon Nov  2 10:00:00 2026\nSubject: ${tag} ${i}\n\nbody ${i}\n\n`);
  return Buffer.from(parts.join(''));
}

/** Sends the body in pieces without a Content-Length (chunked), as a browser or curl -T - may. */
function postChunked(base: string, pathAndQuery: string, pieces: Buffer[]): Promise<{ status: number; text: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: pathAndQuery,
        method: 'POST',
        agent: false,
        headers: { Host: url.host, 'Content-Type': 'application/octet-stream' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    // The server may answer and close before all pieces are sent (a refused body): that is the answer, not a failure.
    req.on('error', (err) => (req.writableEnded ? undefined : reject(err)));
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

describe('streamed import over REST', () => {
  it('ends with a progress event that has the counts', async () => {
    const events: ImportProgress[] = [];
    const off = stack.core.events.on('import.progress', (p) => events.push(p));
    try {
      const body = mbox(2000, 'progress');
      const res = await request(stack.http.url, '/api/messages/import?filename=progress.mbox', {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      expect(res.status).toBe(200);
      expect(res.json<ImportResult>()).toMatchObject({ imported: 2000, failedCount: 0, bytesRead: body.length });
      const last = events.at(-1)!;
      expect(last).toMatchObject({
        filename: 'progress.mbox',
        done: true,
        imported: 2000,
        failed: 0,
        bytesRead: body.length,
        totalBytes: body.length,
      });
      // Progress while reading comes on a clock (four a second), so a quick import may have none but the last.
      expect(events.filter((e) => e.done)).toHaveLength(1);
      expect(new Set(events.map((e) => e.importId)).size).toBe(1);
      for (let i = 1; i < events.length; i++)
        expect(events[i]!.bytesRead).toBeGreaterThanOrEqual(events[i - 1]!.bytesRead);
    } finally {
      off();
    }
  });

  it('imports a chunked body of unknown length, with a message cut across pieces', async () => {
    const body = mbox(300, 'chunked');
    const pieces = [body.subarray(0, 1001), body.subarray(1001, 5003), body.subarray(5003)];
    const res = await postChunked(stack.http.url, '/api/messages/import?filename=chunked.mbox', pieces);
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text) as ImportResult).toMatchObject({ imported: 300, bytesRead: body.length });
  });

  it('stops a chunked body at the binding budget with 413', async () => {
    const binding = await startHttpBinding(stack.core, { host: '127.0.0.1', port: 0, maxImportBytes: 10_000 });
    try {
      const body = mbox(1000, 'budget');
      const pieces = Array.from({ length: Math.ceil(body.length / 4096) }, (_, i) =>
        body.subarray(i * 4096, (i + 1) * 4096),
      );
      const res = await postChunked(binding.url, '/api/messages/import?filename=budget.mbox', pieces);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text)).toMatchObject({
        // How many pieces arrive before the budget is passed depends on how TCP coalesced them.
        error: { code: 'too_large', message: expect.stringContaining('request body is larger than 10000 bytes') },
      });
    } finally {
      await binding.close();
    }
  });

  it('ends an import whose client hangs up mid-body, keeps what was complete, and frees the line for the next', async () => {
    const before = (await stack.core.currentStatus()).messageCount;
    let reading!: () => void;
    const started = new Promise<void>((resolve) => (reading = resolve));
    const ended = new Promise<ImportProgress>((resolve) => {
      const off = stack.core.events.on('import.progress', (p) => {
        if (p.filename !== 'cut.mbox') return;
        if (p.bytesRead > 0) reading();
        if (p.done) {
          off();
          resolve(p);
        }
      });
    });
    const url = new URL(stack.http.url);
    const body = mbox(50, 'cut');
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: '/api/messages/import?filename=cut.mbox',
      method: 'POST',
      agent: false,
      headers: {
        Host: url.host,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(body.length * 2),
      },
    });
    req.on('error', () => {}); // we are the ones hanging up
    req.write(body);
    await started;
    req.destroy();
    const last = await ended;
    // The 50th message's end was never confirmed (no next From_ line, no end of file), so 49 are kept.
    expect(last).toMatchObject({ done: true, imported: 49, bytesRead: body.length });
    expect((await stack.core.currentStatus()).messageCount).toBe(before + 49);

    const next = await request(stack.http.url, '/api/messages/import?filename=next.eml', {
      method: 'POST',
      body: 'Subject: next\r\n\r\nbody\r\n',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(next.status).toBe(200);
  });

  it('keeps the inline messages.import call for small files and points large ones to the streaming route', async () => {
    const small = Buffer.from('Subject: inline\r\n\r\nbody\r\n');
    const ok = await request(stack.http.url, '/api/call/messages.import', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'inline.eml', data: small.toString('base64') }),
    });
    const result = ok.json<Result<ImportResult>>();
    expect(result).toMatchObject({ ok: true, value: { imported: 1 } });
    const id = (result as { value: ImportResult }).value.ids[0]!;
    expect(Buffer.compare((await request(stack.http.url, `/api/messages/${id}/raw`)).body, small)).toBe(0);

    const large = Buffer.alloc(MAX_INLINE_IMPORT_BYTES + 3, 0x61).toString('base64');
    const refused = await stack.core.invoke('messages.import', { filename: 'large.eml', data: large });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'data' } });
  });
});
