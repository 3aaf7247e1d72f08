import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';

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
