// CoAP ingest beyond the contract: a CON retransmitted from the same socket is answered from the coap
// package's response cache (stored once), other paths and methods, no credential, and junk datagrams
// that must not take the server down.
import { createSocket } from 'node:dgram';
import { generate } from 'coap-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoapServer, type CoapServerHandle } from '../../../src/devices/transports/coap/coap-server.js';
import { deviceTestKit, TENANT, type DeviceTestKit, type ProvisionedDevice } from '../../support/devices.js';
import { coapPost, credentialQuery, rawCoapPost } from './coap-driver.js';

let kit: DeviceTestKit;
let server: CoapServerHandle;
let dev: ProvisionedDevice;

beforeAll(async () => {
  kit = await deviceTestKit({ transport: 'coap' });
  [dev] = (await kit.provision(['co-1'])) as [ProvisionedDevice];
  server = await startCoapServer({ ingress: kit.devices.ingress, port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.close();
  await kit.app.close();
});

const history = async () => {
  const res = await kit.app.inject({
    url: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(dev.entityId)}?attrs=pm25&options=temporalValues`,
    headers: { 'ngsild-tenant': TENANT },
  });
  return ((res.json() as { pm25?: { values?: unknown[] } }).pm25?.values ?? []).length;
};

describe('CoAP ingest', () => {
  it('binds a free port', () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers a same-socket retransmission from the coap package’s cache: stored once', async () => {
    const before = await history();
    const socket = createSocket('udp4');
    try {
      const token = Buffer.from('a1b2c3d4', 'hex');
      const q = credentialQuery(dev.credential);
      const first = await rawCoapPost(server.port, q, '{"pm25":9}', 4242, token, socket, true);
      const again = await rawCoapPost(server.port, q, '{"pm25":9}', 4242, token, socket, true);
      expect([first.code, again.code]).toEqual(['2.04', '2.04']);
    } finally {
      socket.close();
    }
    expect(await history()).toBe(before + 1);
  });

  it('answers 4.01 without a credential, 4.04 elsewhere, 4.05 to another method', async () => {
    expect((await coapPost(server.port, '', '{"pm25":1}')).code).toBe('4.01');
    expect((await coapPost(server.port, 't=not-a-token', '{"pm25":1}')).code).toBe('4.01');
    expect((await coapPost(server.port, credentialQuery(dev.credential), '{"pm25":1}', '/other')).code).toBe(
      '4.04',
    );
    expect((await coapPost(server.port, credentialQuery(dev.credential), '', '/ingest', 'GET')).code).toBe(
      '4.05',
    );
  });

  it('survives junk datagrams and keeps answering', async () => {
    const socket = createSocket('udp4');
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from([0xff]),
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.alloc(64, 0x41),
    ])
      socket.send(junk, server.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 100));
    socket.close();
    expect((await coapPost(server.port, credentialQuery(dev.credential), '{"pm25":2}')).code).toBe('2.04');
  });

  it('drops a datagram announcing a huge block-wise upload, counts it, and serves the next device', async () => {
    const before = kit.devices.refusals.get('coap')?.oversized ?? 0;
    const socket = createSocket('udp4');
    try {
      // POST /ingest with Block1 NUM=1,048,575, M=0, SZX=6 (1 KiB): "the last block of a 1 GiB upload".
      const n = 1_048_575 * 16 + 6;
      const datagram = generate({
        code: 'POST',
        messageId: 99,
        token: Buffer.from([9, 9]),
        options: [
          { name: 'Uri-Path', value: Buffer.from('ingest') },
          { name: 'Block1', value: Buffer.from([n >> 16, (n >> 8) & 255, n & 255]) },
        ],
        payload: Buffer.from('{"pm25":1}'),
      });
      await new Promise<void>((resolve, reject) =>
        socket.send(datagram, server.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      socket.close();
    }
    expect(kit.devices.refusals.get('coap')?.oversized).toBe(before + 1);
    expect((await coapPost(server.port, credentialQuery(dev.credential), '{"pm25":2}')).code).toBe('2.04');
  });
});
