// The fuzz harness in `npm test`: every parsing entry point meets its time budget and its promises on hostile
// inputs, with a fixed seed so a failure replays. `npm run bench -- --only fuzz` runs the same targets longer.
import { describe, expect, it } from 'vitest';
import { TARGETS } from './targets.js';

/** Fixed so a failure in CI replays here; the bench takes --fuzz-seed to explore further. */
const SEED = 20261204;

/**
 * Inputs per target. Whole-message targets parse with mailparser (up to ~100 ms on the largest corpus file),
 * string targets take microseconds; together they keep the harness near 20 s on a quiet machine.
 */
const RUNS: Record<string, number> = {
  derive: 40,
  'quick-summary': 300,
  detail: 40,
  preview: 40,
  accessibility: 300,
  mime: 40,
  'html-scan': 300,
  'html-to-text': 300,
  'link-urls': 300,
  filenames: 300,
  search: 300,
};

/** A ceiling for one target's whole run: it only stops a hang, the per-call budget is the real check. */
const TARGET_TIMEOUT_MS = 180_000;

for (const target of TARGETS) {
  describe(`fuzz: ${target.name}`, () => {
    it(
      target.claim,
      async () => {
        const numRuns = RUNS[target.name];
        expect(numRuns, 'every target has a run count').toBeDefined();
        const report = await target.run({ numRuns: numRuns!, seed: SEED });
        expect(report.failure?.message ?? null).toBeNull();
        expect(report.inputs).toBe(numRuns);
      },
      TARGET_TIMEOUT_MS,
    );
  });
}
