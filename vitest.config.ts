import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native modules (better-sqlite3, node-llama-cpp) are safest in forked processes.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
