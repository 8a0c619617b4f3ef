import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The SQLite store proves on every write that no mutator or sink changed an entity in place.
    env: { URBIS_CHECK_WRITES: '1' },
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The integration tests need PostgreSQL and NATS: `npm run test:integration` (vitest.integration.config.ts).
    exclude: ['test/integration/**', 'test/browser/**', '**/node_modules/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
