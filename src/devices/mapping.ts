/**
 * Turns one decoded message into attribute updates for the entity a device feeds, by its profile's
 * mapping: each mapped field becomes a Property (scaled, with its unitCode) or a GeoProperty Point,
 * all observed at one instant. That instant is the device's own clock when the profile names one and
 * it is plausible, else the time Urbis received the message: a device with a dead RTC battery that
 * reports 1970 (or 2090) must not rewrite history or sort ahead of every real reading.
 * Fields the mapping does not name are not stored (minimisation); they are listed for the caller to count.
 */
import { badRequest } from '../core/errors.js';
import type { Attribute } from '../core/model/entity.js';
import type { Decoded, DecodedValue, Position } from './codecs/model.js';
import type { DeviceProfile } from './registry/profile.js';

export interface MappingOptions {
  /**
   * How far the device's clock may be from receivedAt and still be trusted, in milliseconds: one
   * number for both directions, or each. Defaults: 5 minutes ahead, 7 days behind (a device that
   * buffered readings while offline sends them late, never early).
   */
  maxSkewMs?: number | { future?: number; past?: number };
}

export interface MappedMessage {
  /** Attribute instances keyed by expanded attribute name. */
  attrs: Record<string, Attribute[]>;
  /** The battery level in percent, when the profile names a battery field and it holds one (0–100). */
  battery?: number;
  /** Decoded fields that neither the mapping nor the battery / device-time members name. */
  unmapped: string[];
}

export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;
export const DEFAULT_MAX_PAST_SKEW_MS = 7 * 86_400_000;

// Below this a numeric device time is epoch seconds, above it milliseconds: 1e11 s is the year 5138,
// 1e11 ms is March 1973, so no real clock of either kind falls on the wrong side.
const SECONDS_BELOW = 1e11;
// ISO 8601 with an explicit offset: without one, Date.parse reads the server's local time zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Map `decoded` by `profile`. receivedAt is an ISO instant. A mapped field whose value cannot be what
 * the rule says (a GeoProperty that is not a position, a scale on text) is a BadRequestData naming
 * the field: a payload that does not fit its profile is refused whole rather than stored in part.
 */
export function toAttributes(
  decoded: Decoded,
  profile: Pick<DeviceProfile, 'mapping' | 'battery' | 'deviceTime'>,
  receivedAt: string,
  options: MappingOptions = {},
): MappedMessage {
  const received = Date.parse(receivedAt);
  if (!ISO_INSTANT.test(receivedAt) || Number.isNaN(received))
    throw new TypeError(`receivedAt must be an ISO 8601 instant, got ${JSON.stringify(receivedAt)}`);
  const observedAt =
    observedInstant(decoded, profile.deviceTime, received, options) ?? new Date(received).toISOString();

  const attrs: Record<string, Attribute[]> = {};
  const used = new Set<string>();
  for (const rule of profile.mapping) {
    if (!Object.hasOwn(decoded, rule.field)) continue;
    used.add(rule.field);
    const value = decoded[rule.field] as DecodedValue;
    const attribute: Attribute =
      rule.type === 'GeoProperty'
        ? { type: 'GeoProperty', value: point(rule.field, value), observedAt }
        : {
            type: 'Property',
            value: rule.scale === undefined ? value : scaled(rule.field, value, rule.scale),
            observedAt,
            ...(rule.unitCode !== undefined ? { unitCode: rule.unitCode } : {}),
          };
    attrs[rule.attribute] = [attribute];
  }

  let battery: number | undefined;
  if (profile.battery !== undefined && Object.hasOwn(decoded, profile.battery)) {
    used.add(profile.battery);
    const b = decoded[profile.battery];
    // Battery is health data, not telemetry: an implausible level is ignored, not a reason to drop
    // the message's readings.
    if (typeof b === 'number' && Number.isFinite(b) && b >= 0 && b <= 100) battery = b;
  }
  if (profile.deviceTime !== undefined && Object.hasOwn(decoded, profile.deviceTime))
    used.add(profile.deviceTime);

  const unmapped = Object.keys(decoded).filter((f) => !used.has(f));
  return { attrs, ...(battery !== undefined ? { battery } : {}), unmapped };
}

/** The device's clock as an ISO instant, or undefined when absent, unreadable or beyond the allowed skew. */
function observedInstant(
  decoded: Decoded,
  field: string | undefined,
  received: number,
  options: MappingOptions,
): string | undefined {
  if (field === undefined || !Object.hasOwn(decoded, field)) return undefined;
  const t = deviceEpochMs(decoded[field]);
  if (t === undefined) return undefined;
  const skew = options.maxSkewMs;
  const future = (typeof skew === 'number' ? skew : skew?.future) ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  const past = (typeof skew === 'number' ? skew : skew?.past) ?? DEFAULT_MAX_PAST_SKEW_MS;
  if (t > received + future || t < received - past) return undefined;
  return new Date(t).toISOString();
}

function deviceEpochMs(value: DecodedValue | undefined): number | undefined {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    ms = value < SECONDS_BELOW ? value * 1000 : value;
  } else if (typeof value === 'string') {
    if (/^\d{1,16}(?:\.\d+)?$/.test(value)) return deviceEpochMs(Number(value));
    if (!ISO_INSTANT.test(value)) return undefined;
    ms = Date.parse(value);
  } else return undefined;
  ms = Math.round(ms);
  // Date's own range (±8.64e15 ms); beyond it toISOString throws.
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
}

function scaled(field: string, value: DecodedValue, scale: number): number | number[] {
  if (typeof value === 'number') return scale1(value, scale);
  if (Array.isArray(value)) return value.map((v) => scale1(v, scale));
  throw badRequest(`field ${field}: its profile scales it, but its value is not a number`);
}

// Rounded to 12 significant digits: 3 × 0.1 is 0.30000000000000004 in binary floating point, and a
// reading should read 0.3.
function scale1(v: number, scale: number): number {
  return Number((v * scale).toPrecision(12));
}

/** A GeoJSON Point (longitude first, as GeoJSON orders it) from a decoded position. */
function point(field: string, value: DecodedValue): { type: 'Point'; coordinates: number[] } {
  if (!isPosition(value))
    throw badRequest(`field ${field}: a GeoProperty needs a position {lat, lon[, alt]}`);
  const { lat, lon, alt } = value;
  if (!(Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180))
    throw badRequest(`field ${field}: position (${lat}, ${lon}) is not on the globe`);
  if (alt !== undefined && !Number.isFinite(alt))
    throw badRequest(`field ${field}: altitude is not a number`);
  return { type: 'Point', coordinates: alt === undefined ? [lon, lat] : [lon, lat, alt] };
}

function isPosition(v: DecodedValue): v is Position {
  return (
    typeof v === 'object' &&
    !Array.isArray(v) &&
    typeof (v as Position).lat === 'number' &&
    typeof (v as Position).lon === 'number'
  );
}
