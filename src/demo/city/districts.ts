/**
 * The city's outline and districts. The outline is the convex hull of a seeded ring of points (an
 * irregular oval, like a city bounded by a ring road and countryside); districts are the Voronoi
 * cells of a centre point and a ring of seeds, each clipped to the outline. A convex cell clipped to
 * a convex outline is one convex polygon, so districts are always single, valid, non-overlapping
 * polygons that together cover the city exactly.
 */
import * as turf from '@turf/turf';
import type { Feature, Polygon } from 'geojson';
import { polarKm, round, slug } from './geometry.js';
import type { District, DistrictCharacter, LngLat } from './model.js';
import { randInt, randRange, shuffle, type Rng } from './random.js';

/** Half-axes of the city's oval, km: about 75 km², a mid-sized European city. */
const RADIUS_EAST_KM = 5.4;
const RADIUS_NORTH_KM = 4.5;

const OUTER_NAMES = [
  'Ribeira Nova',
  'Bonfim Alto',
  'Campo Verde',
  'Paranhos',
  'Foz do Rio',
  'Lordelo',
  'Aldoar',
  'Ramalde',
  'Vila Nova',
  'Monte Claro',
  'Areosa',
  'Santa Luzia',
];

/** The city outline: one closed, counter-clockwise ring. */
export function makeOutline(rng: Rng, centre: LngLat): LngLat[][] {
  const n = 14;
  const points = [];
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n + randRange(rng, -0.12, 0.12);
    const r = randRange(rng, 0.85, 1.1);
    const east = RADIUS_EAST_KM * r * Math.cos(angle);
    const north = RADIUS_NORTH_KM * r * Math.sin(angle);
    points.push(turf.point(polarKm(centre, Math.hypot(east, north), Math.atan2(north, east))));
  }
  const hull = turf.convex(turf.featureCollection(points));
  if (hull === null) throw new Error('city outline: degenerate hull');
  return ccw(hull).geometry.coordinates.map((ring) => ring.map(round));
}

/**
 * 8–10 districts covering `outline`: the centre, then a ring of 7–9. Population sums to 250–400k,
 * denser in the centre and in the more deprived outskirts; the centre is among the least deprived,
 * some outskirts the most, and the district nearest the coast (west) is the leisure one.
 */
export function makeDistricts(rng: Rng, centre: LngLat, outline: LngLat[][]): District[] {
  const outer = randInt(rng, 7, 9);
  const seeds: LngLat[] = [centre];
  const phase = rng() * 2 * Math.PI;
  for (let i = 0; i < outer; i++) {
    const angle = phase + (2 * Math.PI * i) / outer + randRange(rng, -0.2, 0.2);
    const r = randRange(rng, 0.58, 0.72);
    const east = RADIUS_EAST_KM * r * Math.cos(angle);
    const north = RADIUS_NORTH_KM * r * Math.sin(angle);
    seeds.push(polarKm(centre, Math.hypot(east, north), Math.atan2(north, east)));
  }
  const boundary = turf.polygon(outline);
  const [w, s, e, n] = turf.bbox(boundary);
  const cells = turf.voronoi(turf.featureCollection(seeds.map((p) => turf.point(p))), {
    bbox: [w - 0.01, s - 0.01, e + 0.01, n + 0.01],
  });

  const polygons = cells.features.map((cell, i) => {
    const clipped = turf.intersect(turf.featureCollection([cell, boundary]));
    if (clipped === null || clipped.geometry.type !== 'Polygon')
      throw new Error(`district ${i}: clipping its cell did not give one polygon`);
    return ccw(clipped as Feature<Polygon>).geometry.coordinates.map((ring) => ring.map(round));
  });

  // The leisure district: the outer one whose seed lies furthest west (towards the sea).
  let leisure = 1;
  for (let i = 2; i < seeds.length; i++)
    if ((seeds[i] as LngLat)[0] < (seeds[leisure] as LngLat)[0]) leisure = i;

  // Deprivation: spread over 0.1–0.9 and dealt out at random; the leisure district gets the lowest.
  const spread = shuffle(
    rng,
    Array.from({ length: outer }, (_, i) => 0.1 + (0.8 * i) / (outer - 1) + randRange(rng, -0.04, 0.04)),
  );
  const lowest = spread.indexOf(Math.min(...spread));
  const li = leisure - 1;
  [spread[li], spread[lowest]] = [spread[lowest] as number, spread[li] as number];

  const names = shuffle(rng, OUTER_NAMES);
  const totalPopulation = randInt(rng, 260_000, 380_000);
  const drafts = polygons.map((polygon, i) => {
    const character: DistrictCharacter = i === 0 ? 'centre' : i === leisure ? 'leisure' : 'residential';
    const deprivationIndex = clamp01(i === 0 ? randRange(rng, 0.18, 0.3) : (spread[i - 1] as number));
    const density = character === 'centre' ? 1.7 : character === 'leisure' ? 0.6 : 1 + 0.5 * deprivationIndex;
    const name = i === 0 ? 'Centro Histórico' : (names[i - 1] as string);
    return { polygon, character, deprivationIndex, name, weight: turf.area(turf.polygon(polygon)) * density };
  });
  const weights = drafts.reduce((sum, d) => sum + d.weight, 0);
  return drafts.map((d) => ({
    id: `urn:ngsi-ld:District:${slug(d.name)}`,
    name: d.name,
    polygon: d.polygon,
    population: Math.round((totalPopulation * d.weight) / weights / 10) * 10,
    deprivationIndex: Number(d.deprivationIndex.toFixed(2)),
    character: d.character,
  }));
}

/** The polygon with its outer ring counter-clockwise, as RFC 7946 asks. */
function ccw(f: Feature<Polygon>): Feature<Polygon> {
  return turf.rewind(f) as Feature<Polygon>;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
