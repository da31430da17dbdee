import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The kill probes take minutes: `npm run test:crash` (vitest.crash.config.ts), which CI also runs.
    exclude: ['**/node_modules/**', 'test/crash/**'],
    // Native modules (better-sqlite3, node-llama-cpp) are safest in forked processes.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
