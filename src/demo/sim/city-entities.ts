/**
 * The demo city's geography and device-fed entities as NGSI-LD entities (normalised form, compact
 * names under the Smart Data Models context): District, RoadSegment and Building, and one entity per
 * device with its `location` and `refDevice`, written before any telemetry so that the map shows every
 * sensor at once. Pure: the same city gives the same entities.
 */
import { smartDataModelContext } from '../../governance/privacy/smart-data-models.js';
import type { City, DemoDevice, District, PublicBuilding, Road } from '../city/model.js';

export type NgsiEntity = { id: string; type: string } & Record<string, unknown>;

const prop = (value: unknown) => ({ type: 'Property', value });
const geo = (type: 'Point' | 'LineString' | 'Polygon', coordinates: unknown) => ({
  type: 'GeoProperty',
  value: { type, coordinates },
});
const rel = (object: string) => ({ type: 'Relationship', object });

/** The registry's id of a device's Device entity (README "Connect devices", step 2). */
export const deviceEntityId = (deviceId: string): string => `urn:ngsi-ld:Device:${deviceId}`;

export function districtEntity(d: District): NgsiEntity {
  return {
    id: d.id,
    type: 'District',
    name: prop(d.name),
    location: geo('Polygon', d.polygon),
    population: prop(d.population),
    deprivationIndex: prop(d.deprivationIndex),
  };
}

export function roadEntity(r: Road): NgsiEntity {
  return {
    id: r.id,
    type: 'RoadSegment',
    name: prop(r.name),
    location: geo('LineString', r.line),
    roadClass: prop(r.roadClass),
  };
}

export function buildingEntity(b: PublicBuilding): NgsiEntity {
  return {
    id: b.id,
    type: 'Building',
    name: prop(b.name),
    // Smart Data Models Building.category is a list of uses.
    category: prop([b.category]),
    location: geo('Point', b.position),
  };
}

/**
 * The entity a device feeds, as it stands before its first reading: where it is and which device
 * reports it. `refDevice` only where the type's governance entry declares it (the shipped
 * TrafficFlowObserved entry does not: it would be dropped at the gate, counted as undeclared).
 */
export function deviceFedEntity(device: DemoDevice): NgsiEntity {
  const governed = smartDataModelContext(device.entityType);
  return {
    id: device.entityId,
    type: device.entityType,
    location: geo('Point', device.position),
    ...(governed === undefined || 'refDevice' in governed
      ? { refDevice: rel(deviceEntityId(device.id)) }
      : {}),
  };
}

/** Everything the city is made of, geography first, in batches Urbis takes in one upsert. */
export function cityEntities(city: City): NgsiEntity[] {
  return [
    ...city.districts.map(districtEntity),
    ...city.roads.map(roadEntity),
    ...city.buildings.map(buildingEntity),
    ...city.devices.map(deviceFedEntity),
  ];
}

/** Split a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
