import { configDefaults, defineConfig } from 'vitest/config';

// Tests that outlast the CI budget (a minute a file): `npm run test:faults` runs them, `npm test` leaves them out.
const long = ['tests/faults/worker-killed.test.ts'];

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude:
      process.env.PENDAMPING_LONG_TESTS === 'true' ? configDefaults.exclude : [...configDefaults.exclude, ...long],
    globalSetup: ['tests/setup/global.ts'],
    setupFiles: ['tests/setup/worker-logs.ts', 'tests/setup/fast-check.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
