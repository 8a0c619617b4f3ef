/**
 * The governance entries Urbis ships for the FIWARE Smart Data Models it uses (issue #4): every
 * attribute of each model classified, with a purpose, a retention and a treatment. A tenant can
 * replace any of them through the registry.
 *
 * Names are the models' own (schema.json of smart-data-models/dataModel.<Domain>), and they expand
 * the way the models' published @context files expand them: a model's own terms to
 * `https://smartdatamodels.org/dataModel.<Domain>/<term>`, the shared "commons" (GSMA-Commons,
 * Location-Commons, PhysicalObject-Commons: name, address, dateObserved, owner …) to
 * `https://smartdatamodels.org/<term>`. Some names are NGSI-LD core terms — `location`, `status`,
 * `description`, `value` — and the core context always wins (it applies last and is protected), so
 * they expand to `https://uri.etsi.org/ngsi-ld/location`, `…/ngsi-ld/status`,
 * `http://purl.org/dc/terms/description`, `…/ngsi-ld/hasValue`, exactly as they do for a client that
 * links the SDM context; builtInGovernance resolves the inline contexts with the same ContextResolver
 * as requests, so the entries match what the broker stores.
 *
 * Retention, per model (raw history; aggregates and open-data releases have their own lifecycle):
 * - AirQualityObserved, NoiseLevelObserved: 5 years. The EU air-quality directive (2008/50/EC)
 *   classifies zones on the previous five years, and strategic noise maps (2002/49/EC) are redrawn
 *   every five years; nothing in them is personal.
 * - TrafficFlowObserved: 5 years, counts per lane for transport planning and before/after studies.
 * - Streetlight, WasteContainer, Device: 2 years of raw (often minute) data, enough for seasonal
 *   comparison and maintenance trends over a battery's or lamp's life; licence plates of collection
 *   vehicles only 30 days (disputes about a collection).
 * - ParkingSpot: 1 year. One spot's occupancy over time can tell when a resident leaves home, so it
 *   is kept shorter and its change times are rounded to 5 minutes.
 * - WaterConsumptionObserved: 13 months. A household's readings are personal data: a year for
 *   seasonal comparison and leak follow-up plus a month to settle the annual bill; the meter's
 *   position is coarsened to an H3 cell (resolution 9, about 0.1 km²) and its postal address dropped
 *   (the utility's customer system has it).
 */
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import type { TypeGovernance } from './model.js';
import { parseGovernance, type AttributeDocument } from './parse-governance.js';

const SDM = 'https://smartdatamodels.org/';

/** Names the Smart Data Models share, defined once at the root of smartdatamodels.org. */
const COMMON_TERMS = new Set([
  'address',
  'alternateName',
  'annotations',
  'areaServed',
  'color',
  'dataProvider',
  'dateCreated',
  'dateModified',
  'dateObserved',
  'image',
  'name',
  'owner',
  'seeAlso',
  'source',
  'timeInstant',
]);

/** Names the SDM contexts map to NGSI-LD core IRIs (the core context would impose them anyway). */
const CORE_TERMS: Record<string, string> = {
  location: 'https://uri.etsi.org/ngsi-ld/location',
  status: 'https://uri.etsi.org/ngsi-ld/status',
  description: 'http://purl.org/dc/terms/description',
  value: 'https://uri.etsi.org/ngsi-ld/hasValue',
};

type Attrs = Record<string, AttributeDocument>;

const pub = (purpose?: string): AttributeDocument => ({
  classification: 'public',
  ...(purpose === undefined ? {} : { purpose }),
  treatment: 'keep',
});
const internal = (purpose?: string): AttributeDocument => ({
  classification: 'internal',
  ...(purpose === undefined ? {} : { purpose }),
  treatment: 'keep',
});
const each = (names: readonly string[], make: () => AttributeDocument): Attrs =>
  Object.fromEntries(names.map((n) => [n, make()]));

/** GSMA-Commons and Location-Commons of fixed city infrastructure: descriptive, public. */
const COMMONS: Attrs = {
  ...each(
    [
      'name',
      'alternateName',
      'description',
      'dataProvider',
      'source',
      'seeAlso',
      'dateCreated',
      'dateModified',
      'location',
      'address',
      'areaServed',
    ],
    () => pub(),
  ),
  // Owners are city departments or contractors; a tenant whose owners are people overrides this.
  owner: internal(),
};

/** PhysicalObject-Commons. */
const PHYSICAL: Attrs = each(['color', 'image', 'annotations'], () => pub());

interface Model {
  domain: string;
  type: string;
  purpose: string;
  retention: string;
  /** Default drop (minimisation). */
  undeclared?: 'keep';
  attributes: Attrs;
}

