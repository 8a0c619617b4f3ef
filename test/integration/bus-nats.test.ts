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
