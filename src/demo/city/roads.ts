/**
 * The road network: primary arterials (radial avenues from the centre to the edge and a ring road),
 * secondary roads (an inner ring and radial streets between the avenues) and a grid of residential
 * streets clipped to the city outline. Enough structure for traffic counters on arterials, signals
 * at junctions, streetlights along streets and a recognisable map.
 */
import * as turf from '@turf/turf';
import { alongKm, clipToConvex, lengthKm, offsetKm, polarKm, round } from './geometry.js';
import type { LngLat, Road, RoadClass } from './model.js';
import { randRange, shuffle, type Rng } from './random.js';

const AVENUES = [
  'Avenida da Liberdade',
  'Avenida do Mar',
  'Avenida da República',
  'Avenida dos Aliados',
  'Avenida da Boavista',
  'Avenida Norte',
];
const STREETS = [
  'Rua de Santa Catarina',
  'Rua do Almada',
  'Rua de Cedofeita',
  'Rua Formosa',
  'Rua das Flores',
];
const NAMES = [
  'Camões',
  'Garrett',
  'Herculano',
  'Eça de Queirós',
  'Pessoa',
  'Sophia',
  'Florbela',
  'Torga',
  'Cesário Verde',
  'Antero',
  'Ramalho',
  'Júlio Dinis',
  'Soares dos Reis',
  'Siza',
  'Amália',
  'Aristides',
  'Egas Moniz',
  'Gago Coutinho',
  'Sacadura Cabral',
  'Bocage',
  'Vieira',
  'Nobre',
  'Castelo Branco',
  'Brandão',
  'Régio',
  'Namora',
  'Saramago',
  'Lobo Antunes',
  'Agustina',
  'Miguéis',
];

/** Straight line a→b with a vertex about every `stepKm`, so lines bend nowhere but sample evenly. */
function densify(a: LngLat, b: LngLat, stepKm = 0.4): LngLat[] {
  const line: LngLat[] = [a, b];
  const km = lengthKm(line);
  const n = Math.max(1, Math.ceil(km / stepKm));
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? b : alongKm(line, (km * i) / n)));
}

/** A closed ring at `fraction` of the city's oval half-axes. */
function ring(centre: LngLat, eastKm: number, northKm: number, vertices: number): LngLat[] {
  const pts = Array.from({ length: vertices }, (_, i) => {
    const a = (2 * Math.PI * i) / vertices;
    return offsetKm(centre, eastKm * Math.cos(a), northKm * Math.sin(a));
  });
  return [...pts, pts[0] as LngLat];
}

/** Every road of the city, ids `urn:ngsi-ld:RoadSegment:road-001` … in a stable order. */
export function makeRoads(rng: Rng, centre: LngLat, outline: LngLat[][]): Road[] {
  const drafts: Array<{ name: string; roadClass: RoadClass; line: LngLat[] }> = [];
  const far = 9; // km: beyond the outline in every direction, then clipped to it

  const phase = rng() * 2 * Math.PI;
  const avenues = 5;
  const avenueAngles = Array.from(
    { length: avenues },
    (_, i) => phase + (2 * Math.PI * i) / avenues + randRange(rng, -0.15, 0.15),
  );
  const avenueNames = shuffle(rng, AVENUES);
  avenueAngles.forEach((angle, i) => {
    const seg = clipToConvex(centre, polarKm(centre, far, angle), outline);
    if (seg !== undefined)
      drafts.push({ name: avenueNames[i] as string, roadClass: 'primary', line: densify(seg[0], seg[1]) });
  });
  drafts.push({ name: 'Via de Cintura', roadClass: 'primary', line: ring(centre, 2.9, 2.4, 32) });
  drafts.push({ name: 'Circular do Centro', roadClass: 'secondary', line: ring(centre, 1.3, 1.1, 20) });

  // Secondary streets: radials halfway between two avenues, from the inner ring to the edge.
  const streetNames = shuffle(rng, STREETS);
  avenueAngles.slice(0, 4).forEach((angle, i) => {
    const mid = angle + Math.PI / avenues;
    const from = polarKm(centre, 1.2, mid);
    const seg = clipToConvex(from, polarKm(centre, far, mid), outline);
    if (seg !== undefined)
      drafts.push({ name: streetNames[i] as string, roadClass: 'secondary', line: densify(seg[0], seg[1]) });
  });

  // The residential grid, about 700 m apart, tilted a little like an old street plan.
  const tilt = randRange(rng, -0.25, 0.25);
  const names = shuffle(rng, NAMES);
  let n = 0;
  for (const vertical of [false, true]) {
    for (let k = -7; k <= 7; k++) {
      const off = k * 0.7 + randRange(rng, -0.1, 0.1);
      const angle = tilt + (vertical ? Math.PI / 2 : 0);
      const base = polarKm(centre, off, angle + Math.PI / 2);
      const seg = clipToConvex(polarKm(base, far, angle + Math.PI), polarKm(base, far, angle), outline);
      if (seg === undefined || lengthKm(seg) < 0.8) continue;
      const who = names[n++ % names.length] as string;
      drafts.push({
        name: `${vertical ? 'Travessa' : 'Rua'} ${who}`,
        roadClass: 'residential',
        line: densify(seg[0], seg[1]),
      });
    }
  }
  return drafts.map((d, i) => ({ id: roadId(i + 1), ...d }));
}

function roadId(n: number): string {
  return `urn:ngsi-ld:RoadSegment:road-${String(n).padStart(3, '0')}`;
}

/** A junction: where two roads of the primary or secondary network cross. */
export interface Junction {
  position: LngLat;
  roadIds: [string, string];
}

/** The crossings of primary and secondary roads (not the centre, where all avenues meet), in road order. */
export function junctions(roads: readonly Road[], centre: LngLat): Junction[] {
  const major = roads.filter((r) => r.roadClass !== 'residential');
  const out: Junction[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < major.length; i++)
    for (let j = i + 1; j < major.length; j++) {
      const a = major[i] as Road;
      const b = major[j] as Road;
      const hits = turf.lineIntersect(turf.lineString(a.line), turf.lineString(b.line)).features;
      for (const h of hits) {
        const p = round(h.geometry.coordinates);
        const key = p.join(',');
        if (seen.has(key) || turf.distance(p, centre, { units: 'kilometers' }) < 0.3) continue;
        seen.add(key);
        out.push({ position: p, roadIds: [a.id, b.id] });
      }
    }
  return out;
}