const MODELS: readonly Model[] = [
  {
    domain: 'Environment',
    type: 'AirQualityObserved',
    purpose: 'air quality monitoring and public information (EU Directive 2008/50/EC)',
    retention: 'P5Y',
    attributes: {
      ...COMMONS,
      ...each(
        [
          'dateObserved',
          'airQualityIndex',
          'airQualityLevel',
          'reliability',
          'as',
          'c6h6',
          'cd',
          'co',
          'coLevel',
          'co2',
          'ni',
          'no',
          'no2',
          'nox',
          'o3',
          'pb',
          'pm1',
          'pm10',
          'pm25',
          'precipitation',
          'relativeHumidity',
          'sh2',
          'so2',
          'temperature',
          'typeofLocation',
          'volatileOrganicCompoundsTotal',
          'windDirection',
          'windSpeed',
          'refPointOfInterest',
          'refWeatherObserved',
        ],
        () => pub(),
      ),
      refDevice: internal('which sensor measured, for calibration and fault finding'),
    },
  },
  {
    domain: 'Environment',
    type: 'NoiseLevelObserved',
    purpose: 'environmental noise monitoring and strategic noise maps (EU Directive 2002/49/EC)',
    retention: 'P5Y',
    attributes: {
      ...COMMONS,
      ...each(
        [
          'dateObserved',
          'dateObservedFrom',
          'dateObservedTo',
          'LAS',
          'LAeq',
          'LAeq_d',
          'LAmax',
          'sonometerClass',
          'obstacles',
          'heightAverage',
          'distanceAverage',
          'refPointOfInterest',
          'refWeatherObserved',
        ],
        () => pub(),
      ),
      refDevice: internal('which sonometer measured, for calibration and fault finding'),
    },
  },
  {
    domain: 'Parking',
    type: 'ParkingSpot',
    purpose: 'parking occupancy management and guidance',
    retention: 'P1Y',
    attributes: {
      ...COMMONS,
      ...PHYSICAL,
      ...each(['status', 'category', 'width', 'length', 'refParkingSite', 'refParkingGroup'], () => pub()),
      occupancyModified: {
        classification: 'public',
        purpose: 'when occupancy changed, to the 5 minutes that guidance and statistics need',
        treatment: { kind: 'roundTime', period: 'PT5M' },
      },
      observationDateTime: pub(),
      refDevice: internal('which sensor reports the spot, for maintenance'),
      timeInstant: internal(),
    },
  },
  {
    domain: 'Streetlighting',
    type: 'Streetlight',
    purpose: 'street lighting operation, maintenance and energy management',
    retention: 'P2Y',
    attributes: {
      ...COMMONS,
      ...PHYSICAL,
      ...each(
        [
          'status',
          'powerState',
          'controllingMethod',
          'locationCategory',
          'lanternHeight',
          'illuminanceLevel',
          'powerConsumption',
          'current',
          'powerRating',
          'powerFactor',
          'voltage',
          'dateLastLampChange',
          'dateLastSwitchingOn',
          'dateLastSwitchingOff',
          'dateServiceStarted',
          'observationDateTime',
          'municipalityInfo',
        ],
        () => pub(),
      ),
      ...each(
        [
          'circuit',
          'feederID',
          'feederPillarNum',
          'streetPoleNum',
          'refStreetlightModel',
          'refStreetlightControlCabinet',
          'refStreetlightGroup',
          'refDevice',
          'deviceInfo',
        ],
        () => internal('asset and network management'),
      ),
    },
  },
  {
    domain: 'WasteManagement',
    type: 'WasteContainer',
    purpose: 'waste collection planning and container maintenance',
    retention: 'P2Y',
    attributes: {
      ...COMMONS,
      ...PHYSICAL,
      ...each(
        [
          'status',
          'fillingLevel',
          'category',
          'cargoWeight',
          'temperature',
          'methaneConcentration',
          'storedWasteKind',
          'storedWasteOrigin',
          'storedWasteCode',
          'regulation',
          'dateServiceStarted',
          'dateLastEmptying',
          'nextActuationDeadline',
          'actuationHours',
          'dateLastCleaning',
          'nextCleaningDeadline',
          'binCapacity',
          'binColor',
          'binFullnessThreshold',
          'binRecommendedLoad',
          'binMaxLoad',
          'binLoggedTime',
          'wardId',
        ],
        () => pub(),
      ),
      ...each(
        [
          'serialNumber',
          'binId',
          'isleId',
          'RFID',
          'responsible',
          'refWasteContainerModel',
          'refWasteContainerIsle',
          'refDevice',
          'timeInstant',
        ],
        () => internal('asset management'),
      ),
      license_plate: {
        classification: 'personal',
        purpose: 'linking a collection to the vehicle that made it, within the dispute period',
        retention: 'P30D',
        treatment: { kind: 'pseudonymise', length: 16 },
      },
    },
  },
  {
    domain: 'WaterConsumption',
    type: 'WaterConsumptionObserved',
    purpose: 'water network management, billing and leak detection',
    retention: 'P13M',
    attributes: {
      ...COMMONS,
      location: {
        classification: 'personal',
        purpose: 'district-level analysis of consumption and leaks',
        treatment: { kind: 'coarsen', h3: 9 },
      },
      address: { classification: 'personal', treatment: 'drop' },
      ...each(
        [
          'dateObserved',
          'waterConsumption',
          'maxFlow',
          'minFlow',
          'persistenceFlowDuration',
          'alarmFlowPersistence',
          'alarmInProgress',
          'alarmStopsLeaks',
          'alarmWaterQuality',
        ],
        () => ({ classification: 'personal', treatment: 'keep' }) as AttributeDocument,
      ),
      // A suspicion of tampering is about the household, and can lead to sanctions.
      alarmTamper: {
        classification: 'sensitive',
        purpose: 'meter integrity checks',
        retention: 'P90D',
        treatment: 'keep',
      },
      ...each(['acquisitionStageFailure', 'moduleTampered', 'waterType', 'refDevice'], () =>
        internal('meter operation'),
      ),
    },
  },
  {
    domain: 'Transportation',
    type: 'TrafficFlowObserved',
    purpose: 'traffic monitoring, signal planning and transport statistics',
    retention: 'P5Y',
    attributes: {
      ...COMMONS,
      ...each(
        [
          'dateObserved',
          'dateObservedFrom',
          'dateObservedTo',
          'intensity',
          'occupancy',
          'averageVehicleSpeed',
          'averageVehicleLength',
          'averageGapDistance',
          'averageHeadwayTime',
          'congested',
          'laneId',
          'laneDirection',
          'reversedLane',
          'vehicleType',
          'vehicleSubType',
          'refRoadSegment',
        ],
        () => pub(),
      ),
    },
  },
  {
    domain: 'Device',
    type: 'Device',
    purpose: 'device fleet management: inventory, health, maintenance',
    retention: 'P2Y',
    // Device entities are the registry's own; each actuator's command attributes (`dim`, `setpoint`)
    // and their `<command>_status` / `_info` are named by its profile, so no fixed list can declare
    // them, and dropping them would silence the NGSI-LD way of sending commands.
    undeclared: 'keep',
    attributes: {
      ...each(['name', 'alternateName', 'description', 'dataProvider', 'source', 'seeAlso'], () => pub()),
      ...each(
        [
          'dateCreated',
          'dateModified',
          'dateObserved',
          'location',
          'address',
          'areaServed',
          'owner',
          'category',
          'deviceCategory',
          'controlledProperty',
          'controlledAsset',
          'supportedProtocol',
          'configuration',
          'mcc',
          'mnc',
          'macAddress',
          'ipAddress',
          'serialNumber',
          'provider',
          'refDeviceModel',
          'hardwareVersion',
          'softwareVersion',
          'firmwareVersion',
          'osVersion',
          'dateInstalled',
          'dateFirstUsed',
          'dateManufactured',
          'dateLastCalibration',
          'dateLastValueReported',
          'distance',
          'depth',
          'relativePosition',
          'direction',
          'batteryLevel',
          'rssi',
          'deviceState',
          'status',
          'value',
        ],
        () => internal(),
      ),
    },
  },
];

