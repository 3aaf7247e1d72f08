// `npm run bench -- --only fuzz`: the fuzz targets of test/unit/fuzz run far longer than in `npm test`.
// Prints, per entry point, how many inputs it tried and the slowest input's time against its budget, and writes
// the slowest input (and a failing one) to bench/results/ so it can be replayed by hand.
import fs from 'node:fs';
import path from 'node:path';
import { budgetFor } from '../test/unit/fuzz/budget.js';
import type { FuzzReport } from '../test/unit/fuzz/runner.js';
import { TARGETS } from '../test/unit/fuzz/targets.js';

export const FUZZ_TARGET_NAMES = TARGETS.map((t) => t.name);

export interface FuzzBenchOptions {
  runs: number;
  seed: number;
  targets: string[];
  /** Where the slowest and failing inputs go, named after the run. */
  resultsDir: string;
  runId: string;
  log: (line: string) => void;
}

export interface FuzzBenchResult {
  target: string;
  inputs: number;
  seconds: number;
  meanMs: number;
  slowestMs: number;
  slowestBytes: number;
  slowestBudgetMs: number;
  slowestFile: string | null;
  failure: string | null;
  failureFile: string | null;
}

export async function runFuzz(options: FuzzBenchOptions): Promise<FuzzBenchResult[]> {
  const { runs, seed, log } = options;
  const results: FuzzBenchResult[] = [];
  log(
    `  seed ${seed}, ${runs} inputs per target (replay one target: --only fuzz --fuzz-targets NAME --fuzz-seed ${seed})`,
  );
  for (const target of TARGETS.filter((t) => options.targets.includes(t.name))) {
    const t0 = performance.now();
    const report = await target.run({ numRuns: runs, seed });
    const result = summarizeReport(report, (performance.now() - t0) / 1000, options);
    results.push(result);
    log(
      `  ${result.target.padEnd(14)} ${String(result.inputs).padStart(7)} inputs  ${result.seconds.toFixed(0).padStart(5)} s  ` +
        `mean ${result.meanMs.toFixed(2).padStart(7)} ms  slowest ${result.slowestMs.toFixed(0).padStart(5)} ms ` +
        `on ${result.slowestBytes} B (budget ${result.slowestBudgetMs.toFixed(0)} ms)  ${result.failure ? 'FAIL' : 'PASS'}`,
    );
    if (result.failure) log(`    !!! ${result.failure}\n    input written to ${result.failureFile}`);
  }
  return results;
}

function summarizeReport(report: FuzzReport, seconds: number, options: FuzzBenchOptions): FuzzBenchResult {
  const write = (kind: string, bytes: Buffer): string => {
    fs.mkdirSync(options.resultsDir, { recursive: true });
    const file = path.join(options.resultsDir, `${options.runId}-fuzz-${report.target}-${kind}.bin`);
    fs.writeFileSync(file, bytes);
    return file;
  };
  const slowest = report.slowest;
  return {
    target: report.target,
    inputs: report.inputs,
    seconds,
    meanMs: report.inputs ? report.totalMs / report.inputs : 0,
    slowestMs: slowest?.ms ?? 0,
    slowestBytes: slowest?.bytes.length ?? 0,
    slowestBudgetMs: budgetFor(slowest?.bytes.length ?? 0),
    slowestFile: slowest ? write('slowest', slowest.bytes) : null,
    failure: report.failure?.message ?? null,
    failureFile: report.failure ? write('failure', report.failure.bytes) : null,
  };
}
