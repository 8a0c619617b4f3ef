/**
 * The one ingest pipeline behind every transport (decision 0007): a transport frames and
 * authenticates, then hands a batch of messages here. Per message: device and profile → per-device
 * rate limit → codec → mapping; then the accepted readings of the whole batch go to the context
 * service as few batch upserts as possible (so history, subscriptions and privacy treatments apply
 * unchanged), and only after that commit are the outcomes returned — the caller acknowledges on them,
 * so an acknowledged message is durable. Device state (last seen, battery, signal; last error) is
 * recorded after the data, since it is derived from it.
 */
import { isNgsiError } from '../../core/errors.js';
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { EntityService } from '../../context/entities/entity-service.js';
import { systemScope } from '../../context/scope.js';
// A pure class (no web framework); src/devices reuses it rather than keeping a second token bucket.
import { TokenBucketLimiter } from '../../core/rate/token-bucket.js';
import type { DeviceRecord, DeviceRepository } from '../../store/devices-port.js';
import { CodecError } from '../codecs/codec-error.js';
import { decode } from '../codecs/decode.js';
import { toAttributes, type MappingOptions } from '../mapping.js';
import type { DeviceProfile } from '../registry/profile.js';
import { RecentIds } from './recent-ids.js';
import { foldSeenUpdates } from './seen-updates.js';

/** What a transport hands over: one authenticated device's payload, as received. */
export interface InboundMessage {
  tenant: string;
  deviceId: string;
  payload: Uint8Array | string;
  /** ISO 8601 instant the transport received it. */
  receivedAt: string;
  /** The transport's id of the message (MQTT packet id, LoRaWAN fCnt…), to recognise a redelivery. */
  messageId?: string;
  radio?: { rssi?: number; snr?: number };
}

