/**
 * ISO 8601 durations (`PT1H`, `P1D`, `P1M`, `P1Y2M3DT4H5M6.5S`, `P2W`) as NGSI-LD uses them for
 * `aggrPeriodDuration` (clause 4.5.19), and their arithmetic on UTC instants. Years and months stay
 * calendar units (a month is not 30 days); weeks, days, hours, minutes and seconds become
 * milliseconds, a day being 24 h since every instant here is UTC.
 */
import { badRequest } from '../errors.js';
import type { Duration } from './model.js';

// P, then optional date components, then optionally T and time components; each number may carry a
// fraction (`.` or `,` as ISO allows), validated further below.
const DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 } as const;

/** Longest duration accepted (about 1,000 years): bounds the arithmetic well inside safe integers. */
const MAX_MONTHS = 12_000;
const MAX_MS = 1000 * 366 * MS.day;

/**
 * Parse an ISO 8601 duration. Anything else, a zero duration or an absurdly long one is a
 * BadRequestData naming `what` (the parameter) and the offending text.
 */
export function parseDuration(text: string, what = 'duration'): Duration {
  const fail = (why: string) => badRequest(`${what} ${JSON.stringify(text)} ${why}`);
  if (text.length > 64) throw fail('is too long');
  const m = DURATION.exec(text);
  if (m === null || text === 'P' || text.endsWith('T')) {
    throw fail('is not an ISO 8601 duration (e.g. PT1H, P1D, P1M, P1Y2M3DT4H5M6.5S, P2W)');
  }
  const [, years, months, weeks, days, hours, minutes, seconds] = m;
  const fractions = [weeks, days, hours, minutes, seconds].filter((v) => v !== undefined && /[.,]/.test(v));
  // ISO 8601 allows a fraction on the smallest component only.
  const last = [years, months, weeks, days, hours, minutes, seconds].filter((v) => v !== undefined).pop();
  if (fractions.length > 1 || (fractions.length === 1 && fractions[0] !== last)) {
    throw fail('may have a decimal fraction on its last component only');
  }
  const num = (v: string | undefined) => (v === undefined ? 0 : Number(v.replace(',', '.')));
  const totalMonths = num(years) * 12 + num(months);
  const ms = Math.round(
    num(weeks) * MS.week +
      num(days) * MS.day +
      num(hours) * MS.hour +
      num(minutes) * MS.minute +
      num(seconds) * MS.second,
  );
  if (totalMonths > MAX_MONTHS || ms > MAX_MS) throw fail('is too long (1,000 years at most)');
  if (totalMonths === 0 && ms === 0) throw fail('must be longer than zero');
  return { months: totalMonths, ms };
}

/**
 * The instant `times` durations after `epochMs` (UTC). Months are added first as calendar months,
 * clamping the day to the end of a shorter month (Jan 31 + P1M = Feb 28 or 29), then milliseconds.
 */
export function addDuration(epochMs: number, duration: Duration, times = 1): number {
  let t = epochMs;
  if (duration.months !== 0) t = addMonths(t, duration.months * times);
  return t + duration.ms * times;
}

function addMonths(epochMs: number, months: number): number {
  const d = new Date(epochMs);
  const day = d.getUTCDate();
  const target = d.getUTCMonth() + months;
  d.setUTCDate(1);
  d.setUTCMonth(target);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.getTime();
}

/** Print a Duration back as ISO 8601 (months as `nM`/`nY`, the rest as `PTnS` parts). */
export function formatDuration(duration: Duration): string {
  const years = Math.floor(duration.months / 12);
  const months = duration.months % 12;
  let out = 'P';
  if (years > 0) out += `${years}Y`;
  if (months > 0) out += `${months}M`;
  let rest = duration.ms;
  const days = Math.floor(rest / MS.day);
  rest -= days * MS.day;
  if (days > 0) out += `${days}D`;
  if (rest > 0) {
    out += 'T';
    const hours = Math.floor(rest / MS.hour);
    rest -= hours * MS.hour;
    const minutes = Math.floor(rest / MS.minute);
    rest -= minutes * MS.minute;
    if (hours > 0) out += `${hours}H`;
    if (minutes > 0) out += `${minutes}M`;
    if (rest > 0) out += `${rest / 1000}S`;
  }
  return out;
}
