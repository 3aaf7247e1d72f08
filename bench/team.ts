// Issue 13's benchmark, everything on this machine side by side in one run: 5 KB capture over SMTP at c=4 into a
// `serve` on SQLite and a `serve` on PostgreSQL (alternating), two `serve` instances on one database against one,
// and the 100,000-message list and search through the HTTP API of a `serve` on PostgreSQL. Where the time goes:
// CPU seconds of the serve process and of the cluster's processes during each capture run, commits per message,
// and the round trip of one commit. Layout: the cluster and every serve on the server core, the load clients and
// this runner on the client core (bench/README.md, "Team").
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PgStore } from '../src-main/store/postgres/index.js';
import { postgresMissing, startPostgres, type PgCluster } from '../test/helpers/postgres.js';
import { helperArgs } from './build.js';
import type { ClientResult } from './client-nodemailer.js';
import { timed, type TimedFigure } from './inbox.js';
import { listPage, searchTotal, waitIndexed } from './mailwright-api.js';
import { buildMessage, SHARED_TOKEN, tokenFor } from './messages.js';
import { CLIENT_CORE, ROOT, SERVER_CORE, spawnPinned, waitExit } from './proc.js';
import type { Target } from './report.js';
import { startServer, type ServerHandle } from './servers.js';
import { median, percentile } from './stats.js';
import type { Envelope } from '../src-shared/index.js';

const CONCURRENCY = 4;
const PAGE_SIZE = 50;
/** Seeding the 100,000 goes straight into PgStore.ingest from this process, this many at a time. */
const SEED_CONCURRENCY = 8;
const COMMIT_SAMPLES = 200;
const CLK_TCK = 100;

export type CaptureMode = 'sqlite' | 'postgres' | 'postgres, 2 instances';

export interface CaptureRun {
  mode: CaptureMode;
  round: number;
  /** Timed messages (the warm-up comes on top). */
  n: number;
  /** Messages stored in all: n and every client's warm-up. */
  stored: number;
  msgPerSec: number;
  /** Accept latency per message (sendMail to 250), the worst client's when two run. */
  p50Ms: number;
  p99Ms: number;
  /** Until every instance lists every message and search finds them. */
  indexedAfterMs: number;
  /** CPU seconds over the client run (warm-up included) and the indexing after it. */
  serveCpuS: number;
  postgresCpuS: number | null;
  /** Transactions the database committed per message stored (capture and indexing), PostgreSQL only. */
  commitsPerMessage: number | null;
}

export interface TeamResult {
  skipped: string | null;
  runs: CaptureRun[];
  /** One INSERT + COMMIT from this process to the cluster at rest, and a bare SELECT 1. */
  commitRoundTrip: { commitP50Ms: number; commitP99Ms: number; selectP50Ms: number } | null;
  inbox: {
    messages: number;
    seedMsgPerSec: number;
    indexedAfterSeedMs: number;
    serveReadyAfterMs: number;
    firstPage: TimedFigure;
    tokenSearch: TimedFigure;
    sharedSearch: TimedFigure;
  } | null;
}

export interface TeamOptions {
  n: number;
  rounds: number;
  inboxN: number;
  samples: number;
  log: (line: string) => void;
}

const ENVELOPE: Envelope = {
  mailFrom: 'bench-sender@example.test',
  rcptTo: ['bench-inbox@example.test'],
  heloName: 'bench.test',
  clientAddress: '127.0.0.1',
  clientPort: 40000,
  tls: null,
  authUser: null,
  listener: 'smtp',
};

/** utime + stime (+ the reaped children's) of one process, in seconds; 0 once it is gone. */
function cpuSeconds(pid: number, withChildren = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / CLK_TCK;
  } catch {
    return 0;
  }
}

/** The postmaster of the cluster on `port` (found by its command line: other clusters may run here). */
function postmasterPid(port: number): number {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m && /\/postgres\s/.test(m[2]!) && m[2]!.includes(`-p ${port} `)) return Number(m[1]);
  }
  throw new Error(`no postmaster found for port ${port}`);
}

