/**
 * The demo city's scripted incidents: what makes an alert fire within a newcomer's first minute and
 * then now and again (a pollution episode, a burst water main, a broken lamp, a bin overflow). A
 * schedule is one cycle of incidents in virtual seconds from the simulation's start; the cycle
 * repeats, each repetition with its own seeded district, device and strength, so the demo does not
 * replay the same street every six hours. Pure: the runtime passes the elapsed virtual seconds.
 *
 * What each incident does (see the behaviours):
 * - pollution: PM2.5 in one district's air-quality stations rises to 50–80 µg/m³ (alert at 35).
 * - burstMain: one district's flow meter jumps by 40–60 % and stays high while it lasts.
 * - brokenLamp: one streetlight reports status 'defectiveLamp', powerState 'off' and no light. It keeps
 *   reporting (a real controller node does), so the fault is visible as data, not only as silence.
 * - binOverflow: one bin jumps to a fill level of at least 0.95 (and stays full until collected).
 */
import type { City, DemoDevice } from '../city/model.js';
import { hashUnit, mulberry32, pick, randRange } from '../city/random.js';

export type IncidentKind = 'pollution' | 'burstMain' | 'brokenLamp' | 'binOverflow';

export const INCIDENT_KINDS: readonly IncidentKind[] = [
  'pollution',
  'burstMain',
  'brokenLamp',
  'binOverflow',
];

export interface Incident {
  kind: IncidentKind;
  /** Virtual seconds from the start of the cycle. */
  startS: number;
  durationS: number;
  /** pollution, burstMain: the district hit. */
  districtId?: string;
  /** brokenLamp, binOverflow: the device hit. */
  deviceId?: string;
  /** Strength 0 … 1 (seeded): where in its range the episode peaks (PM2.5 50–80, flow +40–60 %). */
  magnitude?: number;
}

/** An incident happening now, in absolute virtual seconds since the simulation's start. */
export interface ActiveIncident extends Incident {
  /** Which repetition of the cycle (0 = the first). */
  cycleIndex: number;
  /** Seconds since it began. */
  sinceS: number;
}

export interface ScheduleOptions {
  /** Every kind starts within this many virtual seconds of the start (default 120). */
  firstWithinS?: number;
  /** Length of one cycle, virtual seconds (default 6 h). */
  cycleS?: number;
}

export const DEFAULT_FIRST_WITHIN_S = 120;
export const DEFAULT_CYCLE_S = 6 * 3600;

/** How long each kind lasts, virtual seconds [min, max]: pollution 1–2 h as the brief of an episode. */
const DURATION_S: Readonly<Record<IncidentKind, [number, number]>> = {
  pollution: [3600, 7200],
  burstMain: [2 * 3600, 3 * 3600],
  brokenLamp: [3 * 3600, 4 * 3600],
  binOverflow: [2 * 3600, 3 * 3600],
};

/**
 * One cycle of incidents for `city`: one of each kind, each starting at a seeded moment within
 * `firstWithinS`, hitting a seeded district (pollution, burst main) or device (broken lamp, bin
 * overflow), lasting its kind's seeded duration (cut at the cycle's end). Later repetitions are
 * varied by activeIncidents, so one cycle is all the runtime keeps.
 */
export function incidentSchedule(city: City, seed: number, opts: ScheduleOptions = {}): Incident[] {
  const firstWithinS = opts.firstWithinS ?? DEFAULT_FIRST_WITHIN_S;
  const cycleS = opts.cycleS ?? DEFAULT_CYCLE_S;
  const rng = mulberry32(seed);
  const variety = incidentVariety(city);
  const out: Incident[] = [];
  for (const kind of INCIDENT_KINDS) {
    const [min, max] = DURATION_S[kind];
    const startS = Math.floor(rng() * Math.max(1, Math.min(firstWithinS, cycleS)));
    const durationS = Math.min(Math.round(randRange(rng, min, max)), cycleS - startS);
    const base = { kind, startS, durationS, magnitude: Number(rng().toFixed(3)) };
    const devices = variety.devices[kind] ?? [];
    const districts = variety.districts[kind] ?? [];
    if (districts.length > 0) out.push({ ...base, districtId: pick(rng, districts) });
    else if (devices.length > 0) {
      const d = pick(rng, devices);
      out.push({ ...base, deviceId: d.id, districtId: d.districtId });
    }
  }
  return out;
}

/** Where later repetitions may strike: per kind, the districts or devices it can hit. */
export interface IncidentVariety {
  districts: Partial<Record<IncidentKind, readonly string[]>>;
  devices: Partial<Record<IncidentKind, readonly DemoDevice[]>>;
}

/** The districts and devices each kind can hit in `city` (for activeIncidents' repetitions). */
export function incidentVariety(city: City): IncidentVariety {
  const ofKind = (kind: DemoDevice['kind']) => city.devices.filter((d) => d.kind === kind);
  const districtsOf = (kind: DemoDevice['kind']) => [...new Set(ofKind(kind).map((d) => d.districtId))];
  return {
    districts: { pollution: districtsOf('airQuality'), burstMain: districtsOf('flowMeter') },
    devices: { brokenLamp: ofKind('streetlight'), binOverflow: ofKind('wasteBin') },
  };
}

/**
 * The incidents active `elapsedS` virtual seconds after the start, given one cycle's `schedule`
 * repeating every `cycleS`. With `variety` (incidentVariety(city)), repetitions after the first keep
 * each incident's timing and length but strike a district or device drawn by a hash of (kind,
 * repetition), with a new strength; without it every repetition replays the first.
 */
export function activeIncidents(
  schedule: readonly Incident[],
  cycleS: number,
  elapsedS: number,
  variety?: IncidentVariety,
): ActiveIncident[] {
  if (!(elapsedS >= 0) || !(cycleS > 0)) return [];
  const cycleIndex = Math.floor(elapsedS / cycleS);
  const inCycle = elapsedS - cycleIndex * cycleS;
  const out: ActiveIncident[] = [];
  for (const incident of schedule) {
    if (inCycle < incident.startS || inCycle >= incident.startS + incident.durationS) continue;
    out.push({
      ...(cycleIndex === 0 || variety === undefined ? incident : vary(incident, cycleIndex, variety)),
      cycleIndex,
      sinceS: inCycle - incident.startS,
    });
  }
  return out;
}

function vary(incident: Incident, cycleIndex: number, variety: IncidentVariety): Incident {
  const h = hashUnit(incident.kind, cycleIndex, 'where');
  const magnitude = Number(hashUnit(incident.kind, cycleIndex, 'strength').toFixed(3));
  const devices = variety.devices[incident.kind];
  if (incident.deviceId !== undefined && devices !== undefined && devices.length > 0) {
    const d = devices[Math.floor(h * devices.length)] as DemoDevice;
    return { ...incident, deviceId: d.id, districtId: d.districtId, magnitude };
  }
  const districts = variety.districts[incident.kind];
  if (incident.districtId !== undefined && districts !== undefined && districts.length > 0) {
    return { ...incident, districtId: districts[Math.floor(h * districts.length)] as string, magnitude };
  }
  return { ...incident, magnitude };
}
