import * as turf from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { DEVICE_COUNTS, ENTITY_TYPES } from './devices.js';
import { generateCity } from './generate.js';
import { DEVICE_KINDS, type City, type District } from './model.js';

const city = generateCity(42);
const small = generateCity(42, { devices: 'small' });

function countByKind(c: City): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of c.devices) out[d.kind] = (out[d.kind] ?? 0) + 1;
  return out;
}

describe('generateCity: determinism', () => {
  it('gives a deep-equal city for the same seed', () => {
    expect(generateCity(42)).toEqual(city);
    expect(generateCity(42, { devices: 'small' })).toEqual(small);
  });

  it('gives different cities for different seeds', () => {
    const other = generateCity(43);
    expect(other.districts.map((d) => d.polygon)).not.toEqual(city.districts.map((d) => d.polygon));
    expect(other.devices.map((d) => d.position)).not.toEqual(city.devices.map((d) => d.position));
  });
});

describe.each([1, 42, 2024, 0xdeadbeef])('generateCity(%i): districts', (seed) => {
  const c = seed === 42 ? city : generateCity(seed);
  const polys = c.districts.map((d) => turf.polygon(d.polygon));

  it('has 8–10 named districts with unique ids, 250–400k people and varied deprivation', () => {
    expect(c.districts.length).toBeGreaterThanOrEqual(8);
    expect(c.districts.length).toBeLessThanOrEqual(10);
    expect(new Set(c.districts.map((d) => d.id)).size).toBe(c.districts.length);
    for (const d of c.districts) {
      expect(d.id).toMatch(/^urn:ngsi-ld:District:[a-z0-9-]+$/);
      expect(d.name.length).toBeGreaterThan(0);
      expect(d.population).toBeGreaterThan(0);
      expect(d.deprivationIndex).toBeGreaterThanOrEqual(0);
      expect(d.deprivationIndex).toBeLessThanOrEqual(1);
    }
    const total = c.districts.reduce((s, d) => s + d.population, 0);
    expect(total).toBeGreaterThanOrEqual(250_000);
    expect(total).toBeLessThanOrEqual(400_000);
    const centre = c.districts.find((d) => d.character === 'centre') as District;
    const worst = Math.max(...c.districts.map((d) => d.deprivationIndex));
    expect(centre.deprivationIndex).toBeLessThan(worst);
    expect(worst - Math.min(...c.districts.map((d) => d.deprivationIndex))).toBeGreaterThan(0.5);
    expect(c.districts.filter((d) => d.character === 'leisure')).toHaveLength(1);
  });

  it('draws valid, closed, counter-clockwise polygons', () => {
    for (const p of polys) {
      const ring = p.geometry.coordinates[0] as number[][];
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(turf.booleanClockwise(ring as [number, number][])).toBe(false);
      expect(turf.kinks(p).features).toHaveLength(0);
      expect(turf.area(p)).toBeGreaterThan(1e6); // at least 1 km²
    }
  });

  it('does not overlap and covers the city without gaps', () => {
    for (let i = 0; i < polys.length; i++)
      for (let j = i + 1; j < polys.length; j++) {
        const both = turf.intersect(turf.featureCollection([polys[i]!, polys[j]!]));
        expect(both === null ? 0 : turf.area(both)).toBeLessThan(10); // m²: shared borders only
      }
    const sum = polys.reduce((s, p) => s + turf.area(p), 0);
    const union = turf.union(turf.featureCollection(polys));
    expect(union).not.toBeNull();
    // One piece, no holes, and its area is the sum: the districts tile the city.
    expect(union!.geometry.type).toBe('Polygon');
    expect((union!.geometry.coordinates as number[][][]).length).toBe(1);
    expect(Math.abs(turf.area(union!) - sum) / sum).toBeLessThan(1e-4);
    // A mid-sized city: 40–120 km², on land east of the Atlantic coast (about -8.68 here).
    expect(sum / 1e6).toBeGreaterThan(40);
    expect(sum / 1e6).toBeLessThan(120);
    expect(c.bbox[0]).toBeGreaterThan(-8.67);
  });

  it('puts every device and building inside its own district, with unique ids', () => {
    const byId = new Map(c.districts.map((d) => [d.id, d]));
    for (const d of c.devices) {
      const district = byId.get(d.districtId);
      expect(district, d.id).toBeDefined();
      expect(turf.booleanPointInPolygon(d.position, turf.polygon(district!.polygon)), d.id).toBe(true);
      expect(d.zone).toBe(district!.character);
    }
    for (const b of c.buildings) {
      const district = byId.get(b.districtId)!;
      expect(turf.booleanPointInPolygon(b.position, turf.polygon(district.polygon)), b.id).toBe(true);
    }
    expect(new Set(c.devices.map((d) => d.id)).size).toBe(c.devices.length);
    expect(new Set(c.devices.map((d) => d.entityId)).size).toBe(c.devices.length);
    expect(new Set(c.buildings.map((b) => b.id)).size).toBe(c.buildings.length);
    expect(new Set(c.roads.map((r) => r.id)).size).toBe(c.roads.length);
  });
});