export const REJECT_REASONS = [
  'unknown-device',
  'disabled',
  'rate-limited',
  'decode',
  'mapping',
  'store',
  'unavailable',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type IngestOutcome = { ok: true } | { ok: false; reason: RejectReason; detail: string };

/** Finds a device and its (parsed) profile; the registry service implements it. */
export interface DeviceResolver {
  device(tenant: string, id: string): Promise<{ device: DeviceRecord; profile: DeviceProfile } | undefined>;
}

export interface IngestPipelineDeps {
  entities: EntityService;
  devices: DeviceRepository;
  resolver: DeviceResolver;
  /** Clock in epoch milliseconds (rate limiting); default Date.now. */
  now?: () => number;
  /** Most messages in one ingest call; default 1,000. */
  maxBatch?: number;
  /** Clock skew the mapping tolerates (see toAttributes). */
  mapping?: MappingOptions;
  /** Bounds of the redelivery memory (see RecentIds). */
  dedup?: { perDevice?: number; devices?: number };
  /** Told of devices that were offline (or never seen) and sent an accepted message (awaited). */
  onOnline?: (devices: Array<{ tenant: string; deviceId: string; at: string }>) => void | Promise<void>;
}

/** Counters for metrics; they only grow. */
export interface IngestStats {
  accepted: number;
  rejected: Record<RejectReason, number>;
  /** Attribute instances written. */
  dataPoints: number;
  /** Redelivered messages acknowledged again without a write. */
  duplicates: number;
  /** Decoded fields of accepted messages that the profile does not map (not stored: minimisation). */
  unmappedFields: number;
  /** Device state updates that failed after the data was committed (the data stays acknowledged). */
  stateFailures: number;
}

/** A message that passed every check and waits for the commit. */
interface Candidate {
  index: number;
  key: string;
  message: InboundMessage;
  device: DeviceRecord;
  profile: DeviceProfile;
  entity: Entity;
  battery?: number;
  points: number;
}

type Resolved = { device: DeviceRecord; profile: DeviceProfile } | undefined;

export class IngestPipeline {
  readonly stats: IngestStats = {
    accepted: 0,
    rejected: {
      'unknown-device': 0,
      disabled: 0,
      'rate-limited': 0,
      decode: 0,
      mapping: 0,
      store: 0,
      unavailable: 0,
    },
    dataPoints: 0,
    duplicates: 0,
    unmappedFields: 0,
    stateFailures: 0,
  };

  private readonly entities: EntityService;
  private readonly devices: DeviceRepository;
  private readonly resolver: DeviceResolver;
  private readonly now: () => number;
  private readonly maxBatch: number;
  private readonly mapping: MappingOptions;
  private readonly recent: RecentIds;
  private readonly onOnline: IngestPipelineDeps['onOnline'];
  /** One limiter per rate: profiles differ in maxMessagesPerMinute, a limiter has one rate. */
  private readonly limiters = new Map<number, TokenBucketLimiter>();

  constructor(deps: IngestPipelineDeps) {
    const maxBatch = deps.maxBatch ?? 1000;
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new RangeError(`maxBatch must be an integer ≥ 1, not ${maxBatch}`);
    this.entities = deps.entities;
    this.devices = deps.devices;
    this.resolver = deps.resolver;
    this.now = deps.now ?? Date.now;
    this.maxBatch = maxBatch;
    this.mapping = deps.mapping ?? {};
    this.recent = new RecentIds(deps.dedup);
    this.onOnline = deps.onOnline;
  }

  /**
   * Ingest a batch; one outcome per message, in order. Resolves only after the accepted readings are
   * committed. A malformed message (not the shape a transport must produce) is the caller's bug and
   * throws a TypeError before anything is done; a payload that is wrong is the device's, and is an outcome.
   */
  async ingest(messages: InboundMessage[]): Promise<IngestOutcome[]> {
    if (!Array.isArray(messages)) throw new TypeError('ingest expects an array of messages');
    if (messages.length > this.maxBatch)
      throw new RangeError(`at most ${this.maxBatch} messages per batch, got ${messages.length}`);
    messages.forEach(checkMessage);

    const outcomes: Array<IngestOutcome | undefined> = new Array(messages.length);
    const reject = (i: number, reason: RejectReason, detail: string) => {
      outcomes[i] = { ok: false, reason, detail };
    };
    const resolved = new Map<string, Promise<Resolved>>();
    // In-batch redelivery: index of the first message with the same device and messageId.
    const firstOf = new Map<string, number>();
    const duplicateOf = new Map<number, number>();
    const candidates: Candidate[] = [];

    for (const [i, m] of messages.entries()) {
      const key = deviceKey(m.tenant, m.deviceId);
      let lookup = resolved.get(key);
      if (lookup === undefined) {
        lookup = this.resolver.device(m.tenant, m.deviceId);
        resolved.set(key, lookup);
      }
      const found = await lookup;
      if (found === undefined) {
        reject(i, 'unknown-device', `no device ${m.deviceId} in this tenant`);
        continue;
      }
      const { device, profile } = found;
      if (device.disabled) {
        reject(i, 'disabled', `device ${m.deviceId} is disabled`);
        continue;
      }
      if (m.messageId !== undefined) {
        if (this.recent.has(key, m.messageId)) {
          outcomes[i] = { ok: true };
          this.stats.duplicates++;
          continue;
        }
        const idKey = `${key}\u0000${m.messageId}`;
        const first = firstOf.get(idKey);
        if (first !== undefined) {
          duplicateOf.set(i, first);
          continue;
        }
        firstOf.set(idKey, i);
      }
      const taken = this.limiter(profile.maxMessagesPerMinute).take(key, this.now());
      if (!taken.ok) {
        reject(
          i,
          'rate-limited',
          `over ${profile.maxMessagesPerMinute} messages per minute; retry in ${taken.retryAfterSec} s`,
        );
        continue;
      }
      let decoded;
      try {
        decoded = decode(profile.codec, m.payload);
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        reject(i, 'decode', `${e.reason}: ${e.message}`);
        continue;
      }
      let mapped;
      try {
        mapped = toAttributes(decoded, profile, m.receivedAt, this.mapping);
      } catch (e) {
        if (!isNgsiError(e)) throw e;
        reject(i, 'mapping', e.detail);
        continue;
      }
      const names = Object.keys(mapped.attrs);
      // Data and nothing of it mapped: the device most likely has the wrong profile, and silently
      // acknowledging would lose every reading it sends. (A message of battery only is a heartbeat.)
      if (names.length === 0 && mapped.unmapped.length > 0) {
        reject(
          i,
          'mapping',
          `no field of the message is mapped by profile ${profile.id}: ${list(mapped.unmapped)}`,
        );
        continue;
      }
      this.stats.unmappedFields += mapped.unmapped.length;
      candidates.push({
        index: i,
        key,
        message: m,
        device,
        profile,
        entity: { id: device.entityId, type: [profile.entityType], attrs: mapped.attrs },
        ...(mapped.battery !== undefined ? { battery: mapped.battery } : {}),
        points: dataPointsOf(mapped.attrs),
      });
    }

    await this.commit(candidates, outcomes);

    for (const [i, first] of duplicateOf) {
      const outcome = outcomes[first] as IngestOutcome;
      outcomes[i] = outcome;
      if (outcome.ok) this.stats.duplicates++;
    }

    const accepted: Candidate[] = [];
    for (const c of candidates) {
      if (outcomes[c.index]?.ok !== true) continue;
      accepted.push(c);
      if (c.message.messageId !== undefined) this.recent.add(c.key, c.message.messageId);
      this.stats.accepted++;
      this.stats.dataPoints += c.points;
    }
    const final = outcomes as IngestOutcome[];
    for (const o of final) if (!o.ok) this.stats.rejected[o.reason]++;
    await this.recordState(messages, final, accepted, duplicateOf);
    return final;
  }

  /**
   * Write the candidates' readings: one store call per tenant, every message its own write in arrival
   * order (two messages of one device are two writes, so both readings reach history and the later
   * value wins). The context service stops an entity's later writes after one of them failed.
   */
  private async commit(candidates: Candidate[], outcomes: Array<IngestOutcome | undefined>): Promise<void> {
    const byTenant = new Map<string, Candidate[]>();
    for (const c of candidates) {
      let list = byTenant.get(c.message.tenant);
      if (list === undefined) byTenant.set(c.message.tenant, (list = []));
      list.push(c);
    }
    for (const [tenant, list] of byTenant) {
      try {
        // Observations already recorded (a redelivery after a crash) are dropped in the transaction.
        const results = await this.entities.recordObservations(
          systemScope(tenant),
          list.map((c) => c.entity),
        );
        list.forEach((c, i) => {
          const r = results[i];
          outcomes[c.index] =
            r === undefined || r.ok ? { ok: true } : { ok: false, reason: 'store', detail: r.error.detail };
        });
      } catch (e) {
        const detail = isNgsiError(e) ? e.detail : e instanceof Error ? e.message : String(e);
        // The store could not take the write (down, failing over, timed out): 'unavailable', which
        // transports answer with "retry" (an MQTT message stays unacknowledged), never dropping it.
        // A refusal of the data itself (a 4xx) would fail again: 'store', answered and counted.
        const reason = isNgsiError(e) && e.status < 500 ? 'store' : 'unavailable';
        for (const c of list) outcomes[c.index] = { ok: false, reason, detail };
      }
    }
  }

  /** lastSeen / offlineAt / battery / radio for the accepted; the last error of each rejected device. */
  private async recordState(
    messages: InboundMessage[],
    outcomes: IngestOutcome[],
    accepted: Candidate[],
    duplicateOf: Map<number, number>,
  ): Promise<void> {
    if (accepted.length > 0) {
      try {
        const back = await this.devices.recordSeen(
          foldSeenUpdates(
            accepted.map((c) => {
              const at = c.message.receivedAt;
              const { rssi, snr } = c.message.radio ?? {};
              return {
                tenant: c.message.tenant,
                deviceId: c.device.id,
                at,
                offlineAt: new Date(Date.parse(at) + c.profile.offlineAfterMs).toISOString(),
                ...(c.battery !== undefined ? { battery: c.battery } : {}),
                ...(finite(rssi) ? { rssi } : {}),
                ...(finite(snr) ? { snr } : {}),
              };
            }),
          ),
        );
        if (back.length > 0 && this.onOnline !== undefined) {
          const at = new Map(accepted.map((c) => [c.key, c.message.receivedAt]));
          await this.onOnline(
            back.map((d) => ({
              ...d,
              at: at.get(deviceKey(d.tenant, d.deviceId)) ?? new Date().toISOString(),
            })),
          );
        }
      } catch {
        this.stats.stateFailures++;
      }
    }
    // One error per device and batch: a device flooding bad messages costs one write, not thousands.
    const lastError = new Map<string, { m: InboundMessage; error: string }>();
    for (const [i, o] of outcomes.entries()) {
      // An unknown device has no state to record it in; a copy of a message says nothing new.
      if (o.ok || o.reason === 'unknown-device' || duplicateOf.has(i)) continue;
      const m = messages[i] as InboundMessage;
      lastError.set(deviceKey(m.tenant, m.deviceId), { m, error: `${o.reason}: ${o.detail}` });
    }
    for (const { m, error } of lastError.values()) {
      try {
        await this.devices.recordError(m.tenant, m.deviceId, error, m.receivedAt);
      } catch {
        this.stats.stateFailures++;
      }
    }
  }

  private limiter(perMinute: number): TokenBucketLimiter {
    let limiter = this.limiters.get(perMinute);
    if (limiter === undefined) {
      // A minute's allowance may come at once (a device that buffered while offline), then the rate.
      limiter = new TokenBucketLimiter({ ratePerSec: perMinute / 60, burst: perMinute });
      this.limiters.set(perMinute, limiter);
    }
    return limiter;
  }
}

function deviceKey(tenant: string, deviceId: string): string {
  return `${tenant}\u0000${deviceId}`;
}

function finite(v: number | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function list(fields: string[]): string {
  const shown = fields.slice(0, 10).map((f) => JSON.stringify(f.slice(0, 64)));
  return shown.join(', ') + (fields.length > 10 ? ` and ${fields.length - 10} more` : '');
}

// The offset is required: without one, Date.parse reads the server's local time zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function checkMessage(m: InboundMessage, i: number): void {
  const at = `message ${i}`;
  if (m === null || typeof m !== 'object') throw new TypeError(`${at} is not an object`);
  if (typeof m.tenant !== 'string') throw new TypeError(`${at}: tenant must be a string`);
  if (typeof m.deviceId !== 'string' || m.deviceId === '')
    throw new TypeError(`${at}: deviceId must be a non-empty string`);
  if (typeof m.payload !== 'string' && !(m.payload instanceof Uint8Array))
    throw new TypeError(`${at}: payload must be a string or a Uint8Array`);
  if (
    typeof m.receivedAt !== 'string' ||
    !ISO_INSTANT.test(m.receivedAt) ||
    Number.isNaN(Date.parse(m.receivedAt))
  )
    throw new TypeError(`${at}: receivedAt must be an ISO 8601 instant with an offset`);
  if (m.messageId !== undefined && typeof m.messageId !== 'string')
    throw new TypeError(`${at}: messageId must be a string`);
}

/** Attribute instances a message writes. */
function dataPointsOf(attrs: Record<string, Attribute[]>): number {
  let n = 0;
  for (const instances of Object.values(attrs)) n += instances.length;
  return n;
}
