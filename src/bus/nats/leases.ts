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
    /** Copies JetStream keeps of each bucket (set at creation). */
    private readonly replicas = 1,
  ) {}

  async acquire(name: string, ttlMs: number): Promise<Lease | undefined> {
    const kv = await this.bucket(ttlMs);
    const holder = nuid.next();
    let revision: number;
    for (let attempt = 1; ; attempt++) {
      try {
        revision = await kv.create(name, holder);
        break;
      } catch (cause) {
        if (isWrongLastSequence(cause)) return undefined;
        // A bucket another replica has just created may not answer yet ("no responders", which the
        // client reports as JetStream not enabled): retried briefly, as a creation race is.
        if (attempt < CREATE_ATTEMPTS && isNotReady(cause)) {
          await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
          continue;
        }
        throw toBusError(cause, `acquiring lease '${name}'`);
      }
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
      kv = this.createBucket(ttlMs).catch((cause: unknown) => {
        this.buckets.delete(ttlMs);
        throw toBusError(cause, `opening lease bucket for ttl ${ttlMs} ms`);
      });
      this.buckets.set(ttlMs, kv);
    }
    return kv;
  }

  /**
   * Create the bucket, or bind to it. When replicas create the same bucket at the same moment, NATS
   * 2.9 may answer the losers "subjects overlap with an existing stream" (10065) or "stream name
   * already in use" (10058) while the winner's stream is being set up: those are retried, briefly.
   * Reads go through the stream leader (`allow_direct: false`): on NATS 2.9 a direct get to a stream
   * created a moment ago by another replica can go unanswered until the client's timeout, which made
   * a losing contender's `create` (it reads the key to tell a delete marker from a holder) fail; leases
   * are read rarely, so the direct path's speed buys nothing here.
   */
  private async createBucket(ttlMs: number): Promise<KV> {
    const name = this.names.leaseBucket(ttlMs);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.kvm.create(name, {
          ttl: ttlMs,
          history: 1,
          replicas: this.replicas,
          allow_direct: false,
        });
      } catch (cause) {
        if (attempt >= CREATE_ATTEMPTS || !isCreationRace(cause)) throw cause;
        await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
      }
    }
  }
}

const CREATE_ATTEMPTS = 5;

/** A stream just created whose leader does not answer yet. */
function isNotReady(cause: unknown): boolean {
  return cause instanceof Error && cause.name === 'JetStreamNotEnabled';
}

/** The JetStream API errors of two replicas creating one stream at once. */
function isCreationRace(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | null)?.code;
  return code === 10065 || code === 10058;
}
