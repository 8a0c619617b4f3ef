/**
 * Virtual local time for the behaviours' daily and weekly patterns. Porto Verde keeps UTC+0 all
 * year: the demo ignores summer time on purpose, so a pattern never shifts by an hour on a Sunday in
 * March and tests can state "3 am" as an instant without a time-zone table.
 */

/** The city's offset from UTC, hours. */
export const CITY_UTC_OFFSET_H = 0;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function local(t: number): number {
  return t + CITY_UTC_OFFSET_H * HOUR_MS;
}

/** Local hour of the day with its fraction, 0 ≤ h < 24. */
export function localHour(t: number): number {
  return (((local(t) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/** Day of the week, 0 = Sunday … 6 = Saturday. */
export function weekday(t: number): number {
  return new Date(local(t)).getUTCDay();
}

export function isWeekend(t: number): boolean {
  const d = weekday(t);
  return d === 0 || d === 6;
}

/** Whole local days since 1970-01-01: a key for "once a day" events. */
export function dayNumber(t: number): number {
  return Math.floor(local(t) / DAY_MS);
}

/** Day of the year, 0 … 365. */
export function dayOfYear(t: number): number {
  const d = new Date(local(t));
  return Math.floor((local(t) - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS);
}

/** The instant (epoch ms) of a local date and hour: for tests and scripted scenes. */
export function localInstant(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute) - CITY_UTC_OFFSET_H * HOUR_MS;
}
