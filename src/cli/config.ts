/**
 * Urbis configuration: one typed, validated, frozen object built once at start-up from flags, then
 * environment variables, then defaults. Nothing else reads process.env.
 */

import {
  int,
  text,
  oneOf,
  hostList,
  list,
  anyText,
  bool,
  httpsUrl,
  isoDuration,
  mqttUrl,
  natsUrls,
  storeUrl,
  shareGroup,
  tenantName,
  origins,
} from './config-values.js';

/** Where a setting comes from and how it is checked. */
interface Setting<T> {
  flag: string;
  env: string;
  doc: string;
  default: T;
  parse(raw: string): T;
  /** The value may hold a secret (a password in a URL): an error names the setting, not the value. */
  secret?: boolean;
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
  /** Bootstrap platform-administrator key (environment only: a flag would show in the process list). */
  adminKey: string;
  /** OpenID Connect issuer whose bearer tokens are accepted (empty: none). */
  oidcIssuer: string;
  oidcAudience: string;
  /** JWKS URL (empty: discovered from the issuer). */
  oidcJwksUri: string;
  oidcAlgorithms: string[];
  /** Dotted path of the claim holding the caller's roles. */
  oidcRolesClaim: string;
  /** Dotted path of the claim naming the caller's tenant (empty: the default tenant). */
  oidcTenantClaim: string;
  /** `claim-value=role,…`. */
  oidcRoleMap: string;
  /** JSON file of tenants' policies applied at start-up (empty: none). */
  policyFile: string;
  /** Requests per second per authenticated principal (0: no limit); bursts of twice as many. */
  rateLimit: number;
  /** Requests per second per client address without credentials (0: no limit). */
  anonymousRateLimit: number;
  /** Origins allowed by CORS (empty: no cross-origin access). */
  corsOrigins: string[];
  /** TLS certificate and key files (PEM); both or neither. */
  tlsCert: string;
  tlsKey: string;
  /** Urbis runs behind a TLS-terminating reverse proxy (trust X-Forwarded-* from it). */
  behindProxy: boolean;
  /** How long a pseudonymisation key lives before it is destroyed and replaced (ISO 8601 duration). */
  pseudonymRotation: string;
  /** How often the retention job runs (ISO 8601 duration; PT0S: never). */
  retentionInterval: string;
  /** Deepest JSON nesting accepted in a request body. */
  maxJsonDepth: number;
  /** Port of the embedded MQTT broker for devices (0: no embedded broker). */
  mqttPort: number;
  /** An external MQTT broker (mqtt:// or mqtts:// URL) whose devices' topics Urbis consumes (empty: none). */
  mqttBroker: string;
  /** Shared-subscription group of the replicas consuming the external broker. */
  mqttGroup: string;
  /** Connections of this replica to the external broker (each one message at a time). */
  mqttConnections: number;
  /** Tenant of the devices on the external broker. */
  mqttTenant: string;
  /** UDP port of the CoAP endpoint for constrained devices (0: none). */
  coapPort: number;
  /** Largest device message in bytes, on every transport. */
  deviceMaxPayload: number;
  /** How often silent devices are looked for (ISO 8601 duration). */
  deviceSweepInterval: string;
  /** ChirpStack REST API for LoRaWAN downlinks (empty: none), and its API token (environment only). */
  chirpstackUrl: string;
  chirpstackToken: string;
  /** The Things Stack API for downlinks (empty: none), its API key (environment only), application and webhook ids. */
  ttsUrl: string;
  ttsKey: string;
  ttsApp: string;
  ttsWebhook: string;
  /** The bus shared by replicas (nats:// URL; empty: one process, no bus). */
  bus: string;
  /** Copies NATS JetStream keeps of the bus's streams and lease buckets. */
  busReplicas: number;
  /** The store: empty for the embedded SQLite store in the data directory, or a postgres:// URL. */
  store: string;
  /** Worker threads running entity queries of the embedded SQLite store (0: the main thread runs them). */
  queryWorkers: number;
  /** Run the demo city (tenant `demo`) in this process: on by default, so that `npm start` shows a living city. */
  demo: boolean;
  /** Seed of the demo city: the same seed gives the same city. */
  demoSeed: number;
  /** How much faster than real time the demo city's days and incidents run. */
  demoSpeed: number;
  /** How many devices the demo city has: `default` (about 400) or `small` (about 60). */
  demoSize: 'default' | 'small';
  /** A local PMTiles file served to the dashboard as its basemap (empty: the city's own geography only). */
  basemap: string;
  /** Client id of the dashboard at the OpenID Connect issuer (a public client using PKCE; empty: API keys only). */
  oidcClientId: string;
  /** Settings given by a flag or the environment rather than defaulted (for messages that say so). */
  explicit: ReadonlySet<string>;
}

