/**
 * Test kit for the notifier: a real HTTP receiver on a loopback port, a store with a reactor that
 * sends every change to the subscriptions under test, a dispatcher with real senders behind an SSRF
 * guard that allows 127.0.0.1 (as the issue asks of tests), and a polling wait.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Entity } from '../../src/core/model/entity.js';
import type { Endpoint, Subscription } from '../../src/core/subscription/model.js';
import { AddressGuard } from '../../src/context/net/address-guard.js';
import { NotificationDispatcher, type DispatcherOptions } from '../../src/context/notify/dispatcher.js';
import { HttpSender } from '../../src/context/notify/http-sender.js';
import { MqttSender } from '../../src/context/notify/mqtt-sender.js';
import { StaticNotificationSource } from '../../src/context/notify/static-source.js';
import type { Change, Notice, Store } from '../../src/store/port.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

export const TYPE = 'https://example.org/vocab/Sensor';
export const V = 'https://example.org/vocab/v';

/** The NGSI-LD notification as a receiver sees it (terms expanded by the test source). */
export interface Received {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    id: string;
    type: string;
    subscriptionId: string;
    notifiedAt: string;
    data: Array<{ id: string; type: string; [attr: string]: unknown }>;
  };
  /** The status the receiver answered. */
  status: number;
}

/** How the receiver answers one request: a status, or 'hang' (never answers). */
export type Answer = number | 'hang' | { status: number; headers: Record<string, string> };

/** A node:http receiver on 127.0.0.1 that records every notification and answers as told. */
export class Receiver {
  readonly requests: Received[] = [];
  answer: (req: { path: string; n: number; body: Received['body'] }) => Answer = () => 204;
  /** Requests being handled now, and the most at once. */
  active = 0;
  maxActive = 0;
  /** Milliseconds to wait before answering. */
  delayMs = 0;
  private server?: Server;
  port = 0;

  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.active++;
        this.maxActive = Math.max(this.maxActive, this.active);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'];
        const n = this.requests.length;
        const answer = this.answer({ path: req.url ?? '/', n, body });
        const reply = () => {
          this.active--;
          if (answer === 'hang') return;
          const [status, headers] =
            typeof answer === 'number' ? [answer, {}] : [answer.status, answer.headers];
          this.requests.push({ at: Date.now(), path: req.url ?? '/', headers: req.headers, body, status });
          res.writeHead(status, headers).end();
        };
        if (this.delayMs > 0) setTimeout(reply, this.delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stop listening and drop every connection (the receiver is "down"). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Notifications answered with 2xx. */
  get delivered(): Received[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300);
  }

  /** Values of V per entity, in the order they were delivered. */
  valuesByEntity(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const r of this.delivered) {
      for (const e of r.body.data) {
        const attr = e[V] as { value: number } | undefined;
        if (!out.has(e.id)) out.set(e.id, []);
        out.get(e.id)!.push(attr?.value ?? NaN);
      }
    }
    return out;
  }
}

/** Poll until `ok()` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  ok: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A subscription to every Sensor, notifying `uri`. */
export function subscriptionTo(
  id: string,
  uri: string,
  extra: Partial<Subscription> = {},
  endpoint: Partial<Endpoint> = {},
): Subscription {
  return {
    id,
    entities: [{ type: TYPE }],
    notificationTrigger: ['entityCreated', 'entityUpdated', 'entityDeleted'],
    notification: {
      format: 'normalized',
      showChanges: false,
      sysAttrs: false,
      endpoint: { uri, accept: 'application/json', ...endpoint },
    },
    isActive: true,
    jsonldContext: 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
    createdAt: '2026-01-01T00:00:00.000Z',
    modifiedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

/** A Sensor with V = value. */
export function sensor(id: string, value: number): Entity {
  return { id, type: [TYPE], attrs: { [V]: [{ type: 'Property', value }] } };
}

/** Write sensors (one call, one transaction). */
export async function write(store: Store, entities: Entity[], tenant = ''): Promise<void> {
  const results = await store.mutate(
    tenant,
    entities.map((e) => ({ id: e.id, decide: () => ({ action: 'put' as const, entity: e }) })),
  );
  const failed = results.find((r) => !r.ok);
  if (failed) throw new Error(`write failed for ${failed.id}`);
}

/** A reactor that sends every change to every active subscription the source holds for the tenant. */
export function reactor(source: StaticNotificationSource, ids: () => string[]) {
  return (change: Change): Notice[] =>
    ids()
      .filter((id) => source.subscription(change.tenant, id) !== undefined)
      .map((subscriptionId) => ({
        subscriptionId,
        entityId: change.id,
        payload: {
          trigger:
            change.after === undefined ? 'entityDeleted' : change.before ? 'entityUpdated' : 'entityCreated',
          entity: change.after ?? { id: change.id, type: change.before?.type ?? [], attrs: {} },
          at: change.at,
        },
      }));
}

/** Fast retries for tests. */
export const FAST: DispatcherOptions = {
  baseBackoffMs: 20,
  maxBackoffMs: 100,
  recheckMs: 50,
  timeoutMs: 2_000,
};

/** Everything a notifier test needs, on an in-memory store. */
export class Harness {
  readonly store: Store;
  readonly source = new StaticNotificationSource();
  readonly guard: AddressGuard;
  readonly http: HttpSender;
  readonly mqtt: MqttSender;
  dispatcher: NotificationDispatcher;
  private readonly subs = new Set<string>();

  constructor(
    private readonly options: DispatcherOptions = FAST,
    allow: string[] = ['127.0.0.1'],
    store?: Store,
  ) {
    this.store = store ?? openSqliteStore({ path: ':memory:' });
    this.guard = new AddressGuard({ allow });
    this.http = new HttpSender({ guard: this.guard });
    this.mqtt = new MqttSender({ guard: this.guard, reconnectPeriodMs: 100, connectTimeoutMs: 2_000 });
    this.store.setReactor(reactor(this.source, () => [...this.subs]));
    this.dispatcher = this.newDispatcher();
  }

  /** A dispatcher over the same store and senders (to play a restart). */
  newDispatcher(options: DispatcherOptions = this.options): NotificationDispatcher {
    return new NotificationDispatcher(
      {
        store: this.store,
        source: this.source,
        senders: { 'http:': this.http, 'https:': this.http, 'mqtt:': this.mqtt, 'mqtts:': this.mqtt },
      },
      options,
    );
  }

  /** Register a subscription with the source (for the dispatcher) and the store (for its statistics). */
  async subscribe(sub: Subscription, tenant = ''): Promise<void> {
    this.subs.add(sub.id);
    this.source.set(tenant, sub);
    await this.store.subscriptions.put(tenant, sub);
  }

  async status(id: string, tenant = '') {
    const record = await this.store.subscriptions.get(tenant, id);
    if (!record) throw new Error(`no subscription ${id}`);
    return record.status;
  }

  async close(): Promise<void> {
    await this.dispatcher.stop();
    await this.http.close();
    await this.mqtt.close();
    await this.store.close();
  }
}
