// Memory run: N x 100 KB messages into one Mailwright server (pooled nodemailer, c=4), then its
// RSS after the run and after indexing, and the peak (VmHWM), from /proc/PID/status.
import { runClient } from './clients.js';
import { waitIndexed } from './mailwright-api.js';
import { SHARED_TOKEN, tokenFor } from './messages.js';
import { startServer } from './servers.js';

export interface MemoryResult {
  n: number;
  msgPerSec: number;
  rssAfterRunMB: number | null;
  rssAfterIndexMB: number | null;
  hwmMB: number | null;
  /** VmRSS split after indexing: private (heap) vs mapped file pages. */
  anonAfterIndexMB: number | null;
  fileAfterIndexMB: number | null;
  anonAfterRunMB: number | null;
  timeToIndexedMs: number;
  startRssMB: number | null;
}

export async function runMemory(n: number, concurrency: number): Promise<MemoryResult> {
  const server = await startServer('mailwright');
  try {
    if (!server.http) throw new Error('Mailwright gave no HTTP address');
    const startRssMB = server.mem()?.rssMB ?? null;
    const load = await runClient('nodemailer', server.port, n, concurrency, '100k', 120_000 + n * 50);
    if (load.failed > 0 || load.sent !== n) throw new Error(`${load.failed} of ${n} not accepted: ${load.firstError}`);
    const afterRun = server.mem();
    const rssAfterRunMB = afterRun?.rssMB ?? null;
    const sample = [0, Math.floor(n / 2), n - 1];
    const timeToIndexedMs = await waitIndexed(
      server.http,
      {
        count: n,
        expect: [{ query: SHARED_TOKEN, total: n }, ...sample.map((i) => ({ query: tokenFor(i), total: 1 }))],
      },
      60_000 + n * 20,
    );
    const mem = server.mem();
    return {
      n,
      msgPerSec: load.msgPerSec,
      rssAfterRunMB,
      rssAfterIndexMB: mem?.rssMB ?? null,
      hwmMB: mem?.hwmMB ?? null,
      anonAfterRunMB: afterRun?.anonMB ?? null,
      anonAfterIndexMB: mem?.anonMB ?? null,
      fileAfterIndexMB: mem?.fileMB ?? null,
      timeToIndexedMs,
      startRssMB,
    };
  } finally {
    await server.stop();
  }
}
