// The retention plan and its run on a fake temporal store: groups per retention, the type default
// over every attribute only where that is exact, dry runs that count what a real run deletes.
import { describe, expect, it } from 'vitest';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import type { TemporalRepository } from '../../store/port.js';
import { parseGovernance } from '../privacy/parse-governance.js';
import { planRetention, runRetention } from './retention-plan.js';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const mapper = new ContextResolver({ load: async () => ({}) }).core;
const NOW = Date.parse('2025-03-10T12:00:00Z');
const DAY = 86_400_000;

const gov = (doc: Record<string, unknown>) => parseGovernance({ purpose: 'p', ...doc }, mapper);

/** A temporal store reduced to what prune looks at. */
class FakeTemporal {
  instances: Array<{ tenant: string; type: string; attr: string; modifiedAt: string }> = [];
  calls: Array<{ tenant: string; before: string; options: unknown }> = [];

  add(tenant: string, type: string, attr: string, daysAgo: number): void {
    this.instances.push({
      tenant,
      type: D + type,
      attr: D + attr,
      modifiedAt: new Date(NOW - daysAgo * DAY).toISOString(),
    });
  }

  async prune(
    tenant: string,
    before: string,
    options: { types?: string[]; attrs?: string[]; dryRun?: boolean } = {},
  ): Promise<number> {
    this.calls.push({ tenant, before, options });
    const hit = (i: FakeTemporal['instances'][number]) =>
      i.tenant === tenant &&
      (options.types === undefined || options.types.includes(i.type)) &&
      (options.attrs === undefined || options.attrs.includes(i.attr)) &&
      i.modifiedAt < before;
    const n = this.instances.filter(hit).length;
    if (options.dryRun !== true) this.instances = this.instances.filter((i) => !hit(i));
    return n;
  }

  asRepository(): TemporalRepository {
    return this as unknown as TemporalRepository;
  }
}

const ago = (days: number) => new Date(NOW - days * DAY).toISOString();

describe('planRetention', () => {
  it('gives own retentions their groups and the longest default every attribute', () => {
    const g = gov({
      type: 'ParkingSpot',
      retention: 'P30D',
      attributes: {
        status: { classification: 'public' },
        plate: { classification: 'personal', retention: 'P1D' },
        mac: { classification: 'personal', retention: 'PT24H' },
        seenAt: { classification: 'internal', retention: 'P7D' },
        same: { classification: 'internal', retention: 'P30D' },
      },
    });
    expect(planRetention([{ tenant: 'city', g }], NOW)).toEqual([
      { tenant: 'city', type: `${D}ParkingSpot`, attrs: [`${D}seenAt`], before: ago(7), retention: 'P7D' },
      {
        tenant: 'city',
        type: `${D}ParkingSpot`,
        attrs: [`${D}mac`, `${D}plate`],
        before: ago(1),
        retention: 'P1D',
      },
      {
        tenant: 'city',
        type: `${D}ParkingSpot`,
        before: ago(30),
        retention: 'P30D',
        overlaps: [`${D}mac`, `${D}plate`, `${D}seenAt`],
      },
    ]);
  });

  it('lists the default attributes explicitly when an attribute is kept longer than the default', () => {
    const g = gov({
      type: 'Meter',
      retention: 'P1Y',
      attributes: {
        reading: { classification: 'personal' },
        alarm: { classification: 'sensitive', retention: 'P90D' },
        serial: { classification: 'internal', retention: 'P5Y' },
      },
    });
    const plan = planRetention([{ tenant: 'city', g }], NOW);
    expect(plan.map((p) => [p.attrs, p.retention])).toEqual([
      [[`${D}serial`], 'P5Y'],
      [[`${D}reading`], 'P1Y'],
      [[`${D}alarm`], 'P90D'],
    ]);
    expect(plan[0]?.before).toBe('2020-03-10T12:00:00.000Z');
    expect(plan[1]?.before).toBe('2024-03-10T12:00:00.000Z');
  });

  it('keeps what has no retention, and prunes only attributes with their own when the type has none', () => {
    const g = gov({
      type: 'T',
      attributes: { a: { classification: 'public' }, b: { classification: 'personal', retention: 'P1D' } },
    });
    expect(planRetention([{ tenant: 'x', g }], NOW)).toEqual([
      { tenant: 'x', type: `${D}T`, attrs: [`${D}b`], before: ago(1), retention: 'P1D' },
    ]);
    expect(planRetention([{ tenant: 'x', g: gov({ type: 'T', attributes: {} }) }], NOW)).toEqual([]);
  });

  it('uses calendar months and orders by tenant and type', () => {
    const g = gov({ type: 'T', retention: 'P1M', attributes: {} });
    const h = gov({ type: 'A', retention: 'P1D', attributes: {} });
    const plan = planRetention(
      [
        { tenant: 'b', g },
        { tenant: 'a', g },
        { tenant: 'b', g: h },
      ],
      Date.parse('2025-03-31T00:00:00Z'),
    );
    expect(plan.map((p) => [p.tenant, p.type, p.before])).toEqual([
      ['a', `${D}T`, '2025-02-28T00:00:00.000Z'],
      ['b', `${D}A`, '2025-03-30T00:00:00.000Z'],
      ['b', `${D}T`, '2025-02-28T00:00:00.000Z'],
    ]);
  });
});

