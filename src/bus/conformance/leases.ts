/**
 * Conformance: leases for singleton jobs. One holder at a time among contenders on different replicas;
 * a released lease is free at once; a lease not renewed (its holder stalled, or died with its bus) is
 * free after its ttl and not before, and the old holder learns it lost it; renewing keeps it.
 */
import { describe, expect, it } from 'vitest';
import type { Lease } from '../port.js';
import { sleep, useCluster, type MakeBusCluster } from './fixtures.js';

const TTL_MS = 1_000;

/** Register the lease tests for a cluster factory. */
export function describeLeases(make: MakeBusCluster): void {
  describe('leases', () => {
    const cluster = useCluster(make);

    it('grants one holder among 3 contenders; a release lets another acquire', async () => {
      const replicas = [await cluster.replica(), await cluster.replica(), await cluster.replica()];
      const results = await Promise.all(replicas.map((r) => r.bus.acquire('jobs.retention', TTL_MS)));
      const holders = results.filter((l): l is Lease => l !== undefined);
      expect(holders).toHaveLength(1);
      const holder = holders[0]!;
      expect(holder.name).toBe('jobs.retention');
      expect(holder.ttlMs).toBe(TTL_MS);
      expect(await holder.renew()).toBe(true);
      const others = replicas.filter((_, i) => results[i] === undefined);
      expect(await others[0]!.bus.acquire('jobs.retention', TTL_MS)).toBeUndefined();
      await holder.release();
      expect(await holder.renew()).toBe(false);
      const next = await others[1]!.bus.acquire('jobs.retention', TTL_MS);
      expect(next).toBeDefined();
      expect(await others[0]!.bus.acquire('jobs.retention', TTL_MS)).toBeUndefined();
      await holder.release();
      expect(await next!.renew()).toBe(true);
    });

    it('keeps names apart', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      expect(await a.bus.acquire('jobs.retention', TTL_MS)).toBeDefined();
      expect(await b.bus.acquire('jobs.offline-sweep', TTL_MS)).toBeDefined();
      expect(await b.bus.acquire('jobs.retention', TTL_MS)).toBeUndefined();
    });

    it('expires a lease not renewed within ttl; the old holder then cannot renew', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const stale = await a.bus.acquire('jobs.expiry', TTL_MS);
      expect(stale).toBeDefined();
      await sleep(TTL_MS / 2);
      expect(await b.bus.acquire('jobs.expiry', TTL_MS)).toBeUndefined();
      await sleep(TTL_MS / 2 + 400);
      const taken = await b.bus.acquire('jobs.expiry', TTL_MS);
      expect(taken).toBeDefined();
      expect(await stale!.renew()).toBe(false);
      expect(await taken!.renew()).toBe(true);
    });

    it('keeps a renewed lease past its ttl', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const lease = await a.bus.acquire('jobs.sweep', TTL_MS);
      expect(lease).toBeDefined();
      for (let i = 0; i < 5; i++) {
        await sleep(TTL_MS / 3);
        expect(await lease!.renew()).toBe(true);
        expect(await b.bus.acquire('jobs.sweep', TTL_MS)).toBeUndefined();
      }
    });

    it('frees the lease of a replica that died, after ttl and not before', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      expect(await a.bus.acquire('jobs.dead', TTL_MS)).toBeDefined();
      await a.bus.close();
      expect(await b.bus.acquire('jobs.dead', TTL_MS)).toBeUndefined();
      await sleep(TTL_MS + 400);
      expect(await b.bus.acquire('jobs.dead', TTL_MS)).toBeDefined();
    });
  });
}
