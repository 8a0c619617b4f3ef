/**
 * What every transport adapter is given and must do (decision 0007). An adapter frames and
 * authenticates; everything after — device lookup, rate, codec, mapping, storage, state — is the one
 * pipeline behind `submit`. An adapter acknowledges a message (MQTT PUBACK, HTTP 2xx, CoAP 2.04) only
 * after `submit` resolved ok: the data is then committed. What it refuses before the pipeline (a wrong
 * credential, an oversized or unframeable message) it reports with `refuse`, so it is counted and logged.
 */
import type { QueuedOutcome } from '../ingest/ingest-queue.js';
import type { InboundMessage } from '../ingest/pipeline.js';
import type { DeviceRecord, Transport } from '../../store/devices-port.js';
import type { AuthenticatedDevice } from '../registry/registry-service.js';

/** Why a transport refused a message before it reached the pipeline. */
export const TRANSPORT_REFUSALS = ['credential', 'oversized', 'malformed', 'forbidden-topic'] as const;
export type TransportRefusal = (typeof TRANSPORT_REFUSALS)[number];

/** The device side of Urbis, as a transport sees it. */
export interface DeviceIngress {
  /** The device a generated token (`dev_…`) belongs to; undefined when unknown, revoked or disabled. */
  authenticateToken(secret: string): Promise<AuthenticatedDevice | undefined>;
  /** The device of a username and password in a tenant. */
  authenticatePassword(
    tenant: string,
    username: string,
    password: string,
  ): Promise<AuthenticatedDevice | undefined>;
  /** Ingest one message; resolves with its outcome after the commit. Never rejects. */
  submit(message: InboundMessage): Promise<QueuedOutcome>;
  /** Count and log a refusal that happened before the pipeline. */
  refuse(transport: string, reason: TransportRefusal, detail: string): void;
  /** Largest payload accepted, in bytes. */
  readonly maxPayloadBytes: number;
}

/** A command on its way to a device, as a channel delivers it. */
export interface OutboundCommand {
  /** `cmd_…`: the device echoes it in its result, where its protocol allows. */
  id: string;
  tenant: string;
  deviceId: string;
  /** The command's name (`setDimLevel`, `setpoint`, `signalPlan`). */
  name: string;
  /** Its argument, already validated against the actuator profile's safety rules. */
  value: unknown;
  /** ISO instant after which it must not be executed. */
  expiresAt: string;
}

/**
 * One way of reaching devices (the MQTT broker, a LoRaWAN network server's downlink API, …). The
 * command service picks the channel that serves the device's profile transport.
 */
export interface CommandChannel {
  /** Profile transports this channel reaches. */
  readonly transports: readonly Transport[];
  /**
   * Try to deliver now. `delivered`: the device (or its network server) confirmed receipt;
   * `sent`: handed over without a confirmation; `unreachable`: not connected now — the command stays
   * queued and is tried again when the device connects (`CommandFeedback.connected`).
   */
  deliver(device: DeviceRecord, command: OutboundCommand): Promise<'delivered' | 'sent' | 'unreachable'>;
}

/** What transports tell the command service. */
export interface CommandFeedback {
  /** A device reported the result of a command (matched by id, or by name for protocols without ids). */
  result(
    tenant: string,
    deviceId: string,
    ref: { id: string } | { name: string },
    outcome: { ok: boolean; payload?: unknown },
  ): Promise<void>;
  /** A device confirmed receipt of a command (e.g. a confirmed LoRaWAN downlink was acknowledged). */
  delivered(tenant: string, deviceId: string, commandId: string): Promise<void>;
  /** A device just connected: deliver what waits for it. */
  connected(tenant: string, deviceId: string): void;
}
