// The integration tests (issue #6): the store and bus adapters against the real PostgreSQL and NATS
// of the machine (URBIS_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres;
// URBIS_TEST_NATS, default nats://127.0.0.1:4222). `.ci/run` starts them when they are down.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The SQLite store proves on every write that no mutator or sink changed an entity in place.
    env: { URBIS_CHECK_WRITES: '1' },
    include: ['test/integration/**/*.test.ts'],
    pool: 'forks',
    // One database and one NATS server shared by the files: run them one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
