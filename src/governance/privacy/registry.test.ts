// The registry over an in-memory repository: tenant entries over built-in ones, per tenant; several
// governed types combined; stored documents self-contained; the cache and its invalidation.
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import { parseGovernance } from './parse-governance.js';
import { GovernanceRegistry } from './registry.js';
import { MemoryRegistryRepository } from './testing.js';

const P = 'https://example.org/parking/';
const resolver = new ContextResolver({ load: async () => ({}) });
const ctx = { p: P, ParkingSpot: 'p:ParkingSpot', Camera: 'p:Camera', plate: 'p:plate', speed: 'p:speed' };
const mapper = resolver.resolveSync(ctx)!;
const AT = '2025-03-01T10:00:00.000Z';

const BUILT_IN = parseGovernance(
  {
    type: 'ParkingSpot',
    purpose: 'built-in',
    retention: 'P1Y',
    attributes: {
      status: { classification: 'public' },
      plate: { classification: 'personal', treatment: 'drop' },
    },
  },
  mapper,
);
const TENANT_DOC = {
  type: 'ParkingSpot',
  purpose: 'tenant',
  undeclared: 'refuse',
  attributes: {
    plate: { classification: 'personal', retention: 'P1D', treatment: { kind: 'pseudonymise', length: 12 } },
  },
};
const CAMERA_DOC = {
  type: 'Camera',
  purpose: 'enforcement',
  attributes: {
    plate: { classification: 'sensitive', treatment: 'pseudonymise' },
    speed: { classification: 'public' },
  },
};

function setup(options: { cacheMs?: number } = {}) {
  const repo = new MemoryRegistryRepository();
  let now = 0;
  const registry = new GovernanceRegistry({ repo, builtIn: [BUILT_IN], now: () => now, ...options });
  return { repo, registry, advance: (ms: number) => (now += ms) };
}

