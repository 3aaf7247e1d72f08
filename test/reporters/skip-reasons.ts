// Prints why each skipped Playwright test was skipped (the list reporter shows only that it was),
// so a run without an Electron binary says so in CI's log.
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SkipReasons implements Reporter {
  readonly #lines: string[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status !== 'skipped') return;
    const reasons = test.annotations.filter((a) => a.type === 'skip').map((a) => a.description ?? 'no reason given');
    this.#lines.push(
      `skipped: ${test.titlePath().filter(Boolean).join(' › ')}: ${reasons.join('; ') || 'no reason given'}`,
    );
  }

  onEnd(): void {
    for (const line of this.#lines) console.log(line);
  }

  printsToStdio(): boolean {
    return false;
  }
}
