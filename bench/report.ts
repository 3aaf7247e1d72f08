// Turns benchmark runs into the printed tables (medians), the Mailwright ratios and the
// PASS/FAIL lines for the targets. Pure functions of the results; no I/O but `print`.
import type { AutomationResult } from './automation.js';
import { CLIENT_LABEL, type ClientName } from './clients.js';
import type { IngestRun } from './ingest.js';
import type { ImportBenchResult } from './import.js';
import type { CompatResult } from './compat.js';
import type { InboxResult } from './inbox.js';
import type { LatencyResult } from './latency.js';
import type { FloodResult } from './flood.js';
import type { MemoryResult } from './memory.js';
import type { SizeName } from './messages.js';
import { BENCH_FAULT_RULES, type ServerName } from './servers.js';
import { fmt, median } from './stats.js';

export interface IngestSummary {
  workload: string;
  size: SizeName;
  client: ClientName;
  concurrency: number;
  server: ServerName;
  n: number;
  okRuns: number;
  runs: number;
  msgPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  timeToIndexedMs: number | null;
  maxRssMB: number | null;
}

export interface Target {
  name: string;
  detail: string;
  pass: boolean | null;
}

const nullableMedian = (v: (number | null)[]): number | null => {
  const m = median(v.filter((x): x is number => x !== null));
  return Number.isFinite(m) ? m : null;
};

