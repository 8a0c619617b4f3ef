/**
 * Commands to actuators (issue #5): validated against the device profile's safety rules, persisted
 * QUEUED before anything is sent, delivered over the channel that serves the profile's transport, in
 * creation order per device, and followed QUEUED → SENT → DELIVERED → SUCCEEDED | FAILED, or EXPIRED
 * when the TTL passes first. A device that is not connected keeps its queue until `connected()` or
 * the TTL; one periodic indexed scan expires what is due (no timer per command). Each status is also
 * written to the device's `Device` entity (`<name>_status`, `<name>_info`), so subscriptions, history
 * and dashboards see it as any other change.
 *
 * The NGSI-LD way: `observe` is a store reactor hook — a change of a Device entity's attribute that
 * names a command of its profile creates that command (after the commit, once the value is confirmed
 * stored). A value that fails the safety rules then becomes a FAILED command saying why, since the
 * PATCH that wrote it has already been answered.
 *
 * Knows nothing of HTTP: the routes validate the request's shape, authorise and audit.
 */
import type { ExclusiveRunner } from '../../core/jobs/exclusive.js';
import { randomBytes } from 'node:crypto';
import { isNgsiError, notFound } from '../../core/errors.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { Attribute } from '../../core/model/entity.js';
import type { EntityService } from '../../context/entities/entity-service.js';
import { DEVICE_ENTITY_PREFIX, systemScope } from '../../context/scope.js';
import type {
  CommandChange,
  CommandRecord,
  CommandRepository,
  CommandStatus,
} from '../../store/commands-port.js';
import type { DeviceRecord } from '../../store/devices-port.js';
import type { AuditRecord } from '../../store/governance-port.js';
import type { Change, Store } from '../../store/port.js';
import type { DeviceProfile } from '../registry/profile.js';
import type { CommandChannel, CommandFeedback, OutboundCommand } from '../transports/contract.js';
import { specOf, type CommandSpec } from './command-spec.js';
import { DEFAULT_TTL_MS, MAX_TTL_MS, boundResult, checkValueSize, parseTtl } from './limits.js';
import { statusEntity } from './status-attributes.js';
import { validateCommandValue } from './validate-value.js';

/** Device entities are named after their device (src/devices/registry/device.ts). */
export { DEVICE_ENTITY_PREFIX };
/** Commands read per queue or expiry page: short transactions, bounded memory. */
export const COMMAND_PAGE = 100;
/** Who created a command through an entity update (the reactor does not know the caller). */
export const ENTITY_PATH_ACTOR = 'ngsi-ld:entity-update';

type Found = { device: DeviceRecord; profile: DeviceProfile };

export interface CommandServiceDeps {
  store: Pick<Store, 'commands' | 'getEntity'>;
  /** Devices and profiles (the registry). */
  registry: {
    device(tenant: string, id: string): Promise<Found | undefined>;
    profileEntry(tenant: string, id: string): Promise<{ raw: unknown } | undefined>;
  };
  entities: Pick<EntityService, 'batchUpsert'>;
  /** Resolves a profile's @context, to name the Device entity's status attributes. */
  contexts: { resolve(raw: unknown): Promise<TermMapper> };
  /** Where commands created through an entity update are audited (API commands are audited by the route). */
  audit?: { record(record: AuditRecord): void };
  /** Clock in epoch milliseconds; default Date.now. */
  now?: () => number;
  /** How often due commands are expired; default 10 s (0: only by expireOnce). */
  expiryIntervalMs?: number;
  /** With several replicas: asked before each scheduled expiry, so that one replica runs it. */
  exclusive?: ExclusiveRunner;
  defaultTtlMs?: number;
  maxTtlMs?: number;
  onError?: (error: unknown, where: string) => void;
}

/** What a caller asks for. */
export interface NewCommand {
  tenant: string;
  deviceId: string;
  name: string;
  value: unknown;
  /** ISO 8601 duration; default 10 minutes. */
  ttl?: unknown;
  /** Principal id, kept with the command. */
  by?: string;
}

interface Drain {
  again: boolean;
  done: Promise<void>;
}

/** Counters for metrics; they only grow. */
export interface CommandStats {
  created: number;
  refused: number;
  expired: number;
  /** Results or receipts that matched no open command (late, unknown id, wrong device). */
  unmatched: number;
}

