/**
 * The command API in-process (app.inject): 201 with Location and the command, reading it back,
 * listing a device's commands with a status filter and a count, 400 with the precise safety reason,
 * 404 for an unknown device or command, 403 for a viewer, and an audit entry for every creation.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemScope } from '../../../src/context/scope.js';
import type { AuditEntry } from '../../../src/store/governance-port.js';
import { TENANT, deviceTestKit, type DeviceTestKit } from '../../support/devices.js';
import { makeCallers } from '../../security/principals.js';
import { FakeChannel, SAFE_PLAN, actuatorProfile } from './fixtures.js';

let kit: DeviceTestKit;
let app: FastifyInstance;
let channel: FakeChannel;
const H = { 'ngsild-tenant': TENANT, 'content-type': 'application/json' };

beforeEach(async () => {
  kit = await deviceTestKit();
  app = kit.app;
  await kit.devices.registry.putProfile(systemScope(TENANT), actuatorProfile('mqtt'));
  await kit.provision(['tl-1'], 'token', 'actuator-mqtt');
  channel = new FakeChannel();
  kit.devices.commands.attach(channel);
});

afterEach(async () => {
  await app.close();
});

const post = (body: unknown, deviceId = 'tl-1', headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: `/devices/${deviceId}/commands`,
    headers: { ...H, ...headers },
    payload: JSON.stringify(body),
  });

async function auditEntries(): Promise<AuditEntry[]> {
  await kit.governance.audit.flush();
  return (await kit.store.governance.audit.read({ tenant: TENANT, limit: 1000 })).filter(
    (e) => e.action === 'command.create',
  );
}

describe('command API', () => {
  it('creates a command: 201, Location, the command; then reads it back with its progress', async () => {
    const res = await post({ name: 'setpoint', value: 21.5, ttl: 'PT5M' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { id: string; status: string; expiresAt: string; createdAt: string };
    expect(res.headers.location).toBe(`/commands/${body.id}`);
    expect(body).toMatchObject({
      deviceId: 'tl-1',
      name: 'setpoint',
      value: 21.5,
      status: 'QUEUED',
      createdBy: 'admin',
    });
    expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBe(300_000);
    expect(body).not.toHaveProperty('tenant');
    await kit.devices.commands.idle();
    expect(channel.handed.map((h) => h.command.id)).toEqual([body.id]);

    const got = await app.inject({ method: 'GET', url: `/commands/${body.id}`, headers: H });
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toMatchObject({ id: body.id, status: 'SENT' });
    expect((got.json() as { history: Array<{ status: string }> }).history.map((h) => h.status)).toEqual([
      'QUEUED',
      'SENT',
    ]);
    // Another tenant does not see it.
    const other = await app.inject({
      method: 'GET',
      url: `/commands/${body.id}`,
      headers: { 'ngsild-tenant': 'city-b' },
    });
    expect(other.statusCode).toBe(404);
  });

  it('lists a device’s commands newest first, by status, with NGSILD-Results-Count', async () => {
    const ids: string[] = [];
    for (const value of [10, 20, 30])
      ids.push(((await post({ name: 'dim', value })).json() as { id: string }).id);
    await kit.devices.commands.idle();
    await kit.devices.commands.result(TENANT, 'tl-1', { id: ids[1] as string }, { ok: true, payload: 'ok' });
    const all = await app.inject({ method: 'GET', url: '/devices/tl-1/commands', headers: H });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.headers['ngsild-results-count']).toBe('3');
    expect((all.json() as Array<{ id: string }>).map((c) => c.id)).toEqual([...ids].reverse());
    const done = await app.inject({
      method: 'GET',
      url: '/devices/tl-1/commands?status=SUCCEEDED&limit=5&offset=0',
      headers: H,
    });
    expect((done.json() as Array<{ id: string; result: unknown }>).map((c) => [c.id, c.result])).toEqual([
      [ids[1], 'ok'],
    ]);
    const page = await app.inject({
      method: 'GET',
      url: '/devices/tl-1/commands?limit=1&offset=1',
      headers: H,
    });
    expect((page.json() as Array<{ id: string }>).map((c) => c.id)).toEqual([ids[1]]);
    for (const qs of ['status=DONE', 'limit=0', 'limit=5000', 'offset=-1', 'color=red'])
      expect(
        (await app.inject({ method: 'GET', url: `/devices/tl-1/commands?${qs}`, headers: H })).statusCode,
        qs,
      ).toBe(400);
  });

  it('refuses unsafe values with the precise reason, and unknown devices and commands', async () => {
    const hot = await post({ name: 'setpoint', value: 35 });
    expect(hot.statusCode).toBe(400);
    expect(hot.json()).toMatchObject({ detail: 'setpoint must be at most 28 CEL, not 35' });
    const conflicting = {
      cycle: 66,
      phases: [
        { green: ['N', 'S', 'E'], duration: 30 },
        { green: [], duration: 3 },
        { green: ['E', 'W'], duration: 30 },
        { green: [], duration: 3 },
      ],
    };
    const plan = await post({ name: 'signalPlan', value: conflicting });
    expect(plan.statusCode).toBe(400);
    expect((plan.json() as { detail: string }).detail).toBe(
      'signalPlan: movements N and E conflict but are both green in phase 1 (seconds 0–29 of the cycle)',
    );
    expect((await post({ name: 'signalPlan', value: SAFE_PLAN })).statusCode).toBe(201);
    expect((await post({ name: 'setpoint', value: 20 }, 'ghost')).statusCode).toBe(404);
    expect((await post({ name: 'volume', value: 3 })).statusCode).toBe(400);
    expect((await post({ name: 'setpoint' })).json()).toMatchObject({ detail: 'value is required' });
    expect((await post({ name: 'setpoint', value: 20, priority: 1 })).json()).toMatchObject({
      detail: 'unknown member priority',
    });
    expect((await post({ name: 'setpoint', value: 20, ttl: 'soon' })).statusCode).toBe(400);
    expect((await post([1, 2])).statusCode).toBe(400);
    const missing = await app.inject({ method: 'GET', url: '/commands/cmd_nothing', headers: H });
    expect(missing.statusCode).toBe(404);
    // Nothing refused was stored.
    const list = await app.inject({ method: 'GET', url: '/devices/tl-1/commands', headers: H });
    expect(list.headers['ngsild-results-count']).toBe('1');
  });

  it('needs the command action: a viewer may list but not command; an operator may', async () => {
    const callers = await makeCallers(kit.governance, [TENANT]);
    const as = (role: string) => ({
      authorization: callers.find((c) => c.name === `${role}-${TENANT}`)?.authorization ?? '',
    });
    const viewer = await post({ name: 'dim', value: 10 }, 'tl-1', as('viewer'));
    expect(viewer.statusCode).toBe(403);
    const editor = await post({ name: 'dim', value: 10 }, 'tl-1', as('editor'));
    expect(editor.statusCode).toBe(403);
    const list = await app.inject({
      method: 'GET',
      url: '/devices/tl-1/commands',
      headers: { ...H, ...as('viewer') },
    });
    expect(list.statusCode).toBe(200);
    const operator = await post({ name: 'dim', value: 10 }, 'tl-1', as('operator'));
    expect(operator.statusCode, operator.body).toBe(201);
    expect(operator.json()).toMatchObject({ createdBy: `operator-${TENANT}` });
    const anonymous = await app.inject({
      method: 'POST',
      url: '/devices/tl-1/commands',
      headers: { ...H, authorization: undefined },
      payload: JSON.stringify({ name: 'dim', value: 10 }),
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('audits every creation: who, device, command, outcome; a large value by its size only', async () => {
    const callers = await makeCallers(kit.governance, [TENANT]);
    const viewer = callers.find((c) => c.name === `viewer-${TENANT}`)?.authorization ?? '';
    const ok = (await post({ name: 'setpoint', value: 22 })).json() as { id: string };
    await post({ name: 'setpoint', value: 99 });
    await post({ name: 'signalPlan', value: SAFE_PLAN });
    await post({ name: 'dim', value: 1 }, 'tl-1', { authorization: viewer });
    const entries = await auditEntries();
    expect(
      entries.map((e) => ({
        principal: e.principal,
        target: e.target,
        outcome: e.outcome,
        status: e.status,
        detail: e.detail,
      })),
    ).toEqual([
      {
        principal: 'admin',
        target: 'tl-1',
        outcome: 'success',
        status: undefined,
        detail: { command: 'setpoint', id: ok.id, value: 22 },
      },
      {
        principal: 'admin',
        target: 'tl-1',
        outcome: 'failure',
        status: 400,
        detail: { command: 'setpoint', reason: 'setpoint must be at most 28 CEL, not 99' },
      },
      {
        principal: 'admin',
        target: 'tl-1',
        outcome: 'success',
        status: undefined,
        detail: { command: 'signalPlan', id: expect.stringMatching(/^cmd_/), value: SAFE_PLAN },
      },
    ]);
    // The viewer's refusal is audited by the gate, as every refusal of an authenticated caller.
    await kit.governance.audit.flush();
    const denied = (await kit.store.governance.audit.read({ tenant: TENANT, limit: 1000 })).filter(
      (e) => e.outcome === 'denied' && e.principal === `viewer-${TENANT}`,
    );
    expect(denied).toHaveLength(1);
    // A value larger than 256 bytes of JSON is audited by its size.
    const big = { ...SAFE_PLAN, phases: [...SAFE_PLAN.phases] };
    const longPlan = {
      cycle: 176,
      phases: [...big.phases, ...big.phases, { green: ['N', 'S'], duration: 44 }],
    };
    const res = await post({ name: 'signalPlan', value: longPlan });
    expect(res.statusCode, res.body).toBe(201);
    const last = (await auditEntries()).at(-1);
    expect(last?.detail).toEqual({
      command: 'signalPlan',
      id: (res.json() as { id: string }).id,
      valueBytes: JSON.stringify(longPlan).length,
    });
  });
});
