/**
 * Integration: entity queries on PostgreSQL + PostGIS (issue #6) — what is `PgQueryRunner`'s own
 * (its port behaviour is the conformance suite's, run on the whole store in
 * postgres-conformance.test.ts): what runs in JavaScript (patterns,
 * non-plain paths, an order by a non-plain path) pages and counts exactly, values PostgreSQL text
 * cannot hold answer as the reference does, and the plans over a seeded tenant drive from the
 * indexes the design names (docs/postgres-query-plans.md).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entity } from '../../src/core/model/entity.js';
import type { EntityQuery } from '../../src/core/query/ast.js';
import { matchesQ } from '../../src/core/query/q-match.js';
import {
  cmp,
  entity,
  geo,
  has,
  iri,
  LOCATION,
  num,
  path,
  prop,
  put,
  query,
  rejectsWith,
  str,
} from '../../src/store/conformance/fixtures.js';
import { randomEntities } from '../../src/store/conformance/q-arbitraries.js';
import { jsOrder } from '../../src/store/postgres/query/order.js';
import { freshDatabase } from './postgres-database.js';
import { openParts, TRUNCATE_ENTITIES_AND_HISTORY, type StoreParts } from './postgres-parts.js';

const URL_OF_RUN = freshDatabase('urbis_it_query');

type Opened = StoreParts;

const open = (): Opened => openParts(URL_OF_RUN, 'urbis-it-query');

const TRUNCATE = TRUNCATE_ENTITIES_AND_HISTORY;

/** Entities of a tenant written through the store's writer (failing the test on any failure). */
async function seedTenant(o: Opened, tenant: string, entities: Entity[]): Promise<void> {
  for (let i = 0; i < entities.length; i += 1000) {
    const results = await o.writer.mutate(tenant, entities.slice(i, i + 1000).map(put));
    expect(results.every((r) => r.ok)).toBe(true);
  }
}

/** Every page of a query, `size` at a time, with the count each page reports. */
async function allPages(
  o: Opened,
  tenant: string,
  q: Partial<EntityQuery>,
  size: number,
): Promise<{ ids: string[]; counts: number[] }> {
  const ids: string[] = [];
  const counts: number[] = [];
  for (let offset = 0; ; offset += size) {
    const r = await o.runner.page(tenant, query({ ...q, limit: size, offset, count: true }));
    counts.push(r.count!);
    ids.push(...r.entities.map((e) => e.id));
    if (r.entities.length < size) return { ids, counts };
  }
}

const TEMPERATURE = path('temperature');

/** 60 sensors: names s00..s59, temperatures with a sub-attribute `accuracy` on every third. */
const SENSORS: Entity[] = Array.from({ length: 60 }, (_, i) =>
  entity(`urn:s:${String(i).padStart(2, '0')}`, i % 2 === 0 ? 'Sensor' : 'Meter', {
    name: prop(`s${String(i).padStart(2, '0')}`),
    temperature: prop(
      (i * 7) % 31,
      i % 3 === 0 ? { sub: { [iri('accuracy')]: { type: 'Property', value: i % 5 } } } : {},
    ),
  }),
);

