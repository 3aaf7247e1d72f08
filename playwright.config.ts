// Browser end-to-end tests (serve mode in Chromium) and the Electron smoke test (skipped without a binary).
import { defineConfig } from '@playwright/test';

export default defineConfig<object, { storeKind: 'sqlite' | 'postgres' }>({
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['./test/reporters/skip-reasons.ts']],
  projects: [
    { name: 'browser', testDir: 'test/e2e' },
    // Specs again with each serve on PostgreSQL: pages whose data lives in the store or a capability's tables.
    // (Settings and import on PostgreSQL are covered by test/integration/team and the serve-postgres vitest project.)
    {
      name: 'browser-postgres',
      testDir: 'test/e2e',
      testMatch: [
        'live-inbox.spec.ts',
        'inbox-actions.spec.ts',
        'tags.spec.ts',
        'mailboxes.spec.ts',
        'compose-drafts.spec.ts',
        'sessions.spec.ts',
        'webhooks.spec.ts',
      ],
      use: { storeKind: 'postgres' },
    },
    { name: 'electron', testDir: 'test/electron' },
  ],
});