export class CommandService implements CommandFeedback {
  readonly stats: CommandStats = { created: 0, refused: 0, expired: 0, unmatched: 0 };
  private readonly repo: CommandRepository;
  private readonly deps: CommandServiceDeps;
  private readonly now: () => number;
  private readonly onError: (error: unknown, where: string) => void;
  private readonly defaultTtlMs: number;
  private readonly maxTtlMs: number;
  private channels: CommandChannel[] = [];
  private readonly drains = new Map<string, Drain>();
  /** Commands handed to a channel right now, by id: a result may overtake `deliver`'s answer. */
  private readonly inflight = new Map<string, { tenant: string; deviceId: string; name: string }>();
  /** Entity writes per device, chained so a device's statuses land in the order they happened. */
  private readonly publishing = new Map<string, Promise<void>>();
  /** Work started from callbacks (reactor, feedback), awaited by idle(). */
  private readonly background = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private expiring: Promise<number> | undefined;

  constructor(deps: CommandServiceDeps) {
    this.deps = deps;
    this.repo = deps.store.commands;
    this.now = deps.now ?? Date.now;
    this.onError = deps.onError ?? (() => undefined);
    this.defaultTtlMs = deps.defaultTtlMs ?? DEFAULT_TTL_MS;
    this.maxTtlMs = deps.maxTtlMs ?? MAX_TTL_MS;
  }

  // ── channels and lifecycle ─────────────────────────────────────────────────────────────────────

  /**
   * Deliver through `channel` to devices whose profile transport it serves (the latest attached
   * channel wins for a transport). What waits for those devices is tried at once. Returns a detach.
   */
  attach(channel: CommandChannel): () => void {
    this.channels = [channel, ...this.channels.filter((c) => c !== channel)];
    this.track(this.resume());
    return () => {
      this.channels = this.channels.filter((c) => c !== channel);
    };
  }

  /** Resume the queues left by a previous run, and expire due commands periodically. */
  start(): void {
    this.track(this.resume());
    const interval = this.deps.expiryIntervalMs ?? 10_000;
    if (interval <= 0 || this.timer !== undefined) return;
    const exclusive = this.deps.exclusive;
    this.timer = setInterval(() => {
      (exclusive ? exclusive.run(() => this.expireOnce()) : this.expireOnce()).catch((e: unknown) =>
        this.onError(e, 'command expiry'),
      );
    }, interval);
    this.timer.unref();
  }

  /** Stop expiring; resolves when the work under way is over. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
    await this.deps.exclusive?.release().catch(() => undefined);
  }

  /** Resolves when no delivery, expiry or entity write is under way (tests; shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const work = [
        ...[...this.drains.values()].map((d) => d.done),
        ...this.background,
        ...this.publishing.values(),
        ...(this.expiring ? [this.expiring] : []),
      ];
      if (work.length === 0) return;
      await Promise.allSettled(work);
    }
  }

  // ── the API ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Validate and persist a command (QUEUED), then try to deliver it. Resolves with the stored command
   * once it is durable — delivery goes on in the background. ResourceNotFound for an unknown device;
   * BadRequestData for an unknown command or a value its safety rules refuse (nothing is stored).
   */
  async create(request: NewCommand): Promise<CommandRecord> {
    const found = await this.deps.registry.device(request.tenant, request.deviceId);
    if (found === undefined) throw notFound(`device ${request.deviceId} not found`);
    const spec = specOf(found, request.name);
    const ttlMs = parseTtl(request.ttl, this.defaultTtlMs, this.maxTtlMs);
    let value: unknown;
    try {
      checkValueSize(request.name, request.value);
      value = validateCommandValue(spec, request.value);
    } catch (e) {
      if (isNgsiError(e)) this.stats.refused++;
      throw e;
    }
    const command = this.newRecord(request, value, ttlMs, 'QUEUED');
    await this.repo.create(command);
    this.stats.created++;
    this.publish(found, command);
    this.kick(request.tenant, request.deviceId);
    return command;
  }

  get(tenant: string, id: string): Promise<CommandRecord | undefined> {
    return this.repo.get(tenant, id);
  }

  /** A page of a device's commands, newest first; ResourceNotFound for an unknown device. */
  async list(
    tenant: string,
    deviceId: string,
    options: { status?: CommandStatus; limit: number; offset: number },
  ): Promise<{ items: CommandRecord[]; count: number }> {
    if ((await this.deps.registry.device(tenant, deviceId)) === undefined)
      throw notFound(`device ${deviceId} not found`);
    return this.repo.list(tenant, deviceId, options);
  }

