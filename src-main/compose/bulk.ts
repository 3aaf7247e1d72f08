// Bulk runs: every message of a run sent over the run's lanes (bulk-lane.ts: concurrency = connections, each
// reused for the run's messages per connection), paced to the run's messages per second. A 4xx (or a dropped
// connection) is tried again after an exponential backoff, a 5xx never; when only some recipients met a 4xx, only
// they are tried again, and each recipient's final outcome is reported. Each message is recorded in the send
// history (kind `bulk`, with its redacted transcript) and as a row of the run (bulk-repo.ts), written in batches so
// recording costs one transaction per ~100 ms rather than one per message. Progress goes out as
// `compose.bulk.progress`; the run's figures are stored with each batch, so the list, the run and its CSV and JSON
// exports are read from the store and outlive the process.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type * as CsvStringify from 'csv-stringify/sync';
import { lazyRequire } from '../core/lazy.js';

/** csv-stringify loads with the first CSV export. */
const csvStringify = lazyRequire<typeof CsvStringify>('csv-stringify/sync');
import {
  DEFAULT_BULK_MAX_MESSAGES,
  MailwrightError,
  type BulkProgress,
  type BulkRecipient,
  type BulkRow,
  type ClientTranscriptLine,
  type BulkRun,
  type BulkSettings,
  type BulkState,
  type ComposedMessage,
  type ParsedCallArgs,
  type ProfileConfig,
  type SendOutcome,
  type SendReport,
} from '../../src-shared/index.js';
import { Lane, type LaneAttempt } from './bulk-lane.js';
import { checkPlaceholders, fill, itemPlace, readSource, recipientsOf, type BulkSourceRead } from './bulk-template.js';
import type { BulkRepo } from './bulk-repo.js';
import type { HistoryRepo, SendRecord } from './history-repo.js';
import { buildMessage, signDkim } from './message-build.js';
import type { HostResolver } from './resolver.js';
import { checkGuardrails, isLoopbackHost } from './sender.js';

/** History rows are written together once this many wait, or after FLUSH_MS. */
const FLUSH_ROWS = 256;
const FLUSH_MS = 100;
const PROGRESS_MS = 250;
export interface BulkDeps {
  profile(id: string): ProfileConfig;
  resolver(): HostResolver;
  allowRecipientDomains(): readonly string[] | undefined;
  maxMessages(): number | undefined;
  history: HistoryRepo;
  runs: BulkRepo;
  /** After each batch of history rows is written (retention, `compose.sent`); `last` for a run's final batch. */
  recorded(rows: readonly { id: number; outcome: SendOutcome }[], last: boolean): Promise<void> | void;
  progress(p: BulkProgress): void;
}

