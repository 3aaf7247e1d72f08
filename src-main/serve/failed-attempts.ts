// Rate limit on wrong access tokens, per client address: guessing a token over the network must be hopeless.
// Must not import electron.
import { isIP } from 'node:net';

/** A person who mistypes the token gets ten tries a minute; a guesser gets ten, then waits out the minute. */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 60_000;
/**
 * At ~100 bytes an entry this caps the table near 1 MB. When it is full the oldest entries go first; an attacker
 * with that many addresses gets no more guesses per address than anyone else.
 */
export const MAX_TRACKED_CLIENTS = 10_000;

interface Window {
  start: number;
  failures: number;
}

export class FailedAttempts {
  readonly #windows = new Map<string, Window>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Milliseconds until this client may try again, or 0 when it may try now. */
  retryAfterMs(address: string | undefined): number {
    const window = this.#current(clientKey(address));
    if (!window || window.failures < MAX_FAILURES) return 0;
    return window.start + FAILURE_WINDOW_MS - this.#now();
  }

  recordFailure(address: string | undefined): void {
    const key = clientKey(address);
    const window = this.#current(key);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.#windows.size >= MAX_TRACKED_CLIENTS) this.#evict();
    this.#windows.set(key, { start: this.#now(), failures: 1 });
  }

  get size(): number {
    return this.#windows.size;
  }

  #current(key: string): Window | undefined {
    const window = this.#windows.get(key);
    if (window && this.#now() - window.start >= FAILURE_WINDOW_MS) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }

  /**
   * Entries are only ever added at the end and a window starts when it is added, so Map order is age order: expired
   * windows are a prefix, and the oldest live one is next. Each failure costs O(1) amortized, even under a flood.
   */
  #evict(): void {
    const now = this.#now();
    for (const [key, window] of this.#windows) {
      if (now - window.start < FAILURE_WINDOW_MS) break;
      this.#windows.delete(key);
    }
    if (this.#windows.size < MAX_TRACKED_CLIENTS) return;
    const oldest = this.#windows.keys().next();
    if (!oldest.done) this.#windows.delete(oldest.value);
  }
}

/**
 * One key per client: an IPv4 address as it is, an IPv4-mapped IPv6 address as its IPv4, and any other IPv6
 * address by its /64, the block one host or home is usually given (so it cannot rotate through its own addresses).
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIP(address) !== 6) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // A dotted IPv4 tail (64:ff9b::192.0.2.1) stands for two groups.
  const rightGroups = right.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const zeros = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - left.length - rightGroups)).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