/** Raised for a bad setting: the message is the one line printed before exiting. */
export class ConfigError extends Error {}

/** Every setting, with its flag, variable, default and one-line doc (the README table is made from this). */
export const SETTINGS: { [K in Exclude<keyof Config, 'explicit'>]: Setting<Config[K]> } = {
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
  adminKey: {
    flag: '',
    env: 'URBIS_ADMIN_KEY',
    doc: 'bootstrap platform-administrator API key (at least 32 characters; environment only)',
    default: '',
    parse: anyText,
  },
  oidcIssuer: {
    flag: 'oidc-issuer',
    env: 'URBIS_OIDC_ISSUER',
    doc: 'OpenID Connect issuer whose bearer tokens are accepted',
    default: '',
    parse: httpsUrl,
  },
  oidcAudience: {
    flag: 'oidc-audience',
    env: 'URBIS_OIDC_AUDIENCE',
    doc: 'audience (aud) the tokens must carry',
    default: '',
    parse: anyText,
  },
  oidcJwksUri: {
    flag: 'oidc-jwks-uri',
    env: 'URBIS_OIDC_JWKS_URI',
    doc: "the issuer's JWKS URL (default: from its discovery document)",
    default: '',
    parse: httpsUrl,
  },
  oidcAlgorithms: {
    flag: 'oidc-algorithms',
    env: 'URBIS_OIDC_ALGORITHMS',
    doc: 'accepted signature algorithms',
    default: ['RS256', 'ES256'],
    parse: list,
  },
  oidcRolesClaim: {
    flag: 'oidc-roles-claim',
    env: 'URBIS_OIDC_ROLES_CLAIM',
    doc: 'claim (dotted path) holding the roles, e.g. realm_access.roles',
    default: 'roles',
    parse: text,
  },
  oidcTenantClaim: {
    flag: 'oidc-tenant-claim',
    env: 'URBIS_OIDC_TENANT_CLAIM',
    doc: 'claim (dotted path) naming the tenant (empty: the default tenant)',
    default: '',
    parse: anyText,
  },
  oidcRoleMap: {
    flag: 'oidc-role-map',
    env: 'URBIS_OIDC_ROLE_MAP',
    doc: 'claim values to Urbis roles, e.g. city-admins=admin,traffic=operator',
    default: '',
    parse: anyText,
  },
  policyFile: {
    flag: 'policy-file',
    env: 'URBIS_POLICY_FILE',
    doc: "JSON file of tenants' access policies applied at start-up",
    default: '',
    parse: anyText,
  },
  rateLimit: {
    flag: 'rate-limit',
    env: 'URBIS_RATE_LIMIT',
    doc: 'requests per second per principal, bursts of twice as many (0 = no limit)',
    default: 1000,
    parse: int(0, 10_000_000),
  },
  anonymousRateLimit: {
    flag: 'anonymous-rate-limit',
    env: 'URBIS_ANONYMOUS_RATE_LIMIT',
    doc: 'requests per second per client address without credentials (0 = no limit)',
    default: 20,
    parse: int(0, 10_000_000),
  },
  corsOrigins: {
    flag: 'cors-origins',
    env: 'URBIS_CORS_ORIGINS',
    doc: 'origins allowed to call the API from a browser (comma-separated)',
    default: [],
    parse: origins,
  },
  tlsCert: {
    flag: 'tls-cert',
    env: 'URBIS_TLS_CERT',
    doc: 'TLS certificate file (PEM)',
    default: '',
    parse: anyText,
  },
  tlsKey: {
    flag: 'tls-key',
    env: 'URBIS_TLS_KEY',
    doc: 'TLS private key file (PEM)',
    default: '',
    parse: anyText,
  },
  behindProxy: {
    flag: 'behind-proxy',
    env: 'URBIS_BEHIND_PROXY',
    doc: 'a TLS-terminating reverse proxy is in front (trust its X-Forwarded-* headers)',
    default: false,
    parse: bool,
  },
  pseudonymRotation: {
    flag: 'pseudonym-rotation',
    env: 'URBIS_PSEUDONYM_ROTATION',
    doc: 'lifetime of a pseudonymisation key before it is destroyed (ISO 8601 duration)',
    default: 'P1D',
    parse: isoDuration,
  },
  retentionInterval: {
    flag: 'retention-interval',
    env: 'URBIS_RETENTION_INTERVAL',
    doc: 'how often the retention job runs (ISO 8601 duration; PT0S = never)',
    default: 'PT1H',
    parse: (raw) => (raw === 'PT0S' ? raw : isoDuration(raw)),
  },
  maxJsonDepth: {
    flag: 'max-json-depth',
    env: 'URBIS_MAX_JSON_DEPTH',
    doc: 'deepest JSON nesting accepted in a request body',
    default: 32,
    parse: int(4, 1000),
  },
  mqttPort: {
    flag: 'mqtt-port',
    env: 'URBIS_MQTT_PORT',
    doc: 'port of the embedded MQTT broker for devices (0 = none; on --host, TLS with --tls-cert)',
    default: 1883,
    parse: int(0, 65535),
  },
  mqttBroker: {
    flag: 'mqtt-broker',
    env: 'URBIS_MQTT_BROKER',
    doc: 'external MQTT broker whose device topics Urbis consumes with shared subscriptions, e.g. mqtt://127.0.0.1:1883',
    default: '',
    parse: mqttUrl,
    // The URL may carry Urbis's broker password: an error names the setting, not the value.
    secret: true,
  },
  mqttGroup: {
    flag: 'mqtt-group',
    env: 'URBIS_MQTT_GROUP',
    doc: 'shared-subscription group of the replicas ($share/<group>/…)',
    default: 'urbis',
    parse: shareGroup,
  },
  mqttConnections: {
    flag: 'mqtt-connections',
    env: 'URBIS_MQTT_CONNECTIONS',
    doc: 'connections of this replica to the external broker: MQTT acknowledges in order, so each carries one message at a time; keep it fixed (each is a broker session)',
    default: 16,
    parse: int(1, 256),
  },
  mqttTenant: {
    flag: 'mqtt-tenant',
    env: 'URBIS_MQTT_TENANT',
    doc: 'tenant of the devices on the external broker (default: the default tenant)',
    default: '',
    parse: tenantName,
  },
  coapPort: {
    flag: 'coap-port',
    env: 'URBIS_COAP_PORT',
    doc: 'UDP port of the CoAP endpoint for constrained devices (0 = none)',
    default: 5683,
    parse: int(0, 65535),
  },
  deviceMaxPayload: {
    flag: 'device-max-payload',
    env: 'URBIS_DEVICE_MAX_PAYLOAD',
    doc: 'largest device message in bytes, on every transport',
    default: 65_536,
    parse: int(16, 16 * 1024 * 1024),
  },
  deviceSweepInterval: {
    flag: 'device-sweep-interval',
    env: 'URBIS_DEVICE_SWEEP_INTERVAL',
    doc: 'how often devices that went silent are marked offline (ISO 8601 duration)',
    default: 'PT30S',
    parse: isoDuration,
  },
  chirpstackUrl: {
    flag: 'chirpstack-url',
    env: 'URBIS_CHIRPSTACK_URL',
    doc: 'ChirpStack v4 REST API for LoRaWAN downlinks (token in URBIS_CHIRPSTACK_TOKEN)',
    default: '',
    parse: httpsUrl,
  },
  chirpstackToken: {
    flag: '',
    env: 'URBIS_CHIRPSTACK_TOKEN',
    doc: 'ChirpStack API token (environment only)',
    default: '',
    parse: anyText,
  },
  ttsUrl: {
    flag: 'tts-url',
    env: 'URBIS_TTS_URL',
    doc: 'The Things Stack API for LoRaWAN downlinks (key in URBIS_TTS_KEY)',
    default: '',
    parse: httpsUrl,
  },
  ttsKey: {
    flag: '',
    env: 'URBIS_TTS_KEY',
    doc: 'The Things Stack API key (environment only)',
    default: '',
    parse: anyText,
  },
  ttsApp: {
    flag: 'tts-app',
    env: 'URBIS_TTS_APP',
    doc: 'The Things Stack application id for downlinks',
    default: '',
    parse: anyText,
  },
  ttsWebhook: {
    flag: 'tts-webhook',
    env: 'URBIS_TTS_WEBHOOK',
    doc: 'The Things Stack webhook id for downlinks',
    default: '',
    parse: anyText,
  },
  bus: {
    flag: 'bus',
    env: 'URBIS_BUS',
    doc: 'NATS JetStream shared by replicas, e.g. nats://127.0.0.1:4222: periodic jobs then run on one replica at a time',
    default: '',
    parse: natsUrls,
  },
  busReplicas: {
    flag: 'bus-replicas',
    env: 'URBIS_BUS_REPLICAS',
    doc: 'copies NATS JetStream keeps of the work queues and leases (3 on a three-server NATS cluster)',
    default: 1,
    parse: int(1, 5),
  },
  store: {
    flag: 'store',
    env: 'URBIS_STORE',
    doc: 'PostgreSQL (with PostGIS) shared by replicas, e.g. postgres://urbis@db:5432/urbis; default: SQLite in the data directory',
    default: '',
    parse: storeUrl,
    secret: true,
  },
  queryWorkers: {
    flag: 'query-workers',
    env: 'URBIS_QUERY_WORKERS',
    doc: 'worker threads that run entity queries of the embedded SQLite store beside the main thread (0 = none)',
    default: 1,
    parse: int(0, 64),
  },
  demo: {
    flag: 'demo',
    env: 'URBIS_DEMO',
    doc: 'run the demo city in tenant "demo" (--no-demo turns it off)',
    default: true,
    parse: bool,
  },
  demoSeed: {
    flag: 'demo-seed',
    env: 'URBIS_DEMO_SEED',
    doc: 'seed of the demo city (the same seed, the same city)',
    default: 42,
    parse: int(0, 2 ** 31 - 1),
  },
  demoSpeed: {
    flag: 'demo-speed',
    env: 'URBIS_DEMO_SPEED',
    doc: "how many times faster than real time the demo city's days and incidents run",
    default: 1,
    parse: int(1, 3600),
  },
  demoSize: {
    flag: 'demo-size',
    env: 'URBIS_DEMO_SIZE',
    doc: 'devices of the demo city: default (about 400) or small (about 60)',
    default: 'default',
    parse: oneOf('default', 'small') as (raw: string) => 'default' | 'small',
  },
  basemap: {
    flag: 'basemap',
    env: 'URBIS_BASEMAP',
    doc: 'local PMTiles file served to the dashboard as its basemap',
    default: '',
    parse: anyText,
  },
  oidcClientId: {
    flag: 'oidc-client-id',
    env: 'URBIS_OIDC_CLIENT_ID',
    doc: "the dashboard's client id at the OpenID Connect issuer (public client, PKCE)",
    default: '',
    parse: anyText,
  },
};

