/**
 * History on first provisioning: each new device's last N hours at its own interval, with real
 * timestamps, sent through `POST /ingest/batch` with the device's token (Urbis's batch ingest takes
 * any device's credential, whatever its usual transport), so that a newcomer's charts have a day of
 * history at once. Readings run through the same behaviours as live ones (bins fill over the day,
 * batteries drain), with no incidents — the script starts with the simulation. Bounded: one request
 * per device and 1,000 readings at most per request, CONCURRENCY devices at a time (about 100,000
 * readings of the default city take ~12 s on two cores with Urbis in the same process).
 *
 * It runs while the city is already live: a device joins the live fleet once its own history is in
 * (`onDevice`), so that no entity gets an old reading after a newer one, and kinds are interleaved so
 * that every layer of the map comes alive from the first seconds.
 */
import type { KindBehaviour, SimState } from '../behaviour/types.js';
import type { DemoDevice, DeviceKind } from '../city/model.js';
import { sendHttpBatch } from './transports/senders.js';
import { mapLimit, type UrbisClient } from './urbis-client.js';

/** Readings per batch request (Urbis's limit). */
const BATCH = 1000;
/** Devices whose history is in flight at once. */
const CONCURRENCY = 32;

export interface BackfillControl {
  /** Checked between requests: true stops sending (the simulator is stopping). */
  stopped(): boolean;
  /** A device's history is sent (or failed, or skipped): it may report live now. */
  onDevice(deviceId: string): void;
  /** Readings accepted, as they are (for the running counters). */
  onSent(count: number): void;
}

export interface BackfillInput {
  devices: ReadonlyArray<{ device: DemoDevice; state: SimState }>;
  behaviours: Readonly<Record<DeviceKind, KindBehaviour>>;
  tokens: ReadonlyMap<string, string>;
  /** Real epoch ms the live simulation starts at; history ends just before it. */
  endMs: number;
  hours: number;
}

/** The readings of one device from `endMs − hours` up to `endMs` (exclusive), state advanced. */
export function historyOf(
  device: DemoDevice,
  state: SimState,
  behaviour: KindBehaviour,
  endMs: number,
  hours: number,
): Record<string, unknown>[] {
  const step = behaviour.intervalS * 1000;
  // Devices do not report in lock step: each starts its history at its own offset in the interval.
  let t = endMs - hours * 3_600_000 + Math.floor(device.bias * step);
  const out: Record<string, unknown>[] = [];
  for (; t < endMs; t += step) {
    const reading = behaviour.read(device, state, t, { incidents: [] });
    if (reading !== undefined) out.push({ ...reading, ts: t / 1000 });
  }
  return out;
}

/** Send the history; resolves to the readings accepted. A device whose history fails is reported in `failed`. */
export async function backfill(
  client: UrbisClient,
  input: BackfillInput,
  control: BackfillControl,
): Promise<{ sent: number; failed: Array<{ device: string; error: string }> }> {
  const failed: Array<{ device: string; error: string }> = [];
  const counts = await mapLimit(interleaved(input.devices), CONCURRENCY, async ({ device, state }) => {
    const token = input.tokens.get(device.id);
    let sent = 0;
    try {
      if (token === undefined || control.stopped()) return 0;
      const readings = historyOf(device, state, input.behaviours[device.kind], input.endMs, input.hours);
      for (let i = 0; i < readings.length && !control.stopped(); i += BATCH) {
        const batch = readings.slice(i, i + BATCH);
        await sendHttpBatch(client, token, batch);
        sent += batch.length;
        control.onSent(batch.length);
      }
    } catch (e) {
      failed.push({ device: device.id, error: (e as Error).message });
    } finally {
      control.onDevice(device.id);
    }
    return sent;
  });
  return { sent: counts.reduce((a, b) => a + b, 0), failed };
}

/** Round-robin over the kinds: one air-quality station, one bin, one light … then the second of each. */
export function interleaved<T extends { device: DemoDevice }>(items: readonly T[]): T[] {
  const byKind = new Map<string, T[]>();
  for (const item of items) {
    const list = byKind.get(item.device.kind);
    if (list === undefined) byKind.set(item.device.kind, [item]);
    else list.push(item);
  }
  const queues = [...byKind.values()];
  const out: T[] = [];
  for (let i = 0; out.length < items.length; i++)
    for (const q of queues) if (i < q.length) out.push(q[i] as T);
  return out;
}
