/**
 * The alerts module (issue #7), assembled: the rule book (rules as AlertRule entities, mirrored in
 * memory), the engine (evaluation on the change stream, Alert entities, acknowledgements) and their
 * start and stop. The app builds it once, calls `observe` from its store reactor and mounts the HTTP
 * routes (src/http/alerts) on it. Knows nothing of HTTP.
 */
import type { TermMapper } from '../core/jsonld/terms.js';
import type { EntityService } from '../context/entities/entity-service.js';
import type { SubscriptionService } from '../context/subscriptions/subscription-service.js';
import type { Change, Store } from '../store/port.js';
import { AlertEngine } from './engine.js';
import { RuleBook } from './rule-book.js';
import { alertVocabulary, type AlertVocabulary } from './vocabulary.js';

export interface AlertsDeps {
  store: Pick<Store, 'queryEntities' | 'getEntity' | 'capabilities' | 'listTenants'>;
  entities: Pick<EntityService, 'create' | 'replace' | 'delete' | 'appendAttrs' | 'retrieve' | 'query'>;
  /** Resolves a rule's @context (and the core context, for Alert names). */
  contexts: { resolve(raw: unknown): Promise<TermMapper> };
  /** Rules with `notify` get a subscription here; absent: such rules are refused. */
  subscriptions?: Pick<SubscriptionService, 'create' | 'delete'>;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
  /** How often noData deadlines are checked; default 10 s; 0: only by `engine.tick()`. */
  tickMs?: number;
  onError?: (error: unknown, where: string) => void;
}

export interface Alerts {
  rules: RuleBook;
  engine: AlertEngine;
  /** The store reactor's hook: synchronous, no I/O, never throws. */
  observe(change: Change): void;
  /** Resolve the vocabulary, rebuild every tenant's open episodes, start the noData timer. */
  start(): Promise<void>;
  /** Stop the timer; resolves when the work under way is over. */
  stop(): Promise<void>;
}

export function openAlerts(deps: AlertsDeps): Alerts {
  let core: TermMapper | undefined;
  let vocabulary: AlertVocabulary | undefined;
  let ready: Promise<void> | undefined;
  const resolveNames = (): Promise<void> =>
    (ready ??= deps.contexts.resolve(undefined).then((mapper) => {
      core = mapper;
      vocabulary = alertVocabulary(mapper);
    }));
  const names = (): AlertVocabulary => {
    if (vocabulary === undefined) throw new Error('the alerts module is not started');
    return vocabulary;
  };
  const onError = deps.onError ?? (() => undefined);
  // The engine is told of rule changes (the hook only runs once both exist).
  const rules = new RuleBook({
    entities: deps.entities,
    store: deps.store,
    contexts: deps.contexts,
    ...(deps.subscriptions ? { subscriptions: deps.subscriptions } : {}),
    vocabulary: names,
    onChange: (tenant, id, entry) => engine.ruleChanged(tenant, id, entry),
    onError,
  });
  const engine = new AlertEngine({
    store: deps.store,
    entities: deps.entities,
    rules,
    core: () => {
      if (core === undefined) throw new Error('the alerts module is not started');
      return core;
    },
    vocabulary: names,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.tickMs !== undefined ? { tickMs: deps.tickMs } : {}),
    onError,
    whenReady: resolveNames,
  });
  return {
    rules,
    engine,
    observe: (change) => engine.observe(change),
    start: async () => {
      await resolveNames();
      for (const tenant of await deps.store.listTenants()) await engine.loadTenant(tenant);
      engine.start();
    },
    stop: () => engine.stop(),
  };
}
