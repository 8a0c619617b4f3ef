/**
 * Runs the Bus conformance suite on NATS JetStream (integration: needs `nats-server -js`, by default on
 * 127.0.0.1:4222, or at URBIS_TEST_NATS). Each test gets its own random prefix, so its stream and
 * buckets are its own, and deletes them at the end.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { describeBusConformance } from '../../src/bus/conformance/index.js';
import { connectNatsBus } from '../../src/bus/nats/index.js';

const SERVER = process.env['URBIS_TEST_NATS'] ?? 'nats://127.0.0.1:4222';

/** Deletes every stream of a namespace: the queue stream and the lease buckets (`KV_<prefix>_…`). */
async function deleteStreams(prefix: string): Promise<void> {
  const nc = await connect({ servers: SERVER });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${prefix}_`) || name.startsWith(`KV_${prefix}_`)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}

describeBusConformance('nats', async () => {
  const prefix = `t${randomBytes(6).toString('hex')}`;
  return {
    connect: (options) => connectNatsBus({ ...options, servers: SERVER, prefix }),
    cleanup: () => deleteStreams(prefix),
  };
});

describe('NATS leases: replicas opening one bucket at once', () => {
  it('gives one holder and no error when 8 replicas contend on a bucket none has created yet', async () => {
    const prefix = `t${randomBytes(6).toString('hex')}`;
    const buses = await Promise.all(
      Array.from({ length: 8 }, () => connectNatsBus({ servers: SERVER, prefix })),
    );
    try {
      // Five fresh ttls: five buckets, each created by 8 replicas racing.
      for (const ttl of [1100, 1200, 1300, 1400, 1500]) {
        const leases = await Promise.all(buses.map((b) => b.acquire('race', ttl)));
        expect(leases.filter((l) => l !== undefined)).toHaveLength(1);
      }
    } finally {
      await Promise.all(buses.map((b) => b.close()));
      await deleteStreams(prefix);
    }
  });
});

describe('NATS bus: copies kept by JetStream', () => {
  it('creates the work-queue stream and lease buckets with the replicas asked for, and refuses a bad count', async () => {
    await expect(connectNatsBus({ servers: SERVER, replicas: 0 })).rejects.toMatchObject({
      reason: 'invalid-option',
    });
    await expect(connectNatsBus({ servers: SERVER, replicas: 6 })).rejects.toMatchObject({
      reason: 'invalid-option',
    });
    // This machine runs one NATS server: one copy is all it can keep, and what is asked is what is made.
    const prefix = `t${randomBytes(6).toString('hex')}`;
    const bus = await connectNatsBus({ servers: SERVER, prefix, replicas: 1 });
    try {
      await bus.enqueue('jobs', new Uint8Array([1]));
      expect(await bus.acquire('lease', 5_000)).toBeDefined();
      const nc = await connect({ servers: SERVER });
      try {
        const jsm = await jetstreamManager(nc);
        const replicas: number[] = [];
        for await (const s of jsm.streams.list())
          if (s.config.name.includes(prefix)) replicas.push(s.config.num_replicas);
        expect(replicas.length).toBe(2);
        expect(replicas.every((n) => n === 1)).toBe(true);
      } finally {
        await nc.close();
      }
    } finally {
      await bus.close();
      await deleteStreams(prefix);
    }
    // Three copies cannot be kept by one server: the stream is refused, which shows the count reaches
    // JetStream (on a three-server cluster it is made).
    const three = `t${randomBytes(6).toString('hex')}`;
    const wide = await connectNatsBus({ servers: SERVER, prefix: three, replicas: 3 });
    try {
      await expect(wide.enqueue('jobs', new Uint8Array([1]))).rejects.toMatchObject({
        reason: 'unavailable',
      });
    } finally {
      await wide.close();
      await deleteStreams(three);
    }
  });
});
