/**
 * What the demo simulator is given and what it hands back (issue #7). The simulator runs the seeded
 * demo city (src/demo/city) as real devices against a running Urbis, through its public HTTP and MQTT
 * APIs only — so it works the same against `urbis serve` in this process or a server elsewhere.
 */
import type { City } from '../city/model.js';

/** The part of a pino logger the simulator uses (pino's Logger fits). */
export interface DemoLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DemoOptions {
  /** `http://127.0.0.1:<port>` of Urbis. */
  baseUrl: string;
  /** A key that may administer `tenant` (the platform administrator's key works). */
  apiKey: string;
  /** The tenant the demo city lives in (default `demo`). */
  tenant?: string;
  /** `mqtt://127.0.0.1:<port>` of Urbis's broker; absent → MQTT devices send over HTTP instead. */
  mqttUrl?: string;
  /** Seed of the city and its behaviour (default 42). */
  seed?: number;
  /** `small` (~60 devices, for tests) or `default` (~400). */
  size?: 'default' | 'small';
  /** Virtual-time factor of the patterns and incidents (default 1; tests use 60–600). */
  speed?: number;
  /** Hours of history sent on first provisioning (default 24; 0 skips it). */
  backfillHours?: number;
  /** Virtual seconds to the first incidents (default 120). */
  incidentsWithinS?: number;
  logger?: DemoLogger;
}

/** Counters of what the simulator did, for logs, `urbis demo` and tests. */
export interface DemoStats {
  /** Reports accepted by Urbis, per transport (HTTP 2xx, MQTT PUBACK). */
  sent: { mqtt: number; http: number; lorawan: number };
  /** Readings sent as history on first provisioning. */
  backfilled: number;
  /** Sends that failed (refused, unreachable, timed out). */
  errors: number;
  /** Reports skipped because the previous one of the device was still in flight. */
  skipped: number;
  /** Commands received by actuators, and how many of them they carried out. */
  commands: { received: number; succeeded: number; failed: number };
}

/** A running demo city. */
export interface RunningDemo {
  city: City;
  /** Stop every device, close connections and timers; resolves when nothing is left open. */
  stop(): Promise<void>;
  stats(): DemoStats;
  /**
   * Resolves when the history of first provisioning is sent (at once when there is none). The city is
   * live before that: each device joins as soon as its own history is in.
   */
  backfilled(): Promise<void>;
}

/** The options with their defaults filled in. */
export type ResolvedOptions = Required<Omit<DemoOptions, 'mqttUrl'>> & { mqttUrl?: string };

/** A logger that says nothing, for callers that give none. */
export const SILENT: DemoLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** Fill in the defaults and check what cannot work. */
export function resolveOptions(o: DemoOptions): ResolvedOptions {
  const speed = o.speed ?? 1;
  if (!(Number.isFinite(speed) && speed > 0 && speed <= 100_000))
    throw new Error(`speed must be a number above 0 (at most 100000), not ${String(o.speed)}`);
  const backfillHours = o.backfillHours ?? 24;
  if (!(Number.isFinite(backfillHours) && backfillHours >= 0 && backfillHours <= 24 * 7))
    throw new Error('backfillHours must be between 0 and 168 (Urbis refuses device times older than 7 days)');
  const baseUrl = new URL(o.baseUrl).toString().replace(/\/+$/, '');
  return {
    baseUrl,
    apiKey: o.apiKey,
    tenant: o.tenant ?? 'demo',
    ...(o.mqttUrl !== undefined && o.mqttUrl !== '' ? { mqttUrl: o.mqttUrl } : {}),
    seed: o.seed ?? 42,
    size: o.size ?? 'default',
    speed,
    backfillHours,
    incidentsWithinS: o.incidentsWithinS ?? 120,
    logger: o.logger ?? SILENT,
  };
}
