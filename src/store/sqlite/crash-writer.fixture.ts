/**
 * Test fixture for the crash test (durability.test.ts): writes batches of 100 entities into the
 * store file given as argv[2] until killed, printing each batch number once its commit is acknowledged.
 */
import { openSqliteStore } from './index.js';

const store = openSqliteStore({ path: process.argv[2] ?? '' });
for (let b = 0; ; b++) {
  const batch = Array.from({ length: 100 }, (_, i) => {
    const e = {
      id: `urn:b:${String(b).padStart(6, '0')}:${String(i).padStart(3, '0')}`,
      type: ['https://example.org/Batch'],
      attrs: { 'https://example.org/vocab/n': [{ type: 'Property' as const, value: b }] },
    };
    return { id: e.id, decide: () => ({ action: 'put' as const, entity: e }) };
  });
  await store.mutate('', batch);
  process.stdout.write(`${b}\n`);
}
