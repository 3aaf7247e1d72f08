// Access-control building blocks for a listener: glob patterns, CIDR allow-lists, per-client rate windows and
// AUTH lockout. Pure data structures with bounded memory; no smtp-server, store or electron imports.
import net from 'node:net';
import { compileGlob, type GlobMatcher } from './faults/index.js';

/** Patterns per list: an allow/deny list is typed by hand, a thousand is past any real policy. */
const MAX_PATTERNS = 1000;
/** CIDR entries per allow-list, same reasoning as MAX_PATTERNS. */
const MAX_CIDRS = 1000;
/**
 * Client addresses remembered per listener for rate limits and lockout. A flood from many addresses (IPv6
 * makes that cheap) must not grow the maps without end; past this the oldest entry is forgotten, which at
 * worst lets one long-quiet client start a fresh window.
 */
export const MAX_TRACKED_CLIENTS = 10_000;

export type GlobList = GlobMatcher[];

/**
 * `*` any run of characters, `?` one character, everything else literal; case-insensitive, whole address.
 * The fault rules' matcher (linear, no RegExp backtracking on hostile addresses), so both speak one pattern
 * language. Returns the compiled list, null for an empty/absent list, or an error text naming the bad pattern.
 */
export function compileGlobs(patterns: string[] | undefined): GlobList | null | string {
  if (patterns === undefined) return null;
  if (!Array.isArray(patterns)) return 'must be a list of patterns';
  if (patterns.length > MAX_PATTERNS) return `at most ${MAX_PATTERNS} patterns`;
  const out: GlobMatcher[] = [];
  for (const p of patterns) {
    if (typeof p !== 'string' || p.trim() === '') return `pattern ${JSON.stringify(p)} is empty`;
    if (/[\r\n\0]/.test(p)) return `pattern ${JSON.stringify(p)} contains a control character`;
    try {
      out.push(compileGlob(p.trim()));
    } catch (err) {
      return `pattern ${JSON.stringify(p.slice(0, 40))}${p.length > 40 ? '…' : ''}: ${(err as Error).message}`;
    }
  }
  return out.length ? out : null;
}

export function matchesAny(list: GlobList, value: string): boolean {
  return list.some((match) => match(value));
}

/** A BlockList of the allowed blocks, null for absent/empty (everyone), or an error text naming the bad entry. */
export function compileCidrs(entries: string[] | undefined): net.BlockList | null | string {
  if (entries === undefined || (Array.isArray(entries) && entries.length === 0)) return null;
  if (!Array.isArray(entries) || entries.length > MAX_CIDRS)
    return `must be a list of at most ${MAX_CIDRS} CIDR blocks`;
  const list = new net.BlockList();
  for (const entry of entries) {
    const text = typeof entry === 'string' ? entry.trim() : '';
    const [address = '', prefixText, extra] = text.split('/');
    const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
    if (!family || extra !== undefined) return `${JSON.stringify(entry)} is not an IP address or CIDR block`;
    if (prefixText === undefined) {
      list.addAddress(address, family);
      continue;
    }
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= (family === 'ipv4' ? 32 : 128)))
      return `${JSON.stringify(entry)} has a bad prefix length`;
    list.addSubnet(address, prefix, family);
  }
  return list;
}

export function clientAllowed(list: net.BlockList, address: string): boolean {
  // smtp-server reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d; the list is written in IPv4.
  const v4 = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (net.isIPv4(v4)) return list.check(v4, 'ipv4');
  return net.isIPv6(v4) ? list.check(v4, 'ipv6') : false;
}

/**
 * Events per client in a sliding window, estimated from two fixed buckets (this window and the one before,
 * weighted by how much of it still overlaps). Constant memory per client whatever the limit, unlike a log
 * of timestamps, which a limit of thousands times thousands of clients would turn into a memory problem.
 */
export class RateWindow {
  readonly #byClient = new Map<string, { bucket: number; current: number; previous: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
  ) {}

  /** Counts one event; false (and not counted) when the client already reached `limit` in the window. */
  take(client: string): boolean {
    const t = this.now();
    const bucket = Math.floor(t / this.windowMs);
    let e = this.#byClient.get(client);
    if (!e || e.bucket < bucket - 1) e = { bucket, current: 0, previous: 0 };
    else if (e.bucket === bucket - 1) e = { bucket, current: 0, previous: e.current };
    const overlap = 1 - (t - bucket * this.windowMs) / this.windowMs;
    const allowed = Math.floor(e.previous * overlap) + e.current < this.limit;
    if (allowed) e.current++;
    this.#byClient.delete(client); // re-insert so Map order is least-recently-seen first
    this.#byClient.set(client, e);
    evictOldest(this.#byClient);
    return allowed;
  }

  get size(): number {
    return this.#byClient.size;
  }
}

/** Failed AUTH per client; maxFailures within windowSeconds locks the client out for lockSeconds. */
export class AuthLockout {
  readonly #failures = new Map<string, number[]>();
  readonly #lockedUntil = new Map<string, number>();

  constructor(
    readonly o: { maxFailures: number; windowSeconds: number; lockSeconds: number },
    readonly now: () => number = Date.now,
  ) {}

  /** Seconds left on the lock, or 0 when the client may try. */
  lockedFor(client: string): number {
    const until = this.#lockedUntil.get(client);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left <= 0) {
      this.#lockedUntil.delete(client);
      return 0;
    }
    return Math.ceil(left / 1000);
  }

  /** Records one failure; returns the lock length in seconds when this failure locked the client, else 0. */
  fail(client: string): number {
    const t = this.now();
    const times = (this.#failures.get(client) ?? []).filter((s) => t - s < this.o.windowSeconds * 1000);
    times.push(t);
    this.#failures.delete(client);
    if (times.length >= this.o.maxFailures) {
      this.#lockedUntil.delete(client);
      this.#lockedUntil.set(client, t + this.o.lockSeconds * 1000);
      evictOldest(this.#lockedUntil);
      return this.o.lockSeconds;
    }
    this.#failures.set(client, times);
    evictOldest(this.#failures);
    return 0;
  }

  succeed(client: string): void {
    this.#failures.delete(client);
  }
}

function evictOldest(map: Map<string, unknown>): void {
  while (map.size > MAX_TRACKED_CLIENTS) {
    const first = map.keys().next();
    if (first.done) return;
    map.delete(first.value);
  }
}
