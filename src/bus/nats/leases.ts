/**
 * Leases on JetStream KV. NATS 2.9 has no per-key TTL, so the ttl is the bucket's: one bucket per ttl
 * (`max_age` = ttl, history 1), where the server itself drops a key `ttl` after its last write — no
 * replica's clock is involved. Acquire is `kv.create` (refused while the key exists); renew is
 * `kv.update` at the revision we wrote (refused if it expired or changed hands); release is a delete at
 * that revision. Contenders must therefore use the same ttl for a name, which the port states.
 */
import type { KV, Kvm } from '@nats-io/kv';
import { nuid } from '@nats-io/transport-node';
import type { Lease } from '../port.js';
import { isWrongLastSequence, toBusError } from './errors.js';
import type { NatsNames } from './names.js';

/** The lease half of a NATS bus. */
export class NatsLeases {
  private readonly buckets = new Map<number, Promise<KV>>();

  constructor(
    private readonly kvm: Kvm,
    private readonly names: NatsNames,
    private readonly open: () => void,
  ) {}

  async acquire(name: string, ttlMs: number): Promise<Lease | undefined> {
    const kv = await this.bucket(ttlMs);
    const holder = nuid.next();
    let revision: number;
    try {
      revision = await kv.create(name, holder);
    } catch (cause) {
      if (isWrongLastSequence(cause)) return undefined;
      throw toBusError(cause, `acquiring lease '${name}'`);
    }
    let released = false;
    return {
      name,
      ttlMs,
      renew: async () => {
        this.open();
        if (released) return false;
        try {
          revision = await kv.update(name, holder, revision);
          return true;
        } catch (cause) {
          if (isWrongLastSequence(cause)) return false;
          throw toBusError(cause, `renewing lease '${name}'`);
        }
      },
      release: async () => {
        this.open();
        if (released) return;
        released = true;
        try {
          await kv.delete(name, { previousSeq: revision });
        } catch (cause) {
          // Already expired or taken: there is nothing of ours left to release.
          if (!isWrongLastSequence(cause)) throw toBusError(cause, `releasing lease '${name}'`);
        }
      },
    };
  }

  private bucket(ttlMs: number): Promise<KV> {
    let kv = this.buckets.get(ttlMs);
    if (kv === undefined) {
      kv = this.kvm.create(this.names.leaseBucket(ttlMs), { ttl: ttlMs, history: 1 }).catch((cause) => {
        this.buckets.delete(ttlMs);
        throw toBusError(cause, `opening lease bucket for ttl ${ttlMs} ms`);
      });
      this.buckets.set(ttlMs, kv);
    }
    return kv;
  }
}
