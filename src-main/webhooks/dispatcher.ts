// Sends queued webhook deliveries: a few at a time, each retried with exponential backoff until it gets a 2xx
// or runs out of attempts, every attempt logged. Work is found by polling the tables (no event payload is built
// on the commit path), so capture never waits on a webhook, however slow its receiver. One look at the tables runs
// at a time; a poke meanwhile makes another follow it.
// Requests go through node:http on kept-alive connections: fetch (undici) cost several times the CPU per request,
// and that CPU is taken from the process that captures mail.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { WebhookConfig, WebhookEvent } from '../../src-shared/contract/webhooks.js';
import type { DueDelivery, WebhookRepository } from './repository.js';

/** Requests in flight at once: a slow receiver holds at most this many, and the rest wait in the table. */
const MAX_IN_FLIGHT = 4;
/** A receiver that takes longer than this is counted as failed for that attempt (and retried). */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Tries per delivery: with the backoff below the last comes about 8.5 minutes after the first. */
export const MAX_ATTEMPTS = 10;
/** First retry after 1 s, then 2, 4, 8… */
export const BACKOFF_BASE_MS = 1000;
/** No retry waits longer than this. */
const MAX_BACKOFF_MS = 5 * 60 * 1000;
/** New mail is looked for this often while a webhook wants it; a cheap indexed read of new ids. */
const POLL_MS = 200;
/** Error text kept per attempt. */
const MAX_ERROR_CHARS = 500;

