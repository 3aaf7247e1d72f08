// A large mbox of short lines imports into `serve` running with a 64 MB heap: the file streams through, message
// by message, and the process stays alive. Before streaming, the body became one string and was split per line,
// and this aborted the process with "heap out of memory". A heap test, not a timed one. Needs `npx electron-vite build`.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult, ServerStatus } from '../../../src-shared/index.js';
import { BUILT_SERVE_JS, startServe, type ServeProcess } from '../../helpers/serve-process.js';
import { request } from './helpers.js';

/** The heap the whole serve process gets: far below the file, so holding it (or a string of it) cannot fit. */
const HEAP_MB = 64;
/** Body lines of 16 bytes: the shape that made one string per line, millions of them. */
const LINE = 'short line ....\n';
const LINES_PER_MESSAGE = 1000;
/**
 * ~240 MiB in all: a few hundred MB as asked, under the old 256 MiB body budget (so the old code would have
 * tried, and died), and far under the default retention cap (50,000 messages, 2 GB).
 */
const MESSAGES = 15_000;
/** Messages written per write call while generating: ~1 MB. */
const WRITE_BATCH = 64;
/** A ceiling for a machine several times slower than usual, not a speed target. */
const IMPORT_CEILING_MS = 600_000;

let dir: string;
let mboxPath: string;
let serve: ServeProcess | null = null;

function header(i: number): string {
  return `From sender${i}@example.test Mon Nov  2 10:00:00 2026\nFrom: Sender ${i} <sender${i}@example.test>\nSubject: heap ${i}\n\n`;
}
const BODY = Buffer.from(LINE.repeat(LINES_PER_MESSAGE) + '\n');

/** Writes the mbox in ~1 MB writes, never the whole file in memory. */
function writeMbox(file: string): number {
  const fd = fs.openSync(file, 'w');
  let size = 0;
  try {
    for (let i = 0; i < MESSAGES; i += WRITE_BATCH) {
      const parts: Buffer[] = [];
      for (let k = i; k < Math.min(MESSAGES, i + WRITE_BATCH); k++) parts.push(Buffer.from(header(k)), BODY);
      const block = Buffer.concat(parts);
      fs.writeSync(fd, block);
      size += block.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return size;
}

/** Streams the file as the request body, the way curl --data-binary @file does. */
function upload(base: string, file: string, size: number): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/api/messages/import?filename=heap.mbox',
        agent: false,
        headers: { Host: url.host, 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
        timeout: IMPORT_CEILING_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no reply within ${IMPORT_CEILING_MS} ms`)));
    fs.createReadStream(file).on('error', reject).pipe(req);
  });
}

beforeAll(() => {
  if (!fs.existsSync(BUILT_SERVE_JS))
    throw new Error(`${BUILT_SERVE_JS} is missing: run \`npx electron-vite build\` first`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-import-heap-'));
  mboxPath = path.join(dir, 'heap.mbox');
});

afterAll(async () => {
  await serve?.stop('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('import into serve with a small heap', () => {
  it(
    `imports ~240 MB of short lines with --max-old-space-size=${HEAP_MB} and stays alive`,
    { timeout: IMPORT_CEILING_MS + 60_000 },
    async () => {
      const size = writeMbox(mboxPath);
      expect(size).toBeGreaterThan(200 * 1024 * 1024);
      serve = await startServe(
        ['--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', path.join(dir, 'data')],
        {},
        { built: true, nodeArgs: [`--max-old-space-size=${HEAP_MB}`] },
      );
      const base = serve.ready.http;

      const reply = await upload(base, mboxPath, size);
      expect(reply.status, reply.body.slice(0, 500)).toBe(200);
      const result = JSON.parse(reply.body) as ImportResult;
      expect(result).toMatchObject({ imported: MESSAGES, failedCount: 0, failed: [], bytesRead: size });
      expect(result.ids).toHaveLength(Math.min(MESSAGES, 10_000));

      // Alive, and every message is there, byte for byte at both ends of the file.
      expect(serve.child.exitCode).toBeNull();
      const status = await request(base, '/api/status');
      expect(status.json<ServerStatus>().messageCount).toBe(MESSAGES);
      const first = await request(base, `/api/messages/${result.ids[0]}/raw`);
      const expected = Buffer.concat([
        Buffer.from(header(0).slice(header(0).indexOf('\n') + 1)),
        BODY.subarray(0, BODY.length - 1),
      ]);
      expect(Buffer.compare(first.body, expected)).toBe(0);
      expect(serve.output()).not.toMatch(/heap out of memory/i);
    },
  );
});