export function summarize(runs: IngestRun[]): IngestSummary[] {
  const groups = new Map<string, IngestRun[]>();
  for (const r of runs) {
    const key = `${r.workload}|${r.server}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0] as IngestRun;
    const ok = g.filter((r) => r.ok);
    const rss = ok.flatMap((r) => [r.rssAfterRunMB, r.rssAfterIndexMB]).filter((x): x is number => x !== null);
    return {
      workload: first.workload,
      size: first.size,
      client: first.client,
      concurrency: first.concurrency,
      server: first.server,
      n: first.n,
      okRuns: ok.length,
      runs: g.length,
      // A failed run counts as 0 msg/s: a server that loses mail is not fast.
      msgPerSec: median(g.map((r) => (r.ok ? r.msgPerSec : 0))),
      p50Ms: nullableMedian(ok.map((r) => r.p50Ms)),
      p99Ms: nullableMedian(ok.map((r) => r.p99Ms)),
      timeToIndexedMs: nullableMedian(ok.map((r) => r.timeToIndexedMs)),
      maxRssMB: rss.length ? Math.max(...rss) : null,
    };
  });
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function ingestTable(summary: IngestSummary[]): string {
  return table(
    ['workload', 'server', 'N', 'msg/s', 'p50 ms', 'p99 ms', 'indexed +ms', 'RSS MB', 'ok'],
    summary.map((s) => [
      s.workload,
      s.server,
      String(s.n),
      fmt(s.msgPerSec, 0),
      fmt(s.p50Ms, 2),
      fmt(s.p99Ms, 2),
      s.server.startsWith('mailwright') ? fmt(s.timeToIndexedMs, 0) : '',
      fmt(s.maxRssMB, 0),
      `${s.okRuns}/${s.runs}`,
    ]),
  );
}

function find(summary: IngestSummary[], workload: string, server: ServerName): IngestSummary | undefined {
  return summary.find((s) => s.workload === workload && s.server === server);
}

export function ratioTable(summary: IngestSummary[]): string {
  const workloads = [...new Set(summary.map((s) => s.workload))];
  const rows = workloads.flatMap((w) => {
    const mw = find(summary, w, 'mailwright');
    if (!mw) return [];
    const bare = find(summary, w, 'bare');
    const md = find(summary, w, 'maildev');
    const sink = find(summary, w, 'smtp-sink');
    const faults = find(summary, w, 'mailwright-faults');
    const ratio = (o?: IngestSummary): string =>
      o && o.msgPerSec > 0 ? `${fmt(mw.msgPerSec / o.msgPerSec, 2)}x` : 'n/a';
    const withRules = faults && mw.msgPerSec > 0 ? `${fmt(faults.msgPerSec / mw.msgPerSec, 2)}x` : 'n/a';
    return [[w, fmt(mw.msgPerSec, 0), ratio(bare), ratio(md), ratio(sink), withRules]];
  });
  return table(
    ['workload', 'Mailwright msg/s', 'vs bare', 'vs MailDev', 'vs smtp-sink', `${BENCH_FAULT_RULES} rules / none`],
    rows,
  );
}

export function ingestTargets(summary: IngestSummary[]): Target[] {
  const targets: Target[] = [];
  const ratio = (w: string, other: ServerName): number | null => {
    const mw = find(summary, w, 'mailwright');
    const o = find(summary, w, other);
    return mw && o && o.msgPerSec > 0 ? mw.msgPerSec / o.msgPerSec : null;
  };
  const check = (name: string, w: string, other: ServerName, min: number): void => {
    const r = ratio(w, other);
    targets.push({
      name,
      detail: `${w}: Mailwright/${other} = ${r === null ? 'n/a' : r.toFixed(2)} (need >= ${min})`,
      pass: r === null ? null : r >= min,
    });
  };
  // Both reused-session clients are judged: smtp-source -d is the protocol figure, nodemailer the everyday one.
  for (const client of ['source-reuse', 'nodemailer'] as ClientName[]) {
    const label = CLIENT_LABEL[client];
    check(`5 KB c=4 reused sessions >= 50% of bare smtp-server [${label}]`, `5k ${client} c=4`, 'bare', 0.5);
    check(`5 KB c=4 reused sessions >= 4x MailDev [${label}]`, `5k ${client} c=4`, 'maildev', 4);
    check(`100 KB c=4 >= 3x MailDev [${label}]`, `100k ${client} c=4`, 'maildev', 3);
  }
  check('5 KB one connection per message c=4 >= 20x MailDev', '5k source-conn c=4', 'maildev', 20);
  return targets;
}

/** Memory target: both the after-run and after-indexing RSS must be within the budget. */
export const RSS_BUDGET_MB = 250;
/** Issue 7: the steady 10,000 x 100 KB run must peak (VmHWM) under this, indexing included. */
export const STEADY_PEAK_BUDGET_MB = 200;
export function memoryTargets(m: MemoryResult): Target[] {
  const worst = Math.max(m.rssAfterRunMB ?? Infinity, m.rssAfterIndexMB ?? Infinity);
  return [
    {
      name: `peak VmHWM over ${m.n} x 100 KB and indexing < ${STEADY_PEAK_BUDGET_MB} MB`,
      detail: `peak ${fmt(m.hwmMB, 0)} MB at ${fmt(m.msgPerSec, 0)} msg/s, indexed ${fmt(m.timeToIndexedMs / 1000, 0)} s after the last 250`,
      pass: m.hwmMB === null ? null : m.hwmMB < STEADY_PEAK_BUDGET_MB,
    },
    {
      name: `RSS after ${m.n} x 100 KB <= ${RSS_BUDGET_MB} MB`,
      detail:
        `after run ${fmt(m.rssAfterRunMB, 0)} MB (private ${fmt(m.anonAfterRunMB, 0)}), after indexing ${fmt(m.rssAfterIndexMB, 0)} MB ` +
        `(private ${fmt(m.anonAfterIndexMB, 0)}, file-backed ${fmt(m.fileAfterIndexMB, 0)}), peak VmHWM ${fmt(m.hwmMB, 0)} MB, at start ${fmt(m.startRssMB, 0)} MB`,
      pass: Number.isFinite(worst) ? worst <= RSS_BUDGET_MB : null,
    },
  ];
}

/** A streamed import holds one step of messages, never the file: its peak must stay within the ingest memory budget. */
export function importTargets(r: ImportBenchResult): Target[] {
  return [
    {
      name: `peak RSS importing a ${fmt(r.fileMB, 0)} MB mbox <= ${RSS_BUDGET_MB} MB`,
      detail:
        `${r.messages} messages in ${fmt(r.seconds, 1)} s: ${fmt(r.msgPerSec, 0)} msg/s, ${fmt(r.mbPerSec, 1)} MB/s; ` +
        `RSS at start ${fmt(r.startRssMB, 0)} MB, highest sampled ${fmt(r.maxSampledRssMB, 0)} MB, peak VmHWM ${fmt(r.peakRssMB, 0)} MB, ` +
        `after ${fmt(r.rssAfterMB, 0)} MB (private ${fmt(r.anonAfterMB, 0)}, file-backed ${fmt(r.fileAfterMB, 0)})`,
      pass: r.peakRssMB === null ? null : r.peakRssMB <= RSS_BUDGET_MB,
    },
  ];
}

/** The bound for 200 concurrent 45 MB streams: the in-flight budget must keep the process under it. */
export const FLOOD_RSS_BUDGET_MB = 1024;
export function floodTargets(f: FloodResult): Target[] {
  const allAnswered = f.other.length === 0 && f.storedAfter === f.accepted;
  return [
    {
      name: `${f.streams} x ${f.messageMB} MB concurrent streams: RSS < ${FLOOD_RSS_BUDGET_MB} MB, HTTP answers throughout, every stream 250 or 452`,
      detail:
        `peak RSS ${fmt(f.peakRssMB, 0)} MB (VmHWM ${fmt(f.hwmMB, 0)}, at start ${fmt(f.startRssMB, 0)}, after ${fmt(f.rssAfterMB, 0)}); ` +
        `${f.accepted} x 250, ${f.refused} x 452, ${f.other.length} other, ${f.storedAfter ?? '?'} stored; ` +
        `HTTP ${f.httpProbes - f.httpFailures}/${f.httpProbes} answered, slowest ${fmt(f.httpMaxMs, 0)} ms`,
      pass: f.hwmMB !== null && f.hwmMB < FLOOD_RSS_BUDGET_MB && f.httpFailures === 0 && allAnswered,
    },
  ];
}

export const INBOX_BUDGET_MS = 50;
export function inboxTargets(r: InboxResult): Target[] {
  const t = (name: string, f: { medianMs: number; p90Ms: number }): Target => ({
    name: `${name} with ${r.messages} messages < ${INBOX_BUDGET_MS} ms (median)`,
    detail: `median ${fmt(f.medianMs, 1)} ms, p90 ${fmt(f.p90Ms, 1)} ms`,
    pass: f.medianMs < INBOX_BUDGET_MS,
  });
  return [
    t('first page (limit 50)', r.firstPage),
    t('search, unique token', r.tokenSearch),
    t('search, common word', r.wordSearch),
  ];
}

/** The compat lists are held to the native list's budget (issue 12). */
export function compatTargets(r: CompatResult): Target[] {
  const t = (name: string, f: { medianMs: number; p90Ms: number }): Target => ({
    name: `${name} with ${r.messages} messages < ${INBOX_BUDGET_MS} ms (median)`,
    detail: `median ${fmt(f.medianMs, 1)} ms, p90 ${fmt(f.p90Ms, 1)} ms`,
    pass: f.medianMs < INBOX_BUDGET_MS,
  });
  return [
    t('Mailpit GET /api/v1/messages (limit 50)', r.mailpitList),
    t('MailHog GET /api/v2/messages (limit 50)', r.mailhogList),
  ];
}

export const LATENCY_BUDGET_MS = 200;
export function latencyTargets(r: LatencyResult): Target[] {
  return [
    {
      name: `250 -> messages.added event < ${LATENCY_BUDGET_MS} ms (median)`,
      detail: `median ${fmt(r.medianMs, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms, max ${fmt(r.maxMs, 1)} ms over ${r.samples}, lost ${r.lost}`,
      pass: r.lost === 0 && r.medianMs < LATENCY_BUDGET_MS,
    },
  ];
}

export function targetLines(targets: Target[]): string {
  return targets
    .map((t) => `${t.pass === null ? 'N/A ' : t.pass ? 'PASS' : 'FAIL'}  ${t.name}\n      ${t.detail}`)
    .join('\n');
}

export const WAIT_P50_MS = 20;
export const WAIT_P99_MS = 100;
export const FRESH_SEARCHABLE_MS = 1000;
export const WEBHOOK_MIN_RATIO = 0.95;
export function automationTargets(r: AutomationResult): Target[] {
  return [
    {
      name: `wait 250 -> /api/wait answer p50 < ${WAIT_P50_MS} ms, p99 < ${WAIT_P99_MS} ms`,
      detail: `p50 ${fmt(r.wait.p50Ms, 1)} ms, p99 ${fmt(r.wait.p99Ms, 1)} ms, max ${fmt(r.wait.maxMs, 1)} ms over ${r.wait.samples}`,
      pass: r.wait.p50Ms < WAIT_P50_MS && r.wait.p99Ms < WAIT_P99_MS,
    },
    {
      name: `newest message searchable < ${FRESH_SEARCHABLE_MS} ms after its 250, behind a ${r.fresh.backlog} backlog`,
      detail: `${fmt(r.fresh.searchableMs, 0)} ms`,
      pass: r.fresh.searchableMs < FRESH_SEARCHABLE_MS,
    },
    {
      name: `GET /api/mailboxes with ${r.mailboxes.messages} messages < ${INBOX_BUDGET_MS} ms (median)`,
      detail: `list ${fmt(r.mailboxes.listP50Ms, 1)} ms (${r.mailboxes.recipients} recipients), one mailbox ${fmt(r.mailboxes.pageP50Ms, 1)} ms`,
      pass: r.mailboxes.listP50Ms < INBOX_BUDGET_MS,
    },
    {
      name: `capture with a 1 s webhook receiver within ${fmt((1 - WEBHOOK_MIN_RATIO) * 100, 0)} % of none (A/B)`,
      detail: `${fmt(r.webhooks.withMsgPerSec, 0)} vs ${fmt(r.webhooks.withoutMsgPerSec, 0)} msg/s (${fmt(r.webhooks.ratio * 100, 1)} %), ${r.webhooks.messages} messages x ${r.webhooks.rounds} rounds`,
      pass: r.webhooks.ratio >= WEBHOOK_MIN_RATIO,
    },
  ];
}
