// Bulk runs: every message of a run sent through one nodemailer pool (concurrency = connections, messages per
// connection = the pool's maxMessages), paced to the run's messages per second, a 4xx (or a dropped connection)
// tried again after an exponential backoff, a 5xx never. Each message is recorded in the send history (kind
// `bulk`) and as a row of the run (bulk-repo.ts), written in batches so recording costs one transaction per
// ~100 ms rather than one per message. Progress goes out as `compose.bulk.progress`; the run's figures are stored
// with each batch, so the list, the run and its CSV and JSON exports are read from the store and outlive the process.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type * as CsvStringify from 'csv-stringify/sync';
import { lazyRequire } from '../core/lazy.js';

/** csv-stringify loads with the first CSV export. */
const csvStringify = lazyRequire<typeof CsvStringify>('csv-stringify/sync');
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import {
  DEFAULT_BULK_MAX_MESSAGES,
  MailwrightError,
  type BulkProgress,
  type BulkRow,
  type BulkRun,
  type BulkSettings,
  type BulkState,
  type ComposedMessage,
  type ParsedCallArgs,
  type ProfileConfig,
  type SendOutcome,
  type SendReport,
} from '../../src-shared/index.js';
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
/** nodemailer's codes for a connection that failed or dropped without a reply: worth another attempt. */
const NETWORK_ERRORS = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

export interface BulkDeps {
  profile(id: string): ProfileConfig;
  resolver(): HostResolver;
  allowRecipientDomains(): readonly string[] | undefined;
  maxMessages(): number | undefined;
  history: HistoryRepo;
  runs: BulkRepo;
  /** After each batch of history rows is written (retention, `compose.sent`); `last` for a run's final batch. */
  recorded(rows: readonly { id: number; outcome: SendOutcome }[], last: boolean): void;
  progress(p: BulkProgress): void;
}

interface SmtpError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  rejected?: string[];
  rejectedErrors?: SmtpError[];
  recipient?: string;
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

/**
 * A TCP connection with Nagle off. nodemailer writes the end of DATA as its own small segment; with Nagle on it
 * waits for the server's delayed ACK (~40 ms on Linux), so every message of a run would cost 40 ms whatever the
 * server does. nodemailer runs its SMTP (and STARTTLS or implicit TLS) over the socket it is handed.
 */
