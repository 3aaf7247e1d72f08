// Browser end-to-end tests (serve mode in Chromium) and the Electron smoke test (skipped without a binary).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['./test/reporters/skip-reasons.ts']],
  projects: [
    { name: 'browser', testDir: 'test/e2e' },
    { name: 'electron', testDir: 'test/electron' },
  ],
});
