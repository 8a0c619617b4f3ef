/**
 * Provisioning of the demo city through Urbis's public API, idempotent so that a restart on the same
 * data directory works: the tenant policy, the device profiles, the city's entities, the devices (new
 * ones created, existing ones given a fresh token by rotation — tokens live in this process's memory
 * only, never on disk), the LoRaWAN integration's service principal and key, and the default alert
 * rules (skipped with a warning when the alerts API is not there).
 */
import type { KindBehaviour } from '../behaviour/types.js';
import type { City, DemoDevice, DeviceKind } from '../city/model.js';
import { demoAlertRules, type RuleInputs } from './alert-rules.js';
import { chunks, cityEntities, type NgsiEntity } from './city-entities.js';
import { demoPolicy } from './demo-policy.js';
import type { DemoLogger } from './options.js';
import { profileContext, typeContext } from './contexts.js';
import { UrbisHttpError, mapLimit, type UrbisClient } from './urbis-client.js';

/** The LoRaWAN network server's service principal in the demo tenant. */
export const INTEGRATION_PRINCIPAL = 'demo-lorawan-network-server';
/** Entities per batch upsert (Urbis takes up to 1,000; smaller batches keep each commit short). */
const ENTITY_BATCH = 200;
/** Devices per provisioning request. */
const DEVICE_BATCH = 500;
/** Administrative calls in flight at once. */
const ADMIN_CONCURRENCY = 8;

export interface Provisioned {
  /** Device id → its token (`dev_…`), for devices that send with their own credential. */
  tokens: Map<string, string>;
  /** The integration's API key (`urbis_…`), as ChirpStack's HTTP integration would carry it. */
  integrationKey: string;
  /** Devices created by this provisioning (new: their history is backfilled). */
  created: Set<string>;
}

type Behaviours = Readonly<Record<DeviceKind, KindBehaviour>>;

export async function provisionCity(
  client: UrbisClient,
  city: City,
  behaviours: Behaviours,
  rules: RuleInputs,
  logger: DemoLogger,
): Promise<Provisioned> {
  await client.call('PUT', '/admin/policy', { body: demoPolicy(city) });
  await putProfiles(client, city, behaviours);
  // One context per batch (Urbis's rule), so one type per batch: each type has its own context.
  const byType = new Map<string, NgsiEntity[]>();
  for (const e of cityEntities(city)) {
    const list = byType.get(e.type);
    if (list === undefined) byType.set(e.type, [e]);
    else list.push(e);
  }
  for (const [type, entities] of byType)
    for (const batch of chunks(entities, ENTITY_BATCH))
      await client.call('POST', '/ngsi-ld/v1/entityOperations/upsert', {
        body: batch.map((e) => ({ ...e, '@context': typeContext(type) })),
        ld: true,
        // update: a restart keeps the latest readings of the device-fed entities.
        query: { options: 'update' },
      });
  const { tokens, created } = await provisionDevices(client, city.devices, behaviours);
  const integrationKey = await integrationCredential(client);
  await putAlertRules(client, rules, logger);
  return { tokens, integrationKey, created };
}

/** One profile per kind the city uses, with the Smart Data Models context. */
async function putProfiles(client: UrbisClient, city: City, behaviours: Behaviours): Promise<void> {
  const kinds = [...new Set(city.devices.map((d) => d.kind))];
  await mapLimit(kinds, ADMIN_CONCURRENCY, async (kind) => {
    const b = behaviours[kind];
    await client.call('PUT', `/device-profiles/${encodeURIComponent(b.profileId)}`, {
      body: { ...b.profile, id: b.profileId, '@context': profileContext(String(b.profile.entityType)) },
    });
  });
}

/** Ids of the tenant's devices that exist already. */
async function existingDevices(client: UrbisClient): Promise<Set<string>> {
  const ids = new Set<string>();
  const page = 1000;
  for (let offset = 0; ; offset += page) {
    const answer = await client.call('GET', '/devices', {
      query: { limit: String(page), offset: String(offset) },
    });
    const items = answer.body as Array<{ id: string }>;
    for (const d of items) ids.add(d.id);
    if (items.length < page) return ids;
  }
}

interface CreatedRow {
  id: string;
  credential?: { id: string; kind: string; secret?: string };
}

/**
 * Create the devices that are missing; give the others a new token by rotating theirs. LoRaWAN
 * devices that exist already need none (they are heard through the network server's integration),
 * so only the new ones keep a token, for their history.
 */
