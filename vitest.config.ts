import { defineConfig } from 'vitest/config';

// Integration tests start real servers; they get generous timeouts and run
// one file at a time per worker so two suites never fight over the 2 cores.
// The docker tests are a project of their own, so that their global setup
// (a Docker engine, the images) runs only when one of them runs.
const dockerTests = ['runtime/docker/*.integration.test.ts'];
export default defineConfig({
  test: {
    exclude: ['node_modules/**', '.tools/**', 'runs/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'main', include: ['**/*.test.ts'], exclude: ['node_modules/**', '.tools/**', 'runs/**', ...dockerTests] } },
      { extends: true, test: { name: 'docker', include: dockerTests, globalSetup: ['runtime/docker/test-setup.ts'] } },
    ],
  },
});
