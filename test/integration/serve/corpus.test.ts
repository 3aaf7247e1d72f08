// Every corpus message through the REST API: imported byte for byte (alone, and all together as one mbox), and
// every view of it answers without a 5xx.
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
    const imported = await request(base, `/api/messages/import?filename=${encodeURIComponent(path.basename(file))}`, {
      method: 'POST',
      body: bytes,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
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

    const keyed = await request(base, '/api/call/messages.remoteContentKey', {
      method: 'POST',
      body: JSON.stringify({ id }),
      headers: { 'Content-Type': 'application/json' },
    });
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

/** mboxrd: every line that starts with ">*From " gets one more '>', which the import removes again. */
function mboxrdEscape(message: Buffer): Buffer {
  return Buffer.from(message.toString('latin1').replace(/^(>*From )/gm, '>$1'), 'latin1');
}

describe('corpus as one mbox over REST', () => {
  it('imports every corpus file from one mbox, each byte for byte as when imported alone', async () => {
    const base = stack.http.url;
    const files = FILES.map((file) => fs.readFileSync(path.join(CORPUS, file)));
    const expected: Buffer[] = [];
    const parts: Buffer[] = [];
    for (const [i, bytes] of files.entries()) {
      expect(bytes.at(-1), `${FILES[i]} ends with a newline (an mbox cannot carry a message that does not)`).toBe(0x0a);
      if (bytes.subarray(0, 5).toString('latin1') === 'From ') {
        // Already an mbox of one message: it goes in as it is, and must read as it does alone.
        const alone = await request(base, '/api/messages/import?filename=alone.mbox', {
          method: 'POST',
          body: bytes,
          headers: { 'Content-Type': 'application/octet-stream' },
        });
        expected.push((await request(base, `/api/messages/${alone.json<ImportResult>().ids[0]}/raw`)).body);
        // It may end with its own separating blank line already.
        parts.push(bytes, bytes.subarray(-2).toString('latin1') === '\n\n' ? Buffer.alloc(0) : Buffer.from('\n'));
      } else {
        expected.push(bytes);
        parts.push(
          Buffer.from(`From sender${i}@example.test Mon Nov  2 10:00:00 2026\n`),
          mboxrdEscape(bytes),
          Buffer.from('\n'),
        );
      }
    }
    const mbox = Buffer.concat(parts);
    const imported = await request(base, '/api/messages/import?filename=corpus.mbox', {
      method: 'POST',
      body: mbox,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(imported.status, imported.text().slice(0, 500)).toBe(200);
    const result = imported.json<ImportResult>();
    expect(result).toMatchObject({ imported: files.length, failedCount: 0, bytesRead: mbox.length });
    for (const [i, id] of result.ids.entries()) {
      const raw = await request(base, `/api/messages/${id}/raw`);
      expect(raw.status).toBe(200);
      expect(Buffer.compare(raw.body, expected[i]!), FILES[i]).toBe(0);
    }
  });
});
