/**
 * PATCH /devices/{deviceId}: a device disabled is refused at once (its messages and its credential),
 * enabled again accepted; its description reaches the Device entity; bad changes, unknown devices
 * and callers without admin are refused; every change is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../admin/admin-client.js';
import { aqProfile, deviceTestKit, TENANT, type DeviceTestKit } from '../support/devices.js';
import { provisioningClient, type Issued } from './provisioning-client.js';

let kit: DeviceTestKit;
const { fresh, call, keyWithRoles, auditLog } = provisioningClient(() => kit);

beforeAll(async () => {
  kit = await deviceTestKit();
});
afterAll(async () => kit.app.close());

describe('PATCH /devices/{deviceId}', () => {
  it('disables a device at once (its messages and credential refused), enables it again, and audits', async () => {
    const id = fresh('patch');
    const created = await call('POST', '/devices', {
      body: { id, profile: aqProfile().id, description: 'old' },
    });
    expect(created.statusCode).toBe(201);
    const token = (created.json() as { credential: Issued }).credential.secret as string;
    const message = () =>
      kit.devices.ingress.submit({
        tenant: TENANT,
        deviceId: id,
        payload: '{"pm25": 1}',
        receivedAt: new Date().toISOString(),
      });
    expect(await message()).toEqual({ ok: true }); // the lookup is now cached

    const off = await call('PATCH', `/devices/${id}`, {
      body: { disabled: true, description: 'north junction' },
    });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ id, disabled: true, description: 'north junction' });
    expect(await message()).toMatchObject({ ok: false, reason: 'disabled' });
    expect(await kit.devices.registry.authenticateToken(token)).toBeUndefined();
    const device = await kit.app.inject({
      url: `/ngsi-ld/v1/entities/urn:ngsi-ld:Device:${id}?options=keyValues`,
      headers: { 'ngsild-tenant': TENANT },
    });
    expect((device.json() as { description?: string }).description).toBe('north junction');

    expect((await call('PATCH', `/devices/${id}`, { body: { disabled: false } })).statusCode).toBe(200);
    expect(await message()).toEqual({ ok: true });
    expect((await kit.devices.registry.authenticateToken(token))?.device.id).toBe(id);

    const log = (await auditLog()).filter((e) => e.action === 'device.update' && e.target === id);
    expect(log.map((e) => e.outcome)).toEqual(['success', 'success']);
  });

  it('refuses an empty or unknown change, an unknown device, and a viewer', async () => {
    const id = fresh('patch');
    expect((await call('POST', '/devices', { body: { id, profile: aqProfile().id } })).statusCode).toBe(201);
    expectProblem(await call('PATCH', `/devices/${id}`, { body: {} }), 400);
    expectProblem(await call('PATCH', `/devices/${id}`, { body: { profile: 'other' } }), 400);
    expectProblem(await call('PATCH', `/devices/${id}`, { body: { disabled: 'yes' } }), 400);
    expectProblem(await call('PATCH', '/devices/ghost', { body: { disabled: true } }), 404);
    const viewer = await keyWithRoles(fresh('viewer'), ['viewer']);
    expectProblem(await call('PATCH', `/devices/${id}`, { key: viewer, body: { disabled: true } }), 403);
  });
});
