/**
 * Public buildings: a town hall in the centre, then schools (at least one per district), libraries,
 * sports centres and health centres dealt out over the districts. Some get HVAC with a setpoint
 * actuator (see devices.ts); all are map landmarks and Building entities.
 */
import { pointIn, slug } from './geometry.js';
import type { BuildingCategory, District, PublicBuilding } from './model.js';
import { shuffle, type Rng } from './random.js';

const PREFIX: Readonly<Record<BuildingCategory, string>> = {
  townHall: 'Paços do Concelho',
  school: 'Escola Básica',
  library: 'Biblioteca Municipal',
  sportsCentre: 'Pavilhão Desportivo',
  healthCentre: 'Centro de Saúde',
};

/** How many of each besides the town hall and one school per district: 24–26 buildings in all. */
const MORE: ReadonlyArray<[BuildingCategory, number]> = [
  ['school', 2],
  ['library', 5],
  ['sportsCentre', 4],
  ['healthCentre', 5],
];

/** The city's public buildings, in a stable order (town hall first). */
export function makeBuildings(rng: Rng, districts: readonly District[]): PublicBuilding[] {
  const centre = districts[0] as District;
  const plan: Array<[BuildingCategory, District]> = [['townHall', centre]];
  for (const d of districts) plan.push(['school', d]);
  for (const [category, count] of MORE) {
    const order = shuffle(rng, districts);
    for (let i = 0; i < count; i++) plan.push([category, order[i % order.length] as District]);
  }
  const used = new Map<string, number>();
  return plan.map(([category, district]) => {
    let name = category === 'townHall' ? PREFIX.townHall : `${PREFIX[category]} de ${district.name}`;
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    if (n > 1) name = `${name} ${n}`;
    return {
      id: `urn:ngsi-ld:Building:${slug(name)}`,
      name,
      category,
      position: pointIn(rng, district.polygon, 0.7),
      districtId: district.id,
    };
  });
}
