/**
 * Urbis configuration: one typed, validated, frozen object built once at start-up from flags, then
 * environment variables, then defaults. Nothing else reads process.env.
 */

import ipaddr from 'ipaddr.js';

/** Where a setting comes from and how it is checked. */
interface Setting<T> {
  flag: string;
  env: string;
  doc: string;
  default: T;
  parse(raw: string): T;
}

/** The validated configuration. */
export interface Config {
  /** HTTP port (0 picks a free one). */
  port: number;
  /** Interface to bind; 127.0.0.1 keeps Urbis private until an operator opens it. */
  host: string;
  /** Directory for the embedded store and other local state. */
  dataDir: string;
  /** pino log level. */
  logLevel: string;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  /** Timeout for fetching a remote @context, in ms. */
  contextTimeoutMs: number;
  /** Largest accepted remote @context document, in bytes. */
  contextMaxBytes: number;
  /** Default page size of entity queries. */
  defaultLimit: number;
  /** Largest page size a query may ask for (beyond it: 403 TooManyResults). */
  maxLimit: number;
  /**
   * Hosts and CIDR ranges that notification endpoints and remote @context URLs may resolve to even
   * though they are loopback, link-local or private (SSRF guard); empty by default.
   */
  allowPrivateEndpoints: string[];
}

/** Raised for a bad setting: the message is the one line printed before exiting. */
export class ConfigError extends Error {}

const int =
  (min: number, max: number) =>
  (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`expected an integer in [${min}, ${max}]`);
    return n;
  };
const text = (raw: string): string => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
};
const oneOf =
  (...values: string[]) =>
  (raw: string): string => {
    if (!values.includes(raw)) throw new Error(`expected one of ${values.join(', ')}`);
    return raw;
  };

/** `a,b/n,…`: IP addresses, CIDR ranges or host names (checked for syntax only; they are resolved at use). */
function hostList(raw: string): string[] {
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

/** Every setting, with its flag, variable, default and one-line doc (the README table is made from this). */
export const SETTINGS: { [K in keyof Config]: Setting<Config[K]> } = {
  port: {
    flag: 'port',
    env: 'URBIS_PORT',
    doc: 'HTTP port (0 = any free port)',
    default: 8080,
    parse: int(0, 65535),
  },
  host: { flag: 'host', env: 'URBIS_HOST', doc: 'interface to bind', default: '127.0.0.1', parse: text },
  dataDir: {
    flag: 'data-dir',
    env: 'URBIS_DATA_DIR',
    doc: 'directory of the embedded SQLite store',
    default: './.urbis',
    parse: text,
  },
  logLevel: {
    flag: 'log-level',
    env: 'URBIS_LOG_LEVEL',
    doc: 'log level (fatal, error, warn, info, debug, trace, silent)',
    default: 'info',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  },
  maxBodyBytes: {
    flag: 'max-body-bytes',
    env: 'URBIS_MAX_BODY_BYTES',
    doc: 'largest request body accepted',
    default: 8 * 1024 * 1024,
    parse: int(1024, 1024 * 1024 * 1024),
  },
  contextTimeoutMs: {
    flag: 'context-timeout-ms',
    env: 'URBIS_CONTEXT_TIMEOUT_MS',
    doc: 'timeout for fetching a remote @context',
    default: 5000,
    parse: int(1, 120_000),
  },
  contextMaxBytes: {
    flag: 'context-max-bytes',
    env: 'URBIS_CONTEXT_MAX_BYTES',
    doc: 'largest remote @context accepted',
    default: 1024 * 1024,
    parse: int(1024, 64 * 1024 * 1024),
  },
  defaultLimit: {
    flag: 'default-limit',
    env: 'URBIS_DEFAULT_LIMIT',
    doc: 'entities per page when a query gives no limit',
    default: 20,
    parse: int(1, 10_000),
  },
  maxLimit: {
    flag: 'max-limit',
    env: 'URBIS_MAX_LIMIT',
    doc: 'largest limit a query may ask for',
    default: 1000,
    parse: int(1, 100_000),
  },
  allowPrivateEndpoints: {
    flag: 'allow-private-endpoints',
    env: 'URBIS_ALLOW_PRIVATE_ENDPOINTS',
    doc: 'hosts or CIDR ranges (comma-separated) that notifications and remote @contexts may reach although private, e.g. 127.0.0.1',
    default: [],
    parse: hostList,
  },
};

/** Build the configuration from parsed flags and an environment; throws ConfigError naming the setting. */
export function buildConfig(
  flags: Record<string, string | undefined>,
  env: Record<string, string | undefined>,
): Config {
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as Array<[keyof Config, Setting<unknown>]>) {
    const fromFlag = flags[setting.flag];
    const fromEnv = env[setting.env];
    const [raw, source] =
      fromFlag !== undefined
        ? [fromFlag, `--${setting.flag}`]
        : fromEnv !== undefined
          ? [fromEnv, setting.env]
          : [];
    if (raw === undefined) {
      out[key] = setting.default;
      continue;
    }
    try {
      out[key] = setting.parse(raw);
    } catch (e) {
      throw new ConfigError(`invalid ${source}=${JSON.stringify(raw)}: ${(e as Error).message}`);
    }
  }
  const config = out as unknown as Config;
  if (config.defaultLimit > config.maxLimit) {
    throw new ConfigError(
      `invalid --default-limit: ${config.defaultLimit} exceeds --max-limit ${config.maxLimit}`,
    );
  }
  return Object.freeze(config);
}