  // ── what transports report (CommandFeedback) ───────────────────────────────────────────────────

  async result(
    tenant: string,
    deviceId: string,
    ref: { id: string } | { name: string },
    outcome: { ok: boolean; payload?: unknown },
  ): Promise<void> {
    const command = await this.find(tenant, deviceId, ref);
    if (command === undefined) {
      this.stats.unmatched++;
      return;
    }
    const at = this.iso();
    // A result can overtake the channel's own answer: the command was sent, whatever deliver says next.
    if (command.status === 'QUEUED') await this.change(command, { from: ['QUEUED'], to: 'SENT', at });
    const payload = boundResult(outcome.payload);
    const done = await this.change(command, {
      from: ['SENT', 'DELIVERED'],
      to: outcome.ok ? 'SUCCEEDED' : 'FAILED',
      at,
      ...(payload !== undefined ? { result: payload } : {}),
      ...(outcome.ok ? {} : { info: 'the device reported a failure' }),
    });
    if (done === undefined) this.stats.unmatched++;
  }

  async delivered(tenant: string, deviceId: string, commandId: string): Promise<void> {
    const command = await this.find(tenant, deviceId, { id: commandId });
    if (command === undefined) {
      this.stats.unmatched++;
      return;
    }
    const at = this.iso();
    if (command.status === 'QUEUED') await this.change(command, { from: ['QUEUED'], to: 'SENT', at });
    await this.change(command, { from: ['SENT'], to: 'DELIVERED', at });
  }

  connected(tenant: string, deviceId: string): void {
    this.kick(tenant, deviceId);
  }

  // ── expiry ─────────────────────────────────────────────────────────────────────────────────────

  /** Expire every command whose TTL has passed, a page at a time; how many. Shares a sweep under way. */
  expireOnce(): Promise<number> {
    this.expiring ??= this.expireAll().finally(() => {
      this.expiring = undefined;
    });
    return this.expiring;
  }

  private async expireAll(): Promise<number> {
    // One instant for the whole sweep, so that commands falling due meanwhile cannot keep it going.
    const now = this.iso();
    let total = 0;
    for (;;) {
      const page = await this.repo.expire(now, COMMAND_PAGE);
      total += page.length;
      this.stats.expired += page.length;
      for (const c of page) this.publishById(c);
      if (page.length < COMMAND_PAGE) return total;
    }
  }

  // ── the NGSI-LD way ────────────────────────────────────────────────────────────────────────────

  /**
   * Store reactor hook: synchronous, no I/O, never throws. Notes changed attributes of Device
   * entities; after the commit, those that name a command of the device's profile become commands.
   */
  observe(change: Change): void {
    try {
      const after = change.after;
      // A Device entity being created is provisioning (thousands at once in bulk), not a command.
      if (after === undefined || change.before === undefined || !change.id.startsWith(DEVICE_ENTITY_PREFIX))
        return;
      const changed: Array<[string, Attribute[]]> = [];
      for (const [name, instances] of Object.entries(after.attrs)) {
        // Our own status attributes, and anything unchanged, are not commands.
        if (name.endsWith('_status') || name.endsWith('_info')) continue;
        const before = change.before?.attrs[name];
        if (before !== undefined && JSON.stringify(before) === JSON.stringify(instances)) continue;
        changed.push([name, instances]);
      }
      if (changed.length === 0) return;
      const deviceId = change.id.slice(DEVICE_ENTITY_PREFIX.length);
      this.track(this.fromEntity(change.tenant, change.id, deviceId, changed));
    } catch (e) {
      this.onError(e, 'command observe');
    }
  }

  private async fromEntity(
    tenant: string,
    entityId: string,
    deviceId: string,
    changed: Array<[string, Attribute[]]>,
  ): Promise<void> {
    // The reactor runs inside the write transaction: go on only once it is over.
    await new Promise((resolve) => setImmediate(resolve));
    const found = await this.deps.registry.device(tenant, deviceId);
    if (found === undefined || found.device.deviceEntityId !== entityId) return;
    const specs = found.profile.commands ?? [];
    for (const [attribute, instances] of changed) {
      const spec = specs.find((s) => s.attribute === attribute);
      const instance = instances.find((i) => i.datasetId === undefined) ?? instances[0];
      if (spec === undefined || instance === undefined) continue;
      // Confirm the value was committed (a failed transaction leaves the entity as it was).
      const stored = (await this.deps.store.getEntity(tenant, entityId))?.attrs[attribute];
      if (stored === undefined || JSON.stringify(stored) !== JSON.stringify(instances)) continue;
      await this.fromAttribute(found, spec, instance.value);
    }
  }

