// The bulk benchmark's baseline: bare nodemailer sending the same messages as the bulk engine, the same way, with
// nothing else: each message composed by MailComposer into bytes, then sent with an explicit envelope over
// `concurrency` SMTPConnections (the layer the engine's lanes use), each reused for `perConnection` messages, with
// Nagle off. Nothing recorded, no transcript, no checks. Runs as its own process pinned to the client core, as the
// engine's process is; prints one `CLIENT_RESULT {json}`.
// `"baseline":"pool"` sends through nodemailer's pool (`sendMail` with `raw`) instead, for comparison.
// Usage: node bench/bulk-bare-client.ts '{"port":N,"n":N,"concurrency":C,"perConnection":P,"warmup":W}'
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { BULK_FROM, BULK_TEXT, BULK_TO, subjectFor } from './bulk-message.js';
import { forceNoDelay } from './proc.js';
import { percentile } from './stats.js';

interface Options {
  port: number;
  n: number;
  concurrency: number;
  perConnection: number;
  warmup: number;
  baseline?: 'connection' | 'pool';
}

type Send = (raw: Buffer) => Promise<void>;

/** One worker's connection: opened on first use, closed after `perConnection` messages or an error. */
function connectionSender(o: Options): { send: Send; close: () => void } {
  let conn: SMTPConnection | null = null;
  let sent = 0;
  const open = () =>
    new Promise<SMTPConnection>((resolve, reject) => {
      const c = new SMTPConnection({ host: '127.0.0.1', port: o.port, ignoreTLS: true, socketTimeout: 60_000 });
      c.once('error', reject);
      c.connect(() => {
        c.removeListener('error', reject);
        c.on('error', () => undefined);
        resolve(c);
      });
    });
  const send: Send = async (raw) => {
    const c = conn ?? (conn = await open());
    try {
      await new Promise<void>((resolve, reject) => {
        c.once('error', reject);
        c.send({ from: BULK_FROM, to: [BULK_TO] }, raw, (err) => {
          c.removeListener('error', reject);
          if (err) reject(err);
          else resolve();
        });
      });
    } catch (err) {
      conn = null;
      sent = 0;
      c.close();
      throw err;
    }
    if (++sent >= o.perConnection) {
      conn = null;
      sent = 0;
      c.quit();
    }
  };
  const close = () => {
    conn?.quit();
    conn = null;
    sent = 0;
  };
  return { send, close };
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as Options;
  // The engine makes its sockets with Nagle off (src-main/compose/bulk-lane.ts), so the baseline does too.
  forceNoDelay();
  const pool =
    o.baseline === 'pool'
      ? nodemailer.createTransport({
          pool: true,
          host: '127.0.0.1',
          port: o.port,
          secure: false,
          ignoreTLS: true,
          maxConnections: o.concurrency,
          maxMessages: o.perConnection,
          connectionTimeout: 10_000,
          socketTimeout: 60_000,
        })
      : null;
  const lanes = Array.from({ length: o.concurrency }, () =>
    pool
      ? {
          send: async (raw: Buffer) =>
            void (await pool.sendMail({ envelope: { from: BULK_FROM, to: [BULK_TO] }, raw })),
          close: () => undefined,
        }
      : connectionSender(o),
  );
  let latencies: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  let next = 0;
  const phase = async (count: number, first: number): Promise<void> => {
    next = 0;
    const worker = async (lane: { send: Send }) => {
      while (next < count) {
        const n = first + next++;
        const s = performance.now();
        try {
          // Composed to bytes, then sent, as the engine does: the same work in the same order.
          const raw = await new MailComposer({
            from: BULK_FROM,
            to: BULK_TO,
            subject: subjectFor(n),
            text: BULK_TEXT,
          })
            .compile()
            .build();
          await lane.send(raw);
          latencies.push(performance.now() - s);
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
        }
      }
    };
    await Promise.all(lanes.map(worker));
  };
  if (o.warmup > 0) {
    await phase(o.warmup, o.n + 1);
    latencies = [];
    // The engine's timed run opens its own connections after its warm-up run: so does this one.
    for (const lane of lanes) lane.close();
  }
  const t0 = performance.now();
  await phase(o.n, 1);
  const wallMs = performance.now() - t0;
  for (const lane of lanes) lane.close();
  pool?.close();
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
