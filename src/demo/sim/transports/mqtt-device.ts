/**
 * One demo device on MQTT, as real firmware does it: its own connection (the token as user name),
 * telemetry published at QoS 1 on `devices/<id>/telemetry` (acknowledged by Urbis after the commit),
 * commands taken from `devices/<id>/commands` and answered on `devices/<id>/commands/result` with
 * `{"id","ok","result"}` (src/devices/transports/mqtt/topics.ts, command-encoding.ts). A lost
 * connection is re-opened by mqtt.js every few seconds, as a device in the field would.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import type { CommandOutcome } from '../../behaviour/types.js';
import type { DemoDevice } from '../../city/model.js';

/** A command as Urbis sends it to a native MQTT device. */
export interface ReceivedCommand {
  id: string;
  name: string;
  value: unknown;
}

export interface MqttDeviceHandlers {
  /** Carry the command out; the answer is published as its result. */
  command(command: ReceivedCommand): CommandOutcome;
  /** After a command's result went out (a dimmed light reports its new level at once). */
  afterCommand(command: ReceivedCommand, outcome: CommandOutcome): void;
  /** Something went wrong on the connection (logged by the caller, throttled). */
  problem(detail: string): void;
}

const RECONNECT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 10_000;

export class MqttDevice {
  private constructor(
    readonly device: DemoDevice,
    private readonly client: MqttClient,
  ) {}

  get connected(): boolean {
    return this.client.connected;
  }

  /** Connect, subscribe to the device's commands, and start answering them. */
  static async connect(
    url: string,
    device: DemoDevice,
    token: string,
    handlers: MqttDeviceHandlers,
  ): Promise<MqttDevice> {
    // No retries for the first connection (false): a broker that does not answer fails the start of
    // this device at once (it sends over HTTP then) instead of holding the whole city's start.
    const client = await connectAsync(
      url,
      {
        username: token,
        password: '',
        clientId: `demo-${device.id}`,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: RECONNECT_MS,
        connectTimeout: CONNECT_TIMEOUT_MS,
      },
      false,
    );
    const commands = `devices/${device.id}/commands`;
    client.on('error', (err) => handlers.problem(err.message));
    client.on('message', (topic, payload) => {
      if (topic !== commands) return;
      const command = readCommand(payload);
      if (command === undefined) return handlers.problem(`unreadable command on ${topic}`);
      let outcome: CommandOutcome;
      try {
        outcome = handlers.command(command);
      } catch (e) {
        outcome = { ok: false, error: (e as Error).message };
      }
      const result = outcome.ok ? outcome.result : { error: outcome.error ?? 'refused' };
      client.publish(
        `${commands}/result`,
        JSON.stringify({ id: command.id, ok: outcome.ok, ...(result !== undefined ? { result } : {}) }),
        { qos: 1 },
        (err) => {
          if (err) handlers.problem(`command result not sent: ${err.message}`);
          else handlers.afterCommand(command, outcome);
        },
      );
    });
    // A clean session forgets subscriptions: subscribe again after every reconnect.
    client.on('connect', () => {
      client.subscribe(commands, { qos: 1 }, (err) => {
        if (err) handlers.problem(`subscribe failed: ${err.message}`);
      });
    });
    await client.subscribeAsync(commands, { qos: 1 });
    return new MqttDevice(device, client);
  }

  /** Publish one reading at QoS 1; resolves on Urbis's PUBACK (after the commit). */
  async publish(payload: Record<string, unknown>): Promise<void> {
    if (!this.client.connected) throw new Error('not connected');
    await this.client.publishAsync(`devices/${this.device.id}/telemetry`, JSON.stringify(payload), {
      qos: 1,
    });
  }

  /** Disconnect for good (no reconnect). */
  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

function readCommand(payload: Buffer): ReceivedCommand | undefined {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined; // not JSON: the caller reports it as unreadable
  }
  if (body === null || typeof body !== 'object') return undefined;
  const { id, name, value } = body as Record<string, unknown>;
  if (typeof id !== 'string' || typeof name !== 'string') return undefined;
  return { id, name, value };
}
