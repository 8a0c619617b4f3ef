// The documents the simulator sends, checked with Urbis's own readers where there is one: the policy
// through parsePolicy, the LoRaWAN uplink through the ChirpStack normaliser.
import { describe, expect, it } from 'vitest';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { parseRule, ruleContext } from '../../alerts/rule.js';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import { parseChirpstackEvent } from '../../devices/transports/lorawan/chirpstack.js';
import { parsePolicy } from '../../governance/policy/parse-policy.js';
import { generateCity } from '../city/index.js';
import { demoAlertRules, scaledDuration } from './alert-rules.js';
import { cityEntities, deviceEntityId } from './city-entities.js';
import { demoPolicy, publicTypes } from './demo-policy.js';
import { chirpstackUp, radioOf } from './transports/chirpstack-uplink.js';

const city = generateCity(42, { devices: 'small' });
const mapper: TermMapper = {
  expandTerm: (t) => (t.includes(':') ? t : `https://sdm.example/${t}`),
  compactIri: (i) => i,
};

describe('city entities', () => {
  const entities = cityEntities(city);

  it('has every district, road, building and device-fed entity once, each with a location', () => {
    expect(entities).toHaveLength(
      city.districts.length + city.roads.length + city.buildings.length + city.devices.length,
    );
    expect(new Set(entities.map((e) => e.id)).size).toBe(entities.length);
    for (const e of entities) expect((e.location as { type: string }).type).toBe('GeoProperty');
    const district = entities.find((e) => e.type === 'District');
    expect(district).toMatchObject({
      location: { value: { type: 'Polygon' } },
      population: { type: 'Property' },
      deprivationIndex: { type: 'Property' },
    });
    expect(entities.find((e) => e.type === 'RoadSegment')).toMatchObject({
      location: { value: { type: 'LineString' } },
      roadClass: { type: 'Property' },
    });
  });

  it('points each device-fed entity at its Device with refDevice, at the device’s position', () => {
    const d = city.devices[0]!;
    const fed = entities.find((e) => e.id === d.entityId)!;
    expect(fed).toEqual({
      id: d.entityId,
      type: d.entityType,
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: d.position } },
      refDevice: { type: 'Relationship', object: deviceEntityId(d.id) },
    });
  });
});

describe('demo policy', () => {
  it('is a valid policy: the built-in roles plus one public read rule for the open types', () => {
    const compiled = parsePolicy(demoPolicy(city), mapper, 1);
    expect(compiled.rules.length).toBe(5);
    const open = compiled.rules.find((r) => r.public);
    expect([...(open?.actions ?? [])]).toEqual(['read']);
    expect(open?.types?.has('https://sdm.example/AirQualityObserved')).toBe(true);
    expect(open?.types?.has('https://sdm.example/Device')).toBe(false);
  });

  it('opens observations, geography and alerts, never devices, rules or household water meters', () => {
    const types = publicTypes(city);
    for (const t of ['District', 'RoadSegment', 'Building', 'Alert', 'AirQualityObserved', 'WasteContainer'])
      expect(types).toContain(t);
    for (const t of ['Device', 'AlertRule', 'WaterConsumptionObserved']) expect(types).not.toContain(t);
  });
});

const FLOW = {
  speed: 60,
  flowIntervalS: 300,
  flowAttribute: 'flow',
  flowMeters: [
    {
      entityId: 'urn:ngsi-ld:WaterObserved:n',
      districtId: 'urn:ngsi-ld:District:north',
      districtName: 'North',
      rise: 5,
    },
    {
      entityId: 'urn:ngsi-ld:WaterObserved:s',
      districtId: 'urn:ngsi-ld:District:south',
      districtName: 'South',
      rise: 7,
    },
  ],
};

describe('alert rules', () => {
  it('scales durations by the speed, with a floor of a few seconds', () => {
    expect(scaledDuration(1800, 1)).toBe('PT1800S');
    expect(scaledDuration(1800, 60)).toBe('PT30S');
    expect(scaledDuration(1800, 6000)).toBe('PT3S');
  });

  it('gives PM2.5, bin, flow and offline rules with the alerts API’s shape', () => {
    const rules = demoAlertRules({ ...FLOW, flowIntervalS: 900 });
    expect(rules.map((r) => r.id)).toEqual([
      'demo-pm25-high',
      'demo-bin-full',
      'demo-flow-jump-north',
      'demo-flow-jump-south',
      'demo-device-offline',
    ]);
    expect(rules[0]?.condition).toEqual({
      kind: 'threshold',
      attribute: 'pm25',
      op: '>',
      value: 35,
      for: 'PT30S',
      clear: 30,
    });
    expect(rules[2]?.condition).toMatchObject({ kind: 'rateOfChange', change: 5, within: 'PT30S' });
    expect(rules[3]?.scope).toEqual({ type: 'WaterObserved', entity: 'urn:ngsi-ld:WaterObserved:s' });
    expect(rules[3]?.name).toBe('Water inflow jumped in South (a burst main?)');
    for (const r of rules) expect(Object.keys(r.scope).length).toBeGreaterThan(0);
  });

  it('are accepted by the alerts module’s rule parser, attributes expanded as their types govern them', async () => {
    // The SDM URL resolves to nothing here: the per-type contexts after it carry the names.
    const resolver = new ContextResolver({ load: async () => ({ '@context': {} }) });
    const rules = demoAlertRules(FLOW);
    const parsed = await Promise.all(
      rules.map(async (r) => parseRule(r, await resolver.resolve(ruleContext(r)))),
    );
    expect(parsed.map((p) => p.condition.kind)).toEqual([
      'threshold',
      'threshold',
      'rateOfChange',
      'rateOfChange',
      'deviceOffline',
    ]);
    const attribute = (i: number) => (parsed[i]?.condition as { attribute: string }).attribute;
    expect(attribute(0)).toBe('https://smartdatamodels.org/dataModel.Environment/pm25');
    expect(attribute(1)).toBe('https://smartdatamodels.org/dataModel.WasteManagement/fillingLevel');
    expect(parsed[0]?.scope.type).toBe(
      'https://smartdatamodels.org/dataModel.Environment/AirQualityObserved',
    );
    expect(parsed[0]?.condition).toMatchObject({ forMs: 30_000, clear: 30 });
    expect(parsed[2]?.condition).toMatchObject({ withinMs: 10_000, direction: 'rising', change: 5 });
  });
});

describe('ChirpStack uplink', () => {
  it('reads back through Urbis’s ChirpStack normaliser: device, counter, bytes, decoded object, radio', () => {
    const device = city.devices.find((d) => d.transport === 'lorawan')!;
    const payload = { fillingLevel: 0.42, bat: 97, ts: 1_796_284_800 };
    const body = chirpstackUp(device, { devAddr: '0a0b0c0d', fCnt: 7 }, payload, new Date());
    const event = parseChirpstackEvent('up', JSON.parse(JSON.stringify(body)));
    if (event.kind !== 'up') throw new Error(event.kind);
    expect(event.uplink.devEui).toBe(device.id);
    expect(event.uplink.fCnt).toBe(7);
    expect(event.uplink.devAddr).toBe('0a0b0c0d');
    expect(event.uplink.decoded).toEqual(payload);
    expect(JSON.parse(Buffer.from(event.uplink.payload).toString('utf8'))).toEqual(payload);
    expect(event.uplink.radio).toEqual(radioOf(device));
  });
});
