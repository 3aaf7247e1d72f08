// `npm run bench`: the benchmark suite's entry. Parses flags, pins itself to the client core,
// runs the chosen parts, prints tables with PASS/FAIL per target and writes bench/results/<ts>.json.
// Never part of `npm test`: it prints figures, it asserts only that mail was stored and indexed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runAutomation, type AutomationResult } from './automation.js';
import { buildHelpers } from './build.js';
import { bulkTargets, runBulkBench, type BulkBenchResult } from './bulk.js';
import { ALL_CLIENTS, cleanupClientFiles, type ClientName } from './clients.js';
import { runImport, type ImportBenchResult } from './import.js';
import { runFlood, type FloodResult } from './flood.js';
import { diffTargets, runDiffBench, type DiffBenchResult } from './diff.js';
import { runTemplatesBench, templatesTargets, type TemplatesBenchResult } from './templates.js';
import { postgresTargets, runPostgresBench, type PostgresBenchResult } from './postgres.js';
import { runTeamBench, teamTargets, type TeamResult } from './team.js';
import { FUZZ_TARGET_NAMES, runFuzz, type FuzzBenchResult } from './fuzz.js';
import { runChecksBench, type ChecksBenchRow } from './checks.js';
import { runCompat, type CompatResult } from './compat.js';
import { runInbox, type InboxResult } from './inbox.js';
import { runIngest, type IngestRun } from './ingest.js';
import { runLatency, type LatencyResult } from './latency.js';
import { runMemory, type MemoryResult } from './memory.js';
import type { SizeName } from './messages.js';
import { killChildrenOnExit, pinSelf } from './proc.js';
import {
  automationTargets,
  floodTargets,
  importTargets,
  compatTargets,
  inboxTargets,
  ingestTable,
  ingestTargets,
  latencyTargets,
  memoryTargets,
  ratioTable,
  summarize,
  targetLines,
  type Target,
} from './report.js';
import {
  ALL_SERVERS,
  ensureMaildev,
  ensurePostfixStopped,
  mailwrightBuilt,
  MAILDEV_VERSION,
  ROOT,
  startServer,
  type ServerName,
} from './servers.js';

type Part =
  | 'ingest'
  | 'memory'
  | 'inbox'
  | 'latency'
  | 'import'
  | 'flood'
  | 'fuzz'
  | 'compat'
  | 'automation'
  | 'checks'
  | 'diff'
  | 'bulk'
  | 'templates'
  | 'postgres'
  | 'team';
const ALL_PARTS: Part[] = [
  'ingest',
  'latency',
  'inbox',
  'memory',
  'import',
  'flood',
  'fuzz',
  'compat',
  'automation',
  'checks',
  'diff',
  'bulk',
  'templates',
  'postgres',
  'team',
];
/** The memory run (10,000 x 100 KB), the 1 GB import, the flood (200 x 45 MB) and the long fuzz take minutes each: their own modes. */
const DEFAULT_PARTS: Part[] = ['ingest', 'latency', 'inbox'];

const USAGE = `Usage: npm run bench -- [options]
  --only PARTS        comma list of ingest,memory,inbox,latency,import,flood,fuzz,compat,automation,checks,diff,bulk,templates,postgres,team (default: ingest,latency,inbox)
  --all               every part, memory, import, flood and fuzz included
  --n N               messages per ingest run, both sizes (default 2000 for 5 KB, 400 for 100 KB;
                      one-connection-per-message runs against servers with the stock
                      100 ms greeting send at most 25 per connection)
  --rounds R          rounds over the servers, quoted as medians (default 3)
  --servers LIST      comma list of mailwright,maildev,bare,smtp-sink (default: all), plus the opt-in
                      mailwright-faults (Mailwright with 100 fault rules that never fire)
  --clients LIST      comma list of nodemailer,source-reuse,source-conn (default: all)
  --concurrency LIST  comma list (default 1,4,16)
  --memory-n N        100 KB messages for the memory run (default 10000)
  --inbox-n N         stored messages for the inbox, compat and team figures (default 100000)
  --import-mb N       size of the generated mbox the import run streams in (default 1024)
  --flood-streams S   concurrent slow DATA streams in the flood run (default 200)
  --flood-mb M        size of each flood stream in MB (default 45)
  --fuzz-runs N       inputs per parser entry point for the fuzz part (default 10000)
  --fuzz-seed S       fast-check seed for the fuzz part (default: a new one, printed for replay)
  --fuzz-targets LIST comma list of ${FUZZ_TARGET_NAMES.join(',')} (default: all)
  --quick             smoke run: small N, one round
`;

