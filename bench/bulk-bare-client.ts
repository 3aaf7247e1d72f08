// The bulk benchmark's baseline: a bare nodemailer pool sending the same messages as the bulk engine (same fields,
// composed by MailComposer, same connections and messages per connection), nothing recorded. Runs as its own
// process pinned to the client core; prints one `CLIENT_RESULT {json}`.
// Usage: node bench/bulk-bare-client.ts '{"port":N,"n":N,"concurrency":C,"perConnection":P,"warmup":W}'
import nodemailer from 'nodemailer';
import { BULK_FROM, BULK_TEXT, BULK_TO, subjectFor } from './bulk-message.js';
import { forceNoDelay } from './proc.js';
import { percentile } from './stats.js';

interface Options {
  port: number;
  n: number;
  concurrency: number;
  perConnection: number;
  warmup: number;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as Options;
  // The engine turns Nagle off on its sockets (src-main/compose/bulk.ts), so the baseline does too.
  forceNoDelay();
  const transport = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port: o.port,
    secure: false,
    ignoreTLS: true,
    maxConnections: o.concurrency,
    maxMessages: o.perConnection,
    connectionTimeout: 10_000,
    socketTimeout: 60_000,
  });
  let latencies: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  let next = 0;
  const phase = async (count: number, first: number): Promise<void> => {
    next = 0;
    const worker = async () => {
      while (next < count) {
        const n = first + next++;
        const s = performance.now();
        try {
          await transport.sendMail({ from: BULK_FROM, to: BULK_TO, subject: subjectFor(n), text: BULK_TEXT });
          latencies.push(performance.now() - s);
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  };
  if (o.warmup > 0) {
    await phase(o.warmup, o.n + 1);
    latencies = [];
  }
  const t0 = performance.now();
  await phase(o.n, 1);
  const wallMs = performance.now() - t0;
  transport.close();
  const result = {
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