describe('runRetention', () => {
  function scenario() {
    const temporal = new FakeTemporal();
    for (const days of [0.5, 3, 10, 40]) {
      temporal.add('city', 'ParkingSpot', 'status', days);
      temporal.add('city', 'ParkingSpot', 'plate', days);
      temporal.add('city', 'ParkingSpot', 'legacy', days);
      temporal.add('city', 'Bench', 'status', days);
      temporal.add('other', 'ParkingSpot', 'plate', days);
    }
    const g = gov({
      type: 'ParkingSpot',
      retention: 'P30D',
      attributes: {
        status: { classification: 'public' },
        plate: { classification: 'personal', retention: 'P1D' },
      },
    });
    return { temporal, plan: planRetention([{ tenant: 'city', g }], NOW) };
  }

  it('deletes what is past its time, per attribute, for the tenant and type only', async () => {
    const { temporal, plan } = scenario();
    const outcomes = await runRetention(temporal.asRepository(), plan, false);
    expect(outcomes).toEqual([
      { tenant: 'city', type: `${D}ParkingSpot`, attrs: [`${D}plate`], before: ago(1), instances: 3 },
      { tenant: 'city', type: `${D}ParkingSpot`, before: ago(30), instances: 2 },
    ]);
    const left = (type: string, attr: string, tenant = 'city') =>
      temporal.instances.filter((i) => i.tenant === tenant && i.type === D + type && i.attr === D + attr)
        .length;
    expect(left('ParkingSpot', 'plate')).toBe(1);
    expect(left('ParkingSpot', 'status')).toBe(3);
    // History of an attribute the entry does not declare goes at the type default.
    expect(left('ParkingSpot', 'legacy')).toBe(3);
    expect(left('Bench', 'status')).toBe(4);
    expect(left('ParkingSpot', 'plate', 'other')).toBe(4);
  });

  it('counts in a dry run exactly what a real run deletes, and deletes nothing', async () => {
    const { temporal, plan } = scenario();
    const size = temporal.instances.length;
    const dry = await runRetention(temporal.asRepository(), plan, true);
    expect(temporal.instances).toHaveLength(size);
    expect(temporal.calls.every((c) => (c.options as { dryRun: boolean }).dryRun)).toBe(true);
    const real = await runRetention(temporal.asRepository(), plan, false);
    expect(dry).toEqual(real);
    expect(temporal.instances).toHaveLength(size - 5);
  });
});