describe('postgres query runner: what runs in JavaScript', () => {
  let o: Opened;
  beforeAll(async () => {
    o = open();
    await seedTenant(o, 'urn:t:residual', SENSORS);
  });
  afterAll(async () => {
    await o.close();
  });
  const T = 'urn:t:residual';
  const reference = (f: (e: Entity) => boolean): string[] =>
    SENSORS.filter(f)
      .map((e) => e.id)
      .sort();

  it('pages and counts a pattern exactly, in id order and in an attribute order', async () => {
    const q = cmp('name', '~=', str('[05]$'));
    const want = reference((e) => /[05]$/.test(e.attrs[iri('name')]![0]!.value as string));
    const paged = await allPages(o, T, { q }, 4);
    expect(paged.ids).toEqual(want);
    expect(new Set(paged.counts)).toEqual(new Set([want.length]));
    // The same entities by temperature descending (a SQL order streamed through the JavaScript filter).
    const temp = (id: string): number =>
      SENSORS.find((e) => e.id === id)!.attrs[iri('temperature')]![0]!.value as number;
    const byTemp = [...want].sort((a, b) => temp(b) - temp(a) || (a < b ? -1 : 1));
    const ordered = await allPages(o, T, { q, orderBy: [{ key: TEMPERATURE, descending: true }] }, 3);
    expect(ordered.ids).toEqual(byTemp);
  });

  it('combines an id pattern with a type and q in SQL, and counts without a page', async () => {
    const q = {
      type: { kind: 'type' as const, name: iri('Sensor') },
      idPattern: '[13579]0?$',
      q: cmp('temperature', '>', num(10)),
    };
    const want = reference(
      (e) =>
        e.type.includes(iri('Sensor')) &&
        /[13579]0?$/.test(e.id) &&
        (e.attrs[iri('temperature')]![0]!.value as number) > 10,
    );
    expect(want.length).toBeGreaterThan(0);
    expect((await allPages(o, T, q, 2)).ids).toEqual(want);
    expect(await o.runner.page(T, query({ ...q, limit: 0, count: true }))).toEqual({
      entities: [],
      count: want.length,
    });
    expect(await o.runner.ids(T, q)).toEqual(want);
  });

  it('evaluates a sub-attribute path and orders by one (absent last, either direction)', async () => {
    const accuracy = path('temperature', ['accuracy']);
    const acc = (e: Entity): number | undefined =>
      e.attrs[iri('temperature')]![0]!.sub?.[iri('accuracy')]?.value as number | undefined;
    expect((await allPages(o, T, { q: cmp(accuracy, '>=', num(3)) }, 5)).ids).toEqual(
      reference((e) => (acc(e) ?? -1) >= 3),
    );
    const by = (descending: boolean): string[] => {
      const sign = descending ? -1 : 1;
      return [...SENSORS]
        .sort((a, b) => {
          const x = acc(a);
          const y = acc(b);
          if (x === undefined || y === undefined)
            return x === y ? (a.id < b.id ? -1 : 1) : x === undefined ? 1 : -1;
          return sign * (x - y) || (a.id < b.id ? -1 : 1);
        })
        .map((e) => e.id);
    };
    for (const descending of [false, true]) {
      const paged = await allPages(o, T, { orderBy: [{ key: accuracy, descending }] }, 7);
      expect(paged.ids).toEqual(by(descending));
      expect(new Set(paged.counts)).toEqual(new Set([SENSORS.length]));
    }
  });

  it('keeps tenants apart on every path (SQL, residual, count, ids)', async () => {
    const other = 'urn:t:other';
    await seedTenant(o, other, [entity('urn:s:00', 'Sensor', { name: prop('s00') })]);
    const pattern = { q: cmp('name', '~=', str('^s0')) };
    expect((await o.runner.page(other, query({ ...pattern, count: true }))).count).toBe(1);
    expect((await o.runner.page(other, query({ count: true }))).count).toBe(1);
    expect(await o.runner.ids(other, { q: has('temperature') })).toEqual([]);
    expect((await o.runner.page('urn:t:nobody', query({ ...pattern, count: true }))).count).toBe(0);
  });
});

describe('postgres query runner: values PostgreSQL text cannot hold', () => {
  const FIX: Entity[] = [
    entity('urn:n:1', 'N', { name: prop('a') }, { scope: ['/a'] }),
    entity('urn:n:2', 'N', { name: prop('a b') }),
    entity('urn:n:3', 'N', { name: prop('b'), level: prop(3) }),
  ];
  let o: Opened;
  beforeAll(async () => {
    o = open();
    await seedTenant(o, 'urn:t:nul', FIX);
  });
  afterAll(async () => {
    await o.close();
  });
  const T = 'urn:t:nul';

  it('answers comparisons with U+0000 as the reference does, instead of failing', async () => {
    for (const q of [
      cmp('name', '==', str('a\u0000')),
      cmp('name', '!=', str('a\u0000')),
      cmp('name', '<', str('a\u0000b')),
      cmp('name', '<=', str('a\u0000')),
      cmp('name', '>', str('a\u0000')),
      cmp('name', '>=', str('a\u0000b')),
      { kind: 'range' as const, path: path('name'), negate: false, from: str('a\u0000'), to: str('b') },
      { kind: 'in' as const, path: path('name'), negate: false, values: [str('a\u0000'), str('b')] },
      cmp('level', '<', num(Number.NaN)),
      cmp('level', '!=', num(Number.NaN)),
      has('na\u0000me'),
    ]) {
      const want = FIX.filter((e) => matchesQ(e, q)).map((e) => e.id);
      expect(await o.runner.ids(T, { q })).toEqual(want);
    }
  });

  it('matches no id, type or scope holding U+0000', async () => {
    expect(await o.runner.ids(T, { ids: ['urn:n:1\u0000', 'urn:n:2'] })).toEqual(['urn:n:2']);
    expect(await o.runner.ids(T, { type: { kind: 'type', name: `${iri('N')}\u0000` } })).toEqual([]);
    expect(
      await o.runner.ids(T, { scopeQ: { kind: 'scope', segments: ['a\u0000'], descendants: true } }),
    ).toEqual([]);
  });
});

