// The mailpit-api example's own vitest config, as a Mailpit user's project would have one. It starts Mailwright
// itself (see mailwright.ts), so it needs nothing from the repository's own test set-up.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