/** `550 5.1.1` from a reply, the error code (`ECONNREFUSED`) without one. */
export function replyKey(reply: string | null | undefined, code?: string): string {
  const m = reply ? /^(\d{3})(?:[ -](\d\.\d{1,3}\.\d{1,3}))?/.exec(reply) : null;
  if (m) return m[2] ? `${m[1]} ${m[2]}` : m[1]!;
  return code ?? 'error';
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Resolves after `ms`, or at once when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

class Run {
  readonly id = `b-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  readonly startedAt = new Date();
  finishedAt: Date | null = null;
  state: BulkState = 'running';
  error: string | null = null;
  /** Messages finished; `stored` of them are in the store. */
  completed = 0;
  stored = 0;
  readonly latencies: number[] = [];
  sent = 0;
  failed = 0;
  retries = 0;
  readonly failuresByCode: Record<string, number> = {};
  readonly retriedByCode: Record<string, number> = {};
  readonly abort = new AbortController();
  done: Promise<void> = Promise.resolve();
  readonly #started = performance.now();
  #ended: number | null = null;

  constructor(
    readonly profileId: string,
    readonly profile: ProfileConfig,
    readonly source: BulkSourceRead,
    readonly settings: BulkSettings,
  ) {}

  end(state: BulkState): void {
    this.state = state;
    this.finishedAt = new Date();
    this.#ended = performance.now();
  }

  progress(): BulkProgress {
    const elapsedMs = Math.round((this.#ended ?? performance.now()) - this.#started);
    const done = this.completed;
    const perSecond = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      id: this.id,
      state: this.state,
      total: this.source.total,
      done,
      sent: this.sent,
      failed: this.failed,
      retries: this.retries,
      failuresByCode: { ...this.failuresByCode },
      retriedByCode: { ...this.retriedByCode },
      perSecond: round(perSecond),
      latency: {
        p50: round(percentile(sorted, 50)),
        p95: round(percentile(sorted, 95)),
        p99: round(percentile(sorted, 99)),
      },
      elapsedMs,
      etaMs:
        this.state === 'running' && perSecond > 0 ? Math.round(((this.source.total - done) / perSecond) * 1000) : null,
      error: this.error,
    };
  }

  view(): BulkRun {
    return {
      ...this.progress(),
      profileId: this.profileId,
      profileName: this.profile.name,
      host: this.profile.host,
      port: this.profile.port,
      source: this.source.kind,
      settings: this.settings,
      startedAt: this.startedAt.toISOString(),
      finishedAt: this.finishedAt?.toISOString() ?? null,
    };
  }
}

export class BulkRuns {
  readonly #d: BulkDeps;
  /** Runs of this process still running; the store holds the rest (and these, as of their last batch). */
  readonly #runs = new Map<string, Run>();

  constructor(deps: BulkDeps) {
    this.#d = deps;
  }

  async start(a: ParsedCallArgs<'compose.bulk.start'>): Promise<BulkRun> {
    const profile = this.#d.profile(a.profile);
    const source = readSource(a.source);
    const cap = this.#d.maxMessages() ?? DEFAULT_BULK_MAX_MESSAGES;
    if (source.total > cap)
      throw new MailwrightError(
        'too_large',
        `${source.total} messages is over the cap of ${cap} per run (compose.bulkMaxMessages): nothing was sent`,
        a.source.kind === 'csv' ? 'source.csv' : 'source.count',
      );
    const template = a.message as ComposedMessage;
    checkPlaceholders(template, source.kind === 'csv' ? Object.keys(source.item(0).values) : []);
    // Every row's recipients are read before anything is sent: a bad address or one outside the allow-list
    // refuses the whole run, naming its row.
    const allow = this.#d.allowRecipientDomains();
    let recipients = 0;
    for (let i = 0; i < source.total; i++) {
      const item = source.item(i);
      const to = recipientsOf(fill({ to: template.to, cc: template.cc, bcc: template.bcc }, item), item);
      recipients += to.length;
      if (allow?.length)
        try {
          checkGuardrails({ profile, envelope: { from: '', to }, confirm: true }, allow);
        } catch (err) {
          const e = err as MailwrightError;
          throw new MailwrightError(e.code, `${itemPlace(item)}: ${e.message}`, e.field);
        }
    }
    if (!isLoopbackHost(profile.host) && !a.confirm)
      throw new MailwrightError(
        'forbidden',
        `${profile.host} is not this machine: confirm sending ${source.total} messages to ${recipients} recipients with confirm: true`,
        'confirm',
      );
    // The first message is built now so a template that cannot be built is an error, not a run of failures.
    await buildMessage(fill(template, source.item(0)), profile.defaultFrom);
    let address = profile.host;
    if (!net.isIP(profile.host)) {
      try {
        const found = await this.#d.resolver()(profile.host);
        address = found[0] ?? profile.host;
      } catch (err) {
        throw new MailwrightError('unavailable', `${profile.host}: ${(err as Error).message}`, 'profile');
      }
    }
    const run = new Run(a.profile, profile, source, a.settings);
    await this.#d.runs.save(run.view());
    await this.#d.runs.prune();
    this.#runs.set(run.id, run);
    run.done = this.#run(run, template, address)
      .catch(async (err: unknown) => {
        run.error = (err as Error).message;
        run.end('failed');
        try {
          await this.#d.runs.save(run.view());
        } catch {
          // The store itself failed; the run stays `running` there and reads as interrupted after a restart.
        }
        this.#d.progress(run.progress());
      })
      .finally(() => this.#runs.delete(run.id));
    return run.view();
  }

  async get(id: string): Promise<BulkRun> {
    const live = this.#runs.get(id);
    if (live) return live.view();
    const stored = await this.#d.runs.get(id);
    if (!stored) throw new MailwrightError('not_found', `no bulk run ${id}`, 'id');
    return stored;
  }

  async list(): Promise<BulkRun[]> {
    return (await this.#d.runs.list()).map((r) => this.#runs.get(r.id)?.view() ?? r);
  }

  async cancel(id: string): Promise<BulkRun> {
    const run = this.#runs.get(id);
    if (!run) return this.get(id);
    run.abort.abort();
    await run.done;
    return run.view();
  }

  /** The run and its rows as stored: every message of a finished run, those of its last batch for a running one. */
  async export(
    id: string,
    format: 'csv' | 'json',
  ): Promise<{ filename: string; contentType: string; content: string }> {
    const run = await this.get(id);
    const rows = await this.#d.runs.rows(id);
    if (format === 'json')
      return {
        filename: `bulk-${run.id}.json`,
        contentType: 'application/json',
        content: JSON.stringify({ run, rows }, null, 2),
      };
    const columns = ['n', 'recipient', 'outcome', 'reply', 'latencyMs', 'attempts', 'sendId'] as const;
    return {
      filename: `bulk-${run.id}.csv`,
      contentType: 'text/csv; charset=utf-8',
      content: csvStringify().stringify(
        rows.map((r) => columns.map((c) => r[c] ?? '')),
        { header: true, columns: [...columns] },
      ),
    };
  }

  /** Cancels every run and waits for what is in flight to be recorded. */
  async stop(): Promise<void> {
    for (const run of this.#runs.values()) run.abort.abort();
    await Promise.all([...this.#runs.values()].map((r) => r.done));
  }

  async #run(run: Run, template: ComposedMessage, address: string): Promise<void> {
    const s = run.settings;
    const lanes = Array.from(
      { length: Math.min(s.concurrency, run.source.total) },
      () => new Lane(run.profile, address, s),
    );
    const pending: { record: SendRecord; row: BulkRow }[] = [];
    let flushTimer: NodeJS.Timeout | null = null;
    // Batches are written one after another, in order (a batch's rows continue the previous batch's `seq`).
    let writing: Promise<void> = Promise.resolve();
    const store: { error: Error | null } = { error: null };
    const write = async (batch: typeof pending, last: boolean) => {
      if (store.error) return;
      try {
        if (batch.length === 0) {
          await this.#d.runs.save(run.view());
          await this.#d.recorded([], true);
          return;
        }
        // The history entries, the run's rows (with their history ids) and its figures, in one transaction.
        const ids = await this.#d.runs.transaction(async (tx) => {
          const inserted = await this.#d.history.insertMany(
            batch.map((b) => b.record),
            tx,
          );
          batch.forEach((b, i) => (b.row.sendId = inserted[i]!));
          await this.#d.runs.addRows(
            run.id,
            run.stored,
            batch.map((b) => b.row),
            tx,
          );
          await this.#d.runs.save({ ...run.view(), done: run.stored + batch.length }, tx);
          return inserted;
        });
        run.stored += batch.length;
        await this.#d.recorded(
          batch.map((b, i) => ({ id: ids[i]!, outcome: b.record.report.outcome })),
          last,
        );
      } catch (err) {
        // The store failed: the run stops, and fails with this error once what is in flight has ended. The
        // history counted the rolled-back batch's bytes as held: it counts again.
        this.#d.history.forgetHeld();
        store.error = err instanceof Error ? err : new Error(String(err));
        run.abort.abort();
      }
    };
    const flush = (last = false) => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      if (pending.length === 0 && !last) return;
      const batch = pending.splice(0);
      writing = writing.then(() => write(batch, last));
    };
    const record = (r: SendRecord, row: BulkRow) => {
      pending.push({ record: r, row });
      if (pending.length >= FLUSH_ROWS) flush();
      else flushTimer ??= setTimeout(() => flush(), FLUSH_MS);
    };
    const ticker = setInterval(() => this.#d.progress(run.progress()), PROGRESS_MS);
    const started = performance.now();
    let next = 0;
    let paced = 0;
    const signal = run.abort.signal;
    const worker = async (lane: Lane) => {
      while (!signal.aborted && next < run.source.total) {
        const index = next++;
        if (s.perSecond > 0) await pause(started + (paced++ * 1000) / s.perSecond - performance.now(), signal);
        if (signal.aborted) break;
        await this.#one(run, template, index, lane, record);
      }
    };
    try {
      await Promise.all(lanes.map(worker));
    } finally {
      clearInterval(ticker);
      for (const lane of lanes) lane.close();
      // Ended first, so the last batch stores the final figures with the last rows.
      run.end(signal.aborted ? 'cancelled' : 'done');
      flush(true);
      await writing;
    }
    // A failed write ends the run as failed (start's catch stores and announces that), never as cancelled.
    if (store.error) throw store.error;
    this.#d.progress(run.progress());
  }

  async #one(
    run: Run,
    template: ComposedMessage,
    index: number,
    lane: Lane,
    record: (r: SendRecord, row: BulkRow) => void,
  ): Promise<void> {
    const item = run.source.item(index);
    const message = fill(template, item);
    let raw: Buffer | null = null;
    let messageId: string | null = null;
    let envelope = { from: '', to: [] as string[] };
    let last: LaneAttempt | null = null;
    let attempts = 0;
    let cancelled = false;
    let buildError: string | null = null;
    /** Each recipient's latest word: accepted, or refused at RCPT with its reply. */
    const outcomes = new Map<string, { accepted: boolean; reply: string; attempts: number }>();
    const transcript: ClientTranscriptLine[] = [];
    let remaining: string[] = [];
    try {
      const built = await buildMessage(message, run.profile.defaultFrom);
      raw = run.profile.dkim ? await signDkim(built.raw, run.profile.dkim) : built.raw;
      messageId = built.messageId;
      envelope = built.envelope;
      remaining = [...envelope.to];
      for (;;) {
        attempts++;
        if (attempts > 1) transcript.push({ ms: 0, dir: '*', text: `attempt ${attempts}, to ${remaining.join(', ')}` });
        last = await lane.attempt({ from: envelope.from, to: remaining }, raw);
        transcript.push(...last.transcript);
        for (const address of last.accepted)
          outcomes.set(address, { accepted: true, reply: last.reply ?? '', attempts });
        for (const r of last.rejected) outcomes.set(r.address, { accepted: false, reply: r.reply, attempts });
        // Who gets another attempt: the recipients a 4xx put off, or all of them when the whole message met a 4xx
        // or no reply; never those accepted or refused with a 5xx.
        const again = last.transient
          ? remaining
          : last.rejected.filter((r) => /^4/.test(r.reply)).map((r) => r.address);
        if (again.length === 0 || attempts >= run.settings.attempts) break;
        run.retries++;
        const key = last.transient
          ? replyKey(last.reply, last.code)
          : replyKey(last.rejected.find((r) => /^4/.test(r.reply))?.reply);
        run.retriedByCode[key] = (run.retriedByCode[key] ?? 0) + 1;
        await pause(run.settings.backoffMs * 2 ** (attempts - 1), run.abort.signal);
        if (run.abort.signal.aborted) {
          cancelled = true;
          break;
        }
        remaining = again;
      }
    } catch (err) {
      buildError = `${itemPlace(item)}: ${(err as Error).message}`;
    }
    const accepted = [...outcomes].filter(([, o]) => o.accepted);
    const refused = [...outcomes].filter(([, o]) => !o.accepted);
    // The last attempt failed as a whole (MAIL or DATA refused, no reply at all): its recipients have no reply of
    // their own, the message's reply (or error) stands for them.
    const wholeFailure = buildError !== null || (last !== null && !last.ok && last.rejected.length === 0);
    const unanswered = wholeFailure ? remaining.filter((a) => !outcomes.has(a)) : [];
    const ok = accepted.length > 0;
    const outcome: SendOutcome = ok
      ? refused.length > 0 || unanswered.length > 0
        ? 'partial'
        : 'delivered'
      : last?.reply || refused.length > 0
        ? 'rejected'
        : 'failed';
    if (ok) run.sent++;
    else run.failed++;
    // Failures count per recipient refused, and once for a message whose last attempt failed as a whole.
    for (const [, o] of refused) {
      const key = replyKey(o.reply);
      run.failuresByCode[key] = (run.failuresByCode[key] ?? 0) + 1;
    }
    if (wholeFailure) {
      const key = replyKey(last?.reply, last?.code);
      run.failuresByCode[key] = (run.failuresByCode[key] ?? 0) + 1;
    }
    const ms = last?.ms ?? 0;
    run.latencies.push(ms);
    const error = buildError ?? (last && !last.ok ? last.error : null);
    const messageReply = last?.reply ?? null;
    const reply = messageReply ?? last?.rejected[0]?.reply ?? error;
    const recipients: BulkRecipient[] = [
      ...[...outcomes].map(([address, o]) => ({
        address,
        outcome: o.accepted ? ('accepted' as const) : ('refused' as const),
        reply: o.reply,
        attempts: o.attempts,
      })),
      ...unanswered.map((address) => ({ address, outcome: 'failed' as const, reply, attempts })),
    ];
    const row: BulkRow = {
      n: item.n,
      recipient: envelope.to.join(', ') || (message.to ?? []).join(', '),
      outcome: cancelled ? 'cancelled' : outcome,
      reply,
      latencyMs: Math.round(ms * 10) / 10,
      attempts,
      sendId: null,
      recipients,
    };
    run.completed++;
    const report: Omit<SendReport, 'id'> = {
      outcome,
      accepted: accepted.map(([address, o]) => ({ address, reply: o.reply })),
      rejected: [
        ...refused.map(([address, o]) => ({ address, reply: o.reply })),
        ...(ok ? unanswered.map((address) => ({ address, reply: reply ?? '' })) : []),
      ],
      reply: messageReply,
      messageId,
      envelope,
      ms: Math.round(ms),
      size: raw?.length ?? 0,
      tls: null,
      transcript: [
        {
          ms: 0,
          dir: '*',
          text: `bulk run ${run.id}, message ${item.n} of ${run.source.total}, ${attempts} attempt${attempts === 1 ? '' : 's'}${cancelled ? ', cancelled before the next' : ''}`,
        },
        ...transcript,
      ],
      explanation: null,
      error: ok && !wholeFailure ? null : error,
    };
    record(
      {
        kind: 'bulk',
        profileId: run.profileId,
        profileName: run.profile.name,
        host: run.profile.host,
        port: run.profile.port,
        subject: message.subject ?? '',
        report,
        raw,
      },
      row,
    );
  }
}
