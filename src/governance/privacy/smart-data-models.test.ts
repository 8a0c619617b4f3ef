// The shipped Smart Data Models entries: all eight models, expanded to the IRIs a client linking the
// SDM contexts produces (core terms included), with the personal data treated, and usable end to end
// on an entity sent with the SDM names.
import { describe, expect, it } from 'vitest';
import { parseEntity } from '../../core/entity/parse-entity.js';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import { governAttrs } from './apply-governance.js';
import { CLASSIFICATIONS, type TypeGovernance } from './model.js';
import { parseGovernance, renderGovernance } from './parse-governance.js';
import { builtInGovernance, smartDataModelContext, SMART_DATA_MODEL_DOCUMENTS } from './smart-data-models.js';

const SDM = 'https://smartdatamodels.org/';
const NGSI = 'https://uri.etsi.org/ngsi-ld/';
const entries = builtInGovernance();
const byType = new Map(entries.map((g) => [g.type, g]));
const entry = (type: string): TypeGovernance => {
  const g = byType.get(type);
  if (g === undefined) throw new Error(`no entry for ${type}`);
  return g;
};

describe('built-in Smart Data Models governance', () => {
  it('covers the eight models Urbis uses, under their SDM type IRIs', () => {
    expect([...byType.keys()].sort()).toEqual(
      [
        `${SDM}dataModel.Device/Device`,
        `${SDM}dataModel.Environment/AirQualityObserved`,
        `${SDM}dataModel.Environment/NoiseLevelObserved`,
        `${SDM}dataModel.Parking/ParkingSpot`,
        `${SDM}dataModel.Streetlighting/Streetlight`,
        `${SDM}dataModel.Transportation/TrafficFlowObserved`,
        `${SDM}dataModel.WasteManagement/WasteContainer`,
        `${SDM}dataModel.WaterConsumption/WaterConsumptionObserved`,
      ].sort(),
    );
    for (const g of entries) {
      expect(g.purpose.length).toBeGreaterThan(10);
      expect(g.retention).toMatch(/^P/);
      // Device entities carry per-profile command attributes: kept; every other model minimises.
      expect(g.undeclared).toBe(g.type.endsWith('/Device') ? 'keep' : 'drop');
      for (const a of Object.values(g.attributes)) expect(CLASSIFICATIONS).toContain(a.classification);
    }
  });

  it('expands model terms, commons and core terms as the SDM contexts and the core context do', () => {
    const air = entry(`${SDM}dataModel.Environment/AirQualityObserved`).attributes;
    expect(air).toHaveProperty([`${SDM}dataModel.Environment/no2`]);
    expect(air).toHaveProperty([`${SDM}dataModel.Environment/pm25`]);
    expect(air).toHaveProperty([`${SDM}dateObserved`]);
    expect(air).toHaveProperty([`${SDM}name`]);
    expect(air).toHaveProperty([`${NGSI}location`]);
    expect(air).toHaveProperty(['http://purl.org/dc/terms/description']);
    const spot = entry(`${SDM}dataModel.Parking/ParkingSpot`).attributes;
    expect(spot).toHaveProperty([`${NGSI}status`]);
    expect(spot).not.toHaveProperty([`${SDM}dataModel.Parking/status`]);
    expect(entry(`${SDM}dataModel.Device/Device`).attributes).toHaveProperty([`${NGSI}hasValue`]);
  });

  it('treats personal data: plates pseudonymised, household meters coarsened, addresses dropped', () => {
    const waste = entry(`${SDM}dataModel.WasteManagement/WasteContainer`);
    expect(waste.attributes[`${SDM}dataModel.WasteManagement/license_plate`]).toEqual({
      classification: 'personal',
      purpose: expect.any(String),
      retention: 'P30D',
      treatment: { kind: 'pseudonymise', length: 16 },
    });
    const water = entry(`${SDM}dataModel.WaterConsumption/WaterConsumptionObserved`).attributes;
    expect(water[`${NGSI}location`]).toMatchObject({
      classification: 'personal',
      treatment: { kind: 'coarsen', h3: 9 },
    });
    expect(water[`${SDM}address`]).toMatchObject({ classification: 'personal', treatment: { kind: 'drop' } });
    expect(water[`${SDM}dataModel.WaterConsumption/waterConsumption`]?.classification).toBe('personal');
    expect(water[`${SDM}dataModel.WaterConsumption/alarmTamper`]?.classification).toBe('sensitive');
    const device = entry(`${SDM}dataModel.Device/Device`).attributes;
    expect(device[`${SDM}dataModel.Device/serialNumber`]?.classification).toBe('internal');
    expect(device[`${SDM}dataModel.Device/macAddress`]?.classification).toBe('internal');
  });

  it('renders back to the shipped documents with their own context', () => {
    const resolver = new ContextResolver({ load: async () => ({}) });
    for (const doc of SMART_DATA_MODEL_DOCUMENTS) {
      const mapper = resolver.resolveSync(doc['@context'])!;
      const g = parseGovernance(doc, mapper);
      const { '@context': _context, ...rest } = doc;
      expect(renderGovernance(g, mapper)).toEqual(rest);
    }
  });

  it('governs a WasteContainer sent with the SDM names end to end', () => {
    const resolver = new ContextResolver({ load: async () => ({}) });
    const sdm = resolver.resolveSync({
      WasteContainer: `${SDM}dataModel.WasteManagement/WasteContainer`,
      fillingLevel: `${SDM}dataModel.WasteManagement/fillingLevel`,
      license_plate: `${SDM}dataModel.WasteManagement/license_plate`,
      status: `${NGSI}status`,
    })!;
    const entity = parseEntity(
      {
        id: 'urn:ngsi-ld:WasteContainer:1',
        type: 'WasteContainer',
        fillingLevel: { type: 'Property', value: 0.8 },
        status: { type: 'Property', value: 'ok' },
        license_plate: { type: 'Property', value: '1234-BCD' },
        cameraImage: { type: 'Property', value: 'https://cdn.example/shot.jpg' },
      },
      sdm,
    );
    const g = entry(entity.type[0]!);
    const { attrs, dropped } = governAttrs(entity.attrs, g, {
      pseudonymise: (v, n) => `h(${v})`.slice(0, n),
    });
    expect(dropped).toEqual(['https://uri.etsi.org/ngsi-ld/default-context/cameraImage']);
    expect(attrs[`${SDM}dataModel.WasteManagement/fillingLevel`]).toEqual([{ type: 'Property', value: 0.8 }]);
    expect(attrs[`${NGSI}status`]).toEqual([{ type: 'Property', value: 'ok' }]);
    expect(attrs[`${SDM}dataModel.WasteManagement/license_plate`]).toEqual([
      { type: 'Property', value: 'h(1234-BCD)' },
    ]);
  });

  it("gives clients each entry's own context, so what they send is declared; none for other types", () => {
    const resolver = new ContextResolver({ load: async () => ({}) });
    for (const g of entries) {
      const short = g.type.slice(g.type.lastIndexOf('/') + 1);
      const context = smartDataModelContext(short);
      expect(context, short).toBeDefined();
      const mapper = resolver.resolveSync(context)!;
      expect(mapper.expandTerm(short)).toBe(g.type);
      // Every name the entry declares expands, through the context it hands out, to the declared IRI.
      for (const name of Object.keys(context!).filter((n) => n !== short)) {
        expect(Object.keys(g.attributes)).toContain(mapper.expandTerm(name));
      }
    }
    expect(smartDataModelContext('WeatherObserved')).toBeUndefined();
  });
});
