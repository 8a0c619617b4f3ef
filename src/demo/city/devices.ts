/**
 * Where the demo city's devices stand and how they talk: each kind placed where a city would put it
 * (air quality in every district, noise and traffic counters on the arterials, signals at junctions,
 * lights in runs along streets, parking in bays in the centre and the leisure district, meters and
 * bins where people live, HVAC in public buildings), each inside its district. Actuators talk MQTT
 * (they must receive commands), the battery sensors LoRaWAN, the rest alternate MQTT and HTTP.
 */
import * as turf from '@turf/turf';
import { alongKm, inside, lengthKm, pointIn, round } from './geometry.js';
import type {
  DemoDevice,
  DemoTransport,
  DeviceKind,
  District,
  LngLat,
  PublicBuilding,
  Road,
} from './model.js';
import { pick, randRange, shuffle, type Rng } from './random.js';
import type { Junction } from './roads.js';

/** The entity type each kind feeds: Smart Data Models names, but TrafficSignal, which SDM lacks. */
export const ENTITY_TYPES: Readonly<Record<DeviceKind, string>> = {
  airQuality: 'AirQualityObserved',
  noise: 'NoiseLevelObserved',
  parking: 'ParkingSpot',
  streetlight: 'Streetlight',
  waterMeter: 'WaterConsumptionObserved',
  flowMeter: 'WaterObserved',
  wasteBin: 'WasteContainer',
  trafficCounter: 'TrafficFlowObserved',
  trafficSignal: 'TrafficSignal',
  hvac: 'IndoorEnvironmentObserved',
  weather: 'WeatherObserved',
};

export type FleetSize = 'default' | 'small';

/** Devices per kind (flow meters: one per district, whatever the size). */
export const DEVICE_COUNTS: Readonly<
  Record<FleetSize, Readonly<Record<Exclude<DeviceKind, 'flowMeter'>, number>>>
> = {
  default: {
    airQuality: 24,
    noise: 16,
    parking: 80,
    streetlight: 100,
    waterMeter: 50,
    wasteBin: 60,
    trafficCounter: 16,
    trafficSignal: 10,
    hvac: 10,
    weather: 2,
  },
  small: {
    airQuality: 4,
    noise: 3,
    parking: 10,
    streetlight: 14,
    waterMeter: 8,
    wasteBin: 8,
    trafficCounter: 3,
    trafficSignal: 2,
    hvac: 2,
    weather: 1,
  },
};

/** Readable id prefixes of the kinds that are not LoRaWAN. */
const PREFIX: Partial<Record<DeviceKind, string>> = {
  airQuality: 'aq',
  noise: 'noise',
  streetlight: 'light',
  flowMeter: 'flow',
  trafficCounter: 'traffic',
  trafficSignal: 'signal',
  hvac: 'hvac',
  weather: 'weather',
};

/** LoRaWAN kinds: their DevEUI is a made-up vendor prefix, a kind byte and a serial number. */
const LORAWAN_KIND_BYTE: Partial<Record<DeviceKind, string>> = {
  waterMeter: '01',
  wasteBin: '02',
  parking: '03',
};
const ACTUATORS: ReadonlySet<DeviceKind> = new Set(['streetlight', 'trafficSignal', 'hvac']);

interface Placed {
  position: LngLat;
  roadId?: string;
  buildingId?: string;
}

export interface Geography {
  districts: readonly District[];
  roads: readonly Road[];
  buildings: readonly PublicBuilding[];
  junctions: readonly Junction[];
}