/** The inline @context of a model's entry: each of its names to its Smart Data Models IRI. */
function sdmContext(m: Model): Record<string, string> {
  const context: Record<string, string> = { [m.type]: `${SDM}dataModel.${m.domain}/${m.type}` };
  for (const name of Object.keys(m.attributes)) {
    context[name] =
      CORE_TERMS[name] ?? (COMMON_TERMS.has(name) ? `${SDM}${name}` : `${SDM}dataModel.${m.domain}/${name}`);
  }
  return context;
}

/** The shipped entries as compact documents with their inline @context (what an operator would write). */
export const SMART_DATA_MODEL_DOCUMENTS: readonly Record<string, unknown>[] = MODELS.map((m) => ({
  '@context': sdmContext(m),
  type: m.type,
  purpose: m.purpose,
  undeclared: m.undeclared ?? 'drop',
  retention: m.retention,
  attributes: m.attributes,
}));

/**
 * The inline @context of the shipped entry for `type` (its model's own terms, as the model's published
 * context expands them), or undefined when Urbis ships no entry for it. Clients that write these
 * models (the demo city) use it so that what they send expands exactly as the entry declares it.
 */
export function smartDataModelContext(type: string): Record<string, string> | undefined {
  const model = MODELS.find((m) => m.type === type);
  return model === undefined ? undefined : sdmContext(model);
}

let cached: TypeGovernance[] | undefined;

/** The shipped entries, expanded (resolved offline, with the core context applied as for requests). */
export function builtInGovernance(): TypeGovernance[] {
  if (cached === undefined) {
    const resolver = new ContextResolver({
      load: async (url: string) => {
        throw new Error(`built-in governance entries use inline contexts only, not ${url}`);
      },
    });
    cached = SMART_DATA_MODEL_DOCUMENTS.map((doc) => {
      const mapper = resolver.resolveSync(doc['@context']);
      if (mapper === undefined) throw new Error('built-in governance: an inline context needed loading');
      return parseGovernance(doc, mapper);
    });
  }
  return [...cached];
}