describe('postgres query runner: geometry PostGIS cannot evaluate', () => {
  it('answers a self-intersecting polygon or refuses it with BadRequestData, never a 5xx', async () => {
    const o = open();
    try {
      await seedTenant(o, 'urn:t:geo', [
        entity('urn:g:1', 'Spot', { [LOCATION]: geo({ type: 'Point', coordinates: [0.5, 0.5] }) }),
      ]);
      const bowtie = {
        type: 'Polygon' as const,
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [1, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      };
      for (const georel of ['within', 'contains', 'intersects', 'overlaps', 'equals', 'disjoint'] as const) {
        const p = o.runner.page(
          'urn:t:geo',
          query({ geoQ: { georel, geometry: bowtie, geoproperty: LOCATION } }),
        );
        await p.then(
          (r) => expect(Array.isArray(r.entities)).toBe(true),
          async () => expect(await rejectsWith(p)).toBe('BadRequestData'),
        );
      }
    } finally {
      await o.close();
    }
  });
});

describe('postgres query runner: the SQL order is the JavaScript order', () => {
  it('on random entities, for every key (plain paths in SQL, the comparator in memory)', async () => {
    const keys = fc.array(
      fc.record({
        key: fc.oneof(
          fc.constantFrom('type' as const, 'createdAt' as const, 'id' as const),
          fc.constantFrom('a', 'b', 'c').map((a) => path(a)),
        ),
        descending: fc.boolean(),
      }),
      { minLength: 1, maxLength: 3 },
    );
    const o = open();
    try {
      await fc.assert(
        fc.asyncProperty(randomEntities, keys, async (entities, orderBy) => {
          await o.pool.query(TRUNCATE);
          const dated = entities.map((e, n) =>
            n % 3 === 0 ? e : { ...e, createdAt: `2024-01-0${(n % 7) + 1}T00:00:00Z` },
          );
          await seedTenant(o, '', dated);
          const order = jsOrder(orderBy);
          const want = dated
            .map((e) => order.key(e))
            .sort(order.compare)
            .map((k) => k.id);
          expect(
            (await o.runner.page('', query({ orderBy, limit: 1000 }))).entities.map((e) => e.id),
          ).toEqual(want);
        }),
        { numRuns: 40 },
      );
    } finally {
      await o.close();
    }
  });
});

/** 20,000 entities of five types with a temperature, a status and a location: plans on real statistics. */
function cityEntities(n: number): Entity[] {
  const types = ['AirQualityObserved', 'Streetlight', 'ParkingSpot', 'WasteContainer', 'NoiseLevelObserved'];
  let seedValue = 42;
  const random = (): number => (seedValue = (seedValue * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => {
    const t = types[i % types.length]!;
    return entity(`urn:ngsi-ld:${t}:${String(i).padStart(6, '0')}`, t, {
      temperature: prop(Math.round(random() * 400) / 10 - 5),
      status: prop(['ok', 'warning', 'error', 'off'][Math.floor(random() * 4)]),
      [LOCATION]: geo({ type: 'Point', coordinates: [2.25 + random() * 0.2, 48.8 + random() * 0.1] }),
    });
  });
}

describe('postgres query runner: plans over a seeded tenant', () => {
  const T = 'urn:t:city';
  let o: Opened;
  beforeAll(async () => {
    o = open();
    await seedTenant(o, T, cityEntities(20_000));
    await o.pool.query('VACUUM ANALYZE entities, entity_types, attr_values, entity_geo');
  }, 120_000);
  afterAll(async () => {
    await o.close();
  });
  const streetlight = { kind: 'type' as const, name: iri('Streetlight') };
  const plan = async (q: Partial<EntityQuery>): Promise<string> =>
    (await o.runner.explain(T, query({ limit: 20, ...q }))).join('\n');

  it('walks the (tenant, type, id) index for a page of one type in id order, without sorting', async () => {
    const p = await plan({ type: streetlight });
    expect(p).toContain('entity_types_tenant_type_id');
    expect(p).not.toMatch(/Sort Key/);
  });

  it('drives a selective q from the value index of its kind', async () => {
    expect(await plan({ type: streetlight, q: cmp('temperature', '>', num(34.8)) })).toContain(
      'attr_values_num',
    );
    expect(await plan({ q: cmp('status', '==', str('nothing like it')) })).toContain('attr_values_str');
  });

  it('finds near entities through the GiST index', async () => {
    const p = await plan({
      geoQ: {
        georel: 'near',
        maxDistance: 300,
        geometry: { type: 'Point', coordinates: [2.35, 48.85] },
        geoproperty: LOCATION,
      },
    });
    expect(p).toContain('entity_geo_geom');
  });

  it('answers at once when a name is unknown', async () => {
    expect(await plan({ q: cmp('nothing', '==', num(1)) })).toMatch(/One-Time Filter: false/);
  });

  it('agrees with the reference on the seeded tenant', async () => {
    const all = cityEntities(20_000);
    const q = cmp('temperature', '>', num(34.8));
    const want = all.filter((e) => e.type.includes(iri('Streetlight')) && matchesQ(e, q)).map((e) => e.id);
    const r = await o.runner.page(T, query({ type: streetlight, q, limit: 1000, count: true }));
    expect(r.count).toBe(want.length);
    expect(r.entities.map((e) => e.id)).toEqual(want.slice(0, 1000));
  });
});
