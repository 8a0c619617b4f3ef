/**
 * Prometheus metrics of the HTTP app: request counts and latency by route, method and status.
 * Each app owns its registry (no global default registry, so tests can build many apps).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestStats } from '../devices/ingest/pipeline.js';

/** Register the hooks that measure every request, and return the registry for /metrics. */
export function installMetrics(app: FastifyInstance, options: { processMetrics: boolean }): Registry {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'urbis_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'urbis_http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'urbis_http_request_duration_seconds',
    help: 'HTTP request latency, by route and status',
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern (not the raw URL) keeps label cardinality bounded.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
  return registry;
}

/** What the notifier metrics read: the dispatcher's counters and the outbox's size. */
export interface NotifierGauges {
  stats(): {
    notifications: number;
    entries: number;
    failures: number;
    deadEntries: number;
    inFlight: number;
  };
  pending(): Promise<number>;
}

/**
 * Notifier metrics, read when Prometheus scrapes: deliveries, failed attempts, dead letters, sends
 * in flight and the outbox's backlog (what an operator alerts on when a receiver is down).
 */
export function installNotifierMetrics(registry: Registry, source: NotifierGauges): void {
  const total = (name: string, help: string, read: (s: ReturnType<NotifierGauges['stats']>) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // The dispatcher keeps the running totals; the counter mirrors them at each scrape.
        this.reset();
        this.inc(read(source.stats()));
      },
    });
  total(
    'urbis_notifications_delivered_total',
    'Notifications delivered (2xx or MQTT acknowledged)',
    (s) => s.notifications,
  );
  total(
    'urbis_notification_entries_delivered_total',
    'Entity changes delivered inside notifications',
    (s) => s.entries,
  );
  total('urbis_notification_failures_total', 'Failed delivery attempts', (s) => s.failures);
  total(
    'urbis_notification_dead_letters_total',
    'Entity changes given up after the last attempt',
    (s) => s.deadEntries,
  );
  new Gauge({
    name: 'urbis_notifications_in_flight',
    help: 'Notifications being sent now',
    registers: [registry],
    collect() {
      this.set(source.stats().inFlight);
    },
  });
  new Gauge({
    name: 'urbis_outbox_pending',
    help: 'Entity changes waiting in the outbox for delivery',
    registers: [registry],
    async collect() {
      this.set(await source.pending());
    },
  });
}

/** Governance metrics: requests refused at the gate, and attributes dropped by minimisation. */
export function installGovernanceMetrics(
  registry: Registry,
  source: { dropped: ReadonlyMap<string, number> },
): { denied(reason: string): void } {
  const denied = new Counter({
    name: 'urbis_requests_denied_total',
    help: 'Requests refused at the gate, by reason (unauthenticated, forbidden, rate-limited)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Counter({
    name: 'urbis_attributes_dropped_total',
    help: 'Attributes dropped before storage by minimisation or a drop treatment, by entity type',
    labelNames: ['type'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [type, n] of source.dropped) this.inc({ type }, n);
    },
  });
  return { denied: (reason) => denied.inc({ reason }) };
}

/** What the device metrics read: the pipeline's and transports' running totals (src/devices). */
export interface DeviceMetricsSource {
  pipeline: { stats: IngestStats };
  queue: { stats: { batches: number; messages: number; overloaded: number }; pending: number };
  refusals: Map<string, Record<string, number>>;
  commands: { stats: object };
}

/**
 * Device ingest as Prometheus sees it: messages accepted and rejected by reason, data points written,
 * redeliveries, refusals before the pipeline by transport and reason, the group-commit queue and
 * the command service's counters. The modules keep running totals; the metrics mirror them at each scrape.
 */
export function installDeviceMetrics(registry: Registry, source: DeviceMetricsSource): void {
  const mirror = (
    name: string,
    help: string,
    labelNames: string[],
    read: () => Array<[Record<string, string>, number]>,
  ) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, value] of read()) this.inc(labels, value);
      },
    });
  const stats = () => source.pipeline.stats;
  mirror(
    'urbis_device_messages_total',
    'Device messages by outcome (accepted, or the reason of rejection)',
    ['outcome'],
    () => [
      [{ outcome: 'accepted' }, stats().accepted],
      ...Object.entries(stats().rejected).map(([reason, n]): [Record<string, string>, number] => [
        { outcome: reason },
        n,
      ]),
    ],
  );
  mirror('urbis_device_data_points_total', 'Attribute instances written from device messages', [], () => [
    [{}, stats().dataPoints],
  ]);
  mirror(
    'urbis_device_duplicates_total',
    'Redelivered device messages acknowledged again without a write',
    [],
    () => [[{}, stats().duplicates]],
  );
  mirror('urbis_device_unmapped_fields_total', 'Decoded fields no profile maps (not stored)', [], () => [
    [{}, stats().unmappedFields],
  ]);
  mirror(
    'urbis_device_refusals_total',
    'Device messages refused by a transport before the pipeline',
    ['transport', 'reason'],
    () =>
      [...source.refusals].flatMap(([transport, counts]) =>
        Object.entries(counts).map(([reason, n]): [Record<string, string>, number] => [
          { transport, reason },
          n,
        ]),
      ),
  );
  mirror('urbis_ingest_batches_total', 'Group commits of device messages', [], () => [
    [{}, source.queue.stats.batches],
  ]);
  mirror(
    'urbis_ingest_overloaded_total',
    'Device messages turned away because the ingest queue was full',
    [],
    () => [[{}, source.queue.stats.overloaded]],
  );
  new Gauge({
    name: 'urbis_ingest_queue_pending',
    help: 'Device messages waiting for their group commit',
    registers: [registry],
    collect() {
      this.set(source.queue.pending);
    },
  });
  mirror('urbis_commands_total', 'Command service counters by event', ['event'], () =>
    Object.entries(source.commands.stats as Record<string, number>).map(
      ([event, n]): [Record<string, string>, number] => [{ event }, n],
    ),
  );
}

/** The store's query workers running now (0 before the first query, or once none is left). */
export function installStoreMetrics(registry: Registry, store: { readonly queryWorkers?: number }): void {
  if (store.queryWorkers === undefined) return;
  new Gauge({
    name: 'urbis_query_workers',
    help: 'Worker threads running entity queries (0 before the first query, or when they stopped)',
    registers: [registry],
    collect() {
      this.set(store.queryWorkers ?? 0);
    },
  });
}
