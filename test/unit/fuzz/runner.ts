// Runs one fuzz target through fast-check: every input is timed against its budget and checked, and the run
// reports how many inputs it tried, the slowest one, and the first failure (without shrinking: a slow input
// re-run hundreds of times while shrinking would take as long as the bug it found).
import fc from 'fast-check';
import { budgetFor } from './budget.js';

/** One open target: `call` runs the entry point once, checks what it returned, and says how long the entry point took. */
export interface TargetSession<I> {
  call(input: I): Promise<number>;
  close(): Promise<void>;
}

export interface FuzzTarget<I> {
  name: string;
  /** What the test says the target proves. */
  claim: string;
  inputs: fc.Arbitrary<I>;
  /** The input as bytes: its size sets the budget, and the bench writes the slowest one to a file. */
  bytes(input: I): Buffer;
  open(): Promise<TargetSession<I>>;
}

export interface FuzzOptions {
  numRuns: number;
  seed: number;
}

export interface FuzzReport {
  target: string;
  inputs: number;
  totalMs: number;
  slowest: { ms: number; bytes: Buffer } | null;
  /** What went wrong on the first failing input, with the seed and path that replay it; null when none did. */
  failure: { message: string; bytes: Buffer } | null;
}

/** Shown of a failing input in the message; the whole input goes to the report's bytes. */
const INPUT_PREVIEW_CHARS = 160;

export async function runTarget<I>(target: FuzzTarget<I>, options: FuzzOptions): Promise<FuzzReport> {
  const report: FuzzReport = { target: target.name, inputs: 0, totalMs: 0, slowest: null, failure: null };
  const session = await target.open();
  try {
    const property = fc.asyncProperty(target.inputs, async (input) => {
      const bytes = target.bytes(input);
      const budget = budgetFor(bytes.length);
      let ms = await session.call(input);
      // A second try tells a garbage collection or a busy CPU from slow code: only the latter is slow twice.
      if (ms > budget) ms = Math.min(ms, await session.call(input));
      report.inputs++;
      report.totalMs += ms;
      if (!report.slowest || ms > report.slowest.ms) report.slowest = { ms, bytes };
      if (ms > budget) throw new Error(`took ${ms.toFixed(0)} ms, over its budget of ${budget.toFixed(0)} ms`);
    });
    const details = await fc.check(property, { numRuns: options.numRuns, seed: options.seed, endOnFailure: true });
    if (details.failed) {
      const input = details.counterexample?.[0];
      const bytes = input === undefined ? Buffer.alloc(0) : target.bytes(input);
      const error =
        details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const shown = JSON.stringify(bytes.toString('latin1').slice(0, INPUT_PREVIEW_CHARS));
      report.failure = {
        message: `${target.name}: ${error}; input of ${bytes.length} bytes starting ${shown} (seed ${details.seed}, path "${details.counterexamplePath}")`,
        bytes,
      };
    }
  } finally {
    await session.close();
  }
  return report;
}
