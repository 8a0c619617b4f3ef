/**
 * The demo city generator (issue #7): a plausible mid-sized city, "Porto Verde", on the Portuguese
 * coast near (-8.58, 41.16) but on land, deterministic by seed. Same seed, same city — districts,
 * roads, public buildings and several hundred devices — on every machine, so screenshots, tests and
 * a restart on the same data dir all see the same place. Pure: no I/O, no clock.
 */
import { makeBuildings } from './buildings.js';
import { makeDevices, type FleetSize } from './devices.js';
import { makeDistricts, makeOutline } from './districts.js';
import type { City, LngLat } from './model.js';
import { mulberry32 } from './random.js';
import { junctions, makeRoads } from './roads.js';
import * as turf from '@turf/turf';

export interface GenerateOptions {
  /** 'default' (~400 devices) or 'small' (~60, for fast tests). */
  devices?: FleetSize;
}

/** The city's centre: inland of the Atlantic coast at this latitude (~ -8.68), so the city is on land. */
export const CITY_CENTRE: LngLat = [-8.58, 41.165];
export const CITY_NAME = 'Porto Verde';

/** Generate the city for `seed` (any integer; taken modulo 2^32). */
export function generateCity(seed: number, options: GenerateOptions = {}): City {
  // One stream per part, so adding a building does not move every device of the same seed.
  const stream = (part: number) => mulberry32((seed ^ Math.imul(part, 0x9e3779b1)) >>> 0);
  const centre = CITY_CENTRE;
  const outline = makeOutline(stream(1), centre);
  const districts = makeDistricts(stream(2), centre, outline);
  const roads = makeRoads(stream(3), centre, outline);
  const buildings = makeBuildings(stream(4), districts);
  const devices = makeDevices(
    stream(5),
    { districts, roads, buildings, junctions: junctions(roads, centre) },
    options.devices ?? 'default',
  );
  const [w, s, e, n] = turf.bbox(turf.polygon(outline));
  return {
    seed,
    name: CITY_NAME,
    centre,
    bbox: [w, s, e, n],
    districts,
    roads,
    buildings,
    devices,
  };
}