/** Every device of the city, grouped by kind in a stable order. */
export function makeDevices(rng: Rng, geo: Geography, size: FleetSize): DemoDevice[] {
  const counts = DEVICE_COUNTS[size];
  const placer = new Placer(rng, geo);
  const plan: Array<[DeviceKind, Placed[]]> = [
    ['airQuality', placer.spread(counts.airQuality)],
    ['noise', placer.alongRoads(counts.noise, ['primary'])],
    ['parking', placer.parkingBays(counts.parking, size === 'small' ? 5 : 10)],
    ['streetlight', placer.lightRuns(counts.streetlight, size === 'small' ? 7 : 10)],
    ['waterMeter', placer.byPopulation(counts.waterMeter, 1)],
    [
      'flowMeter',
      geo.districts.map((d) => ({
        position: round(turf.pointOnFeature(turf.polygon(d.polygon)).geometry.coordinates),
      })),
    ],
    ['wasteBin', placer.byPopulation(counts.wasteBin, 1.5)],
    ['trafficCounter', placer.alongRoads(counts.trafficCounter, ['primary'])],
    ['trafficSignal', placer.atJunctions(counts.trafficSignal)],
    ['hvac', placer.inBuildings(counts.hvac)],
    ['weather', placer.weatherStations(counts.weather)],
  ];
  const out: DemoDevice[] = [];
  for (const [kind, spots] of plan)
    spots.forEach((spot, i) => {
      const district = districtAt(geo.districts, spot.position);
      if (district === undefined) throw new Error(`${kind} ${i}: placed outside every district`);
      const lora = LORAWAN_KIND_BYTE[kind];
      const id =
        lora !== undefined
          ? `0004a30b${lora}${(i + 1).toString(16).padStart(6, '0')}`
          : `${PREFIX[kind] as string}-${String(i + 1).padStart(3, '0')}`;
      const transport: DemoTransport =
        lora !== undefined ? 'lorawan' : ACTUATORS.has(kind) || i % 2 === 0 ? 'mqtt' : 'http';
      out.push({
        id,
        kind,
        transport,
        position: spot.position,
        districtId: district.id,
        entityId: `urn:ngsi-ld:${ENTITY_TYPES[kind]}:${id}`,
        entityType: ENTITY_TYPES[kind],
        ...(spot.buildingId !== undefined ? { buildingId: spot.buildingId } : {}),
        ...(spot.roadId !== undefined ? { roadId: spot.roadId } : {}),
        bias: Number(rng().toFixed(3)),
        ...(district.character !== undefined ? { zone: district.character } : {}),
      });
    });
  return out;
}

/** The district containing `p` (the first, for a point on a shared border). */
export function districtAt(districts: readonly District[], p: LngLat): District | undefined {
  return districts.find((d) => inside(p, d.polygon));
}

/** Seeded placement strategies; every spot it returns lies inside some district. */
class Placer {
  constructor(
    private readonly rng: Rng,
    private readonly geo: Geography,
  ) {}

  /** Round-robin over districts (centre first), a random point in each. */
  spread(n: number): Placed[] {
    const ds = this.geo.districts;
    return Array.from({ length: n }, (_, i) => ({
      position: pointIn(this.rng, (ds[i % ds.length] as District).polygon),
    }));
  }

  /** Evenly along roads of the classes, round-robin over them. */
  alongRoads(n: number, classes: readonly Road['roadClass'][]): Placed[] {
    const roads = this.geo.roads.filter((r) => classes.includes(r.roadClass));
    const perRoad = Math.ceil(n / roads.length);
    return Array.from({ length: n }, (_, i) => {
      const road = roads[i % roads.length] as Road;
      const km = lengthKm(road.line);
      const slot = Math.floor(i / roads.length);
      const at = km * ((slot + 0.5) / perRoad) + randRange(this.rng, -0.1, 0.1);
      return { position: this.onRoad(road, Math.min(km - 0.05, Math.max(0.05, at))), roadId: road.id };
    });
  }

  /** Bays of `bay` spots 6 m apart on streets: 60 % in the centre, 25 % in the leisure district. */
  parkingBays(n: number, bay: number): Placed[] {
    const out: Placed[] = [];
    const zones: Array<District['character']> = ['centre', 'centre', 'leisure', 'centre', 'residential'];
    for (let b = 0; out.length < n; b++) {
      const zone = zones[b % zones.length];
      const targets = this.geo.districts.filter((d) => d.character === zone);
      const district = targets.length > 0 ? pick(this.rng, targets) : (this.geo.districts[0] as District);
      const { road, km } = this.streetIn(district, ['secondary', 'residential']);
      for (let j = 0; j < bay && out.length < n; j++)
        out.push({ position: this.onRoad(road, km + j * 0.006), roadId: road.id });
    }
    return out;
  }

