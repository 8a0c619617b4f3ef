/**
 * The demo city's shape (issue #7): what the seeded generator (src/demo/city) produces and the
 * simulator (src/demo/sim) brings to life. Plain data, no I/O: the same seed gives the same city.
 * Coordinates are WGS 84 [longitude, latitude], as in GeoJSON.
 */

export type LngLat = [number, number];

/** What a district mostly is: drives parking (weekday centre, weekend leisure) and bin filling. */
export type DistrictCharacter = 'centre' | 'residential' | 'leisure';

/** A district: the unit of equity breakdowns (population, deprivation) and of alert scopes. */
export interface District {
  /** NGSI-LD id, `urn:ngsi-ld:District:<slug>`. */
  id: string;
  name: string;
  /** GeoJSON Polygon coordinates: one closed outer ring, counter-clockwise. */
  polygon: LngLat[][];
  population: number;
  /** 0 (least deprived) … 1 (most deprived), an index like the English IMD rank scaled. */
  deprivationIndex: number;
  /** What it mostly is (added for the behaviours; optional so hand-made cities may omit it). */
  character?: DistrictCharacter;
}

export type RoadClass = 'primary' | 'secondary' | 'residential';

/** A road segment (Smart Data Models RoadSegment). */
export interface Road {
  /** `urn:ngsi-ld:RoadSegment:<n>`. */
  id: string;
  name: string;
  roadClass: RoadClass;
  /** GeoJSON LineString coordinates. */
  line: LngLat[];
}

export type BuildingCategory = 'school' | 'library' | 'townHall' | 'sportsCentre' | 'healthCentre';

/** A public building (Smart Data Models Building); the ones with HVAC get a setpoint actuator. */
export interface PublicBuilding {
  /** `urn:ngsi-ld:Building:<slug>`. */
  id: string;
  name: string;
  category: BuildingCategory;
  position: LngLat;
  districtId: string;
}

/** The kinds of device the demo city runs, each with its own profile and behaviour. */
export const DEVICE_KINDS = [
  'airQuality',
  'noise',
  'parking',
  'streetlight',
  'waterMeter',
  'flowMeter',
  'wasteBin',
  'trafficCounter',
  'trafficSignal',
  'hvac',
  'weather',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** How a simulated device reaches Urbis: the real transports, as a real fleet would. */
export type DemoTransport = 'mqtt' | 'http' | 'lorawan';

export interface DemoDevice {
  /** Registry id (a LoRaWAN device's id is its DevEUI, 16 lower-case hex digits). */
  id: string;
  kind: DeviceKind;
  transport: DemoTransport;
  position: LngLat;
  districtId: string;
  /** The entity it feeds (`refDevice` points back), e.g. `urn:ngsi-ld:AirQualityObserved:aq-001`. */
  entityId: string;
  entityType: string;
  /** The building (hvac) or road (trafficCounter, trafficSignal, streetlight) it belongs to. */
  buildingId?: string;
  roadId?: string;
  /** Per-device variety (0 … 1) the simulator uses for its baseline, so devices differ. */
  bias: number;
  /** Its district's character, copied here because a behaviour sees the device, not the city. */
  zone?: DistrictCharacter;
}

export interface City {
  seed: number;
  name: string;
  /** Map centre and a bounding box [west, south, east, north]. */
  centre: LngLat;
  bbox: [number, number, number, number];
  districts: District[];
  roads: Road[];
  buildings: PublicBuilding[];
  devices: DemoDevice[];
}
