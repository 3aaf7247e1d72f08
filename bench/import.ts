// Import run: one generated mbox of --import-mb MB (default 1024) of ~5 KB messages, streamed from disk as the body
// of one POST /api/messages/import into a fresh Mailwright with retention lifted. Reports wall time, messages/s,
// MB/s and the server's peak RSS (VmHWM from /proc), which must stay flat whatever the file size.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { buildMbox } from './messages.js';
import { startServer } from './servers.js';

/** Messages generated per write: ~1 MB, so generating the file never holds more than that. */
const GENERATE_BATCH = 200;
/** A 1 GB import takes a minute or two on a quiet machine; an hour means it is stuck. */
const IMPORT_TIMEOUT_MS = 60 * 60 * 1000;
/** RSS is read this often while the import runs, beside the kernel's own peak (VmHWM). */
const RSS_SAMPLE_MS = 500;

export interface ImportBenchResult {
  fileMB: number;
  messages: number;
  seconds: number;
  msgPerSec: number;
  mbPerSec: number;
  startRssMB: number | null;
  /** The highest RSS sampled during the import, and the kernel's peak for the process's whole life. */
  maxSampledRssMB: number | null;
  peakRssMB: number | null;
  rssAfterMB: number | null;
  /** RSS after the import split: private memory (heaps, buffers) and mapped file pages (SQLite's mmap). */
  anonAfterMB: number | null;
  fileAfterMB: number | null;
}

/** Writes `targetMB` of mbox to `file` in ~1 MB writes; returns the message count and size. */
function generate(file: string, targetMB: number): { messages: number; bytes: number } {
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let messages = 0;
  try {
    while (bytes < targetMB * 1024 * 1024) {
      const block = buildMbox('5k', messages, GENERATE_BATCH);
      fs.writeSync(fd, block);
      bytes += block.length;
      messages += GENERATE_BATCH;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { messages, bytes };
}

function upload(base: string, file: string, bytes: number): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/api/messages/import?filename=bench.mbox',
        timeout: IMPORT_TIMEOUT_MS,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no reply within ${IMPORT_TIMEOUT_MS / 1000} s`)));
    fs.createReadStream(file).on('error', reject).pipe(req);
  });
}

/** The default retention (50,000 messages, 2 GB) would prune while we import: lift it, as the inbox run does. */
async function unlimitedRetention(base: string): Promise<void> {
  const res = await fetch(`${base}/api/settings`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ retention: { maxMessages: 0, maxBytes: 0 } }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`PUT /api/settings -> ${res.status} ${(await res.text()).slice(0, 200)}`);
}

export async function runImport(targetMB: number, log: (line: string) => void): Promise<ImportBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrbench-import-'));
  const file = path.join(dir, 'bench.mbox');
  try {
    const g0 = performance.now();
    const { messages, bytes } = generate(file, targetMB);
    log(
      `  generated ${(bytes / 1024 / 1024).toFixed(0)} MB, ${messages} messages in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
    );
    const server = await startServer('mailwright');
    try {
      const base = server.http;
      if (!base) throw new Error('Mailwright gave no HTTP address');
      await unlimitedRetention(base);
      const startRssMB = server.mem()?.rssMB ?? null;
      let maxSampledRssMB = startRssMB;
      const sampler = setInterval(() => {
        const rss = server.mem()?.rssMB;
        if (rss !== undefined && (maxSampledRssMB === null || rss > maxSampledRssMB)) maxSampledRssMB = rss;
      }, RSS_SAMPLE_MS);
      const t0 = performance.now();
      let reply: { status: number; body: string };
      try {
        reply = await upload(base, file, bytes);
      } finally {
        clearInterval(sampler);
      }
      const seconds = (performance.now() - t0) / 1000;
      if (reply.status !== 200) throw new Error(`import -> ${reply.status} ${reply.body.slice(0, 300)}`);
      const result = JSON.parse(reply.body) as { imported: number; failedCount: number };
      if (result.imported !== messages || result.failedCount !== 0)
        throw new Error(`imported ${result.imported} of ${messages}, ${result.failedCount} failed`);
      const status = (await (await fetch(`${base}/api/status`)).json()) as { messageCount: number };
      if (status.messageCount !== messages)
        throw new Error(`the store holds ${status.messageCount} of ${messages} messages`);
      const mem = server.mem();
      const fileMB = bytes / 1024 / 1024;
      return {
        fileMB,
        messages,
        seconds,
        msgPerSec: messages / seconds,
        mbPerSec: fileMB / seconds,
        startRssMB,
        maxSampledRssMB,
        peakRssMB: mem?.hwmMB ?? null,
        rssAfterMB: mem?.rssMB ?? null,
        anonAfterMB: mem?.anonMB ?? null,
        fileAfterMB: mem?.fileMB ?? null,
      };
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
