// The time budget every parsing entry point must meet on hostile input, and the stopwatch that checks it.
// Shared by the fuzz tests and `npm run bench -- --only fuzz`, so both judge an input the same way.

/**
 * Longest one call may take on one input. Linear code handles the largest generated input (a few hundred KB,
 * or a 1.2 MB corpus file) in well under 100 ms on a quiet machine; the machine running tests may be four
 * times slower and collect garbage mid-call. A quadratic pattern on the same input takes seconds to minutes,
 * so this ceiling still catches the class of bug while leaving room for a loaded CPU.
 */
export const CALL_BUDGET_MS = 1500;

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
