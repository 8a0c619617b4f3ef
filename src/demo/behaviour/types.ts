/**
 * What a kind of demo device is and says (issue #7): the contract between the behaviours (pure, in
 * this folder) and the simulator runtime (src/demo/sim), which provisions each kind's profile through
 * Urbis's API and sends what `read` returns over the device's real transport. Pure: everything comes
 * from the device, its state, the virtual instant and the shared environment; no clock, no I/O.
 */
import type { DemoDevice, DeviceKind } from '../city/model.js';
import type { ActiveIncident } from './incidents.js';

/** A device's mutable simulation state (battery, fill level, a light's override …): flat, JSON-safe. */
export type SimState = Record<string, number | string | boolean>;

/** What the whole city shares at a virtual instant. */
export interface Environment {
  /** The incidents active now. */
  incidents: ActiveIncident[];
}

/** The result of obeying a command, as the device answers it on `devices/<id>/commands/result`. */
export interface CommandOutcome {
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface KindBehaviour {
  kind: DeviceKind;
  /** Device-profile id, `demo-<kind>` in kebab case ('demo-air-quality', …). */
  profileId: string;
  /**
   * The device-profile document for PUT /device-profiles/{id}: transport, codec {kind:'json'},
   * entityType, mapping with UN/CEFACT unitCodes, battery, deviceTime 'ts', reportingInterval,
   * offlineAfter, maxMessagesPerMinute, commands (actuators). No "@context": the runtime adds
   * "https://smartdatamodels.org/context.jsonld".
   */
  profile: Record<string, unknown>;
  /** Virtual seconds between two reports. */
  intervalS: number;
  initialState(device: DemoDevice, seed: number): SimState;
  /**
   * The JSON payload the device sends at virtual instant `t` (epoch ms; `ts` = epoch seconds of t).
   * Mutates `state`; undefined = a drop-out (the device misses this report). Deterministic in
   * (device, t, state, env): noise comes from a hash of (device.id, t), never a shared stream.
   */
  read(device: DemoDevice, state: SimState, t: number, env: Environment): Record<string, unknown> | undefined;
  /** Actuators: obey a command (already validated by Urbis) → new state; the next read reports it. */
  command?(device: DemoDevice, state: SimState, name: string, value: unknown): CommandOutcome;
}
