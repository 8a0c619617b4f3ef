/**
 * The devices module assembled (decision 0007): the registry, the cached device lookup, the ingest
 * pipeline with its group-commit queue, the offline sweeper and the connectivity events, the command
 * service (transports attach their command channels to it and report to it), and the `DeviceIngress`
 * every transport adapter is given. Built once per process by the HTTP app.
 */
import type { EntityService } from '../context/entities/entity-service.js';
import type { TermMapper } from '../core/jsonld/terms.js';
import type { AuditRecord } from '../store/governance-port.js';
import type { Store } from '../store/port.js';
import { CommandService } from './commands/command-service.js';
import type { ExclusiveRunner } from '../core/jobs/exclusive.js';
import { DeviceCache } from './ingest/device-cache.js';
import { IngestQueue } from './ingest/ingest-queue.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { OfflineSweeper } from './ingest/offline-sweeper.js';
import {
  recordConnectivity,
  type ConnectivityChange,
  type ConnectivityDeps,
} from './registry/connectivity.js';
import { DeviceRegistry } from './registry/registry-service.js';
import { TRANSPORT_REFUSALS, type DeviceIngress, type TransportRefusal } from './transports/contract.js';

export interface DevicesOptions {
  store: Store;
  entities: EntityService;
  contexts: { resolve(raw: unknown): Promise<TermMapper> };
  /** Largest device payload in bytes; default 64 KiB. */
  maxPayloadBytes?: number;
  /** How often silent devices are looked for; default 30 s (0: never, for tests that sweep by hand). */
  sweepIntervalMs?: number;
  /** How often expired commands are looked for; default 10 s, or never when sweepIntervalMs is 0 (tests). */
  commandExpiryMs?: number;
  /** Audits commands created through an entity update (API commands are audited by their route). */
  audit?: { record(record: AuditRecord): void };
  /**
   * With several replicas: the runner that lets one replica at a time do a periodic job (the offline
   * sweep, command expiry), given the job's name and interval.
   */
  exclusive?: (job: string, intervalMs: number) => ExclusiveRunner;
  /** Told of each refusal before the pipeline (logging). */
  onRefused?: (transport: string, reason: TransportRefusal, detail: string) => void;
  onError?: (error: unknown, where: string) => void;
  now?: () => string;
}

export interface Devices {
  registry: DeviceRegistry;
  pipeline: IngestPipeline;
  queue: IngestQueue;
  sweeper: OfflineSweeper;
  /** Commands to actuators; transports attach their CommandChannel and report through it. */
  commands: CommandService;
  ingress: DeviceIngress;
  /** Refusals before the pipeline, by transport and reason (metrics). */
  refusals: Map<string, Record<TransportRefusal, number>>;
  /** Record devices going offline or coming back on their Device entities (`deviceState`). */
  recordConnectivity(changes: ConnectivityChange[]): Promise<void>;
  start(): void;
  /** Stop sweeping, commit what waits. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

export function openDevices(options: DevicesOptions): Devices {
  const { store, entities } = options;
  const onError = options.onError ?? (() => undefined);
  const registry = new DeviceRegistry({
    store,
    entities,
    contexts: options.contexts,
    ...(options.now ? { now: options.now } : {}),
    // The cache below is built before any change can happen (construction does not call onChange).
    onChange: (tenant, deviceId) => cache.forget(tenant, deviceId),
  });
  const cache = new DeviceCache({ source: registry });
  const connectivity: ConnectivityDeps = { registry, entities, contexts: options.contexts };
  const pipeline = new IngestPipeline({
    entities,
    devices: store.devices,
    resolver: cache,
    onOnline: (back) =>
      recordConnectivity(
        connectivity,
        back.map((d) => ({ ...d, online: true })),
      ).catch((e: unknown) => onError(e, 'device online event')),
  });
  const queue = new IngestQueue(pipeline);
  const sweepMs = Math.max(1, options.sweepIntervalMs ?? 30_000);
  const expiryMs = options.commandExpiryMs ?? (options.sweepIntervalMs === 0 ? 0 : 10_000);
  const sweeper = new OfflineSweeper({
    devices: store.devices,
    intervalMs: sweepMs,
    ...(options.exclusive ? { exclusive: options.exclusive('device-offline-sweep', sweepMs) } : {}),
    onOffline: (page) =>
      recordConnectivity(
        connectivity,
        page.map((d) => ({
          tenant: d.tenant,
          deviceId: d.deviceId,
          online: false,
          at: new Date().toISOString(),
        })),
      ).catch((e: unknown) => onError(e, 'device offline event')),
    onError: (e) => onError(e, 'offline sweep'),
  });
  const isoNow = options.now;
  const commands = new CommandService({
    store,
    registry,
    entities,
    contexts: options.contexts,
    ...(options.audit ? { audit: options.audit } : {}),
    ...(isoNow ? { now: () => Date.parse(isoNow()) } : {}),
    expiryIntervalMs: expiryMs,
    ...(options.exclusive && expiryMs > 0
      ? { exclusive: options.exclusive('command-expiry', expiryMs) }
      : {}),
    onError,
  });
  const refusals = new Map<string, Record<TransportRefusal, number>>();
  const ingress: DeviceIngress = {
    authenticateToken: (secret) => registry.authenticateToken(secret),
    authenticatePassword: (tenant, username, password) =>
      registry.authenticatePassword(tenant, username, password),
    submit: (message) => queue.submit(message),
    refuse: (transport, reason, detail) => {
      let counts = refusals.get(transport);
      if (counts === undefined)
        refusals.set(
          transport,
          (counts = Object.fromEntries(TRANSPORT_REFUSALS.map((r) => [r, 0])) as Record<
            TransportRefusal,
            number
          >),
        );
      counts[reason]++;
      options.onRefused?.(transport, reason, detail);
    },
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
  };
  const sweeping = options.sweepIntervalMs !== 0;
  return {
    registry,
    pipeline,
    queue,
    sweeper,
    commands,
    ingress,
    refusals,
    recordConnectivity: (changes) => recordConnectivity(connectivity, changes),
    start: () => {
      if (sweeping) sweeper.start();
      commands.start();
    },
    close: async () => {
      await sweeper.stop();
      await queue.close();
      await commands.stop();
    },
  };
}
