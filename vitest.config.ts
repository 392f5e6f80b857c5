import { defineConfig } from 'vitest/config';

/**
 * Shared test configuration. Every package's `test` script runs `vitest run` with this file, so
 * tests resolve sibling packages to their sources (the `@paretopo/source` export condition) and
 * never need a build first.
 */
const conditions = ['@paretopo/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
    environment: 'node',
    testTimeout: 60_000,
    pool: 'threads',
    maxWorkers: 2,
  },
});
