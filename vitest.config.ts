import { defineConfig } from 'vitest/config';

// Files whose assertions are time bounds on the service (settle within 30 s of a restart, drift
// reflected within 2 s). They run last and one at a time, so the bound measures the service and
// Docker, not whichever other suites happen to share the two cores at that moment.
const TIMED = ['test/reliability/**/*.test.ts', 'test/docker/drift.test.ts'];

const shared = {
  environment: 'node',
  pool: 'forks',
  testTimeout: 30_000,
  hookTimeout: 60_000,
} as const;

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          ...shared,
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...TIMED, 'test/horizon/**'],
          // Two cores: two files at a time keeps Docker tests from starving each other.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'timed',
          include: TIMED,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