describe('GovernanceRegistry', () => {
  it('returns nothing for ungoverned types and the built-in entry otherwise', async () => {
    const { registry } = setup();
    expect(await registry.forTypes('city', [`${P}Bench`])).toBeUndefined();
    expect(await registry.forTypes('city', [])).toBeUndefined();
    expect(await registry.forTypes('city', [`${P}ParkingSpot`])).toBe(BUILT_IN);
    expect(await registry.forTypes('city', [`${P}Bench`, `${P}ParkingSpot`])).toBe(BUILT_IN);
  });

  it("applies a tenant's entry instead of the built-in one, for that tenant only", async () => {
    const { registry } = setup();
    const put = await registry.put('city', TENANT_DOC, mapper, 'alice', AT);
    expect(put).toEqual(parseGovernance(TENANT_DOC, mapper));
    expect(await registry.forTypes('city', [`${P}ParkingSpot`])).toEqual(put);
    expect(await registry.forTypes('other', [`${P}ParkingSpot`])).toBe(BUILT_IN);
  });

  it('combines several governed types', async () => {
    const { registry } = setup();
    await registry.put('city', CAMERA_DOC, mapper, 'alice', AT);
    const g = await registry.forTypes('city', [`${P}ParkingSpot`, `${P}Camera`]);
    expect(g?.combinedFrom).toEqual([`${P}ParkingSpot`, `${P}Camera`]);
    // Built-in ParkingSpot drops the plate; drop is stricter than Camera's pseudonym.
    expect(g?.attributes[`${P}plate`]?.treatment).toEqual({ kind: 'drop' });
    expect(Object.keys(g?.attributes ?? {}).sort()).toEqual(
      ['https://uri.etsi.org/ngsi-ld/status', `${P}plate`, `${P}speed`].sort(),
    );
    const lookup = await registry.lookup('city');
    expect(lookup([`${P}ParkingSpot`, `${P}Camera`])).toBe(
      lookup([`${P}ParkingSpot`, `${P}Camera`, `${P}Camera`]),
    );
  });

  it('stores the canonical document with the @context of its names, readable by any later process', async () => {
    const { repo, registry } = setup();
    await registry.put('city', TENANT_DOC, mapper, 'alice', AT);
    const record = await repo.get('city', `${P}ParkingSpot`);
    expect(record).toEqual({
      tenant: 'city',
      type: `${P}ParkingSpot`,
      updatedAt: AT,
      updatedBy: 'alice',
      document: {
        '@context': { ParkingSpot: `${P}ParkingSpot`, plate: `${P}plate` },
        ...TENANT_DOC,
      },
    });
    const fresh = new GovernanceRegistry({ repo, builtIn: [] });
    expect(await fresh.forTypes('city', [`${P}ParkingSpot`])).toEqual(parseGovernance(TENANT_DOC, mapper));
    expect(await fresh.get('city', `${P}ParkingSpot`)).toMatchObject({
      source: 'tenant',
      updatedAt: AT,
      updatedBy: 'alice',
      document: record?.document,
    });
  });

  it('refuses an invalid document and stores nothing', async () => {
    const { repo, registry } = setup();
    await expect(
      registry.put('city', { ...TENANT_DOC, purpose: '' }, mapper, 'alice', AT),
    ).rejects.toMatchObject({
      kind: 'BadRequestData',
    });
    expect(repo.records.size).toBe(0);
  });

  it('gets, lists and deletes; deleting brings the built-in entry back', async () => {
    const { registry } = setup();
    await registry.put('city', CAMERA_DOC, mapper, 'bob', AT);
    await registry.put('city', TENANT_DOC, mapper, 'alice', AT);
    expect((await registry.list('city')).map((e) => [e.governance.type, e.source])).toEqual([
      [`${P}Camera`, 'tenant'],
      [`${P}ParkingSpot`, 'tenant'],
    ]);
    expect((await registry.list('other')).map((e) => [e.governance.type, e.source])).toEqual([
      [`${P}ParkingSpot`, 'builtIn'],
    ]);
    expect(await registry.delete('city', `${P}ParkingSpot`)).toBe(true);
    expect(await registry.delete('city', `${P}ParkingSpot`)).toBe(false);
    expect(await registry.get('city', `${P}ParkingSpot`)).toEqual({
      governance: BUILT_IN,
      source: 'builtIn',
    });
    expect(await registry.get('city', `${P}Bench`)).toBeUndefined();
    expect((await registry.list('city')).map((e) => e.source)).toEqual(['tenant', 'builtIn']);
  });

  it('caches a tenant’s entries for cacheMs; put and delete invalidate at once', async () => {
    const { repo, registry, advance } = setup({ cacheMs: 1000 });
    await registry.forTypes('city', [`${P}ParkingSpot`]);
    await registry.forTypes('city', [`${P}ParkingSpot`]);
    expect(repo.lists).toBe(1);
    // Another replica writes: seen once the cache expires.
    await repo.put({
      tenant: 'city',
      type: `${P}ParkingSpot`,
      document: {
        '@context': { ParkingSpot: `${P}ParkingSpot` },
        type: 'ParkingSpot',
        purpose: 'x',
        attributes: {},
      },
      updatedAt: AT,
      updatedBy: 'elsewhere',
    });
    expect((await registry.forTypes('city', [`${P}ParkingSpot`]))?.purpose).toBe('built-in');
    advance(1000);
    expect((await registry.forTypes('city', [`${P}ParkingSpot`]))?.purpose).toBe('x');
    expect(repo.lists).toBe(2);
    await registry.put('city', TENANT_DOC, mapper, 'alice', AT);
    expect((await registry.forTypes('city', [`${P}ParkingSpot`]))?.purpose).toBe('tenant');
    await registry.delete('city', `${P}ParkingSpot`);
    expect((await registry.forTypes('city', [`${P}ParkingSpot`]))?.purpose).toBe('built-in');
  });

  it('tells whether an effective entry pseudonymises, kept with the cached entries', async () => {
    const { repo, registry, advance } = setup({ cacheMs: 1000 });
    // The built-in entry drops, it does not pseudonymise.
    expect(await registry.pseudonymises('city')).toBe(false);
    await registry.put('city', CAMERA_DOC, mapper, 'alice', AT);
    expect(await registry.pseudonymises('city')).toBe(true);
    expect(await registry.pseudonymises('other')).toBe(false);
    // A tenant entry replacing the built-in one counts, the built-in one no longer does.
    await registry.delete('city', `${P}Camera`);
    expect(await registry.pseudonymises('city')).toBe(false);
    await registry.put('city', TENANT_DOC, mapper, 'alice', AT);
    expect(await registry.pseudonymises('city')).toBe(true);
    const lists = repo.lists;
    expect(await registry.pseudonymises('city')).toBe(true);
    expect(repo.lists).toBe(lists);
    // Another replica removes the entry: seen once the cache expires.
    await repo.delete('city', `${P}ParkingSpot`);
    expect(await registry.pseudonymises('city')).toBe(true);
    advance(1000);
    expect(await registry.pseudonymises('city')).toBe(false);
  });

  it('reports an unreadable stored document as an internal error', async () => {
    const { repo, registry } = setup();
    await repo.put({
      tenant: 'city',
      type: `${P}ParkingSpot`,
      document: { type: 'ParkingSpot' },
      updatedAt: AT,
      updatedBy: 'x',
    });
    const error = await registry.forTypes('city', [`${P}ParkingSpot`]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NgsiError);
    expect(error).toMatchObject({ kind: 'InternalError', status: 500 });
    expect((error as NgsiError).detail).toContain('type "ParkingSpot" does not expand to an IRI');
    await repo.put({
      tenant: 'city',
      type: `${P}ParkingSpot`,
      document: { '@context': { Other: `${P}Other` }, type: 'Other', purpose: 'x', attributes: {} },
      updatedAt: AT,
      updatedBy: 'x',
    });
    await expect(new GovernanceRegistry({ repo, builtIn: [] }).list('city')).rejects.toThrow(/is for type/);
  });
});
