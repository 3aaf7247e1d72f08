import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Integration tests start real servers and real clients; they wait on events, and these are only ceilings.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