async function provisionDevices(
  client: UrbisClient,
  devices: readonly DemoDevice[],
  behaviours: Behaviours,
): Promise<{ tokens: Map<string, string>; created: Set<string> }> {
  const existing = await existingDevices(client);
  const tokens = new Map<string, string>();
  const created = new Set<string>();
  const missing = devices.filter((d) => !existing.has(d.id));
  for (const batch of chunks(missing, DEVICE_BATCH)) {
    const answer = await client.call('POST', '/devices', {
      body: batch.map((d) => ({
        id: d.id,
        profile: behaviours[d.kind].profileId,
        entityId: d.entityId,
        description: `Demo ${d.kind} (${d.transport}) in ${d.districtId}`,
      })),
      query: { credentials: 'token' },
    });
    const report = answer.body as { created: CreatedRow[]; failed: Array<{ id?: string; error: string }> };
    if (report.failed.length > 0)
      throw new Error(
        `${report.failed.length} demo devices were refused, e.g. ${report.failed[0]?.id ?? '?'}: ${report.failed[0]?.error ?? ''}`,
      );
    for (const row of report.created) {
      created.add(row.id);
      if (row.credential?.secret !== undefined) tokens.set(row.id, row.credential.secret);
    }
  }
  const again = devices.filter((d) => existing.has(d.id) && d.transport !== 'lorawan');
  await mapLimit(again, ADMIN_CONCURRENCY, async (d) => {
    tokens.set(d.id, await freshToken(client, d.id));
  });
  return { tokens, created };
}

/** A new token for an existing device: its token credential rotated, or a new one issued. */
async function freshToken(client: UrbisClient, deviceId: string): Promise<string> {
  const path = `/devices/${encodeURIComponent(deviceId)}/credentials`;
  const listed = (await client.call('GET', path)).body as Array<{
    id: string;
    kind: string;
    revokedAt?: string;
  }>;
  const current = listed.find((c) => c.kind === 'token' && c.revokedAt === undefined);
  const issued = (
    current === undefined
      ? await client.call('POST', path, { body: { kind: 'token' } })
      : await client.call('POST', `${path}/${encodeURIComponent(current.id)}/rotate`)
  ).body as { secret?: string };
  if (issued.secret === undefined) throw new Error(`Urbis issued device ${deviceId} no token`);
  return issued.secret;
}

/**
 * The network server's principal (kept across restarts) and a new key for it; the keys of earlier
 * runs are revoked, since no one holds their secrets any more.
 */
async function integrationCredential(client: UrbisClient): Promise<string> {
  await client.call('POST', '/admin/principals', {
    body: {
      id: INTEGRATION_PRINCIPAL,
      kind: 'service',
      roles: ['editor'],
      description: 'The demo city’s LoRaWAN network server (ChirpStack HTTP integration)',
    },
    accept: [409],
  });
  const made = (
    await client.call('POST', '/admin/keys', {
      body: { principal: INTEGRATION_PRINCIPAL, scopes: ['write'], description: 'demo LoRaWAN integration' },
    })
  ).body as { id: string; secret: string };
  const keys = (await client.call('GET', '/admin/keys', { query: { principal: INTEGRATION_PRINCIPAL } }))
    .body as Array<{ id: string; state: string }>;
  await mapLimit(
    keys.filter((k) => k.id !== made.id && k.state === 'active'),
    ADMIN_CONCURRENCY,
    (k) => client.call('DELETE', `/admin/keys/${encodeURIComponent(k.id)}`, { accept: [404] }),
  );
  return made.secret;
}

/** Create the default rules, or replace them when they exist; a missing alerts API is only a warning. */
async function putAlertRules(client: UrbisClient, inputs: RuleInputs, logger: DemoLogger): Promise<void> {
  for (const rule of demoAlertRules(inputs)) {
    try {
      const answer = await client.call('POST', '/alerts/rules', { body: rule, accept: [409] });
      if (answer.status === 409)
        await client.call('PUT', `/alerts/rules/${encodeURIComponent(rule.id)}`, { body: rule });
    } catch (e) {
      if (e instanceof UrbisHttpError && e.status === 404 && e.path === '/alerts/rules') {
        logger.warn(
          { status: 404 },
          'demo: this Urbis has no alerts API (/alerts/rules 404): no alert rules',
        );
        return;
      }
      if (e instanceof UrbisHttpError && e.status === 400) {
        // One rule the alerts API does not take must not stop the city: say which, go on.
        logger.warn({ rule: rule.id, err: e.message }, 'demo: alert rule refused');
        continue;
      }
      throw e;
    }
  }
}
