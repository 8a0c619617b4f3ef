// The matching index (issue #3: "a change is matched against subscriptions by type/id/attribute
// without a scan over all subscriptions"). Measured by counting candidates, never by timing.
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../core/model/entity.js';
import type { EntitySelector, Subscription } from '../../core/subscription/model.js';
import { SubscriptionIndex } from './subscription-index.js';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';

function sub(id: string, entities?: EntitySelector[], extra: Partial<Subscription> = {}): Subscription {
  const s: Subscription = {
    id,
    notificationTrigger: ['attributeCreated', 'attributeUpdated'],
    notification: {
      format: 'normalized',
      showChanges: false,
      sysAttrs: false,
      endpoint: { uri: 'http://r/n', accept: 'application/json' },
    },
    isActive: true,
    jsonldContext: null,
    createdAt: '2030-01-01T00:00:00Z',
    modifiedAt: '2030-01-01T00:00:00Z',
    ...extra,
  };
  if (entities !== undefined) s.entities = entities;
  return s;
}

const entity = (type: string, id = 'urn:ngsi-ld:X:1', attrs: string[] = ['p']): Entity => ({
  id,
  type: [`${D}${type}`],
  attrs: Object.fromEntries(attrs.map((a) => [`${D}${a}`, [{ type: 'Property', value: 1 }]])),
});

const ids = (subs: Subscription[]) => subs.map((s) => s.id).sort();

describe('SubscriptionIndex', () => {
  it('with 10,000 subscriptions of other types, a change yields only the relevant candidates', () => {
    const index = new SubscriptionIndex();
    for (let i = 0; i < 10_000; i++) {
      const type = `${D}Other${i % 500}`;
      const selector: EntitySelector = i % 3 === 0 ? { type, id: `urn:ngsi-ld:Other:${i}` } : { type };
      index.put('', sub(`urn:s:other:${i}`, [selector]));
    }
    index.put('', sub('urn:s:type', [{ type: `${D}Building` }]));
    index.put('', sub('urn:s:id', [{ type: `${D}Building`, id: 'urn:ngsi-ld:Building:1' }]));
    index.put('', sub('urn:s:pattern', [{ type: `${D}Building`, idPattern: '^urn:ngsi-ld:Building:' }]));
    index.put('', sub('urn:s:otherBuilding', [{ type: `${D}Building`, id: 'urn:ngsi-ld:Building:2' }]));
    expect(index.size).toBe(10_004);

    const change = { id: 'urn:ngsi-ld:Building:1', after: entity('Building', 'urn:ngsi-ld:Building:1') };
    const candidates = index.candidates('', change);
    expect(ids(candidates)).toEqual(['urn:s:id', 'urn:s:pattern', 'urn:s:type']);
  });

  it('files type expressions under every type they name, attribute-only subscriptions by attribute', () => {
    const index = new SubscriptionIndex();
    const expr = sub('urn:s:expr', [
      {
        type: `(${D}Building|${D}Tower)`,
        typeExpr: {
          kind: 'or',
          items: [
            { kind: 'type', name: `${D}Building` },
            { kind: 'type', name: `${D}Tower` },
          ],
        },
      },
    ]);
    index.put('', expr);
    index.put('', sub('urn:s:watch', undefined, { watchedAttributes: [`${D}height`] }));
    expect(ids(index.candidates('', { id: 'urn:t:1', after: entity('Tower') }))).toEqual(['urn:s:expr']);
    expect(
      ids(index.candidates('', { id: 'urn:t:1', after: entity('Tree', 'urn:t:1', ['height']) })),
    ).toEqual(['urn:s:watch']);
    // A deletion is seen through the state before it; a type change through both states.
    expect(
      ids(index.candidates('', { id: 'urn:t:1', before: entity('Tower', 'urn:t:1', ['height']) })),
    ).toEqual(['urn:s:expr', 'urn:s:watch']);
    expect(
      ids(index.candidates('', { id: 'urn:t:1', before: entity('Tree'), after: entity('Building') })),
    ).toEqual(['urn:s:expr']);
  });

  it('keeps tenants apart, and forgets what is removed or replaced', () => {
    const index = new SubscriptionIndex();
    index.put('a', sub('urn:s:1', [{ type: `${D}Building` }]));
    const change = { id: 'urn:b:1', after: entity('Building', 'urn:b:1') };
    expect(index.candidates('b', change)).toEqual([]);
    expect(ids(index.candidates('a', change))).toEqual(['urn:s:1']);
    index.put('a', sub('urn:s:1', [{ type: `${D}Tower` }]));
    expect(index.candidates('a', change)).toEqual([]);
    expect(index.get('a', 'urn:s:1')?.entities?.[0]?.type).toBe(`${D}Tower`);
    expect(index.remove('a', 'urn:s:1')).toBe(true);
    expect(index.remove('a', 'urn:s:1')).toBe(false);
    expect(index.size).toBe(0);
    expect(index.candidates('a', { id: 'urn:t:1', after: entity('Tower') })).toEqual([]);
  });

  it('holds periodic subscriptions without filing them for changes', () => {
    const index = new SubscriptionIndex();
    index.put('', sub('urn:s:p', [{ type: `${D}Building` }], { timeInterval: 5 }));
    expect(index.get('', 'urn:s:p')).toBeDefined();
    expect([...index.entries()].map((e) => e.subscription.id)).toEqual(['urn:s:p']);
    expect(index.candidates('', { id: 'urn:b:1', after: entity('Building', 'urn:b:1') })).toEqual([]);
  });
});