function list<T extends string>(
  value: string | undefined,
  all: readonly T[],
  what: string,
  defaults: readonly T[] = all,
): T[] {
  if (!value) return [...defaults];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of items)
    if (!all.includes(i as T)) throw new Error(`unknown ${what} "${i}" (one of ${all.join(', ')})`);
  return items as T[];
}

function positiveInt(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${what} must be a positive integer`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      n: { type: 'string' },
      rounds: { type: 'string' },
      servers: { type: 'string' },
      clients: { type: 'string' },
      concurrency: { type: 'string' },
      'memory-n': { type: 'string' },
      'inbox-n': { type: 'string' },
      'import-mb': { type: 'string' },
      'flood-streams': { type: 'string' },
      'flood-mb': { type: 'string' },
      'fuzz-runs': { type: 'string' },
      'fuzz-seed': { type: 'string' },
      'fuzz-targets': { type: 'string' },
      quick: { type: 'boolean' },
      all: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const quick = values.quick ?? false;
  const parts = values.all ? ALL_PARTS : values.only ? list<Part>(values.only, ALL_PARTS, 'part') : DEFAULT_PARTS;
  const nFlag = values.n === undefined ? null : positiveInt(values.n, 1, 'n');
  const n: Record<SizeName, number> = nFlag
    ? { '5k': nFlag, '100k': nFlag }
    : quick
      ? { '5k': 100, '100k': 30 }
      : { '5k': 2000, '100k': 400 };
  const rounds = positiveInt(values.rounds, quick ? 1 : 3, 'rounds');
  const concurrencies = (values.concurrency ?? '1,4,16').split(',').map((c) => positiveInt(c, 1, 'concurrency'));
  const memoryN = positiveInt(values['memory-n'], quick ? 500 : 10_000, 'memory-n');
  const inboxN = positiveInt(values['inbox-n'], quick ? 5000 : 100_000, 'inbox-n');
  const importMB = positiveInt(values['import-mb'], quick ? 64 : 1024, 'import-mb');
  const floodStreams = positiveInt(values['flood-streams'], quick ? 20 : 200, 'flood-streams');
  const floodMB = positiveInt(values['flood-mb'], quick ? 20 : 45, 'flood-mb');
  let servers = list<ServerName>(values.servers, [...ALL_SERVERS, 'mailwright-faults'], 'server', ALL_SERVERS);
  const clients = list<ClientName>(values.clients, ALL_CLIENTS, 'client');
  const fuzzRuns = positiveInt(values['fuzz-runs'], quick ? 300 : 10_000, 'fuzz-runs');
  const fuzzSeed =
    values['fuzz-seed'] === undefined ? Date.now() % 2 ** 31 : positiveInt(values['fuzz-seed'], 1, 'fuzz-seed');
  const fuzzTargets = list(values['fuzz-targets'], FUZZ_TARGET_NAMES, 'fuzz target');

  const log = (line: string): void => console.log(line);
  const started = new Date();
  killChildrenOnExit();
  const pinned = pinSelf();
  log(
    `[bench] ${started.toISOString()}  node ${process.version}  ${os.cpus().length} cores  runner pinned to core 1: ${pinned ? 'yes' : 'NO'}`,
  );
  // The fuzz, checks, diff, templates and postgres parts run in this process; only the server parts need helpers and a quiet Postfix.
  const serverParts = parts.filter(
    (p) => p !== 'fuzz' && p !== 'checks' && p !== 'diff' && p !== 'templates' && p !== 'postgres',
  );
  if (serverParts.length) {
    ensurePostfixStopped();
    await buildHelpers();
    // Only the ingest matrix runs MailDev: an import or memory run needs no install.
    if (parts.includes('ingest') && servers.includes('maildev')) ensureMaildev();
  }

  // Mailwright is probed once: if serve mode is missing or broken, the baselines still run.
  let mailwright: { available: boolean; reason: string | null } = { available: false, reason: 'not requested' };
  if ((serverParts.length && servers.includes('mailwright')) || serverParts.some((p) => p !== 'ingest')) {
    if (!mailwrightBuilt())
      mailwright = { available: false, reason: 'out/main/serve.js is missing (run `npx electron-vite build`)' };
    else {
      try {
        const h = await startServer('mailwright');
        await h.stop();
        mailwright = { available: true, reason: null };
      } catch (err) {
        mailwright = { available: false, reason: (err as Error).message.split('\n')[0] ?? 'unknown' };
      }
    }
    if (!mailwright.available) {
      log(`\n!!! Mailwright is NOT measured: ${mailwright.reason}\n`);
      servers = servers.filter((s) => !s.startsWith('mailwright'));
    }
  }

  const targets: Target[] = [];
  const errors: string[] = [];
  let ingest: IngestRun[] = [];
  let memory: MemoryResult | null = null;
  let inbox: InboxResult | null = null;
  let compat: CompatResult | null = null;
  let latency: LatencyResult | null = null;
  let automation: AutomationResult | null = null;
  let importRun: ImportBenchResult | null = null;
  let flood: FloodResult | null = null;
  let fuzz: FuzzBenchResult[] = [];
  let checks: ChecksBenchRow[] = [];
  let diff: DiffBenchResult | null = null;
  let bulk: BulkBenchResult | null = null;
  let templates: TemplatesBenchResult | null = null;
  let postgres: PostgresBenchResult | null = null;
  let team: TeamResult | null = null;
  const timings: Record<string, number> = {};
  const part = async (name: Part, needsMailwright: boolean, fn: () => Promise<void>): Promise<void> => {
    if (!parts.includes(name)) return;
    if (needsMailwright && !mailwright.available) {
      log(`\n== ${name}: skipped (Mailwright unavailable)`);
      return;
    }
    const t0 = performance.now();
    try {
      await fn();
    } catch (err) {
      errors.push(`${name}: ${(err as Error).message}`);
      log(`!!! ${name} FAILED: ${(err as Error).message}`);
    }
    timings[name] = (performance.now() - t0) / 1000;
  };

  await part('ingest', false, async () => {
    log(
      `\n== ingest: servers ${servers.join(', ')}; N ${n['5k']} (5 KB) / ${n['100k']} (100 KB); ${rounds} round(s); concurrency ${concurrencies.join(',')}`,
    );
    ingest = await runIngest({ servers, sizes: ['5k', '100k'], clients, concurrencies, rounds, n, log });
    for (const r of ingest.filter((x) => !x.ok))
      errors.push(`ingest ${r.workload} ${r.server} r${r.round}: ${r.error}`);
  });
  await part('latency', true, async () => {
    const samples = quick ? 10 : 50;
    log(`\n== latency: ${samples} messages, 250 -> messages.added over WebSocket`);
    latency = await runLatency(samples, log);
    targets.push(...latencyTargets(latency));
  });
  await part('automation', true, async () => {
    const o = quick
      ? { waitSamples: 10, backlog: 5000, mailboxMessages: 1000, webhookMessages: 200, rounds: 1 }
      : { waitSamples: 50, backlog: inboxN, mailboxMessages: 20_000, webhookMessages: 2000, rounds: 3 };
    log(
      `\n== automation: wait x${o.waitSamples}, fresh mail behind ${o.backlog}, mailboxes over ${o.mailboxMessages}, webhook A/B ${o.webhookMessages} x ${o.rounds}`,
    );
    automation = await runAutomation(o, log);
    targets.push(...automationTargets(automation));
  });
  await part('inbox', true, async () => {
    log(`\n== inbox: ${inboxN} stored messages (mbox import), ${quick ? 10 : 30} timed requests each`);
    inbox = await runInbox(inboxN, quick ? 10 : 30, log);
    targets.push(...inboxTargets(inbox));
  });
  await part('compat', true, async () => {
    log(
      `\n== compat: Mailpit and MailHog first pages with ${inboxN} stored messages, ${quick ? 10 : 30} requests each`,
    );
    compat = await runCompat(inboxN, quick ? 10 : 30, log);
    targets.push(...compatTargets(compat));
  });
  await part('memory', true, async () => {
    log(`\n== memory: ${memoryN} x 100 KB into Mailwright (nodemailer pool, c=4)`);
    memory = await runMemory(memoryN, 4);
    log(`  ${memory.msgPerSec.toFixed(0)} msg/s, indexed +${memory.timeToIndexedMs.toFixed(0)} ms`);
    targets.push(...memoryTargets(memory));
  });
  await part('import', true, async () => {
    log(`\n== import: one ${importMB} MB mbox of 5 KB messages, streamed as one POST /api/messages/import`);
    importRun = await runImport(importMB, log);
    const r: ImportBenchResult = importRun;
    log(
      `  ${r.messages} messages in ${r.seconds.toFixed(1)} s: ${r.msgPerSec.toFixed(0)} msg/s, ${r.mbPerSec.toFixed(1)} MB/s, peak RSS ${r.peakRssMB?.toFixed(0) ?? 'n/a'} MB`,
    );
    targets.push(...importTargets(r));
  });
  await part('flood', true, async () => {
    log(`\n== flood: ${floodStreams} concurrent slow ${floodMB} MB DATA streams into Mailwright (default settings)`);
    const f = await runFlood(floodStreams, floodMB, log);
    flood = f;
    log(
      `  ${f.accepted} x 250, ${f.refused} x 452 4.3.1, ${f.other.length} other; ${f.storedAfter ?? '?'} stored; ${f.seconds.toFixed(0)} s`,
    );
    for (const o of f.other.slice(0, 5)) log(`  other: ${o.slice(0, 160)}`);
    targets.push(...floodTargets(f));
  });
  await part('fuzz', false, async () => {
    log(`\n== fuzz: parser entry points on hostile inputs (each call against its time budget)`);
    fuzz = await runFuzz({
      runs: fuzzRuns,
      seed: fuzzSeed,
      targets: fuzzTargets,
      resultsDir: path.join(ROOT, 'bench/results'),
      runId: started.toISOString().replace(/[:.]/g, '-'),
      log,
    });
    for (const f of fuzz.filter((r) => r.failure)) errors.push(`fuzz ${f.target}: ${f.failure}`);
  });
  await part('checks', false, async () => {
    log(`\n== checks: every offline check of one signed HTML message, in-process, DNS on loopback (ms)`);
    checks = await runChecksBench({ iterations: quick ? 50 : 300, log });
  });
  await part('diff', false, async () => {
    log(`\n== diff: structured diff, screenshots and pixel diffs (issue 11)`);
    diff = await runDiffBench({ quick, log });
    targets.push(...diffTargets(diff));
  });
  await part('bulk', true, async () => {
    const bulkN = nFlag ?? (quick ? 200 : 2000);
    log(
      `\n== bulk: engine (a second Mailwright, history on) vs bare nodemailer SMTPConnections, ${bulkN} x 5 KB to smtp-sink and Mailwright; ${rounds} round(s) A/B; concurrency ${concurrencies.join(',')}`,
    );
    bulk = await runBulkBench({ n: bulkN, rounds, concurrencies, log });
    targets.push(...bulkTargets(bulk));
  });

  await part('templates', false, async () => {
    log(`\n== templates: an MJML template re-rendered after each save (issue 11)`);
    templates = await runTemplatesBench({ quick, log });
    targets.push(...templatesTargets(templates));
  });
  await part('postgres', false, async () => {
    const n = nFlag ?? (quick ? 1000 : 5000);
    log(
      `\n== postgres: ${n} x 5 KB at c=4 into PgStore vs the SQLite Store, in-process, on a private cluster (issue 13)`,
    );
    postgres = await runPostgresBench({ n, log });
    if (postgres.skipped) log(`  skipped: ${postgres.skipped}`);
    targets.push(...postgresTargets(postgres));
  });
  await part('team', true, async () => {
    // Two instances split the messages and the connections: an even N.
    const n = 2 * Math.ceil((nFlag ?? (quick ? 200 : 2000)) / 2);
    log(
      `\n== team: ${n} x 5 KB over SMTP at c=4 into serve on SQLite, on PostgreSQL, and two serves on one database (${rounds} round(s), alternating); then ${inboxN} messages listed and searched over HTTP on PostgreSQL (issue 13)`,
    );
    team = await runTeamBench({ n, rounds, inboxN, samples: quick ? 10 : 30, log });
    if (team.skipped) log(`  skipped: ${team.skipped}`);
    targets.push(...teamTargets(team));
  });
  cleanupClientFiles();

  const summary = summarize(ingest);
  if (summary.length) {
    log(
      '\n== Ingestion (medians over rounds; p50/p99 = per-message accept latency, nodemailer only; "indexed +ms" = time from the last 250 until count and search agree)',
    );
    log(ingestTable(summary));
    if (mailwright.available && servers.includes('mailwright')) {
      log('\n== Mailwright throughput ratios (median msg/s)');
      log(ratioTable(summary));
      targets.unshift(...ingestTargets(summary));
    }
  }
  if (latency) log(`\n== 250 -> UI event: see targets below`);
  if (targets.length) log(`\n== Targets\n${targetLines(targets)}`);
  if (errors.length) log(`\n!!! ${errors.length} FAILURE(S):\n${errors.map((e) => `  - ${e}`).join('\n')}`);

  const resultsDir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        options: {
          parts,
          n,
          rounds,
          concurrencies,
          servers,
          clients,
          memoryN,
          inboxN,
          importMB,
          floodStreams,
          floodMB,
          quick,
          fuzzRuns,
          fuzzSeed,
          fuzzTargets,
        },
        maildevVersion: MAILDEV_VERSION,
        mailwright,
        timingsSec: timings,
        ingest: { summary, runs: ingest },
        latency,
        automation,
        inbox,
        compat,
        memory,
        import: importRun,
        flood,
        fuzz,
        checks,
        diff,
        bulk,
        templates,
        postgres,
        team,
        targets,
        errors,
      },
      null,
      2,
    ),
  );
  log(
    `\nResults written to ${path.relative(ROOT, file)}  (parts took ${Object.entries(timings)
      .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
      .join(', ')})`,
  );
  return errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