  /** Runs of `run` lights 35 m apart along streets and avenues. */
  lightRuns(n: number, run: number): Placed[] {
    const out: Placed[] = [];
    const roads = shuffle(this.rng, this.geo.roads);
    for (let r = 0; out.length < n; r++) {
      const road = roads[r % roads.length] as Road;
      const km = lengthKm(road.line);
      const start = randRange(this.rng, 0.05, Math.max(0.06, km - 0.05 - run * 0.035));
      for (let j = 0; j < run && out.length < n; j++)
        out.push({ position: this.onRoad(road, Math.min(km - 0.02, start + j * 0.035)), roadId: road.id });
    }
    return out;
  }

  /** Points in districts drawn in proportion to population (the centre's weight × `centreWeight`). */
  byPopulation(n: number, centreWeight: number): Placed[] {
    const ds = this.geo.districts;
    const w = ds.map((d) => d.population * (d.character === 'centre' ? centreWeight : 1));
    const total = w.reduce((a, b) => a + b, 0);
    return Array.from({ length: n }, () => {
      let x = this.rng() * total;
      let k = 0;
      while (k < ds.length - 1 && x >= (w[k] as number)) x -= w[k++] as number;
      return { position: pointIn(this.rng, (ds[k] as District).polygon) };
    });
  }

  atJunctions(n: number): Placed[] {
    const js = shuffle(this.rng, this.geo.junctions).filter((j) =>
      districtAt(this.geo.districts, j.position),
    );
    if (js.length < n) throw new Error(`only ${js.length} junctions for ${n} traffic signals`);
    return js.slice(0, n).map((j) => ({ position: j.position, roadId: j.roadIds[0] }));
  }

  /** HVAC in the town hall, then schools, libraries and sports centres in seeded order. */
  inBuildings(n: number): Placed[] {
    const [townHall, ...rest] = this.geo.buildings;
    const candidates = [
      ...(townHall === undefined ? [] : [townHall]),
      ...shuffle(
        this.rng,
        rest.filter((b) => b.category !== 'healthCentre'),
      ),
      ...rest.filter((b) => b.category === 'healthCentre'),
    ];
    return candidates.slice(0, n).map((b) => ({ position: b.position, buildingId: b.id }));
  }

  /** The first on the town hall's roof, the second by the sea (the leisure district), more anywhere. */
  weatherStations(n: number): Placed[] {
    const townHall = this.geo.buildings[0];
    const leisure = this.geo.districts.find((d) => d.character === 'leisure') ?? this.geo.districts[0];
    return Array.from({ length: n }, (_, i) => ({
      position:
        i === 0 && townHall !== undefined
          ? townHall.position
          : pointIn(this.rng, (i === 1 ? (leisure as District) : pick(this.rng, this.geo.districts)).polygon),
    }));
  }

  /** A street of the classes passing through `district`, and a distance along it that is inside it. */
  private streetIn(district: District, classes: readonly Road['roadClass'][]): { road: Road; km: number } {
    const roads = this.geo.roads.filter((r) => classes.includes(r.roadClass));
    for (let attempt = 0; attempt < 400; attempt++) {
      const road = pick(this.rng, roads);
      const len = lengthKm(road.line);
      if (len < 0.3) continue;
      const km = randRange(this.rng, 0.05, len - 0.15);
      if (
        inside(alongKm(road.line, km), district.polygon) &&
        inside(alongKm(road.line, km + 0.07), district.polygon)
      )
        return { road, km };
    }
    // A district no street crosses (cannot happen with the grid, but never loop forever).
    const road = roads[0] as Road;
    return { road, km: 0.05 };
  }

  private onRoad(road: Road, km: number): LngLat {
    return alongKm(road.line, km);
  }
}