export interface DispatcherOptions {
  repo: WebhookRepository;
  /** The body for a delivery, built when it is first sent (the same bytes are stored and re-sent on retry). */
  payload(delivery: DueDelivery, format: WebhookConfig['format']): Promise<string>;
  onDelivery(ids: number[], state: 'pending' | 'delivered' | 'failed'): void;
  onProblem(text: string): void;
  userAgent: string;
  now?: () => number;
  backoffBaseMs?: number;
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function backoffMs(attempt: number, base = BACKOFF_BASE_MS): number {
  return Math.min(base * 2 ** (attempt - 1), MAX_BACKOFF_MS);
}

export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #now: () => number;
  #hooks: WebhookConfig[] = [];
  readonly #inFlight = new Map<number, Promise<void>>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** The look at the tables under way, and whether a poke came meanwhile. */
  #ticking: Promise<void> | null = null;
  #again = false;
  /** configure() and deleted() in the order they were called, so the tables see them in that order. */
  #changes: Promise<void> = Promise.resolve();
  /** One kept-alive connection per request slot, reused from delivery to delivery. */
  readonly #agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT }),
  };

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** The running webhooks; pending deliveries of removed or disabled ones end as failed. */
  configure(hooks: readonly WebhookConfig[]): Promise<void> {
    this.#hooks = hooks.filter((h) => h.enabled);
    const armed = this.#wanting('message.received').length > 0;
    const known = this.#hooks.map((h) => h.id);
    return this.#change(async () => {
      await this.#o.repo.arm(armed);
      await this.#o.repo.failOrphans(known, this.#now());
    });
  }

  /** Queues deliveries for deleted messages (their ids come with the event). */
  deleted(messageIds: readonly number[]): Promise<void> {
    const hooks = this.#wanting('message.deleted');
    if (hooks.length === 0 || messageIds.length === 0) return Promise.resolve();
    const now = this.#now();
    return this.#change(async () => {
      this.#o.onDelivery(await this.#o.repo.enqueue(hooks, 'message.deleted', messageIds, now), 'pending');
    });
  }

  /** Runs a change of the tables after those before it, then looks for work; a failure is reported, not thrown. */
  #change(fn: () => Promise<void>): Promise<void> {
    const run = this.#changes.then(fn).then(
      () => this.poke(),
      (err: unknown) => this.#o.onProblem(`webhook queue: ${describe(err)}`),
    );
    this.#changes = run;
    return run;
  }

  /** Looks for work now rather than at the next timer. */
  poke(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    // A request in flight finishes (or times out) and is logged; what is still pending resumes at the next start.
    // Nothing touches the tables once this resolves (the store closes next).
    await Promise.allSettled([this.#changes, this.#ticking]);
    await Promise.allSettled([...this.#inFlight.values()]);
    this.#agents['http:'].destroy();
    this.#agents['https:'].destroy();
  }

  #wanting(event: WebhookEvent): string[] {
    return this.#hooks.filter((h) => h.events.includes(event)).map((h) => h.id);
  }

  #tick(): void {
    this.#timer = null;
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = this.#look().finally(() => {
      this.#ticking = null;
      if (this.#again) {
        this.#again = false;
        this.poke();
      }
    });
  }

  async #look(): Promise<void> {
    const now = this.#now();
    try {
      const receivers = this.#wanting('message.received');
      if (receivers.length) {
        const queued = await this.#o.repo.enqueueReceived(receivers, now);
        if (queued.length) this.#o.onDelivery(queued, 'pending');
      }
      const free = MAX_IN_FLIGHT - this.#inFlight.size;
      if (free > 0 && !this.#stopped)
        for (const d of await this.#o.repo.due(now, free, new Set(this.#inFlight.keys()))) {
          const run = this.#send(d).finally(() => {
            this.#inFlight.delete(d.id);
            this.poke();
          });
          this.#inFlight.set(d.id, run);
        }
      await this.#o.repo.trim();
      await this.#schedule(now);
    } catch (err) {
      // The database failed (closing, disk, unreachable): try again at the next poll.
      this.#o.onProblem(`webhook queue: ${describe(err)}`);
      this.#later(now + POLL_MS, now);
    }
  }

  async #schedule(now: number): Promise<void> {
    let next = this.#wanting('message.received').length ? now + POLL_MS : Infinity;
    if (this.#inFlight.size < MAX_IN_FLIGHT) {
      const due = await this.#o.repo.nextDue();
      if (due !== null) next = Math.min(next, Math.max(due, now + 1));
    }
    this.#later(next, now);
  }

  /** The next look at `at`, unless one is already set (a poke) or we stopped. */
  #later(at: number, now: number): void {
    if (this.#stopped || this.#timer || at === Infinity) return;
    this.#timer = setTimeout(() => this.#tick(), at - now);
  }

  async #send(d: DueDelivery): Promise<void> {
    const hook = this.#hooks.find((h) => h.id === d.webhookId);
    const attempt = d.attempts + 1;
    const at = this.#now();
    if (!hook) {
      try {
        await this.#o.repo.recordAttempt(
          d.id,
          { attempt, at, status: null, error: 'the webhook was removed or disabled', durationMs: 0 },
          'failed',
          null,
        );
        this.#o.onDelivery([d.id], 'failed');
      } catch (err) {
        this.#o.onProblem(`webhook log: ${describe(err)}`);
      }
      return;
    }
    let status: number | null = null;
    let error: string | null = null;
    const started = performance.now();
    try {
      let body = d.payload;
      if (body === null) {
        body = await this.#o.payload(d, hook.format);
        await this.#o.repo.savePayload(d.id, body);
      }
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'User-Agent': this.#o.userAgent,
        'X-Mailwright-Event': d.event,
        'X-Mailwright-Delivery': String(d.id),
      };
      if (hook.secret) headers['X-Mailwright-Signature'] = signature(hook.secret, body);
      status = await this.#post(hook.url, headers, body);
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      error = describe(err);
    }
    const durationMs = Math.round(performance.now() - started);
    const delivered = error === null;
    const state = delivered ? 'delivered' : attempt >= MAX_ATTEMPTS ? 'failed' : 'pending';
    const next = state === 'pending' ? this.#now() + backoffMs(attempt, this.#o.backoffBaseMs) : null;
    try {
      await this.#o.repo.recordAttempt(d.id, { attempt, at, status, error, durationMs }, state, next);
      this.#o.onDelivery([d.id], state);
    } catch (err) {
      this.#o.onProblem(`webhook log: ${describe(err)}`);
    }
  }

  /** POSTs `body` and resolves with the status (redirects are not followed); the answer's body is drained. */
  #post(target: string, headers: Record<string, string>, body: string): Promise<number> {
    const url = new URL(target);
    const agent = url.protocol === 'https:' ? this.#agents['https:'] : this.#agents['http:'];
    const request = url.protocol === 'https:' ? https.request : http.request;
    const payload = Buffer.from(body);
    return new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', agent, headers: { ...headers, 'Content-Length': String(payload.length) } },
        (res) => {
          // The body is not needed; reading it frees the connection for the next delivery.
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', reject);
        },
      );
      const timer = setTimeout(() => {
        const err = new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
        err.name = 'TimeoutError';
        req.destroy(err);
      }, REQUEST_TIMEOUT_MS);
      req.once('close', () => clearTimeout(timer));
      req.once('error', reject);
      req.end(payload);
    });
  }
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string };
  if (e?.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const code = e?.code && !e.message?.includes(e.code) ? ` (${e.code})` : '';
  return `${e?.message ?? String(err)}${code}`.slice(0, MAX_ERROR_CHARS);
}