/** Build the configuration from parsed flags and an environment; throws ConfigError naming the setting. */
export function buildConfig(
  flags: Record<string, string | undefined>,
  env: Record<string, string | undefined>,
): Config {
  const out: Record<string, unknown> = {};
  const explicit = new Set<string>();
  out.explicit = explicit;
  for (const [key, setting] of Object.entries(SETTINGS) as Array<[keyof Config, Setting<unknown>]>) {
    const fromFlag = setting.flag === '' ? undefined : flags[setting.flag];
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
    explicit.add(key);
    try {
      out[key] = setting.parse(raw);
    } catch (e) {
      const shown = setting.secret ? '' : `=${JSON.stringify(raw)}`;
      throw new ConfigError(`invalid ${source}${shown}: ${(e as Error).message}`);
    }
  }
  const config = out as unknown as Config;
  if (config.defaultLimit > config.maxLimit) {
    throw new ConfigError(
      `invalid --default-limit: ${config.defaultLimit} exceeds --max-limit ${config.maxLimit}`,
    );
  }
  if ((config.tlsCert === '') !== (config.tlsKey === '')) {
    throw new ConfigError('invalid --tls-cert/--tls-key: give both or neither');
  }
  if (config.oidcIssuer !== '' && config.oidcAudience === '') {
    throw new ConfigError('invalid --oidc-audience: required with --oidc-issuer');
  }
  if (config.oidcClientId !== '' && config.oidcIssuer === '') {
    throw new ConfigError('invalid --oidc-client-id: it needs --oidc-issuer');
  }
  if (config.chirpstackUrl !== '' && config.chirpstackToken === '') {
    throw new ConfigError('invalid --chirpstack-url: URBIS_CHIRPSTACK_TOKEN is required with it');
  }
  if (config.ttsUrl !== '' && (config.ttsKey === '' || config.ttsApp === '' || config.ttsWebhook === '')) {
    throw new ConfigError(
      'invalid --tts-url: URBIS_TTS_KEY, --tts-app and --tts-webhook are required with it',
    );
  }
  return Object.freeze(config);
}
