// The in-flight byte budget: message bytes held in memory by every DATA transaction of every listener, from the
// first chunk until the store has answered. One budget per CaptureServer, shared by all its listeners, so the
// memory mail can take is bounded by one number however many clients connect.

/**
 * Default budget: 256 MiB. Five messages of the default 50 MB SIZE limit fit at once, more than a test run sends
 * concurrently in practice. A message held costs up to about three times its size while it is stored (the chunks,
 * the joined buffer, SQLite's copy of the bound blob), so 256 MiB keeps the worst case of a flood of large
 * messages under 1 GB of RSS with the rest of the process.
 */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 256 * 1024 * 1024;

export class InFlightBudget {
  #limit: number;
  #used = 0;
  #refused = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** A lower limit refuses new bytes only; what is already held stays until its transaction ends. */
  set limit(bytes: number) {
    this.#limit = bytes;
  }

  get limit(): number {
    return this.#limit;
  }

  get used(): number {
    return this.#used;
  }

  /** Transactions cut because the budget was spent, since start. */
  get refused(): number {
    return this.#refused;
  }

  /** Takes `bytes` from the budget, or nothing and false when that would pass the limit. */
  tryTake(bytes: number): boolean {
    if (this.#used + bytes > this.#limit) return false;
    this.#used += bytes;
    return true;
  }

  giveBack(bytes: number): void {
    this.#used -= bytes;
  }

  noteRefused(): void {
    this.#refused++;
  }
}
