/**
 * UN/CEFACT Common Code (NGSI-LD `unitCode`) → the symbol a person reads. Smart Data Models give
 * units as these codes (GQ for µg/m³); showing the code itself would mean nothing to an operator.
 */

const SYMBOLS: Readonly<Record<string, string>> = {
  GQ: 'µg/m³',
  GP: 'mg/m³',
  M1: 'mg/l',
  CEL: '°C',
  FAH: '°F',
  KEL: 'K',
  '2N': 'dB',
  P1: '%',
  MTQ: 'm³',
  LTR: 'l',
  MTR: 'm',
  KMT: 'km',
  CMT: 'cm',
  MMT: 'mm',
  MTS: 'm/s',
  KMH: 'km/h',
  KGM: 'kg',
  TNE: 't',
  WTT: 'W',
  KWT: 'kW',
  KWH: 'kWh',
  VLT: 'V',
  AMP: 'A',
  HTZ: 'Hz',
  A97: 'hPa',
  PAL: 'Pa',
  LUX: 'lx',
  DD: '°',
  '59': 'ppm',
  '61': 'ppb',
  E32: 'vehicles/h',
  SEC: 's',
  MIN: 'min',
  HUR: 'h',
  C62: '',
  MQH: 'm³/h',
  G51: 'l/s',
  '4G': 'µl',
  '2M': 'cm/s',
  DBM: 'dBm',
};

/** The symbol for `code`, the code itself when unknown, '' when there is none. */
export function unitSymbol(code: string | undefined): string {
  if (code === undefined || code === '') return '';
  return SYMBOLS[code] ?? code;
}

/** `value` with its unit, numbers rounded to a readable precision. */
export function formatValue(value: unknown, unitCode?: string): string {
  const unit = unitSymbol(unitCode);
  let text: string;
  if (typeof value === 'number') text = formatNumber(value);
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean') text = value ? 'yes' : 'no';
  else if (value === null || value === undefined) text = '—';
  else text = JSON.stringify(value);
  if (unit === '') return text;
  return unit === '%' || unit === '°' ? `${text}${unit}` : `${text} ${unit}`;
}

/** At most 3 significant decimals, no trailing zeros; integers as they are. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(n.toFixed(digits)));
}
