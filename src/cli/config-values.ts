/**
 * The value checkers of the configuration's settings (config.ts): each turns the raw text of a flag
 * or variable into its typed value, or throws an Error whose message says what was expected (the
 * caller prefixes the setting's name).
 */
import ipaddr from 'ipaddr.js';

export const int =
  (min: number, max: number) =>
  (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`expected an integer in [${min}, ${max}]`);
    return n;
  };
export const text = (raw: string): string => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
};
export const oneOf =
  (...values: string[]) =>
  (raw: string): string => {
    if (!values.includes(raw)) throw new Error(`expected one of ${values.join(', ')}`);
    return raw;
  };

/** `a,b/n,…`: IP addresses, CIDR ranges or host names (checked for syntax only; they are resolved at use). */
export function hostList(raw: string): string[] {
  const items = raw
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  for (const item of items) {
    if (item.includes('/')) {
      try {
        ipaddr.parseCIDR(item);
      } catch {
        throw new Error(`${JSON.stringify(item)} is not a CIDR range`);
      }
    } else if (
      !ipaddr.isValid(item) &&
      !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(item)
    ) {
      throw new Error(`${JSON.stringify(item)} is neither an address, a CIDR range nor a host name`);
    }
  }
  return items;
}

export const list = (raw: string): string[] =>
  raw
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
export const anyText = (raw: string): string => raw;
export const bool = (raw: string): boolean => {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error('expected true or false');
};
/**
 * `raw` as a URL of one of `schemes` (with their colon), or an Error saying `expected`. The message
 * never repeats the value: a URL may carry a password.
 */
function urlOf(raw: string, schemes: readonly string[], expected: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`expected ${expected}`);
  }
  if (!schemes.includes(url.protocol)) throw new Error(`expected ${expected}, not ${url.protocol}//…`);
  return url;
}

export const httpsUrl = (raw: string): string => {
  if (raw !== '') urlOf(raw, ['https:', 'http:'], 'an http(s) URL');
  return raw;
};
export const isoDuration = (raw: string): string => {
  if (!/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(raw))
    throw new Error('expected an ISO 8601 duration such as P1D or PT1H');
  return raw;
};
export const mqttUrl = (raw: string): string => {
  if (raw !== '') urlOf(raw, ['mqtt:', 'mqtts:', 'ws:', 'wss:'], 'an mqtt://, mqtts://, ws:// or wss:// URL');
  return raw;
};
export const natsUrls = (raw: string): string => {
  if (raw === '') return raw;
  for (const part of raw.split(','))
    urlOf(part.trim(), ['nats:', 'tls:'], 'nats:// (or tls://) URLs, comma-separated');
  return raw;
};
/** '' (the embedded store) or a PostgreSQL URL with a host. */
export const storeUrl = (raw: string): string => {
  if (raw === '') return raw;
  const url = urlOf(raw, ['postgres:', 'postgresql:'], 'a postgres:// URL');
  if (url.hostname === '') throw new Error('the postgres:// URL names no host');
  return raw;
};
export const shareGroup = (raw: string): string => {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) throw new Error('expected 1–64 letters, digits, _ or -');
  return raw;
};
export const tenantName = (raw: string): string => {
  if (raw !== '' && !/^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,127}$/.test(raw))
    throw new Error('not a valid tenant name');
  return raw;
};
export const origins = (raw: string): string[] => {
  const items = list(raw);
  for (const o of items) {
    if (o === '*') throw new Error('a wildcard origin is not allowed: name the origins');
    let url: URL;
    try {
      url = new URL(o);
    } catch {
      throw new Error(`${JSON.stringify(o)} is not an origin`);
    }
    if (url.origin !== o) throw new Error(`${JSON.stringify(o)} is not an origin (scheme://host[:port])`);
  }
  return items;
};
