// Waiting for mail: each wait is a waiter that resolves with the first matching message after its start point.
// New mail is matched from its header summary the moment it is committed (quick-match.ts); queries that need the
// full-text index are answered from the store search whenever the indexer reports messages derived.
// The store's messages.added payload costs a header read per message, so the bus is only subscribed while
// someone waits.
import type { MessageSummary } from '../../src-shared/index.js';
import { DEFAULT_WAIT_MS, MAX_PAGE_SIZE, MailwrightError } from '../../src-shared/index.js';
import type { WaitResult } from '../../src-shared/contract/wait.js';
import type { EventBus } from '../core/events.js';
import type { MessageStore } from '../store/index.js';
import { quickMatcher, type QuickMatcher } from './quick-match.js';

/**
 * Pages of the newest-first search read to find the oldest match after a point. A wait after a point more than
 * this many matches back answers with the oldest of those read (still a match after the point).
 */
const MAX_SCAN_PAGES = 20;
/** Concurrent waits: each holds a request and a timer; more is a runaway client loop, not a test suite. */
export const MAX_WAITERS = 1000;

/** Where a wait starts: after a message id, or after a moment. */
export type After = { id: number } | { time: string };

export interface WaitRequest {
  query?: string | undefined;
  after?: string | undefined;
  timeoutMs?: number | undefined;
}

interface Waiter {
  query: string | undefined;
  quick: QuickMatcher | null;
  after: After;
  finish: (message: MessageSummary | null) => void;
}

/** Reads `after`: a positive integer id, or an ISO 8601 date-time. Throws invalid_argument naming `after`. */
export function parseAfter(value: string | undefined): After | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d{1,15}$/.test(value)) return { id: Number(value) };
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return { time: new Date(t).toISOString() };
  }
  throw new MailwrightError(
    'invalid_argument',
    `after must be a message id or an ISO 8601 time (2026-01-31T12:00:00Z), not "${value.slice(0, 64)}"`,
    'after',
  );
}

function isAfter(m: MessageSummary, after: After): boolean {
  return 'id' in after ? m.id > after.id : m.receivedAt > after.time;
}

export class Waiters {
  readonly #events: EventBus;
  readonly #store: MessageStore;
  readonly #waiting = new Set<Waiter>();
  #unsubscribe: (() => void)[] = [];
  #recheck: NodeJS.Immediate | null = null;
  #recheckIds: number[] = [];

  constructor(events: EventBus, store: MessageStore) {
    this.#events = events;
    this.#store = store;
  }

  get size(): number {
    return this.#waiting.size;
  }

  /** Resolves with the match, or with message null once the timeout passes or `signal` aborts. */
  async wait(request: WaitRequest, signal?: AbortSignal): Promise<WaitResult> {
    const after = parseAfter(request.after);
    const timeoutMs = request.timeoutMs ?? DEFAULT_WAIT_MS;
    const started = performance.now();
    const result = (message: MessageSummary | null): WaitResult => ({
      message,
      timedOut: message === null && !signal?.aborted,
      waitedMs: Math.round(performance.now() - started),
    });
    const existing = await (after === undefined
      ? this.#newestMatch(request.query)
      : this.#oldestMatchAfter(request.query, after));
    if (existing) return result(existing);
    if (timeoutMs === 0 || signal?.aborted) return result(null);
    if (this.#waiting.size >= MAX_WAITERS)
      throw new MailwrightError('unavailable', `${MAX_WAITERS} waits are already open; finish some first`);
    return new Promise((resolve) => {
      const onAbort = (): void => waiter.finish(null);
      const timer = setTimeout(() => waiter.finish(null), timeoutMs);
      const waiter: Waiter = {
        query: request.query,
        quick: quickMatcher(request.query),
        // Nothing stored matched yet, so any match from now on is new (or newly indexed) mail.
        after: after ?? { id: 0 },
        finish: (message) => {
          if (!this.#waiting.delete(waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (this.#waiting.size === 0) this.#idle();
          resolve(result(message));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.#waiting.size === 0) this.#subscribe();
      this.#waiting.add(waiter);
      // Mail stored while the first search ran raised events before this waiter listened: search once more.
      const again =
        after === undefined ? this.#newestMatch(request.query) : this.#oldestMatchAfter(request.query, after);
      again.then(
        (hit) => {
          if (hit) waiter.finish(hit);
        },
        (err: unknown) => console.error('[wait] search failed:', err),
      );
    });
  }

  /** Ends every wait (message null), e.g. when the core stops. */
  close(): void {
    for (const w of [...this.#waiting]) w.finish(null);
  }

  #subscribe(): void {
    this.#unsubscribe = [
      this.#events.on('messages.added', ({ messages }) => this.#added(messages)),
      this.#events.on('messages.updated', ({ ids }) => this.#updated(ids)),
    ];
  }

  #idle(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    if (this.#recheck) clearImmediate(this.#recheck);
    this.#recheck = null;
    this.#recheckIds = [];
  }

  #added(messages: MessageSummary[]): void {
    for (const waiter of [...this.#waiting]) {
      if (!waiter.quick) continue;
      const hit = messages.find((m) => isAfter(m, waiter.after) && waiter.quick!(m));
      if (hit) waiter.finish(hit);
    }
  }

  /** Derived messages may now match text queries; one search per waiter per turn of the loop, however many batches. */
  #updated(ids: number[]): void {
    this.#recheckIds.push(...ids);
    this.#recheck ??= setImmediate(() => void this.#recheckWaiters());
  }

  async #recheckWaiters(): Promise<void> {
    this.#recheck = null;
    const newest = Math.max(...this.#recheckIds);
    this.#recheckIds = [];
    for (const waiter of [...this.#waiting]) {
      // An id-bounded wait cannot gain a match from messages older than its bound.
      if ('id' in waiter.after && newest <= waiter.after.id) continue;
      try {
        const hit = await this.#oldestMatchAfter(waiter.query, waiter.after);
        if (hit) waiter.finish(hit);
      } catch (err) {
        // The store closed under us: the waiter times out or is closed with the core.
        console.error('[wait] search failed:', err);
      }
    }
  }

  async #newestMatch(query: string | undefined): Promise<MessageSummary | null> {
    return (await this.#store.list({ ...(query ? { query } : {}), limit: 1 })).messages[0] ?? null;
  }

  /** The oldest match after the bound: the search is newest-first, so read pages until one reaches past it. */
  async #oldestMatchAfter(query: string | undefined, after: After): Promise<MessageSummary | null> {
    let oldest: MessageSummary | null = null;
    for (let page = 0; page < MAX_SCAN_PAGES; page++) {
      const { messages } = await this.#store.list({
        ...(query ? { query } : {}),
        limit: page === 0 ? 50 : MAX_PAGE_SIZE,
        offset: page === 0 ? 0 : 50 + (page - 1) * MAX_PAGE_SIZE,
      });
      for (const m of messages) {
        if (!isAfter(m, after)) return oldest;
        oldest = m;
      }
      if (messages.length < (page === 0 ? 50 : MAX_PAGE_SIZE)) return oldest;
    }
    return oldest;
  }
}
