/** Conformance: the stored @context documents (hosted and cached). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, StoredContext } from '../port.js';
import type { MakeStore } from './fixtures.js';

const ctx = (id: string, extra: Partial<StoredContext> = {}): StoredContext => ({
  id,
  url: `http://localhost/ngsi-ld/v1/jsonldContexts/${id}`,
  kind: 'Hosted',
  body: { '@context': { name: 'https://example.org/name', nested: { '@id': 'x', '@type': '@id' } } },
  createdAt: '2024-01-01T00:00:00.000Z',
  numberOfHits: 0,
  ...extra,
});

/** Register the contexts tests for a store factory. */
export function describeContexts(makeStore: MakeStore): void {
  describe('contexts', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('puts, gets, lists, replaces and deletes', async () => {
      await store.contexts.put(ctx('b'));
      await store.contexts.put(ctx('a', { kind: 'Cached', url: 'https://example.org/ctx.jsonld' }));
      expect(await store.contexts.get('b')).toEqual(ctx('b'));
      expect((await store.contexts.list()).map((c) => [c.id, c.kind])).toEqual([
        ['a', 'Cached'],
        ['b', 'Hosted'],
      ]);
      await store.contexts.put(ctx('b', { body: { '@context': {} } }));
      expect((await store.contexts.get('b'))?.body).toEqual({ '@context': {} });
      expect(await store.contexts.delete('b')).toBe(true);
      expect(await store.contexts.delete('b')).toBe(false);
      expect(await store.contexts.get('b')).toBeUndefined();
    });

    it('counts hits and remembers the last use', async () => {
      await store.contexts.put(ctx('a'));
      await store.contexts.touch('a', '2024-02-01T00:00:00.000Z');
      await store.contexts.touch('a', '2024-02-02T00:00:00.000Z');
      expect(await store.contexts.get('a')).toMatchObject({
        numberOfHits: 2,
        lastUsage: '2024-02-02T00:00:00.000Z',
      });
      await store.contexts.touch('missing', '2024-02-02T00:00:00.000Z');
      expect(await store.contexts.get('missing')).toBeUndefined();
    });
  });
}
