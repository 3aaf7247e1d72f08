import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/** Serve suites about what the store keeps and tells; the rest (SQLite files, heap, disk) are SQLite's own. */
const SERVE_STORE_SUITES = [
  'test/integration/serve/rest.test.ts',
  'test/integration/serve/corpus.test.ts',
  'test/integration/serve/import.test.ts',
  'test/integration/serve/metrics.test.ts',
  'test/integration/serve/access.test.ts',
  'test/integration/serve/security.test.ts',
];

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    // Integration tests start real servers and real clients; they wait on events, and these are only ceilings.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          exclude: ['test/unit/renderer/state/**'],
        },
      },
      {
        // The serve suites again, each serve process on a fresh PostgreSQL database (test/helpers/serve-process.ts
        // adds --store): one integration suite, parameterised by the store.
        extends: true,
        test: {
          name: 'serve-postgres',
          include: SERVE_STORE_SUITES,
          globalSetup: ['test/helpers/postgres-global-setup.ts'],
          // Only this project's workers use the cluster (its URL reaches every project's workers).
          env: { MW_TEST_STORE: 'postgres' },
        },
      },
      {
        extends: true,
        plugins: [svelte({ configFile: resolve('svelte.config.js') })],
        // Svelte's package exports pick its server runtime under Node unless asked for the browser one.
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer-state',
          environment: './test/helpers/svelte-client-environment.ts',
          include: ['test/unit/renderer/state/**/*.test.ts'],
        },
      },
    ],
  },
});
