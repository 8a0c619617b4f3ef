/**
 * What every kind of device shares: hashed noise (a function of device and instant, so the order
 * devices are simulated in changes nothing), drop-outs, battery drain, the device clock field and
 * the shape of a profile document.
 */
import type { DemoDevice, DemoTransport } from '../city/model.js';
import { hashNormal, hashUnit } from '../city/random.js';
import type { SimState } from './types.js';

/** Share of reports a device misses (radio, a busy gateway): about 1 %. */
export const DROP_RATE = 0.01;
/** Battery used by one report, percent: a LoRaWAN sensor's battery lasts years. */
export const BATTERY_PER_REPORT = 0.01;
/** The payload field carrying the device's clock, epoch seconds (the profiles' deviceTime). */
export const TIME_FIELD = 'ts';
/** The payload field carrying the battery level, percent (the profiles' battery). */
export const BATTERY_FIELD = 'bat';
/**
 * Rate limit of the demo profiles: generous, because the simulator may run 60–600× faster than real
 * time and backfills a day of history in one go.
 */
export const DEMO_MAX_MESSAGES_PER_MINUTE = 6000;

/** Epoch seconds of `t` (ms), as devices stamp readings. */
export function epochSeconds(t: number): number {
  return Math.floor(t / 1000);
}

/** Gaussian noise of standard deviation `sd`, fixed by (device, instant, salt). */
export function noise(device: DemoDevice, t: number, salt: string, sd: number): number {
  return hashNormal(device.id, t, salt) * sd;
}

/** A uniform number in [0, 1) fixed by (device, instant, salt). */
export function chance(device: DemoDevice, t: number, salt: string): number {
  return hashUnit(device.id, t, salt);
}

/** Whether the device misses the report at `t`. */
export function dropsOut(device: DemoDevice, t: number): boolean {
  return chance(device, t, 'drop') < DROP_RATE;
}

/** A Gaussian bump centred on `mu` of width `sigma` (hours), peak 1. */
export function bump(h: number, mu: number, sigma: number): number {
  return Math.exp(-((h - mu) ** 2) / (2 * sigma * sigma));
}

export function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

/** `x` rounded to `digits` decimals. */
export function fixed(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/** Initial battery, percent: 60–100 by the device's bias, so the fleet's levels differ. */
export function initialBattery(device: DemoDevice): number {
  return fixed(60 + 40 * device.bias, 2);
}

/** Drain one report's worth; returns the level to report, or undefined when the battery is dead. */
export function drainBattery(state: SimState): number | undefined {
  const level = typeof state.battery === 'number' ? state.battery : 100;
  if (level <= 0) return undefined;
  state.battery = fixed(Math.max(0, level - BATTERY_PER_REPORT), 2);
  return state.battery;
}

/** A duration in seconds as ISO 8601 (PT5M, PT1H30M). */
export function isoDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 || seconds === 0 ? `${s}S` : ''}`;
}

export interface ProfileParts {
  id: string;
  description: string;
  /**
   * The kind's transport. A profile names one; kinds split between MQTT and HTTP name MQTT: Urbis
   * uses a profile's transport to route commands (these kinds take none) and as the Device entity's
   * deviceCategory, while ingest accepts a registered device on any transport.
   */
  transport: DemoTransport;
  entityType: string;
  /** Payload field → attribute and UN/CEFACT unit code. */
  mapping: Record<string, { attribute: string; unitCode?: string }>;
  battery?: boolean;
  intervalS: number;
  commands?: Record<string, unknown>;
}

/** A device-profile document (no @context: the runtime adds the Smart Data Models one). */
export function profileDocument(p: ProfileParts): Record<string, unknown> {
  return {
    id: p.id,
    description: p.description,
    transport: p.transport,
    codec: { kind: 'json' },
    entityType: p.entityType,
    mapping: p.mapping,
    ...(p.battery === true ? { battery: BATTERY_FIELD } : {}),
    deviceTime: TIME_FIELD,
    reportingInterval: isoDuration(p.intervalS),
    // Three missed reports in a row: one drop-out never flags a device offline.
    offlineAfter: isoDuration(p.intervalS * 3),
    maxMessagesPerMinute: DEMO_MAX_MESSAGES_PER_MINUTE,
    ...(p.commands !== undefined ? { commands: p.commands } : {}),
  };
}
