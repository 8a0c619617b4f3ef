/** Readable names of the entity types the dashboard knows; anything else shows its type name. */

const NAMES: Readonly<Record<string, string>> = {
  AirQualityObserved: 'Air quality',
  NoiseLevelObserved: 'Noise',
  ParkingSpot: 'Parking spots',
  Streetlight: 'Street lights',
  WaterConsumptionObserved: 'Water meters',
  WaterObserved: 'District flow',
  WasteContainer: 'Waste bins',
  TrafficFlowObserved: 'Traffic counters',
  TrafficSignal: 'Traffic signals',
  IndoorEnvironmentObserved: 'Buildings HVAC',
  WeatherObserved: 'Weather',
  Alert: 'Alerts',
  District: 'Districts',
  RoadSegment: 'Roads',
  Building: 'Public buildings',
};

export const typeName = (type: string): string => NAMES[type] ?? type;

/** Types never drawn as markers: the registry's Device twins and the alert rules. */
export const NOT_ON_MAP = new Set(['Device', 'AlertRule', 'District', 'RoadSegment', 'Building']);
