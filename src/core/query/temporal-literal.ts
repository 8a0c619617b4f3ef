/**
 * ISO 8601 date, time and date-time literals as NGSI-LD uses them (clause 4.6.3), read into epoch
 * milliseconds so they compare in time order whatever their offset or precision. The q parser uses it
 * for literals, the q evaluator for attribute values; a store should register the same function (for
 * example as a SQLite user function) so both sides agree on what parses and to which instant.
 *
 * Two shapes never compare with each other: an `instant` (a date-time, or a date read as its UTC
 * midnight) and a `time` of day (milliseconds after UTC midnight, wrapped into one day).
 */

/** What a temporal string denotes. */
export type TemporalShape = 'instant' | 'time';

/** A parsed temporal literal: its shape and its position on that shape's time line, in ms. */
export interface TemporalValue {
  shape: TemporalShape;
  epochMs: number;
}

const OFFSET = String.raw`(Z|[+-]\d{2}:?\d{2})?`;
const CLOCK = String.raw`(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?`;
const DATE = String.raw`(\d{4})-(\d{2})-(\d{2})`;

/** Sticky patterns the q parser uses to find where a literal ends (validation is `parseTemporal`). */
export const TEMPORAL_TOKENS: readonly RegExp[] = [
  new RegExp(`${DATE}T${CLOCK}${OFFSET}`, 'y'),
  new RegExp(DATE, 'y'),
  new RegExp(`${CLOCK}${OFFSET}`, 'y'),
];

const DATE_TIME_RE = new RegExp(`^${DATE}T${CLOCK}${OFFSET}$`);
const DATE_RE = new RegExp(`^${DATE}$`);
const TIME_RE = new RegExp(`^${CLOCK}${OFFSET}$`);
const DAY_MS = 86_400_000;

/**
 * Read `text` as a date-time (`2017-12-24T12:00:00Z`, offset optional and UTC when absent, fraction
 * of any length), a date (`2017-12-24`) or a time (`12:00:00Z`). Undefined when it is none of these
 * or names a day, hour or minute that does not exist.
 */
export function parseTemporal(text: string): TemporalValue | undefined {
  if (text.length > 64) return undefined;
  let m = DATE_TIME_RE.exec(text);
  if (m !== null) {
    const day = dayStart(m[1], m[2], m[3]);
    const clock = clockMs(m[4], m[5], m[6], m[7]);
    const offset = offsetMs(m[8]);
    if (day === undefined || clock === undefined || offset === undefined) return undefined;
    return { shape: 'instant', epochMs: day + clock - offset };
  }
  m = DATE_RE.exec(text);
  if (m !== null) {
    const day = dayStart(m[1], m[2], m[3]);
    return day === undefined ? undefined : { shape: 'instant', epochMs: day };
  }
  m = TIME_RE.exec(text);
  if (m !== null) {
    const clock = clockMs(m[1], m[2], m[3], m[4]);
    const offset = offsetMs(m[5]);
    if (clock === undefined || offset === undefined) return undefined;
    return { shape: 'time', epochMs: (((clock - offset) % DAY_MS) + DAY_MS) % DAY_MS };
  }
  return undefined;
}

function dayStart(y = '', mo = '', d = ''): number | undefined {
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 onto 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCDate() === day ? date.getTime() : undefined;
}

function clockMs(h = '', mi = '', s = '0', fraction = ''): number | undefined {
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  return ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms;
}

function offsetMs(offset: string | undefined): number | undefined {
  if (offset === undefined || offset === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}