  private async fromAttribute(found: Found, spec: CommandSpec, raw: unknown): Promise<void> {
    const { device } = found;
    const request: NewCommand = {
      tenant: device.tenant,
      deviceId: device.id,
      name: spec.name,
      value: raw,
      by: ENTITY_PATH_ACTOR,
    };
    let value: unknown;
    let refusal: string | undefined;
    try {
      checkValueSize(spec.name, raw);
      value = validateCommandValue(spec, raw);
    } catch (e) {
      if (!isNgsiError(e)) throw e;
      refusal = e.detail;
      value = null;
    }
    const status: CommandStatus = refusal === undefined ? 'QUEUED' : 'FAILED';
    const command = this.newRecord(request, value, this.defaultTtlMs, status, refusal);
    await this.repo.create(command);
    if (refusal === undefined) this.stats.created++;
    else this.stats.refused++;
    this.deps.audit?.record({
      at: command.createdAt,
      tenant: device.tenant,
      principal: ENTITY_PATH_ACTOR,
      action: 'command.create',
      target: device.id,
      outcome: refusal === undefined ? 'success' : 'failure',
      detail: { command: spec.name, id: command.id, via: 'entity', ...(refusal ? { reason: refusal } : {}) },
    });
    this.publish(found, command);
    if (refusal === undefined) this.kick(device.tenant, device.id);
  }

  // ── delivery ───────────────────────────────────────────────────────────────────────────────────

  /** Run the device's queue; if it is running, run it once more after (nothing waits unseen). */
  private kick(tenant: string, deviceId: string): void {
    const key = `${tenant}\u0000${deviceId}`;
    const running = this.drains.get(key);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const drain: Drain = { again: false, done: Promise.resolve() };
    this.drains.set(key, drain);
    drain.done = (async () => {
      try {
        for (;;) {
          drain.again = false;
          await this.drainOnce(tenant, deviceId);
          // Checked and removed in one step: a kick arriving later starts a new drain.
          if (!drain.again) break;
        }
      } catch (e) {
        this.onError(e, 'command delivery');
      } finally {
        this.drains.delete(key);
      }
    })();
  }

  /** Deliver the device's QUEUED commands in creation order until one cannot be delivered now. */
  private async drainOnce(tenant: string, deviceId: string): Promise<void> {
    const tried = new Set<string>();
    for (;;) {
      const queue = (await this.repo.queued(tenant, deviceId, this.iso(), COMMAND_PAGE)).filter(
        (c) => !tried.has(c.id),
      );
      if (queue.length === 0) return;
      const found = await this.deps.registry.device(tenant, deviceId);
      if (found === undefined) {
        for (const c of queue) {
          tried.add(c.id);
          await this.change(c, {
            from: ['QUEUED'],
            to: 'FAILED',
            at: this.iso(),
            info: 'the device was deleted',
          });
        }
        continue;
      }
      if (found.device.disabled) {
        await this.noteAll(queue, 'the device is disabled; the command waits until it is enabled or expires');
        return;
      }
      const channel = this.channels.find((c) => c.transports.includes(found.profile.transport));
      if (channel === undefined) {
        await this.noteAll(
          queue,
          `no channel reaches ${found.profile.transport} devices yet; the command waits until one is ` +
            'attached or it expires',
        );
        return;
      }
      for (const c of queue) {
        tried.add(c.id);
        if (!(await this.deliverOne(channel, found, c))) return;
      }
    }
  }

