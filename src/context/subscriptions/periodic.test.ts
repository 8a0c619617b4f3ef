// Periodic notifications (timeInterval, clause 5.2.12): rounds driven with a fixed clock, a fake
// store recording queries and enqueued notices.
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../core/model/entity.js';
import type { EntityQuery } from '../../core/query/ast.js';
import type { Subscription } from '../../core/subscription/model.js';
import type { Notice } from '../../store/port.js';
import { PeriodicNotifier } from './periodic.js';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const START = Date.parse('2030-01-01T00:00:00Z');

function sub(extra: Partial<Subscription> = {}): Subscription {
  return {
    id: 'urn:s:p',
    entities: [{ type: `${D}Building` }],
    notificationTrigger: ['attributeCreated', 'attributeUpdated'],
    notification: {
      attributes: [`${D}name`],
      format: 'normalized',
      showChanges: false,
      sysAttrs: false,
      endpoint: { uri: 'http://r/n', accept: 'application/json' },
    },
    isActive: true,
    timeInterval: 10,
    jsonldContext: null,
    createdAt: '2030-01-01T00:00:00Z',
    modifiedAt: '2030-01-01T00:00:00Z',
    ...extra,
  };
}

const building = (n: number): Entity => ({
  id: `urn:ngsi-ld:Building:${n}`,
  type: [`${D}Building`],
  attrs: {
    [`${D}name`]: [{ type: 'Property', value: `b${n}` }],
    [`${D}height`]: [{ type: 'Property', value: n }],
  },
});

function setup(entities: Entity[], subs: Subscription[], pageSize = 1000, maxEntities?: number) {
  let now = START;
  const queries: EntityQuery[] = [];
  const enqueued: Array<{ tenant: string; notices: Notice[] }> = [];
  const byId = new Map(subs.map((s) => [s.id, s]));
  const periodic = new PeriodicNotifier({
    store: {
      capabilities: { dialect: 'fake', exactGeo: true, maxLimit: 1000, nulInText: true },
      queryEntities: async (_tenant, query) => {
        queries.push(structuredClone(query));
        return { entities: entities.slice(query.offset, query.offset + query.limit) };
      },
      outbox: {
        enqueue: async (tenant: string, notices: Notice[]) => void enqueued.push({ tenant, notices }),
      } as never,
    },
    lookup: (_tenant, id) => byId.get(id),
    clock: () => now,
    options: { pageSize, ...(maxEntities ? { maxEntities } : {}) },
  });
  return { periodic, queries, enqueued, byId, setNow: (t: number) => (now = t) };
}

describe('PeriodicNotifier', () => {
  it('notifies every selected entity each interval, reduced to notification.attributes', async () => {
    const { periodic, enqueued, queries } = setup([building(1), building(2)], [sub()]);
    periodic.schedule('t1', sub());
    expect(await periodic.runDue(START + 9_999)).toBe(0);
    expect(await periodic.runDue(START + 10_000)).toBe(2);
    expect(enqueued).toHaveLength(1);
    expect(enqueued[0]!.tenant).toBe('t1');
    const [first] = enqueued[0]!.notices;
    expect(first).toEqual({
      subscriptionId: 'urn:s:p',
      entityId: 'urn:ngsi-ld:Building:1',
      payload: {
        trigger: 'timeInterval',
        entity: {
          id: 'urn:ngsi-ld:Building:1',
          type: [`${D}Building`],
          attrs: { [`${D}name`]: [{ type: 'Property', value: 'b1' }] },
        },
        at: '2030-01-01T00:00:10.000Z',
      },
    });
    expect(queries[0]).toMatchObject({ type: { kind: 'type', name: `${D}Building` }, offset: 0 });
    // Not again before the next interval; again after it.
    expect(await periodic.runDue(START + 15_000)).toBe(0);
    expect(await periodic.runDue(START + 20_000)).toBe(2);
  });

  it('passes q, geoQ, scopeQ, id and idPattern to the store, pages, and stops at maxEntities', async () => {
    const many = Array.from({ length: 25 }, (_, i) => building(i));
    const s = sub({
      entities: [{ type: `${D}Building`, idPattern: '^urn:' }],
      q: { text: 'height>1', expr: { kind: 'exists', path: { attr: `${D}height`, sub: [], keys: [] } } },
      scopeQ: { text: '/a', expr: { kind: 'scope', segments: ['a'], descendants: false } },
    });
    const { periodic, queries } = setup(many, [s], 10, 22);
    periodic.schedule('', s);
    expect(await periodic.runDue(START + 10_000)).toBe(22);
    expect(queries.map((q) => q.offset)).toEqual([0, 10, 20]);
    expect(queries[0]).toMatchObject({ idPattern: '^urn:', q: s.q!.expr, scopeQ: s.scopeQ!.expr, limit: 10 });
  });

  it('sends nothing for a paused or expired subscription, and drops a deleted one', async () => {
    const { periodic, enqueued, byId } = setup([building(1)], [sub({ isActive: false })]);
    periodic.schedule('', sub());
    expect(await periodic.runDue(START + 10_000)).toBe(0);
    byId.set('urn:s:p', sub({ expiresAt: '2030-01-01T00:00:15Z' }));
    expect(await periodic.runDue(START + 20_000)).toBe(0);
    byId.delete('urn:s:p');
    await periodic.runDue(START + 30_000);
    expect(periodic.size).toBe(0);
    expect(enqueued).toHaveLength(0);
  });

  it('reschedules on a new interval, unschedules a subscription that is no longer periodic', async () => {
    const { periodic, setNow } = setup([building(1)], [sub()]);
    periodic.schedule('', sub());
    setNow(START + 5_000);
    periodic.schedule('', sub({ timeInterval: 2 }));
    expect(await periodic.runDue(START + 6_999)).toBe(0);
    expect(await periodic.runDue(START + 7_000)).toBe(1);
    periodic.schedule('', sub({ timeInterval: undefined }));
    expect(periodic.size).toBe(0);
  });

  it('skips missed rounds after a long pause instead of sending them in a burst', async () => {
    const { periodic } = setup([building(1)], [sub()]);
    periodic.schedule('', sub());
    expect(await periodic.runDue(START + 100_000)).toBe(1);
    expect(await periodic.runDue(START + 100_001)).toBe(0);
    expect(await periodic.runDue(START + 110_000)).toBe(1);
  });

  it('runs on its own timer once started, and stops', async () => {
    const enqueued: Notice[][] = [];
    const fast = sub({ timeInterval: 0.02 });
    const real = new PeriodicNotifier({
      store: {
        capabilities: { dialect: 'fake', exactGeo: true, maxLimit: 1000, nulInText: true },
        queryEntities: async () => ({ entities: [building(1)] }),
        outbox: {
          enqueue: async (_tenant: string, notices: Notice[]) => void enqueued.push(notices),
        } as never,
      },
      lookup: () => fast,
    });
    real.schedule('', fast);
    real.start();
    await expect.poll(() => enqueued.length, { timeout: 5_000 }).toBeGreaterThan(1);
    await real.stop();
    const count = enqueued.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(enqueued.length).toBe(count);
  });
});