/** CPU seconds of the whole cluster: the postmaster, its reaped children and its live ones (backends, WAL writer…). */
function clusterCpuSeconds(postmaster: number): number {
  let total = cpuSeconds(postmaster, true);
  let kids = '';
  try {
    kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' });
  } catch {
    // ps exits 1 with no children.
  }
  for (const pid of kids.split('\n').filter((l) => l.trim())) total += cpuSeconds(Number(pid));
  return total;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function commitsSoFar(url: string): Promise<number> {
  return withClient(url, async (c) => {
    // Statistics reach the shared view at most a second late: ask for a fresh snapshot of them.
    await c.query('SELECT pg_stat_clear_snapshot()');
    const r = await c.query<{ n: string }>(
      'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(r.rows[0]?.n ?? 0);
  });
}

/** The nodemailer load client (bench/client-nodemailer.ts) on the client core, tokens from `start`. */
async function nodemailerClient(port: number, n: number, concurrency: number, start: number): Promise<ClientResult> {
  const warmup = warmupOf(n);
  const p = spawnPinned(
    CLIENT_CORE,
    process.execPath,
    [...helperArgs('client-nodemailer'), JSON.stringify({ port, n, concurrency, size: '5k', warmup, start })],
    { cwd: ROOT },
  );
  const code = await waitExit(p, 60_000 + (n + warmup) * 40, `nodemailer client (n=${n}, c=${concurrency})`);
  const line = p
    .stdout()
    .split('\n')
    .find((l) => l.startsWith('CLIENT_RESULT '));
  if (code !== 0 || !line) throw new Error(`nodemailer client failed (exit ${code}): ${p.stderr().slice(-1000)}`);
  const r = JSON.parse(line.slice('CLIENT_RESULT '.length)) as ClientResult;
  if (r.failed > 0 || r.sent !== n) throw new Error(`${r.failed} of ${n} not accepted: ${r.firstError}`);
  return r;
}

function warmupOf(n: number): number {
  return Math.min(200, Math.max(10, Math.ceil(n / 5)));
}

/** Retention off, so nothing is pruned while a run or the 100,000 are stored. */
function writeConfig(dir: string): string {
  const file = path.join(dir, 'team-bench.json');
  fs.writeFileSync(file, JSON.stringify({ retention: { maxMessages: 0, maxBytes: 0 } }));
  return file;
}

async function captureRun(
  mode: CaptureMode,
  round: number,
  n: number,
  config: string,
  cluster: PgCluster,
  postmaster: number,
): Promise<CaptureRun> {
  const url = mode === 'sqlite' ? null : await cluster.createDatabase();
  const instances = mode === 'postgres, 2 instances' ? 2 : 1;
  const handles: ServerHandle[] = [];
  try {
    for (let i = 0; i < instances; i++)
      handles.push(await startServer('mailwright', ['--config', config, ...(url ? ['--store', url] : [])]));
    const commits0 = url ? await commitsSoFar(url) : 0;
    const serve0 = handles.map((h) => cpuSeconds(h.pid, true));
    const pg0 = url ? clusterCpuSeconds(postmaster) : 0;
    // Clients split across the instances: c=4 and n in all, each client with its own tokens.
    const share = n / instances;
    const results = await Promise.all(
      handles.map((h, i) => nodemailerClient(h.port, share, CONCURRENCY / instances, i * (share + warmupOf(share)))),
    );
    const total = instances * (share + warmupOf(share));
    // Every instance sees all mail: each must list and find every message.
    const indexed = await Promise.all(
      handles.map((h) =>
        waitIndexed(
          h.http!,
          {
            count: total,
            expect: [
              { query: SHARED_TOKEN, total },
              { query: tokenFor(share - 1), total: 1 },
            ],
          },
          30_000 + total * 20,
        ),
      ),
    );
    const serveCpuS = handles.reduce((s, h, i) => s + cpuSeconds(h.pid, true) - serve0[i]!, 0);
    const postgresCpuS = url ? clusterCpuSeconds(postmaster) - pg0 : null;
    const commitsPerMessage = url ? ((await commitsSoFar(url)) - commits0) / total : null;
    // One client alone: its own figure; two at once: all the messages over the slower one's timed phase.
    const msgPerSec = instances === 1 ? results[0]!.msgPerSec : n / (Math.max(...results.map((r) => r.wallMs)) / 1000);
    return {
      mode,
      round,
      n,
      stored: total,
      msgPerSec,
      p50Ms: Math.max(...results.map((r) => r.p50Ms)),
      p99Ms: Math.max(...results.map((r) => r.p99Ms)),
      indexedAfterMs: Math.max(...indexed),
      serveCpuS,
      postgresCpuS,
      commitsPerMessage,
    };
  } finally {
    for (const h of handles) await h.stop();
    if (url) await dropDatabase(cluster, url);
  }
}

async function dropDatabase(cluster: PgCluster, url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  await withClient(cluster.url(), (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

async function commitRoundTrip(cluster: PgCluster): Promise<TeamResult['commitRoundTrip']> {
  const url = await cluster.createDatabase();
  try {
    return await withClient(url, async (c) => {
      await c.query('CREATE TABLE bench_commit (id bigint generated always as identity primary key, body text)');
      const commits: number[] = [];
      const selects: number[] = [];
      for (let i = 0; i < COMMIT_SAMPLES; i++) {
        let t0 = performance.now();
        await c.query('BEGIN');
        await c.query('INSERT INTO bench_commit (body) VALUES ($1)', ['x'.repeat(100)]);
        await c.query('COMMIT');
        commits.push(performance.now() - t0);
        t0 = performance.now();
        await c.query('SELECT 1');
        selects.push(performance.now() - t0);
      }
      return { commitP50Ms: median(commits), commitP99Ms: percentile(commits, 99), selectP50Ms: median(selects) };
    });
  } finally {
    await dropDatabase(cluster, url);
  }
}

async function inboxRun(
  cluster: PgCluster,
  config: string,
  total: number,
  samples: number,
  log: (l: string) => void,
): Promise<NonNullable<TeamResult['inbox']>> {
  const url = await cluster.createDatabase();
  try {
    const store = await PgStore.open({ url, retention: { maxMessages: 0, maxBytes: 0 } });
    let seedMsgPerSec: number;
    let indexedAfterSeedMs: number;
    try {
      let next = 0;
      const t0 = performance.now();
      const worker = async (): Promise<void> => {
        for (let i = next++; i < total; i = next++) {
          await store.ingest(buildMessage('5k', i), ENVELOPE);
          if ((i + 1) % 20_000 === 0)
            log(`  seeded ${i + 1}/${total} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        }
      };
      await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
      seedMsgPerSec = total / ((performance.now() - t0) / 1000);
      const t1 = performance.now();
      await store.idle();
      indexedAfterSeedMs = performance.now() - t1;
    } finally {
      await store.close();
    }
    log(
      `  seeded ${total} x 5 KB through PgStore.ingest: ${seedMsgPerSec.toFixed(0)} msg/s, indexed +${indexedAfterSeedMs.toFixed(0)} ms`,
    );
    // A store that has held its mail a while has been vacuumed and analysed by autovacuum; a freshly seeded one has
    // not, and autovacuum would start on 100,000 updated rows and their GIN index in the middle of the timed
    // requests. Measure the steady state, as the SQLite inbox figures do.
    const vacuumStart = performance.now();
    const vacuum = new pg.Client({ connectionString: url });
    await vacuum.connect();
    try {
      await vacuum.query('VACUUM (ANALYZE)');
    } finally {
      await vacuum.end();
    }
    log(`  VACUUM (ANALYZE) before timing: ${((performance.now() - vacuumStart) / 1000).toFixed(1)} s`);
    const t2 = performance.now();
    const h = await startServer('mailwright', ['--config', config, '--store', url]);
    try {
      const base = h.http!;
      const sample = [0, Math.floor(total / 2), total - 1];
      await waitIndexed(
        base,
        {
          count: total,
          expect: [{ query: SHARED_TOKEN, total }, ...sample.map((i) => ({ query: tokenFor(i), total: 1 }))],
        },
        120_000 + total * 3,
      );
      const serveReadyAfterMs = performance.now() - t2;
      const firstPage = await timed(samples, async () => {
        const got = await listPage(base, PAGE_SIZE);
        if (got !== PAGE_SIZE) throw new Error(`first page had ${got} messages, not ${PAGE_SIZE}`);
      });
      // A different rare token each time, so no answer comes from a cache of the one before.
      const tokenSearch = await timed(samples, async (i) => {
        const idx = i < 0 ? 1 : Math.floor(((i + 1) * total) / (samples + 1));
        const got = await searchTotal(base, tokenFor(idx), PAGE_SIZE);
        if (got !== 1) throw new Error(`search for ${tokenFor(idx)} found ${got}, not 1`);
      });
      const sharedSearch = await timed(samples, async () => {
        const got = await searchTotal(base, SHARED_TOKEN, PAGE_SIZE);
        if (got !== total) throw new Error(`shared-word search found ${got}, not ${total}`);
      });
      return {
        messages: total,
        seedMsgPerSec,
        indexedAfterSeedMs,
        serveReadyAfterMs,
        firstPage,
        tokenSearch,
        sharedSearch,
      };
    } finally {
      await h.stop();
    }
  } finally {
    await dropDatabase(cluster, url);
  }
}

function runLine(r: CaptureRun): string {
  const pgPart =
    r.postgresCpuS === null
      ? ''
      : `, postgres ${r.postgresCpuS.toFixed(1)} s CPU, ${r.commitsPerMessage!.toFixed(2)} commits/msg`;
  return `  ${r.mode.padEnd(22)} r${r.round} ${r.msgPerSec.toFixed(0).padStart(5)} msg/s  p50 ${r.p50Ms.toFixed(1)} ms p99 ${r.p99Ms.toFixed(1)} ms  indexed +${r.indexedAfterMs.toFixed(0)} ms  serve ${r.serveCpuS.toFixed(1)} s CPU${pgPart}`;
}

export async function runTeamBench(opts: TeamOptions): Promise<TeamResult> {
  if (postgresMissing) return { skipped: postgresMissing, runs: [], commitRoundTrip: null, inbox: null };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-bench-team-'));
  const config = writeConfig(dir);
  // A production cluster (fsync on) on the server core, sharing it with the serve it feeds.
  const cluster = await startPostgres({ cpus: SERVER_CORE, durable: true });
  const result: TeamResult = { skipped: null, runs: [], commitRoundTrip: null, inbox: null };
  try {
    const postmaster = postmasterPid(cluster.port);
    result.commitRoundTrip = await commitRoundTrip(cluster);
    const c = result.commitRoundTrip!;
    opts.log(
      `  one INSERT + COMMIT from the runner: p50 ${c.commitP50Ms.toFixed(2)} ms, p99 ${c.commitP99Ms.toFixed(2)} ms (SELECT 1: ${c.selectP50Ms.toFixed(2)} ms)`,
    );
    // Alternating A, B, C, A, B, C…: the machine's load moves under all three alike.
    const modes: CaptureMode[] = ['sqlite', 'postgres', 'postgres, 2 instances'];
    for (let round = 1; round <= opts.rounds; round++) {
      for (const mode of modes) {
        const run = await captureRun(mode, round, opts.n, config, cluster, postmaster);
        result.runs.push(run);
        opts.log(runLine(run));
      }
    }
    opts.log(`  list and search: seeding ${opts.inboxN} messages into a fresh database`);
    result.inbox = await inboxRun(cluster, config, opts.inboxN, opts.samples, opts.log);
    const i = result.inbox;
    opts.log(
      `  ${i.messages} stored, serve up and indexed in ${(i.serveReadyAfterMs / 1000).toFixed(1)} s: list p50 ${i.firstPage.medianMs.toFixed(1)} ms, rare token p50 ${i.tokenSearch.medianMs.toFixed(1)} ms, shared word p50 ${i.sharedSearch.medianMs.toFixed(1)} ms`,
    );
  } finally {
    cluster.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

function med(runs: CaptureRun[], key: keyof CaptureRun): number {
  return median(runs.map((r) => r[key] as number));
}

export function teamTargets(r: TeamResult): Target[] {
  const targets: Target[] = [];
  const by = (mode: CaptureMode): CaptureRun[] => r.runs.filter((x) => x.mode === mode);
  const sqlite = by('sqlite');
  const pgRuns = by('postgres');
  const two = by('postgres, 2 instances');
  if (sqlite.length && pgRuns.length) {
    const s = med(sqlite, 'msgPerSec');
    const p = med(pgRuns, 'msgPerSec');
    targets.push({
      name: `serve on PostgreSQL vs on SQLite: 5 KB over SMTP, c=${CONCURRENCY} (medians of ${pgRuns.length})`,
      detail: `${p.toFixed(0)} vs ${s.toFixed(0)} msg/s = ${((p / s) * 100).toFixed(0)} % (target >= 50 %)`,
      pass: p / s >= 0.5,
    });
    const perMsg = (runs: CaptureRun[], key: 'serveCpuS' | 'postgresCpuS'): number =>
      median(runs.map((x) => ((x[key] ?? 0) * 1000) / x.stored));
    targets.push({
      name: 'where the time goes: CPU ms per message (information)',
      detail: `SQLite serve ${perMsg(sqlite, 'serveCpuS').toFixed(2)}; PostgreSQL serve ${perMsg(pgRuns, 'serveCpuS').toFixed(2)} + postgres ${perMsg(pgRuns, 'postgresCpuS').toFixed(2)}; ${med(pgRuns, 'commitsPerMessage').toFixed(2)} commits/msg`,
      pass: null,
    });
  }
  if (two.length && pgRuns.length) {
    const one = med(pgRuns, 'msgPerSec');
    const both = med(two, 'msgPerSec');
    targets.push({
      name: 'two serve instances on one database vs one (same core, clients split; information)',
      detail: `${both.toFixed(0)} vs ${one.toFixed(0)} msg/s = ${((both / one) * 100).toFixed(0)} %`,
      pass: null,
    });
  }
  if (r.inbox) {
    const i = r.inbox;
    targets.push({
      name: `PostgreSQL serve, ${i.messages} messages: list, rare-token and shared-token search p50 over HTTP`,
      detail: `${i.firstPage.medianMs.toFixed(1)} / ${i.tokenSearch.medianMs.toFixed(1)} / ${i.sharedSearch.medianMs.toFixed(1)} ms (target < 50 ms each)`,
      pass: Math.max(i.firstPage.medianMs, i.tokenSearch.medianMs, i.sharedSearch.medianMs) < 50,
    });
  }
  return targets;
}
