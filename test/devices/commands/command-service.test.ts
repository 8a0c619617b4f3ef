/**
 * The command service over a real SQLite store, registry and entity service, with a fake channel and
 * a controlled clock: persistence before delivery, the status lifecycle and its history, per-device
 * creation order, queues that wait for `connected()`, TTL expiry, a restart resuming what was queued,
 * the Device entity's `<name>_status` / `<name>_info`, and the NGSI-LD way (a Device entity update).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContextResolver } from '../../../src/core/jsonld/context-resolver.js';
import { isNgsiError } from '../../../src/core/errors.js';
import { EntityService } from '../../../src/context/entities/entity-service.js';
import { systemScope } from '../../../src/context/scope.js';
import { CommandService, type NewCommand } from '../../../src/devices/commands/command-service.js';
import { DeviceRegistry } from '../../../src/devices/registry/registry-service.js';
import type { CommandRecord } from '../../../src/store/commands-port.js';
import type { AuditRecord } from '../../../src/store/governance-port.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { DC, TENANT } from '../../support/devices.js';
import { FakeChannel, SAFE_PLAN, actuatorProfile } from './fixtures.js';

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const DEVICE_ENTITY = 'urn:ngsi-ld:Device:tl-1';

let store: SqliteStore;
let entities: EntityService;
let registry: DeviceRegistry;
let contexts: ContextResolver;
let clock: number;
let errors: string[];
let audit: AuditRecord[];
const services: CommandService[] = [];

function service(): CommandService {
  const s = new CommandService({
    store,
    registry,
    entities,
    contexts,
    now: () => clock,
    expiryIntervalMs: 0,
    audit: { record: (r) => audit.push(r) },
    onError: (e, where) => errors.push(`${where}: ${e instanceof Error ? e.message : String(e)}`),
  });
  services.push(s);
  return s;
}

const cmd = (extra: Partial<NewCommand> = {}): NewCommand => ({
  tenant: TENANT,
  deviceId: 'tl-1',
  name: 'setpoint',
  value: 21,
  by: 'operator-1',
  ...extra,
});

async function status(id: string): Promise<CommandRecord> {
  const c = await store.commands.get(TENANT, id);
  if (c === undefined) throw new Error(`no command ${id}`);
  return c;
}

/** The Device entity's value of an attribute (default context). */
async function attr(name: string): Promise<unknown> {
  const e = await store.getEntity(TENANT, DEVICE_ENTITY);
  return e?.attrs[`${DC}${name}`]?.[0]?.value;
}

async function detail(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isNgsiError(e)) return `${e.kind}: ${e.detail}`;
    throw e;
  }
  throw new Error('expected a refusal');
}

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  contexts = new ContextResolver({
    load: async (url: string) => {
      throw new Error(`offline test: ${url}`);
    },
  });
  entities = new EntityService({ store });
  registry = new DeviceRegistry({ store, entities, contexts });
  await registry.putProfile(systemScope(TENANT), actuatorProfile('mqtt'));
  await registry.putProfile(systemScope(TENANT), actuatorProfile('lorawan'));
  const report = await registry.createDevices(
    systemScope(TENANT),
    [
      { id: 'tl-1', profile: 'actuator-mqtt' },
      { id: 'tl-2', profile: 'actuator-mqtt' },
      { id: 'lw-1', profile: 'actuator-lorawan' },
    ],
    { credentials: 'none' },
  );
  expect(report.failed).toEqual([]);
  clock = T0;
  errors = [];
  audit = [];
});

afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  store.setReactor(undefined);
  await store.close();
});

