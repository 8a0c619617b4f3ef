/**
 * /metrics shows device ingest: accepted and rejected messages by reason, data points written,
 * refusals before the pipeline by transport and reason, and the group-commit queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTestKit, TENANT, type DeviceTestKit, type ProvisionedDevice } from '../support/devices.js';

describe('device metrics', () => {
  let kit: DeviceTestKit;
  let d: ProvisionedDevice;
  beforeAll(async () => {
    kit = await deviceTestKit();
    [d] = (await kit.provision(['m-1'])) as [ProvisionedDevice];
  });
  afterAll(async () => {
    await kit.app.close();
  });

  it('counts what devices sent, by outcome and by transport refusal', async () => {
    const receivedAt = new Date().toISOString();
    const submit = (payload: string) =>
      kit.devices.ingress.submit({ tenant: TENANT, deviceId: d.id, payload, receivedAt });
    expect(await submit('{"pm25": 4, "temperature": 3}')).toEqual({ ok: true });
    expect((await submit('{"pm25": ')).ok).toBe(false);
    kit.devices.ingress.refuse('coap', 'credential', 'test');

    const text = (await kit.app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/^urbis_device_messages_total\{outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^urbis_device_messages_total\{outcome="decode"\} 1$/m);
    expect(text).toMatch(/^urbis_device_data_points_total 2$/m);
    expect(text).toMatch(/^urbis_device_refusals_total\{transport="coap",reason="credential"\} 1$/m);
    expect(text).toMatch(/^urbis_ingest_batches_total [1-9]/m);
    expect(text).toMatch(/^urbis_ingest_queue_pending 0$/m);
    expect(text).toMatch(/^urbis_commands_total\{event="created"\} 0$/m);
  });
});