  /** Hand one command to the channel; false when the device cannot be reached now (the queue stops). */
  private async deliverOne(channel: CommandChannel, found: Found, c: CommandRecord): Promise<boolean> {
    const outbound: OutboundCommand = {
      id: c.id,
      tenant: c.tenant,
      deviceId: c.deviceId,
      name: c.name,
      value: c.value,
      expiresAt: c.expiresAt,
    };
    this.inflight.set(c.id, { tenant: c.tenant, deviceId: c.deviceId, name: c.name });
    let outcome: Awaited<ReturnType<CommandChannel['deliver']>>;
    try {
      outcome = await channel.deliver(found.device, outbound);
    } catch (e) {
      this.onError(e, 'command channel');
      const why = e instanceof Error ? e.message : String(e);
      await this.noteAll([c], `delivery failed (${why}); retried when the device connects`);
      return false;
    } finally {
      this.inflight.delete(c.id);
    }
    if (outcome === 'unreachable') {
      await this.noteAll([c], 'the device is not connected; the command waits until it connects or expires');
      return false;
    }
    const at = this.iso();
    const sent = await this.change(c, { from: ['QUEUED'], to: 'SENT', at });
    if (outcome === 'delivered' && sent !== undefined)
      await this.change(sent, { from: ['SENT'], to: 'DELIVERED', at });
    return true;
  }

  private async noteAll(commands: CommandRecord[], info: string): Promise<void> {
    const at = this.iso();
    for (const c of commands) {
      if (c.info === info) continue;
      if (await this.repo.note(c.tenant, c.id, info, at)) this.publishById({ ...c, info, updatedAt: at });
    }
  }

  /** Every device with a queue: try it (after a restart, or when a channel is attached). */
  private async resume(): Promise<void> {
    let after: { tenant: string; deviceId: string } | undefined;
    for (;;) {
      const page = await this.repo.queuedDevices(COMMAND_PAGE, after);
      for (const d of page) this.kick(d.tenant, d.deviceId);
      if (page.length < COMMAND_PAGE) return;
      after = page[page.length - 1];
    }
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────

  private newRecord(
    request: NewCommand,
    value: unknown,
    ttlMs: number,
    status: CommandStatus,
    info?: string,
  ): CommandRecord {
    const now = this.now();
    const at = new Date(now).toISOString();
    return {
      id: `cmd_${randomBytes(10).toString('hex')}`,
      tenant: request.tenant,
      deviceId: request.deviceId,
      name: request.name,
      value,
      status,
      createdAt: at,
      updatedAt: at,
      expiresAt: new Date(now + ttlMs).toISOString(),
      history: [{ status, at }],
      ...(info !== undefined ? { info } : {}),
      ...(request.by !== undefined ? { createdBy: request.by } : {}),
    };
  }

  /** A compare-and-set status change, published to the entity when it applied. */
  private async change(command: CommandRecord, change: CommandChange): Promise<CommandRecord | undefined> {
    const updated = await this.repo.transition(command.tenant, command.id, change);
    if (updated !== undefined) this.publishById(updated);
    return updated;
  }

  private async find(
    tenant: string,
    deviceId: string,
    ref: { id: string } | { name: string },
  ): Promise<CommandRecord | undefined> {
    if ('id' in ref) {
      const c = await this.repo.get(tenant, ref.id);
      return c !== undefined && c.deviceId === deviceId ? c : undefined;
    }
    // Without ids, a result answers the command being delivered now, else the latest one sent.
    for (const [id, f] of this.inflight)
      if (f.tenant === tenant && f.deviceId === deviceId && f.name === ref.name)
        return this.repo.get(tenant, id);
    return this.repo.latest(tenant, deviceId, ref.name, ['SENT', 'DELIVERED']);
  }

  private publishById(command: CommandRecord): void {
    this.track(
      this.deps.registry.device(command.tenant, command.deviceId).then((found) => {
        if (found !== undefined) this.publish(found, command);
      }),
    );
  }

  /** Write the command's status to its Device entity, after the device's earlier statuses. */
  private publish(found: Found, command: CommandRecord): void {
    const key = `${command.tenant}\u0000${command.deviceId}`;
    const previous = this.publishing.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        const entry = await this.deps.registry.profileEntry(command.tenant, found.device.profileId);
        const raw = entry?.raw;
        const context =
          raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)['@context'] : undefined;
        const mapper = await this.deps.contexts.resolve(context);
        const outcome = await this.deps.entities.batchUpsert(
          systemScope(command.tenant),
          [statusEntity(mapper, found.device.deviceEntityId, command)],
          'update',
        );
        for (const e of outcome.errors) this.onError(e.error, 'command status attributes');
      } catch (e) {
        this.onError(e, 'command status attributes');
      }
    });
    this.publishing.set(key, next);
    void next.then(() => {
      if (this.publishing.get(key) === next) this.publishing.delete(key);
    });
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((e: unknown) => this.onError(e, 'commands'));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}
