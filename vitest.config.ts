import { defineConfig } from 'vitest/config';

// Integration tests start real servers; they get generous timeouts and run
// one file at a time per worker so two suites never fight over the 2 cores.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.tools/**', 'runs/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
