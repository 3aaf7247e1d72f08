// `--only bulk`: the bulk engine against bare nodemailer (SMTPConnections, the layer the engine uses), sending the
// same 5 KB messages (same fields, composed by MailComposer into bytes on both sides, same connections and messages
// per connection) to Postfix's smtp-sink and
// to Mailwright's own capture server, each pinned to the server core. The engine runs in a second Mailwright
// (serve, pinned to the client core) and records every send in its history; the bare client is a helper process
// spawned the same way. A and B alternate within each round, the first side swapping each round.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { READY_PREFIX, type ReadyInfo } from '../src-shared/bridge.js';
import type { BulkRun } from '../src-shared/index.js';
import { BULK_FROM, BULK_SUBJECT, BULK_TEXT, BULK_TO } from './bulk-message.js';
import { helperArgs } from './build.js';
import { CLIENT_CORE, killProc, ROOT, sleep, spawnPinned, waitExit, waitForLine, type Proc } from './proc.js';
import type { Target } from './report.js';
import { SERVE_JS, startServer, type ServerHandle } from './servers.js';
import { fmt, median } from './stats.js';

export const BULK_MIN_RATIO = 0.9;
const PER_CONNECTION = 100;
const HEADERS = { 'Content-Type': 'application/json', 'X-Mailwright-Request': '1' };

