import { defineConfig } from 'vitest/config';

// The Horizon browser suite (test/horizon): the real Horizon and Chromium against a novadock on the real
// Docker Engine. One file at a time: each starts its own Horizon and browser.
export default defineConfig({
  test: {
    name: 'horizon',
    environment: 'node',
    pool: 'forks',
    include: ['test/horizon/**/*.test.ts'],
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});