describe('command service', () => {
  it('persists a command QUEUED before sending, and says why it waits without a channel', async () => {
    const s = service();
    const c = await s.create(cmd());
    expect(c).toMatchObject({
      tenant: TENANT,
      deviceId: 'tl-1',
      name: 'setpoint',
      value: 21,
      status: 'QUEUED',
      createdBy: 'operator-1',
      createdAt: new Date(T0).toISOString(),
      expiresAt: new Date(T0 + 600_000).toISOString(),
    });
    expect(c.id).toMatch(/^cmd_[0-9a-f]{20}$/);
    await s.idle();
    const stored = await status(c.id);
    expect(stored.status).toBe('QUEUED');
    expect(stored.info).toMatch(/no channel reaches mqtt devices yet/);
    expect(await attr('setpoint_status')).toBe('QUEUED');
    expect(await attr('setpoint_info')).toMatch(/no channel reaches mqtt/);
  });

  it('goes QUEUED → SENT → SUCCEEDED with the result, on the command and on the Device entity', async () => {
    const s = service();
    const channel = new FakeChannel();
    s.attach(channel);
    const c = await s.create(cmd({ ttl: 'PT1M' }));
    await s.idle();
    expect(channel.handed.map((h) => h.command)).toEqual([
      { id: c.id, tenant: TENANT, deviceId: 'tl-1', name: 'setpoint', value: 21, expiresAt: c.expiresAt },
    ]);
    expect((await status(c.id)).status).toBe('SENT');
    clock += 2000;
    await s.result(TENANT, 'tl-1', { id: c.id }, { ok: true, payload: { applied: 21 } });
    await s.idle();
    const done = await status(c.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.result).toEqual({ applied: 21 });
    expect(done.history).toEqual([
      { status: 'QUEUED', at: new Date(T0).toISOString() },
      { status: 'SENT', at: new Date(T0).toISOString() },
      { status: 'SUCCEEDED', at: new Date(T0 + 2000).toISOString() },
    ]);
    expect(await attr('setpoint_status')).toBe('SUCCEEDED');
    expect(await attr('setpoint_info')).toEqual({ applied: 21 });
    const e = await store.getEntity(TENANT, DEVICE_ENTITY);
    expect(e?.attrs[`${DC}setpoint_status`]?.[0]?.observedAt).toBe(new Date(T0 + 2000).toISOString());
    // A second result for a final command changes nothing.
    await s.result(TENANT, 'tl-1', { id: c.id }, { ok: false });
    expect((await status(c.id)).status).toBe('SUCCEEDED');
    expect(s.stats.unmatched).toBe(1);
  });

  it('records DELIVERED from the channel or from the transport, and FAILED results by name', async () => {
    const s = service();
    const channel = new FakeChannel();
    s.attach(channel);
    channel.answer = 'delivered';
    const a = await s.create(cmd({ name: 'dim', value: 40 }));
    await s.idle();
    expect((await status(a.id)).history.map((h) => h.status)).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
    channel.answer = 'sent';
    const b = await s.create(cmd({ name: 'mode', value: 'off' }));
    await s.idle();
    await s.delivered(TENANT, 'tl-1', b.id);
    expect((await status(b.id)).status).toBe('DELIVERED');
    // A receipt naming another device's command is not taken.
    await s.delivered(TENANT, 'tl-2', a.id);
    expect(s.stats.unmatched).toBe(1);
    // Results without ids (IoT Agent cmdexe, ThingsBoard) match the latest open command of that name.
    await s.result(TENANT, 'tl-1', { name: 'dim' }, { ok: false, payload: 'lamp driver fault' });
    const failed = await status(a.id);
    expect(failed).toMatchObject({
      status: 'FAILED',
      result: 'lamp driver fault',
      info: 'the device reported a failure',
    });
    await s.result(TENANT, 'tl-1', { name: 'dim' }, { ok: true });
    expect(s.stats.unmatched).toBe(2);
  });

  it('keeps an unreachable device’s queue, then delivers it in creation order once it connects', async () => {
    const s = service();
    const channel = new FakeChannel();
    channel.answer = 'unreachable';
    s.attach(channel);
    const ids: string[] = [];
    for (const value of [17, 18, 19, 20]) ids.push((await s.create(cmd({ value }))).id);
    await s.idle();
    // Only the head was tried (each create kicks the queue; it stops at the first unreachable).
    expect(new Set(channel.handed.map((h) => h.command.id))).toEqual(new Set([ids[0]]));
    for (const id of ids) expect((await status(id)).status).toBe('QUEUED');
    expect((await status(ids[0] as string)).info).toMatch(/not connected/);
    channel.handed.length = 0;
    channel.answer = 'sent';
    s.connected(TENANT, 'tl-1');
    await s.idle();
    expect(channel.handed.map((h) => h.command.value)).toEqual([17, 18, 19, 20]);
    for (const id of ids) expect((await status(id)).status).toBe('SENT');
  });

  it('expires what waits past its TTL in one sweep, and ignores a late result', async () => {
    const s = service();
    const channel = new FakeChannel();
    s.attach(channel);
    channel.answer = 'unreachable';
    const queued = await s.create(cmd({ ttl: 'PT1M' }));
    const other = await s.create(cmd({ deviceId: 'tl-2', ttl: 'PT5M' }));
    channel.answer = 'sent';
    const sent = await s.create(cmd({ deviceId: 'tl-2', name: 'dim', value: 5, ttl: 'PT30S' }));
    await s.idle();
    expect((await status(sent.id)).status).toBe('SENT');
    clock = T0 + 59_000;
    expect(await s.expireOnce()).toBe(1); // the 30 s one
    clock = T0 + 61_000;
    expect(await s.expireOnce()).toBe(1);
    await s.idle();
    expect((await status(sent.id)).status).toBe('EXPIRED');
    expect((await status(queued.id)).history.map((h) => h.status)).toEqual(['QUEUED', 'EXPIRED']);
    expect((await status(other.id)).status).not.toBe('EXPIRED');
    expect(await attr('setpoint_status')).toBe('EXPIRED');
    await s.result(TENANT, 'tl-2', { id: sent.id }, { ok: true });
    expect((await status(sent.id)).status).toBe('EXPIRED');
    // An expired command is never handed over, even when the device connects.
    channel.handed.length = 0;
    s.connected(TENANT, 'tl-1');
    await s.idle();
    expect(channel.handed).toEqual([]);
  });

  it('resumes the queues after a restart: a new service on the same store delivers them in order', async () => {
    const before = service();
    const ids: string[] = [];
    for (const value of [16, 17, 18]) ids.push((await before.create(cmd({ value }))).id);
    ids.push((await before.create(cmd({ deviceId: 'tl-2', value: 28 }))).id);
    await before.stop();

    const after = service();
    const channel = new FakeChannel();
    after.attach(channel);
    after.start();
    await after.idle();
    expect(channel.handed.filter((h) => h.device === 'tl-1').map((h) => h.command.id)).toEqual(
      ids.slice(0, 3),
    );
    expect(channel.handed.filter((h) => h.device === 'tl-2').map((h) => h.command.id)).toEqual([ids[3]]);
    for (const id of ids) expect((await status(id)).status).toBe('SENT');
  });

  it('picks the channel by the profile’s transport; a throwing channel leaves the command queued', async () => {
    const s = service();
    const mqtt = new FakeChannel(['mqtt']);
    const lora = new FakeChannel(['lorawan']);
    lora.answer = 'throw';
    s.attach(mqtt);
    s.attach(lora);
    const c = await s.create(cmd({ deviceId: 'lw-1' }));
    await s.idle();
    expect(mqtt.handed).toEqual([]);
    expect(lora.handed).toHaveLength(1);
    expect(await status(c.id)).toMatchObject({
      status: 'QUEUED',
      info: expect.stringMatching(/broker refused/),
    });
    expect(errors).toEqual(['command channel: broker refused the publish']);
    lora.answer = 'delivered';
    s.connected(TENANT, 'lw-1');
    await s.idle();
    expect((await status(c.id)).status).toBe('DELIVERED');
  });

  it('refuses what is unsafe or unknown before anything is stored', async () => {
    const s = service();
    expect(await detail(s.create(cmd({ value: 30 })))).toBe(
      'BadRequestData: setpoint must be at most 28 CEL, not 30',
    );
    expect(await detail(s.create(cmd({ name: 'volume' })))).toBe(
      'BadRequestData: device tl-1 (profile actuator-mqtt) has no command "volume"; it accepts setpoint, dim, mode, signalPlan',
    );
    expect(await detail(s.create(cmd({ deviceId: 'nope' })))).toBe('ResourceNotFound: device nope not found');
    expect(await detail(s.create(cmd({ ttl: 'P1M' })))).toMatch(/^BadRequestData: ttl must use weeks/);
    expect(await detail(s.create(cmd({ ttl: 'P30D' })))).toMatch(
      /^BadRequestData: ttl must be at most 604800 s/,
    );
    const unsafe = {
      ...SAFE_PLAN,
      phases: SAFE_PLAN.phases.map((p, i) => (i === 1 ? { ...p, duration: 1 } : p)),
    };
    unsafe.cycle = 64;
    expect(await detail(s.create(cmd({ name: 'signalPlan', value: unsafe })))).toBe(
      'BadRequestData: signalPlan: movement E starts green at second 31 (phase 3), 1 s after conflicting ' +
        'movement N ends green at second 30; the intergreen is 3 s',
    );
    expect(await detail(s.create(cmd({ name: 'mode', value: 'x'.repeat(20_000) })))).toMatch(
      /at most 16384 are accepted/,
    );
    expect(await store.commands.list(TENANT, 'tl-1', { limit: 10, offset: 0 })).toEqual({
      items: [],
      count: 0,
    });
    // Counted as refusals: the values the safety rules turned down (not unknown names or devices).
    expect(s.stats.refused).toBe(3);
    const ok = await s.create(cmd({ name: 'signalPlan', value: SAFE_PLAN }));
    expect(ok.value).toEqual(SAFE_PLAN);
  });

  it('keeps a bounded result: a large payload is kept as a marked preview', async () => {
    const s = service();
    s.attach(new FakeChannel());
    const c = await s.create(cmd());
    await s.idle();
    await s.result(TENANT, 'tl-1', { id: c.id }, { ok: true, payload: { log: 'x'.repeat(100_000) } });
    const r = (await status(c.id)).result as { truncated: boolean; bytes: number; preview: string };
    expect(r.truncated).toBe(true);
    expect(r.bytes).toBe(100_010); // {"log":"…"}
    expect(r.preview).toHaveLength(1024);
  });

  it('lists a device’s commands newest first, and 404 for an unknown device', async () => {
    const s = service();
    const a = await s.create(cmd({ value: 20 }));
    const b = await s.create(cmd({ value: 21 }));
    expect((await s.list(TENANT, 'tl-1', { limit: 10, offset: 0 })).items.map((c) => c.id)).toEqual([
      b.id,
      a.id,
    ]);
    expect(await detail(s.list(TENANT, 'ghost', { limit: 10, offset: 0 }))).toMatch(/^ResourceNotFound/);
  });
});

