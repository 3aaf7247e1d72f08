// Every corpus message through the REST API: imported byte for byte, and every view of it answers without a 5xx.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult, MessageDetail } from '../../../src-shared/index.js';
import { corpusFiles } from '../../helpers/corpus.js';
import { CORPUS, request, startStack, type Stack } from './helpers.js';

const FILES = corpusFiles().map((f) => path.relative(CORPUS, f));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('corpus over REST', () => {
  it('has files to test', () => {
    expect(FILES.length).toBeGreaterThan(10);
  });

  it.each(FILES)('%s', async (file) => {
    const bytes = fs.readFileSync(path.join(CORPUS, file));
    const base = stack.http.url;
    const imported = await request(base, `/api/messages/import?filename=${encodeURIComponent(path.basename(file))}`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(imported.status).toBe(200);
    const result = imported.json<ImportResult>();
    expect(result.imported).toBe(1);
    const id = result.ids[0]!;
    await stack.core.idle();

    // A file that opens with an mbox "From " line is read as mbox (the store owns unescaping it); any other file is kept as is.
    const isMbox = bytes.subarray(0, 5).toString('latin1') === 'From ';
    const raw = await request(base, `/api/messages/${id}/raw`);
    expect(raw.status).toBe(200);
    if (isMbox) expect(raw.body.length).toBeGreaterThan(bytes.length / 2);
    else expect(Buffer.compare(raw.body, bytes)).toBe(0);

    const detail = await request(base, `/api/messages/${id}`);
    expect(detail.status).toBe(200);
    const message = detail.json<MessageDetail>();
    expect(message.id).toBe(id);

    const source = await request(base, `/api/messages/${id}/source`);
    expect(source.status).toBe(200);

    const keyed = await request(base, '/api/call/messages.remoteContentKey', { method: 'POST', body: JSON.stringify({ id }), headers: { 'Content-Type': 'application/json' } });
    expect(keyed.status).toBe(200);
    for (const remote of ['0', keyed.json<{ value: { key: string } }>().value.key]) {
      const preview = await request(base, `/api/messages/${id}/preview?remote=${remote}`);
      expect(preview.status).toBeLessThan(500);
      if (preview.status === 200) expect(String(preview.headers['content-security-policy'])).toContain('sandbox');
    }
    for (const a of message.attachments ?? []) {
      const res = await request(base, `/api/messages/${id}/attachments/${encodeURIComponent(a.partId)}`);
      expect(res.status, a.partId).toBe(200);
      expect(String(res.headers['content-disposition'])).toMatch(/^attachment; /);
    }
  });
});
