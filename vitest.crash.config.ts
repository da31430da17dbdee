import { defineConfig } from 'vitest/config';

/** `npm run test:crash`: the kill probes, which run the real CLI many times and take minutes. */
export default defineConfig({
  test: {
    include: ['test/crash/**/*.test.ts'],
    pool: 'forks',
    // Each file runs its trials two at a time already; more files at once would only slow each kill probe.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
