/**
 * LeaderGate over the in-memory bus, three "replicas" sharing one broker: one runs the job and keeps
 * it round after round; the others skip; when the leader releases (shutdown) another takes over at
 * once; when it dies (stops renewing) another takes over after the ttl and not before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderGate } from './leader-gate.js';
import { MemoryBroker, createMemoryBus } from './memory/index.js';
import type { Bus } from './port.js';

const TTL = 300;
let buses: Bus[] = [];

afterEach(async () => {
  await Promise.all(buses.map((b) => b.close()));
  buses = [];
});

function replicas(n: number): LeaderGate[] {
  const broker = new MemoryBroker();
  buses = Array.from({ length: n }, () => createMemoryBus({ broker }));
  return buses.map((bus) => new LeaderGate(bus, 'offline-sweep', TTL));
}

/** One round on every replica; which ones ran the job. */
async function round(gates: LeaderGate[]): Promise<number[]> {
  const ran: number[] = [];
  for (const [i, g] of gates.entries()) await g.run(async () => ran.push(i));
  return ran;
}

describe('LeaderGate', () => {
  it('lets one replica run the job, round after round', async () => {
    const gates = replicas(3);
    expect(await round(gates)).toEqual([0]);
    expect(await round(gates)).toEqual([0]);
    expect(gates.map((g) => g.leading)).toEqual([true, false, false]);
    expect(await gates[1]!.run(async () => 'ran')).toBeUndefined();
  });

  it('hands over at once when the leader releases the lease', async () => {
    const gates = replicas(3);
    await round(gates);
    await gates[0]!.release();
    expect(await round(gates.slice(1))).toEqual([0]); // gates[1] takes over
    expect(gates[1]!.leading).toBe(true);
  });

  it('hands over after the ttl when the leader dies, and not before', async () => {
    const gates = replicas(2);
    await round(gates);
    // gates[0] stops calling run (its process died): gates[1] must wait out the lease.
    expect(await gates[1]!.run(async () => 'ran')).toBeUndefined();
    await new Promise((r) => setTimeout(r, TTL + 150));
    expect(await gates[1]!.run(async () => 'ran')).toBe('ran');
    // The old leader, back, finds its lease lost and does not run.
    expect(await gates[0]!.run(async () => 'ran')).toBeUndefined();
    expect(gates[0]!.leading).toBe(false);
  });
});