describe('generateCity: roads and buildings', () => {
  it('has arterials, secondary roads and a residential grid, all named LineStrings in the city', () => {
    const classes = countBy(city.roads.map((r) => r.roadClass));
    expect(classes.primary).toBeGreaterThanOrEqual(4);
    expect(classes.secondary).toBeGreaterThanOrEqual(3);
    expect(classes.residential).toBeGreaterThanOrEqual(10);
    const [w, s, e, n] = city.bbox;
    for (const r of city.roads) {
      expect(r.id).toMatch(/^urn:ngsi-ld:RoadSegment:road-\d{3}$/);
      expect(r.name).not.toBe('');
      expect(r.line.length).toBeGreaterThanOrEqual(2);
      for (const [x, y] of r.line) {
        expect(x).toBeGreaterThanOrEqual(w - 1e-6);
        expect(x).toBeLessThanOrEqual(e + 1e-6);
        expect(y).toBeGreaterThanOrEqual(s - 1e-6);
        expect(y).toBeLessThanOrEqual(n + 1e-6);
      }
    }
  });

  it('has 20–30 public buildings of every category, one town hall in the centre', () => {
    expect(city.buildings.length).toBeGreaterThanOrEqual(20);
    expect(city.buildings.length).toBeLessThanOrEqual(30);
    const cats = countBy(city.buildings.map((b) => b.category));
    expect(cats.townHall).toBe(1);
    for (const c of ['school', 'library', 'sportsCentre', 'healthCentre']) expect(cats[c]).toBeGreaterThan(0);
    const centre = city.districts.find((d) => d.character === 'centre')!;
    expect(city.buildings.find((b) => b.category === 'townHall')!.districtId).toBe(centre.id);
    // Every district has a school.
    for (const d of city.districts)
      expect(city.buildings.some((b) => b.category === 'school' && b.districtId === d.id)).toBe(true);
  });
});

describe('generateCity: devices', () => {
  it.each([
    ['default', city],
    ['small', small],
  ] as const)('has the %s fleet: counts per kind, one flow meter per district', (size, c) => {
    const counts = countByKind(c);
    for (const kind of DEVICE_KINDS) {
      const expected = kind === 'flowMeter' ? c.districts.length : DEVICE_COUNTS[size][kind];
      expect(counts[kind] ?? 0, kind).toBe(expected);
    }
    const total = c.devices.length;
    if (size === 'default') expect(total).toBeGreaterThanOrEqual(350);
    else expect(total).toBeLessThanOrEqual(80);
    expect(new Set(c.devices.filter((d) => d.kind === 'flowMeter').map((d) => d.districtId)).size).toBe(
      c.districts.length,
    );
  });

  it('names devices readably, LoRaWAN ones by DevEUI, and their entities by type', () => {
    for (const d of city.devices) {
      expect(d.entityType).toBe(ENTITY_TYPES[d.kind]);
      expect(d.entityId).toBe(`urn:ngsi-ld:${d.entityType}:${d.id}`);
      expect(d.bias).toBeGreaterThanOrEqual(0);
      expect(d.bias).toBeLessThanOrEqual(1);
      if (d.transport === 'lorawan') expect(d.id).toMatch(/^[0-9a-f]{16}$/);
      else expect(d.id).toMatch(/^[a-z]+-\d{3}$/);
    }
    expect(city.devices.find((d) => d.kind === 'airQuality')!.id).toBe('aq-001');
    expect(city.devices.find((d) => d.kind === 'streetlight')!.id).toBe('light-001');
  });

  it('puts actuators on MQTT, meters, bins and parking on LoRaWAN, the rest on both MQTT and HTTP', () => {
    for (const d of city.devices) {
      if (['streetlight', 'trafficSignal', 'hvac'].includes(d.kind)) expect(d.transport, d.id).toBe('mqtt');
      else if (['waterMeter', 'wasteBin', 'parking'].includes(d.kind))
        expect(d.transport, d.id).toBe('lorawan');
      else expect(['mqtt', 'http']).toContain(d.transport);
    }
    const others = city.devices.filter((d) => ['airQuality', 'noise', 'trafficCounter'].includes(d.kind));
    expect(new Set(others.map((d) => d.transport))).toEqual(new Set(['mqtt', 'http']));
  });

  it('ties devices to their road or building where they have one', () => {
    const roads = new Map(city.roads.map((r) => [r.id, r]));
    const buildings = new Map(city.buildings.map((b) => [b.id, b]));
    for (const d of city.devices) {
      if (['trafficCounter', 'noise'].includes(d.kind))
        expect(roads.get(d.roadId!)!.roadClass).toBe('primary');
      if (['streetlight', 'trafficSignal', 'parking'].includes(d.kind))
        expect(roads.has(d.roadId!)).toBe(true);
      if (d.kind === 'hvac') expect(buildings.get(d.buildingId!)!.position).toEqual(d.position);
    }
    // Signals stand at distinct junctions.
    const signals = city.devices.filter((d) => d.kind === 'trafficSignal').map((d) => d.position.join(','));
    expect(new Set(signals).size).toBe(signals.length);
  });
});

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
