/**
 * The city's shared rhythms, which several kinds follow: road traffic (weekday rush hours at 8 and
 * 18, a broad Saturday/Sunday midday hump) and the outdoor weather (seasonal and diurnal temperature,
 * humidity, wind). Air quality and noise follow traffic; indoor climate and bins follow the weather.
 */
import { smoothNoise } from '../city/random.js';
import { dayOfYear, isWeekend, localHour } from './clock.js';
import { bump, clamp } from './common.js';

/** Traffic intensity 0 … 1 (1 = the weekday peak) at `t`. */
export function trafficLevel(t: number): number {
  const h = localHour(t);
  if (isWeekend(t)) return clamp(0.06 + 0.5 * bump(h, 13.5, 3.5), 0, 1);
  const day = 1 / (1 + Math.exp(-(h - 6.5) * 2)) / (1 + Math.exp(-(21 - h) * 1.5));
  return clamp(0.06 + 0.3 * day + 0.7 * bump(h, 8, 0.9) + 0.6 * bump(h, 18, 1.1), 0, 1);
}

/** Outdoor air temperature, °C: 10 °C (January) to 21 °C (August) means, ±4 °C over the day. */
export function outdoorTemperature(t: number): number {
  const season = 15.5 - 5.5 * Math.cos((2 * Math.PI * (dayOfYear(t) - 20)) / 365);
  const diurnal = 4 * Math.cos((2 * Math.PI * (localHour(t) - 15)) / 24);
  return season + diurnal + 3 * (smoothNoise('weather:temperature', t, 6 * 3600) - 0.5);
}

/** Outdoor relative humidity, 0 … 1: highest at dawn, lowest mid-afternoon (an oceanic city). */
export function outdoorHumidity(t: number): number {
  const diurnal = Math.cos((2 * Math.PI * (localHour(t) - 15)) / 24);
  return clamp(0.72 - 0.15 * diurnal + 0.2 * (smoothNoise('weather:humidity', t, 4 * 3600) - 0.5), 0.25, 1);
}

/** Wind speed, m/s: wandering over hours, a little stronger in the afternoon sea breeze. */
export function windSpeed(t: number): number {
  return 1 + 6 * smoothNoise('weather:wind', t, 3 * 3600) + 1.5 * bump(localHour(t), 15, 3);
}

/** A heating season factor 0 … 1: 1 in midwinter, 0 in summer (wood and gas heating raise PM2.5). */
export function heatingSeason(t: number): number {
  return clamp(Math.cos((2 * Math.PI * (dayOfYear(t) - 15)) / 365) * 0.7 + 0.3, 0, 1);
}
