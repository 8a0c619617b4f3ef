/**
 * Two replicas' offline sweepers over one bus (the in-memory broker standing for NATS): only the
 * replica holding the job's lease sweeps; when it stops (shutdown releases the lease), the other one
 * takes the sweeping over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { jobGate } from '../../bus/job-gate.js';
import { MemoryBroker, createMemoryBus } from '../../bus/memory/index.js';
import type { Bus } from '../../bus/port.js';
import type { DeviceRepository } from '../../store/devices-port.js';
import { OfflineSweeper } from './offline-sweeper.js';

let buses: Bus[] = [];
afterEach(async () => {
  await Promise.all(buses.map((b) => b.close()));
  buses = [];
});

/** A device store that only counts the sweeps it is asked for. */
function countingDevices(): { calls: number; repo: DeviceRepository } {
  const counter = {
    calls: 0,
    repo: {
      markOffline: async () => {
        counter.calls++;
        return [];
      },
    } as unknown as DeviceRepository,
  };
  return counter;
}

describe('OfflineSweeper on several replicas', () => {
  it('sweeps on one replica at a time, and moves to another when it stops', async () => {
    const broker = new MemoryBroker();
    buses = [createMemoryBus({ broker }), createMemoryBus({ broker })];
    const [a, b] = [countingDevices(), countingDevices()];
    const sweeper = (d: ReturnType<typeof countingDevices>, bus: Bus) =>
      new OfflineSweeper({
        devices: d.repo,
        intervalMs: 40,
        onOffline: () => undefined,
        exclusive: jobGate(bus)('device-offline-sweep', 40),
      });
    const [sa, sb] = [sweeper(a, buses[0]!), sweeper(b, buses[1]!)];
    sa.start();
    await new Promise((r) => setTimeout(r, 20)); // a's timer fires first
    sb.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(a.calls).toBeGreaterThan(3);
    expect(b.calls).toBe(0);

    await sa.stop(); // releases the lease
    const before = a.calls;
    await new Promise((r) => setTimeout(r, 200));
    expect(b.calls).toBeGreaterThan(1);
    expect(a.calls).toBe(before);
    await sb.stop();
  });
});
