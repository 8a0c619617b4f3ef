/**
 * `urbis demo`: run the demo city's simulated devices against a running Urbis, through its public
 * API only (src/demo/sim) — the same simulator `urbis serve` starts in-process, here on its own, for
 * a server elsewhere or one started with the demo off. Stops cleanly on SIGINT or SIGTERM.
 *
 *   urbis demo [--url http://127.0.0.1:8080] [--key <admin key> | URBIS_DEMO_KEY] [--mqtt mqtt://…]
 *              [--seed 42] [--speed 1] [--size default|small] [--tenant demo]
 *
 * Without --mqtt, the devices that would speak MQTT send over HTTP (and cannot take commands).
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startDemo, type DemoOptions } from '../demo/sim/index.js';
import { ConfigError } from './config.js';

export const DEMO_USAGE = `usage: urbis demo [flags]

Runs the demo city's devices against a running Urbis (its HTTP API, MQTT broker and LoRaWAN webhook).

flags:
  --url <url>        Urbis's base URL (default http://127.0.0.1:8080)
  --key <key>        an API key that may administer the tenant (or URBIS_DEMO_KEY)
  --mqtt <url>       Urbis's MQTT broker, e.g. mqtt://127.0.0.1:1883 (absent: MQTT devices use HTTP)
  --seed <n>         the city's seed (default 42)
  --speed <x>        virtual-time factor of the city's day and incidents (default 1)
  --size <s>         default (~400 devices) or small (~60)
  --tenant <t>       the tenant the city lives in (default demo)
  --backfill <h>     hours of history sent on first provisioning (default 24; 0 for none)
`;

const FLAGS = {
  url: { type: 'string' },
  key: { type: 'string' },
  mqtt: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
  size: { type: 'string' },
  tenant: { type: 'string' },
  backfill: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The simulator's options from the flags and environment; ConfigError naming the flag at fault. */
export function demoOptionsOf(argv: string[], env: NodeJS.ProcessEnv): DemoOptions | 'help' {
  let values: { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string };
  try {
    values = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  if (values.help === true) return 'help';
  const key = values.key ?? env.URBIS_DEMO_KEY ?? '';
  if (key === '')
    throw new ConfigError('--key (or URBIS_DEMO_KEY) is required: an API key of the tenant’s admin');
  const url = values.url ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\/[^/]/.test(url)) throw new ConfigError(`--url must be an http(s) URL, not ${url}`);
  const mqtt = values.mqtt;
  if (mqtt !== undefined && !/^mqtts?:\/\/[^/]/.test(mqtt))
    throw new ConfigError(`--mqtt must be an mqtt:// or mqtts:// URL, not ${mqtt}`);
  const size = values.size ?? 'default';
  if (size !== 'default' && size !== 'small')
    throw new ConfigError(`--size must be default or small, not ${size}`);
  const tenant = values.tenant ?? 'demo';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(tenant))
    throw new ConfigError(`--tenant is not a tenant name: ${tenant}`);
  return {
    baseUrl: url,
    apiKey: key,
    tenant,
    ...(mqtt !== undefined ? { mqttUrl: mqtt } : {}),
    seed: numberFlag('seed', values.seed, 42, (n) => Number.isSafeInteger(n)),
    speed: numberFlag('speed', values.speed, 1, (n) => n > 0 && n <= 100_000),
    size,
    backfillHours: numberFlag('backfill', values.backfill, 24, (n) => n >= 0 && n <= 168),
  };
}

function numberFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  ok: (n: number) => boolean,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !ok(n))
    throw new ConfigError(`--${name} is out of range: ${raw}`);
  return n;
}

/** Run `urbis demo` until SIGINT or SIGTERM. */
export async function runDemoCommand(argv: string[]): Promise<void> {
  const options = demoOptionsOf(argv, process.env);
  if (options === 'help') {
    process.stdout.write(DEMO_USAGE);
    return;
  }
  const logger = pino({ level: process.env.URBIS_LOG_LEVEL ?? 'info', base: { service: 'urbis-demo' } });
  const demo = await startDemo({ ...options, logger });
  const report = setInterval(() => logger.info({ stats: demo.stats() }, 'demo: running'), 60_000);
  report.unref();
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info({ signal }, 'demo: stopping');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  clearInterval(report);
  await demo.stop();
}