export interface BulkSide {
  msgPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface BulkRow {
  target: 'smtp-sink' | 'mailwright';
  concurrency: number;
  n: number;
  /** Per round. */
  engine: BulkSide[];
  bare: BulkSide[];
  /** Sends the engine's history gained in the timed runs, against n x rounds. */
  recorded: number;
}

export interface BulkBenchResult {
  rows: BulkRow[];
  messageBytes: number | null;
}

interface Sender {
  http: string;
  proc: Proc;
  dataDir: string;
}

async function api<T>(base: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(base + route, {
    method,
    headers: HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} -> ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function startSender(): Promise<Sender> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrbench-bulk-sender-'));
  const proc = spawnPinned(
    CLIENT_CORE,
    process.execPath,
    [SERVE_JS, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', dataDir],
    { cwd: ROOT },
  );
  const info = JSON.parse(await waitForLine(proc, READY_PREFIX, 20_000)) as ReadyInfo;
  const http = info.http.startsWith('http') ? info.http.replace(/\/$/, '') : `http://${info.http}`;
  // The cap protects real servers; the benchmark's runs are bigger than the default.
  await api(http, 'PUT', '/api/settings', { compose: { bulkMaxMessages: 1_000_000 } });
  return { http, proc, dataDir };
}

async function engineRun(s: Sender, profile: string, n: number, c: number, timeoutMs: number): Promise<BulkRun> {
  const run = await api<BulkRun>(s.http, 'POST', '/api/bulk', {
    profile,
    message: { from: BULK_FROM, to: [BULK_TO], subject: BULK_SUBJECT, text: BULK_TEXT },
    source: { kind: 'copies', count: n },
    settings: { concurrency: c, perSecond: 0, messagesPerConnection: PER_CONNECTION, attempts: 1 },
  });
  const deadline = Date.now() + timeoutMs;
  let current = run;
  // The run's own clock gives the figures; polling only tells when it ended.
  while (current.state === 'running') {
    if (Date.now() > deadline) throw new Error(`bulk run ${run.id} still running after ${timeoutMs} ms`);
    await sleep(100);
    current = await api<BulkRun>(s.http, 'GET', `/api/bulk/${run.id}`);
  }
  if (current.state !== 'done' || current.sent !== n)
    throw new Error(
      `bulk run ${run.id}: ${current.state}, ${current.sent}/${n} sent, ${JSON.stringify(current.failuresByCode)}`,
    );
  return current;
}

async function bareRun(port: number, n: number, c: number, warmup: number, timeoutMs: number): Promise<BulkSide> {
  const p = spawnPinned(
    CLIENT_CORE,
    process.execPath,
    [
      ...helperArgs('bulk-bare-client'),
      JSON.stringify({ port, n, concurrency: c, perConnection: PER_CONNECTION, warmup }),
    ],
    { cwd: ROOT },
  );
  const code = await waitExit(p, timeoutMs, `bulk bare client (n=${n}, c=${c})`);
  const line = p
    .stdout()
    .split('\n')
    .find((l) => l.startsWith('CLIENT_RESULT '));
  if (code !== 0 || !line) throw new Error(`bulk bare client failed (exit ${code}): ${p.stderr().slice(-1000)}`);
  const r = JSON.parse(line.slice('CLIENT_RESULT '.length)) as BulkSide & { sent: number; firstError: string | null };
  if (r.sent !== n) throw new Error(`bulk bare client sent ${r.sent}/${n}: ${r.firstError}`);
  return { msgPerSec: r.msgPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms };
}

export async function runBulkBench(o: {
  n: number;
  rounds: number;
  concurrencies: number[];
  log: (line: string) => void;
}): Promise<BulkBenchResult> {
  const rows: BulkRow[] = [];
  const warmup = Math.min(200, o.n);
  const timeoutMs = 10 * 60_000;
  let messageBytes: number | null = null;
  const sender = await startSender();
  try {
    for (const target of ['smtp-sink', 'mailwright'] as const) {
      let server: ServerHandle | null = null;
      try {
        server = await startServer(target);
        const profile = (
          await api<{ id: string }>(sender.http, 'POST', '/api/profiles', {
            name: `bench ${target} ${server.port}`,
            host: '127.0.0.1',
            port: server.port,
            security: 'none',
          })
        ).id;
        for (const c of o.concurrencies) {
          const row: BulkRow = { target, concurrency: c, n: o.n, engine: [], bare: [], recorded: 0 };
          for (let r = 0; r < o.rounds; r++) {
            const sides = r % 2 === 0 ? (['engine', 'bare'] as const) : (['bare', 'engine'] as const);
            for (const side of sides) {
              if (side === 'bare') {
                row.bare.push(await bareRun(server.port, o.n, c, warmup, timeoutMs));
              } else {
                await engineRun(sender, profile, warmup, c, timeoutMs);
                const before = (await api<{ total: number }>(sender.http, 'GET', '/api/sends?limit=1')).total;
                const run = await engineRun(sender, profile, o.n, c, timeoutMs);
                const after = await api<{ total: number; sends: { size: number }[] }>(
                  sender.http,
                  'GET',
                  '/api/sends?limit=1',
                );
                row.recorded += after.total - before;
                messageBytes ??= after.sends[0]?.size ?? null;
                row.engine.push({
                  msgPerSec: (run.done * 1000) / run.elapsedMs,
                  p50Ms: run.latency.p50,
                  p99Ms: run.latency.p99,
                });
              }
            }
          }
          rows.push(row);
          const e = medianSide(row.engine);
          const b = medianSide(row.bare);
          o.log(
            `  ${target.padEnd(10)} c=${String(c).padEnd(3)} engine ${fmt(e.msgPerSec, 0).padStart(6)} msg/s (p50 ${fmt(e.p50Ms, 1)}, p99 ${fmt(e.p99Ms, 1)} ms)  bare ${fmt(b.msgPerSec, 0).padStart(6)} msg/s (p50 ${fmt(b.p50Ms, 1)}, p99 ${fmt(b.p99Ms, 1)} ms)  ratio ${fmt(e.msgPerSec / b.msgPerSec, 2)}  recorded ${row.recorded}/${o.n * o.rounds}`,
          );
        }
      } finally {
        await server?.stop();
      }
    }
  } finally {
    await killProc(sender.proc);
    fs.rmSync(sender.dataDir, { recursive: true, force: true });
  }
  return { rows, messageBytes };
}

export function medianSide(sides: BulkSide[]): BulkSide {
  return {
    msgPerSec: median(sides.map((s) => s.msgPerSec)),
    p50Ms: median(sides.map((s) => s.p50Ms)),
    p99Ms: median(sides.map((s) => s.p99Ms)),
  };
}

export function bulkTargets(r: BulkBenchResult): Target[] {
  return r.rows.map((row) => {
    const e = medianSide(row.engine);
    const b = medianSide(row.bare);
    const ratio = e.msgPerSec / b.msgPerSec;
    const all = row.recorded === row.n * row.engine.length;
    return {
      name: `bulk engine >= ${BULK_MIN_RATIO * 100}% of bare nodemailer, every send recorded (${row.target}, c=${row.concurrency})`,
      detail: `${fmt(e.msgPerSec, 0)} vs ${fmt(b.msgPerSec, 0)} msg/s (${fmt(ratio * 100, 0)}%), p50 ${fmt(e.p50Ms, 1)}/${fmt(b.p50Ms, 1)} ms, p99 ${fmt(e.p99Ms, 1)}/${fmt(b.p99Ms, 1)} ms; recorded ${row.recorded}/${row.n * row.engine.length}`,
      pass: ratio >= BULK_MIN_RATIO && all,
    };
  });
}
