// Capture state that several `serve` instances on one database must agree on: AUTH lockout, the nth/every
// counters of fault rules, greylist triples and throttle windows. Capture only defines the interface (it must not
// import the store); the PostgreSQL form lives in core (core/shared-capture-state.ts).
//
// Without a shared state (SQLite, one instance) capture keeps all of this in memory, synchronously, exactly as
// before: AuthLockout, FaultEngine's counters, GreylistStore and ThrottleStore. MemoryCaptureState is the same
// logic behind this async interface, for tests of the shared code path without a database.
import { AuthLockout } from './policy.js';
import { GreylistStore, ThrottleStore } from './faults/state.js';

export interface LockoutLimits {
  maxFailures: number;
  windowSeconds: number;
  lockSeconds: number;
}

/** A fault rule's count: fires on the nth matching event only, or on every `every`th. */
export type CountLimit = { nth: number } | { every: number };

/**
 * State shared by every instance. `scope` groups rows that are forgotten together (a rule's id, a listener's id);
 * `key` is unique within the scope. Times are epoch milliseconds from the caller's clock. Every method is one atomic
 * step: two instances counting the same key at once both count.
 */
export interface SharedCaptureState {
  /** Counts one event; true when this is the one the limit fires on (the nth, or a multiple of `every`). */
  count(scope: string, key: string, limit: CountLimit, now: number): Promise<boolean>;
  /** Records a greylist attempt; true when it must be refused (first seen less than `seconds` ago). */
  greylist(scope: string, key: string, seconds: number, now: number): Promise<boolean>;
  /** Records a throttled event; true when it is over `perMinute` in the last minute (and is then not counted). */
  throttle(scope: string, key: string, perMinute: number, now: number): Promise<boolean>;
  /** Seconds left on the client's AUTH lock, or 0. */
  lockedFor(scope: string, client: string, now: number): Promise<number>;
  /** Records a failed AUTH; returns the lock length in seconds when this failure locked the client, else 0. */
  authFailed(scope: string, client: string, limits: LockoutLimits, now: number): Promise<number>;
  /** A successful AUTH clears the client's failures (not a lock already in force). */
  authSucceeded(scope: string, client: string): Promise<void>;
  /** Forgets every key of the scope, but those starting with `keepPrefix` (a rule edited: its new form's keys). */
  forget(scope: string, keepPrefix?: string): Promise<void>;
}

/** The in-memory state behind the interface: the same classes the synchronous path uses, one set per scope. */
export class MemoryCaptureState implements SharedCaptureState {
  readonly #counts = new Map<string, number>();
  readonly #greylist = new GreylistStore();
  readonly #throttle = new ThrottleStore();
  readonly #lockouts = new Map<string, AuthLockout>();
  /** The time of the call being served: AuthLockout reads its clock, and the caller's `now` is the clock here. */
  #now = 0;

  count(scope: string, key: string, limit: CountLimit, _now: number): Promise<boolean> {
    const k = joinKey(scope, key);
    const seen = (this.#counts.get(k) ?? 0) + 1;
    if ('nth' in limit) {
      this.#counts.set(k, Math.min(seen, limit.nth + 1));
      return Promise.resolve(seen === limit.nth);
    }
    this.#counts.set(k, seen % limit.every);
    return Promise.resolve(seen % limit.every === 0);
  }

  greylist(scope: string, key: string, seconds: number, now: number): Promise<boolean> {
    return Promise.resolve(this.#greylist.attempt(joinKey(scope, key), seconds, now));
  }

  throttle(scope: string, key: string, perMinute: number, now: number): Promise<boolean> {
    return Promise.resolve(this.#throttle.attempt(joinKey(scope, key), perMinute, now));
  }

  lockedFor(scope: string, client: string, now: number): Promise<number> {
    this.#now = now;
    return Promise.resolve(this.#lockouts.get(scope)?.lockedFor(client) ?? 0);
  }

  authFailed(scope: string, client: string, limits: LockoutLimits, now: number): Promise<number> {
    this.#now = now;
    let lockout = this.#lockouts.get(scope);
    if (!lockout || JSON.stringify(lockout.o) !== JSON.stringify(limits)) {
      lockout = new AuthLockout({ ...limits }, () => this.#now);
      this.#lockouts.set(scope, lockout);
    }
    return Promise.resolve(lockout.fail(client));
  }

  authSucceeded(scope: string, client: string): Promise<void> {
    this.#lockouts.get(scope)?.succeed(client);
    return Promise.resolve();
  }

  forget(scope: string, keepPrefix?: string): Promise<void> {
    const prefix = joinKey(scope, '');
    const drop = (k: string) => k.startsWith(prefix) && !(keepPrefix && k.startsWith(prefix + keepPrefix));
    for (const k of [...this.#counts.keys()]) if (drop(k)) this.#counts.delete(k);
    this.#greylist.forgetWhere(drop);
    this.#throttle.forgetWhere(drop);
    this.#lockouts.delete(scope);
    return Promise.resolve();
  }
}

/** Scope and key joined by NUL, which neither rule ids nor addresses can hold. */
function joinKey(scope: string, key: string): string {
  return `${scope}\u0000${key}`;
}
