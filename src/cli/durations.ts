/** ISO 8601 durations of settings (already validated by config.ts) as milliseconds from now. */
import { addDuration, parseDuration } from '../core/temporal/duration.js';

/** The length of a duration starting now (calendar units counted from the current date). */
export function durationMs(iso: string): number {
  if (iso === 'PT0S') return 0;
  const now = Date.now();
  return addDuration(now, parseDuration(iso)) - now;
}
