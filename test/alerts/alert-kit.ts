/**
 * The alerts module on a real (in-memory) SQLite store with an EntityService and a SubscriptionService,
 * wired to the store's reactor as the app wires it, with a clock the test moves. `restart()` builds a
 * fresh module on the same store, as a new process would.
 */
import { ContextResolver } from '../../src/core/jsonld/context-resolver.js';
import type { Attribute, Entity } from '../../src/core/model/entity.js';
import { NGSI } from '../../src/core/model/entity.js';
import { EntityService } from '../../src/context/entities/entity-service.js';
import { systemScope } from '../../src/context/scope.js';
import { SubscriptionService } from '../../src/context/subscriptions/subscription-service.js';
import { openAlerts, type Alerts } from '../../src/alerts/alerts.js';
import { alertView, type AlertView } from '../../src/alerts/alert-entity.js';
import { alertVocabulary } from '../../src/alerts/vocabulary.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export const T = 'city-a';
export const DC = 'https://uri.etsi.org/ngsi-ld/default-context/';
export const T0 = Date.parse('2026-03-01T08:00:00Z');

export interface AlertKit {
  store: SqliteStore;
  entities: EntityService;
  subscriptions: SubscriptionService;
  alerts: Alerts;
  clock: { ms: number };
  /** Write readings (update mode) of one entity: `values` by compact attribute name, observed at `at`. */
  write(
    id: string,
    type: string,
    values: Record<string, unknown>,
    at?: number,
    location?: number[],
  ): Promise<void>;
  /** Every Alert entity of the tenant, as the API shows them (oldest first). */
  alertList(): Promise<AlertView[]>;
  /** Let queued evaluation and writes finish. */
  settle(): Promise<void>;
  /** Another alerts module on the same store, not on the reactor (a second replica); started. */
  replica(): Promise<Alerts>;
  /** A new alerts module on the same store (the old one stopped). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function alertKit(): Promise<AlertKit> {
  const store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  const contexts = new ContextResolver({
    load: async (url) => {
      throw new Error(`offline: ${url}`);
    },
  });
  const entities = new EntityService({ store });
  const subscriptions = new SubscriptionService({
    store,
    contexts,
    endpointPolicy: { vet: async () => undefined },
  });
  await subscriptions.start();
  const clock = { ms: T0 };
  const v = alertVocabulary(contexts.core);
  const build = () =>
    openAlerts({ store, entities, contexts, subscriptions, tickMs: 0, now: () => clock.ms });
  let alerts = build();
  const install = (a: Alerts) =>
    store.setReactor((change) => {
      const notices = subscriptions.react(change);
      a.observe(change);
      return notices;
    });
  install(alerts);
  await alerts.start();
  const kit: AlertKit = {
    store,
    entities,
    subscriptions,
    alerts,
    clock,
    write: async (id, type, values, at, location) => {
      const observedAt = new Date(at ?? clock.ms).toISOString();
      const attrs: Record<string, Attribute[]> = {};
      for (const [k, value] of Object.entries(values))
        attrs[`${DC}${k}`] = [{ type: 'Property', value, observedAt }];
      if (location)
        attrs[NGSI.location] = [{ type: 'GeoProperty', value: { type: 'Point', coordinates: location } }];
      const entity: Entity = { id, type: [`${DC}${type}`], attrs };
      const r = await entities.batchUpsert(systemScope(T), [entity], 'update');
      if (r.errors.length > 0) throw r.errors[0]?.error;
    },
    alertList: async () => {
      const { entities: list } = await store.queryEntities(T, {
        type: { kind: 'type', name: v.Alert },
        orderBy: [
          { key: 'createdAt', descending: false },
          { key: 'id', descending: false },
        ],
        limit: 1000,
        offset: 0,
        count: false,
      });
      return list.map((e) => alertView(v, e)).filter((x) => x !== undefined);
    },
    settle: async () => {
      // Evaluation is queued after the commit, and its writes make changes evaluated in turn.
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setImmediate(r));
        await kit.alerts.engine.idle();
      }
    },
    replica: async () => {
      const other = build();
      await other.start();
      return other;
    },
    restart: async () => {
      await kit.alerts.stop();
      alerts = build();
      install(alerts);
      await alerts.start();
      kit.alerts = alerts;
    },
    close: async () => {
      await kit.alerts.stop();
      store.setReactor(undefined);
      await subscriptions.stop();
      await store.close();
    },
  };
  return kit;
}