function connectNoDelay(
  host: string,
  port: number,
  timeoutMs: number,
  callback: (err: Error | null, socket?: { connection: net.Socket }) => void,
): void {
  const socket = net.connect({ host, port, noDelay: true });
  const timer = setTimeout(() => {
    socket.destroy();
    callback(
      Object.assign(new Error(`no connection to ${host}:${port} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }),
    );
  }, timeoutMs);
  const onError = (err: Error) => {
    clearTimeout(timer);
    callback(err);
  };
  socket.once('error', onError);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.removeListener('error', onError);
    callback(null, { connection: socket });
  });
}

/** nodemailer pool options for a profile; the host is already resolved (the resolver setting) to `address`. */
export function poolOptions(p: ProfileConfig, address: string, s: BulkSettings): SMTPPool.Options {
  const name = p.tls.servername || p.host;
  const implicit = p.security === 'implicit';
  const auth =
    p.auth.mechanism === 'none'
      ? undefined
      : p.auth.mechanism === 'XOAUTH2'
        ? { type: 'OAuth2' as const, user: p.auth.user ?? '', accessToken: p.auth.accessToken ?? '' }
        : { user: p.auth.user ?? '', pass: p.auth.password ?? '' };
  return {
    pool: true,
    host: address,
    port: p.port,
    secure: implicit,
    ignoreTLS: p.security === 'none',
    requireTLS: p.security === 'starttls-required',
    ...(p.localName ? { name: p.localName } : {}),
    connectionTimeout: (p.connectionTimeoutSeconds ?? 30) * 1000,
    greetingTimeout: (p.greetingTimeoutSeconds ?? 30) * 1000,
    socketTimeout: 60_000,
    maxConnections: s.concurrency,
    maxMessages: s.messagesPerConnection,
    tls: {
      rejectUnauthorized: p.tls.verify,
      ...(net.isIP(name) ? {} : { servername: name }),
      ...(p.tls.ca ? { ca: p.tls.ca } : {}),
      ...(p.tls.clientCert ? { cert: p.tls.clientCert } : {}),
      ...(p.tls.clientKey ? { key: p.tls.clientKey } : {}),
      ...(p.tls.minVersion ? { minVersion: p.tls.minVersion } : {}),
    },
    getSocket: (_options: unknown, callback: (err: Error | null, socket?: { connection: net.Socket }) => void) =>
      connectNoDelay(address, p.port, (p.connectionTimeoutSeconds ?? 30) * 1000, callback),
    ...(auth ? { auth } : {}),
    ...(auth && p.auth.mechanism !== 'XOAUTH2' ? { authMethod: p.auth.mechanism } : {}),
  };
}

interface Attempt {
  ok: boolean;
  /** Worth another attempt: a 4xx, or no reply at all (a dropped or refused connection). */
  transient: boolean;
  reply: string | null;
  code: string | undefined;
  accepted: string[];
  rejected: { address: string; reply: string }[];
  error: string | null;
  ms: number;
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
    this.#d.runs.save(run.view());
    this.#d.runs.prune();
    this.#runs.set(run.id, run);
    run.done = this.#run(run, template, address)
      .catch((err: unknown) => {
        run.error = (err as Error).message;
        run.end('failed');
        try {
          this.#d.runs.save(run.view());
        } catch {
          // The store itself failed; the run stays `running` there and reads as interrupted after a restart.
        }
        this.#d.progress(run.progress());
      })
      .finally(() => this.#runs.delete(run.id));
    return run.view();
  }

  get(id: string): BulkRun {
    const live = this.#runs.get(id);
    if (live) return live.view();
    const stored = this.#d.runs.get(id);
    if (!stored) throw new MailwrightError('not_found', `no bulk run ${id}`, 'id');
    return stored;
  }

  list(): BulkRun[] {
    return this.#d.runs.list().map((r) => this.#runs.get(r.id)?.view() ?? r);
  }

  async cancel(id: string): Promise<BulkRun> {
    const run = this.#runs.get(id);
    if (!run) return this.get(id);
    run.abort.abort();
    await run.done;
    return run.view();
  }

  /** The run and its rows as stored: every message of a finished run, those of its last batch for a running one. */
  export(id: string, format: 'csv' | 'json'): { filename: string; contentType: string; content: string } {
    const run = this.get(id);
    const rows = this.#d.runs.rows(id);
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
    const transport = nodemailer.createTransport(poolOptions(run.profile, address, s));
    // A pooled connection that fails outside a send is reported to that send; nothing else listens.
    transport.on('error', () => undefined);
    const pending: { record: SendRecord; row: BulkRow }[] = [];
    let flushTimer: NodeJS.Timeout | null = null;
    const flush = (last = false) => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      if (pending.length === 0) {
        if (last) {
          this.#d.runs.save(run.view());
          this.#d.recorded([], true);
        }
        return;
      }
      const batch = pending.splice(0);
      // The history entries, the run's rows (with their history ids) and its figures, in one transaction.
      const ids = this.#d.runs.transaction(() => {
        const inserted = this.#d.history.insertMany(batch.map((b) => b.record));
        batch.forEach((b, i) => (b.row.sendId = inserted[i]!));
        this.#d.runs.addRows(
          run.id,
          run.stored,
          batch.map((b) => b.row),
        );
        run.stored += batch.length;
        this.#d.runs.save(run.view());
        return inserted;
      });
      this.#d.recorded(
        batch.map((b, i) => ({ id: ids[i]!, outcome: b.record.report.outcome })),
        last,
      );
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
    const worker = async () => {
      while (!signal.aborted && next < run.source.total) {
        const index = next++;
        if (s.perSecond > 0) await pause(started + (paced++ * 1000) / s.perSecond - performance.now(), signal);
        if (signal.aborted) break;
        await this.#one(run, template, index, transport, record);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(s.concurrency, run.source.total) }, worker));
    } finally {
      clearInterval(ticker);
      transport.close();
      // Ended first, so the last batch stores the final figures with the last rows.
      run.end(signal.aborted ? 'cancelled' : 'done');
      flush(true);
      this.#d.progress(run.progress());
    }
  }

  async #one(
    run: Run,
    template: ComposedMessage,
    index: number,
    transport: nodemailer.Transporter,
    record: (r: SendRecord, row: BulkRow) => void,
  ): Promise<void> {
    const item = run.source.item(index);
    const message = fill(template, item);
    let raw: Buffer | null = null;
    let messageId: string | null = null;
    let envelope = { from: '', to: [] as string[] };
    let attempt: Attempt;
    let attempts = 0;
    let cancelled = false;
    try {
      const built = await buildMessage(message, run.profile.defaultFrom);
      raw = run.profile.dkim ? await signDkim(built.raw, run.profile.dkim) : built.raw;
      messageId = built.messageId;
      envelope = built.envelope;
      for (;;) {
        attempts++;
        attempt = await this.#attempt(transport, envelope, raw);
        if (attempt.ok || !attempt.transient || attempts >= run.settings.attempts) break;
        run.retries++;
        const key = replyKey(attempt.reply ?? attempt.rejected[0]?.reply, attempt.code);
        run.retriedByCode[key] = (run.retriedByCode[key] ?? 0) + 1;
        await pause(run.settings.backoffMs * 2 ** (attempts - 1), run.abort.signal);
        if (run.abort.signal.aborted) {
          cancelled = true;
          break;
        }
      }
    } catch (err) {
      attempt = {
        ok: false,
        transient: false,
        reply: null,
        code: undefined,
        accepted: [],
        rejected: [],
        error: `${itemPlace(item)}: ${(err as Error).message}`,
        ms: 0,
      };
    }
    const outcome: SendOutcome = attempt.ok
      ? attempt.rejected.length > 0
        ? 'partial'
        : 'delivered'
      : attempt.reply || attempt.rejected.length > 0
        ? 'rejected'
        : 'failed';
    if (attempt.ok) run.sent++;
    else run.failed++;
    // Failures count per recipient refused, and once for a message that failed without a per-recipient reply.
    for (const r of attempt.rejected) {
      const key = replyKey(r.reply);
      run.failuresByCode[key] = (run.failuresByCode[key] ?? 0) + 1;
    }
    if (!attempt.ok && attempt.rejected.length === 0) {
      const key = replyKey(attempt.reply, attempt.code);
      run.failuresByCode[key] = (run.failuresByCode[key] ?? 0) + 1;
    }
    run.latencies.push(attempt.ms);
    const reply = attempt.reply ?? attempt.rejected[0]?.reply ?? attempt.error;
    const row: BulkRow = {
      n: item.n,
      recipient: envelope.to.join(', ') || (message.to ?? []).join(', '),
      outcome: cancelled ? 'cancelled' : outcome,
      reply,
      latencyMs: Math.round(attempt.ms * 10) / 10,
      attempts,
      sendId: null,
    };
    run.completed++;
    const report: Omit<SendReport, 'id'> = {
      outcome,
      accepted: attempt.accepted.map((address) => ({ address, reply: attempt.reply ?? '' })),
      rejected: attempt.rejected,
      reply: attempt.reply,
      messageId,
      envelope,
      ms: Math.round(attempt.ms),
      size: raw?.length ?? 0,
      tls: null,
      transcript: [
        {
          ms: 0,
          dir: '*',
          text: `bulk run ${run.id}, message ${item.n} of ${run.source.total}, ${attempts} attempt${attempts === 1 ? '' : 's'}${cancelled ? ', cancelled before the next' : ''}; bulk sends keep no SMTP transcript`,
        },
      ],
      explanation: null,
      error: attempt.ok ? null : attempt.error,
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

  async #attempt(
    transport: nodemailer.Transporter,
    envelope: { from: string; to: string[] },
    raw: Buffer,
  ): Promise<Attempt> {
    const t0 = performance.now();
    try {
      const info = (await transport.sendMail({ envelope: { from: envelope.from, to: [...envelope.to] }, raw })) as {
        accepted: string[];
        response: string;
        rejectedErrors?: SmtpError[];
      };
      const rejected = (info.rejectedErrors ?? []).map((e) => ({
        address: e.recipient ?? '',
        reply: e.response ?? e.message,
      }));
      return {
        ok: true,
        transient: false,
        reply: info.response,
        code: undefined,
        accepted: info.accepted.map(String),
        rejected,
        error: null,
        ms: performance.now() - t0,
      };
    } catch (e) {
      const err = e as SmtpError;
      const rejected = (err.rejectedErrors ?? []).map((r) => ({
        address: r.recipient ?? '',
        reply: r.response ?? r.message,
      }));
      const replies = rejected.length > 0 ? rejected.map((r) => r.reply) : err.response ? [err.response] : [];
      // Retried: any 4xx (greylisting, 421 closing) and no reply at all (refused, dropped, timed out); never a 5xx.
      const transient = replies.length === 0 ? NETWORK_ERRORS.has(err.code ?? '') : replies.every((r) => /^4/.test(r));
      return {
        ok: false,
        transient,
        reply: rejected.length > 0 ? null : (err.response ?? null),
        code: err.code,
        accepted: [],
        rejected,
        error: err.message,
        ms: performance.now() - t0,
      };
    }
  }
}
