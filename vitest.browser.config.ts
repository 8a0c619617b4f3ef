// Browser tests of the dashboard (test/browser): Debian's chromium through playwright-core against a
// spawned `urbis serve`. Run after `npm run build` (dist/ and web/dist/): `npm run test:browser`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The SQLite store proves on every write that no mutator or sink changed an entity in place.
    env: { URBIS_CHECK_WRITES: '1' },
    include: ['test/browser/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
