// The time budget every parsing entry point must meet on hostile input, and the stopwatch that checks it.
// Shared by the fuzz tests and `npm run bench -- --only fuzz`, so both judge an input the same way.

/**
 * Longest one call may take on one input. Linear code handles the largest generated input (a few hundred KB)
 * in well under 100 ms on a quiet machine; the machine running tests may be four times slower and collect
 * garbage mid-call. A quadratic pattern on the same input takes seconds to minutes, so this ceiling still
 * catches the class of bug while leaving room for a loaded CPU.
 */
export const CALL_BUDGET_MS = 1500;

/**
 * Extra allowance per MiB of input. The largest corpus messages (1.2 MB) take ~140 ms to parse on a quiet
 * machine; four times that on a loaded one still fits, while a quadratic cost on a megabyte takes minutes.
 */
export const BUDGET_MS_PER_MIB = 2000;

/** The budget for one call on an input of `bytes`. */
export function budgetFor(bytes: number): number {
  return CALL_BUDGET_MS + (BUDGET_MS_PER_MIB * bytes) / (1024 * 1024);
}

export interface Timed<T> {
  value: T;
  ms: number;
}

/** Runs one call and returns its result (or rethrows its error) with how long it took. */
export async function timed<T>(call: () => T | Promise<T>): Promise<Timed<T>> {
  const start = performance.now();
  const value = await call();
  return { value, ms: performance.now() - start };
}
