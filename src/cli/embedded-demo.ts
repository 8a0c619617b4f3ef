/**
 * The demo city inside `urbis serve` (issue #7; on by default, `--no-demo` turns it off): a newcomer's
 * `npm start` shows a living city. The simulator is a client like any other — it provisions its
 * devices through the HTTP API and sends their telemetry over MQTT, HTTP and the LoRaWAN webhook — so
 * it needs a key: a service principal `demo-city`, administrator of tenant `demo` only, whose key is
 * made afresh at every start and kept in memory (the previous start's keys are revoked first).
 */
import type { Logger } from 'pino';
import type { Governance } from '../governance/governance.js';
import { startDemo, type RunningDemo } from '../demo/sim/index.js';
import type { Config } from './config.js';

export const DEMO_TENANT = 'demo';
export const DEMO_PRINCIPAL = 'demo-city';
/** A newcomer should see an incident (and its alert) within the first minute. */
const FIRST_INCIDENTS_WITHIN_S = 30;

/** Start the demo against this server; failures are logged, never fatal: the platform runs on. */
export async function startEmbeddedDemo(
  governance: Governance,
  config: Pick<Config, 'demoSeed' | 'demoSpeed' | 'demoSize'>,
  at: { baseUrl: string; mqttPort?: number },
  logger: Logger,
): Promise<RunningDemo | undefined> {
  try {
    const apiKey = await demoKey(governance);
    return await startDemo({
      baseUrl: at.baseUrl,
      apiKey,
      tenant: DEMO_TENANT,
      ...(at.mqttPort !== undefined ? { mqttUrl: `mqtt://127.0.0.1:${at.mqttPort}` } : {}),
      seed: config.demoSeed,
      size: config.demoSize,
      speed: config.demoSpeed,
      incidentsWithinS: FIRST_INCIDENTS_WITHIN_S * config.demoSpeed,
      logger: logger.child({ component: 'demo' }),
    });
  } catch (err) {
    logger.error({ err }, 'the demo city could not start (the platform runs without it)');
    return undefined;
  }
}

/** A fresh key of the demo's own principal; earlier ones are revoked (they lived in a process now gone). */
async function demoKey(governance: Governance): Promise<string> {
  const identity = governance.identity;
  const existing = await identity.listPrincipals(DEMO_TENANT);
  if (!existing.some((p) => p.id === DEMO_PRINCIPAL)) {
    await identity.createPrincipal({
      tenant: DEMO_TENANT,
      id: DEMO_PRINCIPAL,
      kind: 'service',
      roles: ['admin'],
      description: 'the demo city simulator (urbis serve, --no-demo turns it off)',
    });
  }
  for (const key of await identity.listKeys(DEMO_TENANT)) {
    if (key.principalId === DEMO_PRINCIPAL && key.revokedAt === undefined) await identity.revokeKey(key.id);
  }
  const { secret } = await identity.createKey({
    tenant: DEMO_TENANT,
    principalId: DEMO_PRINCIPAL,
    description: 'demo city simulator, this run',
  });
  return secret;
}
