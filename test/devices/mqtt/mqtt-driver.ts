/**
 * mqtt.js as a device, for the embedded broker's tests: the transport-contract driver (one connection
 * per device, kept; a fresh one for a forged credential), and small helpers. A message id of the
 * contract becomes an MQTT packet id pinned for that message: its second send is a real redelivery
 * (same packet id, DUP set), as a client sends after a PUBACK was lost.
 */
import { connectAsync, DefaultMessageIdProvider, type IClientOptions, type MqttClient } from 'mqtt';
import type { IssuedCredential } from '../../../src/devices/registry/registry-service.js';
import {
  startEmbeddedBroker,
  type EmbeddedBroker,
} from '../../../src/devices/transports/mqtt/embedded-broker.js';
import type { SendOptions, SendResult, TransportDriver } from '../transport-contract.js';
import { TENANT, type DeviceTestKit } from '../../support/devices.js';

/** A packet-id provider that can be told the id of the next publish. */
export class PinnableIds extends DefaultMessageIdProvider {
  private pinned: number | undefined;
  pin(id: number): void {
    this.pinned = id;
  }
  override allocate(): number {
    const id = this.pinned;
    this.pinned = undefined;
    return id ?? super.allocate();
  }
}

/** mqtt.js options for a device credential (username `{tenant}/{user}` for passwords). */
export function credentialOptions(credential: IssuedCredential): IClientOptions {
  return credential.kind === 'token'
    ? { username: credential.secret ?? '', password: '' }
    : { username: `${TENANT}/${credential.username ?? ''}`, password: credential.password ?? '' };
}

/** Connect as a device; never reconnects by itself (tests decide). */
export function connectDevice(port: number, options: IClientOptions = {}): Promise<MqttClient> {
  return connectAsync({
    host: '127.0.0.1',
    port,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...options,
  });
}

/** The CONNACK return code of a refused CONNECT, or 'connected' (then the client is closed). */
export async function connackOf(port: number, options: IClientOptions): Promise<number | 'connected'> {
  try {
    const c = await connectDevice(port, options);
    await c.endAsync();
    return 'connected';
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}

/** Publish at QoS 1: acked once the PUBACK came, refused when the broker closed the connection. */
export function publishAcked(
  client: MqttClient,
  topic: string,
  payload: string | Uint8Array,
  options: { dup?: boolean } = {},
): Promise<SendResult> {
  return new Promise((resolve) => {
    const onClose = () => resolve({ acked: false, code: 'closed' });
    client.once('close', onClose);
    client.publish(
      topic,
      Buffer.from(payload),
      { qos: 1, ...(options.dup ? { dup: true } : {}) },
      (error) => {
        client.off('close', onClose);
        resolve(error ? { acked: false, code: error.message } : { acked: true });
      },
    );
  });
}

/** Wait until `check` holds (polling), or fail after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The transport-contract driver for the embedded broker, with devices using `credential`. */
export function embeddedDriver(
  credential: 'token' | 'password',
): TransportDriver & { broker(): EmbeddedBroker } {
  let broker: EmbeddedBroker | undefined;
  const clients = new Map<string, { client: MqttClient; ids: PinnableIds }>();
  const pinned = new Map<string, number>();
  const sentOnce = new Set<string>();

  const clientFor = async (o: SendOptions) => {
    const held = clients.get(o.deviceId);
    if (held !== undefined && held.client.connected) return held;
    const ids = new PinnableIds();
    const client = await connectDevice(broker?.port ?? 0, {
      ...credentialOptions(o.credential),
      clientId: `contract-${o.deviceId}`,
      messageIdProvider: ids,
    });
    const entry = { client, ids };
    clients.set(o.deviceId, entry);
    return entry;
  };

  return {
    transport: 'mqtt',
    credential,
    refusesBadPayload: false,
    carriesMessageId: true,
    broker: () => {
      if (broker === undefined) throw new Error('not started');
      return broker;
    },
    async start(kit: DeviceTestKit) {
      broker = await startEmbeddedBroker({ ingress: kit.devices.ingress, port: 0, host: '127.0.0.1' });
    },
    async send(o: SendOptions): Promise<SendResult> {
      const topic = `devices/${o.deviceId}/telemetry`;
      if (o.forged) {
        const code = await connackOf(broker?.port ?? 0, credentialOptions(o.credential));
        return code === 'connected' ? { acked: true } : { acked: false, code };
      }
      let entry;
      try {
        entry = await clientFor(o);
      } catch (e) {
        return { acked: false, code: (e as { code?: number }).code ?? 'connect' };
      }
      let dup = false;
      if (o.messageId !== undefined) {
        let id = pinned.get(o.messageId);
        if (id === undefined) pinned.set(o.messageId, (id = 60_000 + pinned.size));
        entry.ids.pin(id);
        dup = sentOnce.has(o.messageId);
        sentOnce.add(o.messageId);
      }
      return publishAcked(entry.client, topic, o.payload, { dup });
    },
    async stop() {
      await Promise.all([...clients.values()].map((c) => c.client.endAsync(true)));
      clients.clear();
      await broker?.close();
    },
  };
}