describe('the NGSI-LD way: updating a command attribute of the Device entity', () => {
  it('creates and delivers the command; an unsafe value becomes a FAILED command saying why', async () => {
    const s = service();
    const channel = new FakeChannel();
    s.attach(channel);
    store.setReactor((change) => {
      s.observe(change);
      return [];
    });
    // POST /entities/{id}/attrs: PATCH updates only attributes the Device entity already has.
    const patch = (name: string, value: unknown) =>
      entities.appendAttrs(
        systemScope(TENANT),
        DEVICE_ENTITY,
        { [`${DC}${name}`]: [{ type: 'Property', value }] },
        false,
      );
    await patch('setpoint', 22.5);
    await s.idle();
    const [first] = (await s.list(TENANT, 'tl-1', { limit: 10, offset: 0 })).items;
    expect(first).toMatchObject({
      name: 'setpoint',
      value: 22.5,
      status: 'SENT',
      createdBy: 'ngsi-ld:entity-update',
    });
    expect(channel.handed.map((h) => h.command.value)).toEqual([22.5]);
    expect(await attr('setpoint_status')).toBe('SENT');

    // Now that the attribute exists, a PATCH (updateAttrs) is a command too.
    await entities.updateAttrs(systemScope(TENANT), DEVICE_ENTITY, {
      [`${DC}setpoint`]: [{ type: 'Property', value: 40 }],
    });
    await s.idle();
    const [refused] = (await s.list(TENANT, 'tl-1', { limit: 1, offset: 0 })).items;
    expect(refused).toMatchObject({ status: 'FAILED', info: 'setpoint must be at most 28 CEL, not 40' });
    expect(channel.handed).toHaveLength(1);
    expect(await attr('setpoint_status')).toBe('FAILED');
    expect(await attr('setpoint_info')).toBe('setpoint must be at most 28 CEL, not 40');
    expect(audit.map((a) => [a.action, a.target, a.outcome, a.detail?.command])).toEqual([
      ['command.create', 'tl-1', 'success', 'setpoint'],
      ['command.create', 'tl-1', 'failure', 'setpoint'],
    ]);

    // Attributes that are not commands, and the service's own status writes, create nothing.
    await patch('description', 'north junction');
    await s.idle();
    expect((await s.list(TENANT, 'tl-1', { limit: 10, offset: 0 })).count).toBe(2);
    expect(errors).toEqual([]);
  });
});
