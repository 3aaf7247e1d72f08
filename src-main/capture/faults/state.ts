// Remembered state behind greylisting and throttling: bounded, expiring maps keyed by rule and client.
// Pure data structures; the clock is passed in so tests can move time.

/**
 * Greylist triples remembered at once. A test server sees a handful of senders; 10,000 covers a large
 * suite, and a client spraying random addresses evicts the oldest triples instead of growing memory.
 */
export const GREYLIST_MAX_ENTRIES = 10_000;
/** A triple forgotten after a day without being seen, as postgrey-style greylisters do; longer is stale. */
export const GREYLIST_ENTRY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * Throttled clients remembered at once. Each keeps at most `perMinute` timestamps, so with
 * MAX_THROTTLE_PER_MINUTE the worst case stays near 1,000 × 6,000 × 8 bytes ≈ 48 MB, and usually far less.
 */
export const THROTTLE_MAX_CLIENTS = 1_000;
/** The throttle window: the issue asks for "N per minute". */
export const THROTTLE_WINDOW_MS = 60_000;

/** A Map that forgets its least recently touched key once it holds more than `max` entries. */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  constructor(readonly max: number) {}

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Stores and marks as most recent. */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.max) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.#map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  /** Drops every key the predicate selects (used when a rule is removed or changed). */
  deleteWhere(predicate: (key: K) => boolean): void {
    for (const key of [...this.#map.keys()]) if (predicate(key)) this.#map.delete(key);
  }
}

interface GreylistEntry {
  firstSeen: number;
  lastSeen: number;
}

/** Refuse the first attempt of a triple; accept once `seconds` have passed since that first attempt. */
export class GreylistStore {
  readonly #entries: BoundedMap<string, GreylistEntry>;
  constructor(
    max = GREYLIST_MAX_ENTRIES,
    readonly ttlMs = GREYLIST_ENTRY_TTL_MS,
  ) {
    this.#entries = new BoundedMap(max);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** True when this attempt must be refused. */
  attempt(key: string, seconds: number, now: number): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || now - entry.lastSeen > this.ttlMs) {
      this.#entries.set(key, { firstSeen: now, lastSeen: now });
      return true;
    }
    this.#entries.set(key, { firstSeen: entry.firstSeen, lastSeen: now });
    return now - entry.firstSeen < seconds * 1000;
  }

  forgetRule(ruleId: string): void {
    this.#entries.deleteWhere((key) => key.startsWith(`${ruleId}\u0000`));
  }

  forgetWhere(predicate: (key: string) => boolean): void {
    this.#entries.deleteWhere(predicate);
  }
}

/** Sliding one-minute log of accepted events per key; refused events are not logged, so a key holds ≤ perMinute stamps. */
export class ThrottleStore {
  readonly #windows: BoundedMap<string, number[]>;
  constructor(
    max = THROTTLE_MAX_CLIENTS,
    readonly windowMs = THROTTLE_WINDOW_MS,
  ) {
    this.#windows = new BoundedMap(max);
  }

  get size(): number {
    return this.#windows.size;
  }

  /** True when this event is over the limit and must be refused. */
  attempt(key: string, perMinute: number, now: number): boolean {
    const stamps = (this.#windows.get(key) ?? []).filter((t) => now - t < this.windowMs);
    const over = stamps.length >= perMinute;
    if (!over) stamps.push(now);
    this.#windows.set(key, stamps);
    return over;
  }

  forgetRule(ruleId: string): void {
    this.#windows.deleteWhere((key) => key.startsWith(`${ruleId}\u0000`));
  }

  forgetWhere(predicate: (key: string) => boolean): void {
    this.#windows.deleteWhere(predicate);
  }
}
