// Load client (a): one pooled nodemailer transport, `concurrency` connections reused for every
// message. Runs as its own process pinned to the client core; prints one `CLIENT_RESULT {json}`.
// Usage: node --import tsx bench/client-nodemailer.ts '{"port":N,"n":N,"concurrency":C,"size":"5k"}'
import nodemailer from 'nodemailer';
import { buildMessage, FROM, TO, type SizeName } from './messages.js';
import { forceNoDelay } from './proc.js';
import { percentile } from './stats.js';

interface Options {
  host?: string;
  port: number;
  n: number;
  concurrency: number;
  size: SizeName;
  start?: number;
  nagle?: boolean;
  warmup?: number;
}

export interface ClientResult {
  sent: number;
  failed: number;
  firstError: string | null;
  wallMs: number;
  msgPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
  const start = opts.start ?? 0;
  if (!opts.nagle) forceNoDelay();
  const transport = nodemailer.createTransport({
    host: opts.host ?? '127.0.0.1',
    port: opts.port,
    secure: false,
    // smtp-source never upgrades either: every server is measured in plaintext.
    ignoreTLS: true,
    pool: true,
    maxConnections: opts.concurrency,
    maxMessages: Infinity,
    connectionTimeout: 10_000,
    socketTimeout: 30_000,
  });
  // Messages are built ahead of the clock for small runs; big runs build on the fly (cheap copies).
  const prebuilt =
    opts.n * (opts.size === '100k' ? 100 : 5) <= 200_000
      ? Array.from({ length: opts.n }, (_, i) => buildMessage(opts.size, start + i))
      : null;
  let latencies: number[] = [];
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const worker = async (count: number, first: number, built: Buffer[] | null): Promise<void> => {
    while (next < count) {
      const i = next++;
      const raw = built?.[i] ?? buildMessage(opts.size, first + i);
      const s = performance.now();
      try {
        await transport.sendMail({ envelope: { from: FROM, to: [TO] }, raw });
        latencies.push(performance.now() - s);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  const phase = (count: number, first: number, built: Buffer[] | null): Promise<unknown> =>
    Promise.all(Array.from({ length: opts.concurrency }, () => worker(count, first, built)));
  // Warm-up (untimed, tokens after the measured ones): the pool connects and both JITs warm up.
  const warmup = opts.warmup ?? 0;
  if (warmup > 0) {
    await phase(warmup, start + opts.n, null);
    if (failed > 0) throw new Error(`warm-up failed: ${firstError}`);
    latencies = [];
    next = 0;
  }
  const t0 = performance.now();
  await phase(opts.n, start, prebuilt);
  const wallMs = performance.now() - t0;
  transport.close();
  const result: ClientResult = {
    sent: latencies.length,
    failed,
    firstError,
    wallMs,
    msgPerSec: latencies.length / (wallMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
  process.stdout.write(`CLIENT_RESULT ${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
