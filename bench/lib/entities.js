/**
 * Realistic Smart Data Model entities for the benchmarks (normalized NGSI-LD, default core
 * @context): WasteContainer for the bulk load and queries, AirQualityObserved for create/retrieve.
 * Everything is drawn from a seeded generator so two runs load the same city.
 */

/**
 * A small, fast, seeded PRNG (mulberry32) returning floats in [0, 1). Seeded so that the data
 * set, and therefore the query selectivities, are the same from run to run.
 * @param {number} seed
 * @returns {() => number}
 */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Metres per degree of latitude (mean). */
const M_PER_DEG_LAT = 111_320;

/**
 * The bounding box the containers are spread over: `sizeM` × `sizeM` metres centred on
 * (lon, lat) — by default a 10 km square over central Valencia.
 * @param {{ lon?: number, lat?: number, sizeM?: number }} [opts]
 * @returns {{ west: number, south: number, east: number, north: number }}
 */
export function cityBox({ lon = -0.376, lat = 39.47, sizeM = 10_000 } = {}) {
  const halfLat = sizeM / 2 / M_PER_DEG_LAT;
  const halfLon = sizeM / 2 / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
  return { west: lon - halfLon, south: lat - halfLat, east: lon + halfLon, north: lat + halfLat };
}

/**
 * A uniformly random [lon, lat] inside a box, rounded to 7 decimals (~1 cm, as GPS data comes).
 * @param {() => number} rnd
 * @param {{ west: number, south: number, east: number, north: number }} box
 * @returns {[number, number]}
 */
export function randomPoint(rnd, box) {
  const lon = box.west + rnd() * (box.east - box.west);
  const lat = box.south + rnd() * (box.north - box.south);
  return [Math.round(lon * 1e7) / 1e7, Math.round(lat * 1e7) / 1e7];
}

const STATUSES = ['ok', 'ok', 'ok', 'ok', 'lidOpen', 'dropped', 'notAvailable'];
const MODELS = ['urn:ngsi-ld:WasteContainerModel:C240', 'urn:ngsi-ld:WasteContainerModel:C1100'];
const BASE_TIME = Date.parse('2025-01-01T00:00:00Z');

/**
 * One WasteContainer (Smart Data Models, Waste Management) with six attributes: location
 * (GeoProperty Point), fillingLevel (0–1, uniform, the attribute the q queries filter on),
 * temperature, status, dateLastEmptying (DateTime) and refWasteContainerModel (Relationship).
 * @param {number} n sequence number, part of the id
 * @param {() => number} rnd
 * @param {{ west: number, south: number, east: number, north: number }} box
 */
export function wasteContainer(n, rnd, box) {
  const observedAt = new Date(BASE_TIME + Math.floor(rnd() * 30 * 86_400_000)).toISOString();
  return {
    id: `urn:ngsi-ld:WasteContainer:wc-${n}`,
    type: 'WasteContainer',
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: randomPoint(rnd, box) } },
    fillingLevel: { type: 'Property', value: Math.round(rnd() * 1e6) / 1e6, unitCode: 'C62', observedAt },
    temperature: {
      type: 'Property',
      value: Math.round((5 + rnd() * 30) * 10) / 10,
      unitCode: 'CEL',
      observedAt,
    },
    status: { type: 'Property', value: STATUSES[Math.floor(rnd() * STATUSES.length)] },
    dateLastEmptying: {
      type: 'Property',
      value: { '@type': 'DateTime', '@value': new Date(Date.parse(observedAt) - 86_400_000).toISOString() },
    },
    refWasteContainerModel: { type: 'Relationship', object: MODELS[Math.floor(rnd() * MODELS.length)] },
  };
}

/**
 * One AirQualityObserved (Smart Data Models, Environment) with six attributes: location,
 * dateObserved, NO2, PM10, PM2_5 and temperature. Used by the single-entity create/retrieve
 * figures; it is a different type from the bulk-loaded containers, as in a real city.
 * @param {string} id
 * @param {() => number} rnd
 * @param {{ west: number, south: number, east: number, north: number }} box
 */
export function airQualityObserved(id, rnd, box) {
  const observedAt = new Date(BASE_TIME + Math.floor(rnd() * 30 * 86_400_000)).toISOString();
  return {
    id,
    type: 'AirQualityObserved',
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: randomPoint(rnd, box) } },
    dateObserved: { type: 'Property', value: { '@type': 'DateTime', '@value': observedAt } },
    NO2: { type: 'Property', value: Math.round(rnd() * 2000) / 10, unitCode: 'GQ', observedAt },
    PM10: { type: 'Property', value: Math.round(rnd() * 1000) / 10, unitCode: 'GQ', observedAt },
    PM2_5: { type: 'Property', value: Math.round(rnd() * 600) / 10, unitCode: 'GQ', observedAt },
    temperature: {
      type: 'Property',
      value: Math.round((5 + rnd() * 30) * 10) / 10,
      unitCode: 'CEL',
      observedAt,
    },
  };
}
