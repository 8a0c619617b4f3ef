/**
 * The embedded broker over TLS (mqtts): a device that trusts the broker's certificate connects,
 * authenticates and has its telemetry stored, acknowledged after the commit; a plain-text client
 * gets no MQTT session. The certificate is made for this test with openssl (self-signed, 127.0.0.1).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedBroker,
  type EmbeddedBroker,
} from '../../../src/devices/transports/mqtt/embedded-broker.js';
import { deviceTestKit, TENANT, type DeviceTestKit, type ProvisionedDevice } from '../../support/devices.js';

describe('embedded MQTT broker over TLS', () => {
  let kit: DeviceTestKit;
  let broker: EmbeddedBroker;
  let d: ProvisionedDevice;
  let dir: string;
  let cert: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'urbis-mqtts-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'));
    kit = await deviceTestKit();
    [d] = (await kit.provision(['tls-1'])) as [ProvisionedDevice];
    broker = await startEmbeddedBroker({
      ingress: kit.devices.ingress,
      port: 0,
      host: '127.0.0.1',
      tls: { cert, key: readFileSync(join(dir, 'key.pem')) },
    });
  });
  afterAll(async () => {
    await broker.close();
    await kit.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores what a device publishes over mqtts, acknowledged after the commit', async () => {
    const client = await connectAsync({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port: broker.port,
      ca: cert,
      username: d.credential.secret ?? '',
      password: '',
      reconnectPeriod: 0,
    });
    await client.publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ pm25: 9.5 }), { qos: 1 });
    const res = await kit.app.inject({
      url: `/ngsi-ld/v1/entities/${encodeURIComponent(d.entityId)}`,
      headers: { 'ngsild-tenant': TENANT },
    });
    expect((res.json() as { pm25?: { value?: number } }).pm25?.value).toBe(9.5);
    await client.endAsync();
  });

  it('gives a plain-text MQTT client no session', async () => {
    const client = connect({
      host: '127.0.0.1',
      port: broker.port,
      username: d.credential.secret ?? '',
      reconnectPeriod: 0,
      connectTimeout: 2000,
    });
    const outcome = await new Promise<string>((resolve) => {
      client.once('connect', () => resolve('connected'));
      client.once('close', () => resolve('closed'));
      client.once('error', () => resolve('error'));
    });
    client.end(true);
    expect(outcome).not.toBe('connected');
  });
});
