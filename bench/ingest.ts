// Ingestion suite: every (size, client, concurrency) workload against every server, rounds
// alternating A, B, C, D, A, B, … with a fresh server and data dir per run. Mailwright runs are
// then checked "stored and indexed" (count + full-text search) and timed to that point.
import { runClient, type ClientName } from './clients.js';
import { waitIndexed, type IndexedCheck } from './mailwright-api.js';
import { SHARED_TOKEN, tokenFor, type SizeName } from './messages.js';
import { MAILWRIGHT_SERVERS, startServer, type ServerName } from './servers.js';

export interface IngestOptions {
  servers: ServerName[];
  sizes: SizeName[];
  clients: ClientName[];
  concurrencies: number[];
  rounds: number;
  n: Record<SizeName, number>;
  log: (line: string) => void;
}

export interface IngestRun {
  workload: string;
  size: SizeName;
  client: ClientName;
  concurrency: number;
  server: ServerName;
  round: number;
  n: number;
  warmup: number;
  ok: boolean;
  error: string | null;
  msgPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  wallMs: number;
  timeToIndexedMs: number | null;
  rssAfterRunMB: number | null;
  rssAfterIndexMB: number | null;
  hwmMB: number | null;
}

export function workloadKey(size: SizeName, client: ClientName, concurrency: number): string {
  return `${size} ${client} c=${concurrency}`;
}

/**
 * One connection per message against a server with smtp-server's stock 100 ms greeting delay runs
 * at ~10 msg/s per connection; this many messages per connection keeps such a run to ~2.5 s.
 * Servers that greet at once get the full N: a run of 100 messages at 1,000 msg/s would measure
 * process start-up, not the server.
 */
const CONN_MODE_MSGS_PER_CONNECTION = 25;
const STOCK_GREETING_SERVERS: readonly ServerName[] = ['maildev', 'bare'];

export function messagesFor(
  opts: IngestOptions,
  size: SizeName,
  client: ClientName,
  concurrency: number,
  server: ServerName,
): number {
  const n = opts.n[size];
  const slowGreeting = client === 'source-conn' && STOCK_GREETING_SERVERS.includes(server);
  return slowGreeting ? Math.min(n, CONN_MODE_MSGS_PER_CONNECTION * concurrency) : n;
}

/** Untimed messages before each run, so the figures are steady state, not JIT warm-up. */
export function warmupFor(n: number): number {
  return Math.min(200, Math.max(10, Math.ceil(n / 5)));
}

function indexedCheck(client: ClientName, n: number, warmup: number): IndexedCheck {
  const all = n + warmup;
  if (client === 'nodemailer') {
    const sample = [...new Set([0, Math.floor(n / 2), n - 1])];
    return {
      count: all,
      expect: [{ query: SHARED_TOKEN, total: all }, ...sample.map((i) => ({ query: tokenFor(i), total: 1 }))],
    };
  }
  // smtp-source sends one file for every message: all of them carry token 0.
  return {
    count: all,
    expect: [
      { query: SHARED_TOKEN, total: all },
      { query: tokenFor(0), total: all },
    ],
  };
}

async function runOne(
  opts: IngestOptions,
  size: SizeName,
  client: ClientName,
  concurrency: number,
  server: ServerName,
  round: number,
): Promise<IngestRun> {
  const n = messagesFor(opts, size, client, concurrency, server);
  const warmup = warmupFor(n);
  const run: IngestRun = {
    workload: workloadKey(size, client, concurrency),
    size,
    client,
    concurrency,
    server,
    round,
    n,
    warmup,
    ok: false,
    error: null,
    msgPerSec: 0,
    p50Ms: null,
    p99Ms: null,
    wallMs: 0,
    timeToIndexedMs: null,
    rssAfterRunMB: null,
    rssAfterIndexMB: null,
    hwmMB: null,
  };
  let handle;
  try {
    // A start that fails (a port taken between probe and bind, a cold disk) is retried once: it is not a measurement.
    handle = await startServer(server).catch(() => startServer(server));
    // Generous: the slowest server (stock greeting, 100 KB, c=1) needs ~20 ms a message.
    const clientTimeout = 60_000 + (n + warmup) * 40;
    const load = await runClient(client, handle.port, n, concurrency, size, clientTimeout, warmup);
    Object.assign(run, { msgPerSec: load.msgPerSec, p50Ms: load.p50Ms, p99Ms: load.p99Ms, wallMs: load.wallMs });
    run.rssAfterRunMB = handle.mem()?.rssMB ?? null;
    if (load.failed > 0 || load.sent !== n) throw new Error(`${load.failed} of ${n} not accepted: ${load.firstError}`);
    if (MAILWRIGHT_SERVERS.includes(server) && handle.http) {
      run.timeToIndexedMs = await waitIndexed(handle.http, indexedCheck(client, n, warmup), 30_000 + (n + warmup) * 20);
      run.rssAfterIndexMB = handle.mem()?.rssMB ?? null;
    }
    run.hwmMB = handle.mem()?.hwmMB ?? null;
    run.ok = true;
  } catch (err) {
    run.error = (err as Error).message;
  } finally {
    await handle?.stop();
  }
  return run;
}

export async function runIngest(opts: IngestOptions): Promise<IngestRun[]> {
  const runs: IngestRun[] = [];
  for (const size of opts.sizes) {
    for (const client of opts.clients) {
      for (const c of opts.concurrencies) {
        for (let round = 1; round <= opts.rounds; round++) {
          for (const server of opts.servers) {
            const run = await runOne(opts, size, client, c, server, round);
            runs.push(run);
            const lat = run.p50Ms === null ? '' : ` p50 ${run.p50Ms.toFixed(1)} ms p99 ${run.p99Ms?.toFixed(1)} ms`;
            const idx = run.timeToIndexedMs === null ? '' : ` indexed +${run.timeToIndexedMs.toFixed(0)} ms`;
            opts.log(
              run.ok
                ? `  ${run.workload.padEnd(26)} r${round} ${server.padEnd(17)} ${run.msgPerSec.toFixed(0).padStart(6)} msg/s${lat}${idx}`
                : `  ${run.workload.padEnd(26)} r${round} ${server.padEnd(17)} FAILED: ${run.error}`,
            );
          }
        }
      }
    }
  }
  return runs;
}
