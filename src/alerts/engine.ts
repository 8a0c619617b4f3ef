/**
 * The alert engine: evaluates every tenant's rules on the change stream and keeps Alert entities in
 * step with the episodes it sees. `observe` is the store reactor's hook — synchronous, no I/O, never
 * throws: it queues the change, and the queue is worked after the commit (setImmediate). For each
 * change the pure evaluator (evaluator.ts) decides, in the order changes were committed, whether an
 * episode fires or clears; only then is anything written, through the EntityService.
 *
 * No duplicates: the decision for one (tenant, rule, source) is taken by one state machine in memory,
 * one change after another, and its writes (and acknowledgements and manual clears of its alerts) run
 * one after another on a chain per (tenant, rule, source). The alert's id is derived from the firing
 * (alert-entity.ts), so a firing decided twice fails its second create with AlreadyExists.
 *
 * On start, and the first time a tenant is seen, the engine loads its rules, its districts and its
 * open alerts (status ≠ cleared): an episode open before a restart stays open and clears as usual.
 * noData deadlines are in memory and checked by one unref'd timer (default every 10 s).
 */
import { isNgsiError, NgsiError, notFound } from '../core/errors.js';
import type { TermMapper } from '../core/jsonld/terms.js';
import { NGSI, type Attribute, type Entity } from '../core/model/entity.js';
import type { EntityQuery } from '../core/query/ast.js';
import type { EntityService } from '../context/entities/entity-service.js';
import { systemScope, type Scope } from '../context/scope.js';
import type { Change, Store } from '../store/port.js';
import {
  acknowledgement,
  alertIdOf,
  alertView,
  clearance,
  episodeOf,
  newAlertEntity,
  statusOf,
  type AlertStatus,
  type AlertView,
} from './alert-entity.js';
import { DistrictIndex } from './districts.js';
import { IDLE, step, type EvalState, type Transition } from './evaluator.js';
import type { RuleBook, RuleEntry } from './rule-book.js';
import { DISTRICT_PREFIX, type AlertRule } from './rule.js';
import { unclearedAlerts, queryAll, silenceCandidates, statusIn } from './loading.js';
import { inScope, sampleOf } from './sampling.js';
import { ALERT_PREFIX, RULE_PREFIX, type AlertVocabulary } from './vocabulary.js';

/** Who cleared an alert when no person did. */
export const RULE_DELETED = 'urbis:rule-deleted';
export const SOURCE_DELETED = 'urbis:source-deleted';

/** One (tenant, rule, source): the evaluator's state and the open alert, if any. */
interface Episode {
  tenant: string;
  ruleId: string;
  sourceId: string;
  state: EvalState;
  /** The open alert (active or acknowledged); absent when none (or cleared by hand). */
  alertId?: string;
  /** The source's last known location, copied into alerts raised by the timer (noData). */
  location?: Attribute;
}

export interface AlertEngineDeps {
  store: Pick<Store, 'queryEntities' | 'getEntity' | 'capabilities'>;
  entities: Pick<EntityService, 'create' | 'appendAttrs' | 'retrieve' | 'query'>;
  rules: RuleBook;
  /** The core @context (Alert names expand with it). */
  core: () => TermMapper;
  vocabulary: () => AlertVocabulary;
  districts?: DistrictIndex;
  /** Clock in epoch ms (noData deadlines, acknowledgement times); default Date.now. */
  now?: () => number;
  /** How often noData deadlines are checked; default 10 s; 0: only by `tick()`. */
  tickMs?: number;
  onError?: (error: unknown, where: string) => void;
  /** Awaited before any change is evaluated or tenant loaded (the vocabulary is resolved by then). */
  whenReady?: () => Promise<void>;
}

/** Counters for metrics and tests; they only grow. */
export interface AlertStats {
  raised: number;
  cleared: number;
  /** Firings whose alert existed already (a redelivery, another replica). */
  duplicates: number;
}

/** A page of alerts, newest first. */
export interface AlertPage {
  items: AlertView[];
  count: number;
}

export class AlertEngine {
  readonly stats: AlertStats = { raised: 0, cleared: 0, duplicates: 0 };
  readonly districts: DistrictIndex;
  private readonly deps: AlertEngineDeps;
  private readonly now: () => number;
  private readonly onError: (error: unknown, where: string) => void;
  private readonly episodes = new Map<string, Episode>();
  private readonly tenants = new Map<string, Promise<void>>();
  private readonly ready = new Set<string>();
  private queue: Change[] = [];
  private draining: Promise<void> | undefined;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly background = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: AlertEngineDeps) {
    this.deps = deps;
    this.districts = deps.districts ?? new DistrictIndex();
    this.now = deps.now ?? Date.now;
    this.onError = deps.onError ?? (() => undefined);
  }

  /** Start the noData timer. Tenants load lazily, on their first change or request. */
  start(): void {
    const every = this.deps.tickMs ?? 10_000;
    if (every <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /** Resolves when no queued change, alert write or rule reload is left (tests; shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const work = [...(this.draining ? [this.draining] : []), ...this.chains.values(), ...this.background];
      if (work.length === 0) return;
      await Promise.allSettled(work);
    }
  }

  /** Load a tenant's rules, districts and open alerts (once; later calls share it). */
  loadTenant(tenant: string): Promise<void> {
    let loading = this.tenants.get(tenant);
    if (loading === undefined) {
      loading = this.load(tenant).then(
        () => void this.ready.add(tenant),
        (e: unknown) => {
          this.tenants.delete(tenant); // tried again on the next change
          throw e;
        },
      );
      this.tenants.set(tenant, loading);
    }
    return loading;
  }

  // ── the change stream ──────────────────────────────────────────────────────────────────────────

  /** Store reactor hook: synchronous, no I/O, never throws. The change is evaluated after the commit. */
  observe(change: Change): void {
    try {
      this.queue.push(change);
      this.draining ??= this.drain();
    } catch (e) {
      this.onError(e, 'alert observe');
    }
  }

  private async drain(): Promise<void> {
    // The reactor runs inside the write transaction: go on once it is over.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await this.deps.whenReady?.();
    } catch (e) {
      // Never started: nothing can be evaluated, and retrying each change would only repeat this.
      this.onError(e, 'alert evaluation');
      this.queue = [];
      this.draining = undefined;
      return;
    }
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        for (const change of batch) {
          try {
            if (!this.ready.has(change.tenant)) await this.loadTenant(change.tenant);
            this.process(change);
          } catch (e) {
            this.onError(e, 'alert evaluation');
          }
        }
      }
    } finally {
      this.draining = undefined;
      // Defensive: were the loop ever left with changes queued, they would otherwise wait for the next one.
      if (this.queue.length > 0) this.draining = this.drain();
    }
  }

  /** Evaluate one committed change (synchronous: decisions are taken in commit order). */
  private process(change: Change): void {
    const { tenant, id } = change;
    if (id.startsWith(RULE_PREFIX)) {
      this.track(this.deps.rules.refresh(tenant, id, change.after), 'alert rule reload');
      return;
    }
    if (id.startsWith(ALERT_PREFIX)) return this.followAlert(tenant, change);
    if (id.startsWith(DISTRICT_PREFIX)) this.districts.update(tenant, id, change.after);
    const rules = this.deps.rules.loaded(tenant);
    if (rules === undefined || rules.size === 0) return;
    const subject = change.after ?? change.before;
    if (subject === undefined) return;
    for (const { rule } of rules.values()) {
      if (!rule.enabled) continue;
      const key = keyOf(tenant, rule.id, id);
      if (change.after === undefined) {
        this.forget(key, SOURCE_DELETED);
        continue;
      }
      if (!inScope(rule, tenant, change.after, this.districts)) {
        // Moved out of the district, say: an open alert stays until its condition clears or a person clears it.
        continue;
      }
      const sample = sampleOf(rule, change);
      if (sample === undefined) continue;
      const ep = this.episode(key, tenant, rule.id, id);
      const location = change.after.attrs[NGSI.location]?.[0];
      if (location !== undefined) ep.location = location;
      const r = step(rule.condition, ep.state, sample);
      ep.state = r.state;
      if (r.transition) this.apply(key, ep, rule, change.after, r.transition);
    }
  }

  /** An Alert entity changed: one cleared by hand (any way, any replica seen here) is no longer open. */
  private followAlert(tenant: string, change: Change): void {
    const after = change.after;
    if (after !== undefined && statusOf(this.deps.vocabulary(), after) !== 'cleared') return;
    const episode = episodeOf(this.deps.vocabulary(), (after ?? change.before) as Entity);
    if (episode === undefined) return;
    const ep = this.episodes.get(keyOf(tenant, episode.ruleId, episode.sourceId));
    if (ep?.alertId === change.id) delete ep.alertId;
  }

  /** Check noData deadlines now (the timer calls it; tests call it with their clock). */
  tick(): void {
    const at = this.now();
    for (const [key, ep] of this.episodes) {
      const rule = this.deps.rules.loaded(ep.tenant)?.get(ep.ruleId)?.rule;
      if (rule === undefined || !rule.enabled || rule.condition.kind !== 'noData') continue;
      const r = step(rule.condition, ep.state, { kind: 'tick', at });
      ep.state = r.state;
      if (r.transition) this.track(this.confirmSilence(key, ep, rule, r.transition), 'alert noData');
    }
  }

  /**
   * Before a silence becomes an alert, one read of the entity confirms it: a write this process did
   * not see (another replica committed it) moves the deadline instead. One read per deadline, not polling.
   */
  private async confirmSilence(key: string, ep: Episode, rule: AlertRule, fired: Transition): Promise<void> {
    const marked = ep.state;
    const current = await this.deps.store.getEntity(ep.tenant, ep.sourceId);
    if (ep.state !== marked || this.episodes.get(key) !== ep) return; // a change came meanwhile: it decides
    if (current === undefined) {
      this.episodes.delete(key);
      return;
    }
    const modified = Date.parse(current.modifiedAt ?? '');
    if (Number.isFinite(modified) && modified > (marked.lastAt ?? Number.NEGATIVE_INFINITY)) {
      ep.state = { active: false, lastAt: modified };
      return;
    }
    this.apply(key, ep, rule, current, fired);
  }

  /** A rule was created, replaced or deleted: its episodes start over (open alerts of a deleted rule clear). */
  ruleChanged(tenant: string, ruleId: string, entry: RuleEntry | undefined): void {
    for (const [key, ep] of this.episodes) {
      if (ep.tenant !== tenant || ep.ruleId !== ruleId) continue;
      if (entry === undefined) this.forget(key, RULE_DELETED);
      // An open alert stays open and clears under the new condition; the rest starts afresh.
      else if (ep.alertId === undefined) this.episodes.delete(key);
    }
    if (entry !== undefined && this.ready.has(tenant))
      this.track(this.seedSilence(tenant, entry.rule), 'alert rule load');
  }

  // ── writes ─────────────────────────────────────────────────────────────────────────────────────

  private apply(key: string, ep: Episode, rule: AlertRule, source: Entity | undefined, t: Transition): void {
    const tenant = ep.tenant;
    if (t.to === 'fire') {
      const subject: Entity = source ?? {
        id: ep.sourceId,
        type: [],
        attrs: ep.location !== undefined ? { [NGSI.location]: [ep.location] } : {},
      };
      const attribute =
        rule.condition.kind === 'threshold' || rule.condition.kind === 'rateOfChange'
          ? this.deps.core().compactIri(rule.condition.attribute)
          : undefined;
      const alert = newAlertEntity(this.deps.vocabulary(), rule, subject, t, attribute);
      ep.alertId = alertIdOf(rule.id, ep.sourceId, t.at);
      this.schedule(key, async () => {
        try {
          await this.deps.entities.create(systemScope(tenant), alert);
          this.stats.raised++;
        } catch (e) {
          if (!isNgsiError(e) || e.kind !== 'AlreadyExists') throw e;
          this.stats.duplicates++;
        }
      });
      return;
    }
    const id = ep.alertId;
    if (id === undefined) return; // cleared by hand while the condition held: nothing is open
    delete ep.alertId;
    this.schedule(key, () => this.close(tenant, id, t.at));
  }

  /** Drop an episode; its open alert clears, saying why. */
  private forget(key: string, by: string): void {
    const ep = this.episodes.get(key);
    if (ep === undefined) return;
    this.episodes.delete(key);
    const id = ep.alertId;
    if (id !== undefined) this.schedule(key, () => this.close(ep.tenant, id, this.now(), by));
  }

  /** Write `cleared` unless the alert is cleared already. */
  private async close(tenant: string, id: string, at: number, by?: string): Promise<void> {
    const current = await this.deps.store.getEntity(tenant, id);
    if (current === undefined || statusOf(this.deps.vocabulary(), current) === 'cleared') return;
    await this.deps.entities.appendAttrs(
      systemScope(tenant),
      id,
      clearance(this.deps.vocabulary(), new Date(at).toISOString(), by),
      false,
    );
    this.stats.cleared++;
  }

  // ── people: acknowledge, clear, list ───────────────────────────────────────────────────────────

  /**
   * Acknowledge an active alert (idempotent for an acknowledged one). ResourceNotFound when the
   * caller cannot see it; 409 when it is cleared already.
   */
  acknowledge(scope: Scope, alertId: string, by: string): Promise<AlertView> {
    return this.byHand(scope, alertId, async (status) => {
      if (status === 'cleared') throw conflict(`alert ${alertId} is cleared`);
      if (status === 'active') {
        const at = new Date(this.now()).toISOString();
        await this.deps.entities.appendAttrs(
          scope,
          alertId,
          acknowledgement(this.deps.vocabulary(), by, at),
          false,
        );
      }
    });
  }

  /**
   * Clear an alert by hand (idempotent for a cleared one). While the condition still holds no new
   * alert is raised: the next episode begins once the condition has cleared.
   */
  clear(scope: Scope, alertId: string, by: string): Promise<AlertView> {
    return this.byHand(scope, alertId, async (status, key) => {
      if (status === 'cleared') return;
      const at = new Date(this.now()).toISOString();
      await this.deps.entities.appendAttrs(scope, alertId, clearance(this.deps.vocabulary(), at, by), false);
      this.stats.cleared++;
      const ep = this.episodes.get(key);
      if (ep?.alertId === alertId) delete ep.alertId;
    });
  }

  /** Alerts of the tenant the caller may read, newest first, with the given statuses (all when empty). */
  async list(
    scope: Scope,
    options: { statuses: AlertStatus[]; limit: number; offset: number },
  ): Promise<AlertPage> {
    const v = this.deps.vocabulary();
    const query: EntityQuery = {
      type: { kind: 'type', name: v.Alert },
      ...(options.statuses.length > 0 ? { q: statusIn(v.status, options.statuses) } : {}),
      orderBy: [
        { key: 'createdAt', descending: true },
        { key: 'id', descending: true },
      ],
      limit: options.limit,
      offset: options.offset,
      count: true,
    };
    let found: { entities: Entity[]; count?: number };
    try {
      found = await this.deps.entities.query(scope, query);
    } catch (e) {
      // A tenant nobody wrote to yet has no alerts (rather than 404, which would alarm a dashboard).
      if (isNgsiError(e) && e.kind === 'NonexistentTenant') return { items: [], count: 0 };
      throw e;
    }
    const { entities, count } = found;
    const items = entities.map((e) => alertView(v, e)).filter((x) => x !== undefined);
    return { items, count: count ?? items.length };
  }

  /** One alert as the caller may see it; ResourceNotFound otherwise. */
  async get(scope: Scope, alertId: string): Promise<AlertView> {
    const view = alertView(this.deps.vocabulary(), await this.deps.entities.retrieve(scope, alertId));
    if (view === undefined) throw notFound(`alert ${alertId} not found`);
    return view;
  }

  /** Run a person's change of an alert on its episode's chain, after the engine's own writes. */
  private async byHand(
    scope: Scope,
    alertId: string,
    change: (status: AlertStatus, key: string) => Promise<void>,
  ): Promise<AlertView> {
    const v = this.deps.vocabulary();
    if (!alertId.startsWith(ALERT_PREFIX)) throw notFound(`alert ${alertId} not found`);
    const found = await this.deps.entities.retrieve(scope, alertId);
    const episode = episodeOf(v, found);
    if (episode === undefined) throw notFound(`alert ${alertId} not found`);
    const key = keyOf(scope.tenant, episode.ruleId, episode.sourceId);
    return this.chain(key, async () => {
      const status = statusOf(v, await this.deps.entities.retrieve(scope, alertId));
      if (status === undefined) throw notFound(`alert ${alertId} not found`);
      await change(status, key);
      return this.get(scope, alertId);
    });
  }

  // ── loading ────────────────────────────────────────────────────────────────────────────────────

  private async load(tenant: string): Promise<void> {
    await this.deps.whenReady?.();
    const v = this.deps.vocabulary();
    const store = this.deps.store;
    const rules = await this.deps.rules.ensure(tenant);
    this.districts.load(tenant, await queryAll(store, tenant, { idPattern: `^${DISTRICT_PREFIX}` }));
    for (const alert of await unclearedAlerts(store, v, tenant)) {
      const episode = episodeOf(v, alert);
      if (episode === undefined || !rules.has(episode.ruleId)) continue;
      const key = keyOf(tenant, episode.ruleId, episode.sourceId);
      if (this.episodes.has(key)) continue; // seen live while loading: newer than the store's
      const location = alert.attrs[v.location]?.[0];
      this.episodes.set(key, {
        tenant,
        ruleId: episode.ruleId,
        sourceId: episode.sourceId,
        state: { active: true },
        alertId: alert.id,
        ...(location !== undefined ? { location } : {}),
      });
    }
    for (const { rule } of rules.values()) await this.seedSilence(tenant, rule);
  }

  /**
   * A noData rule must also notice entities that never write again: start their wait from their
   * last modification, read once when the rule or the tenant is loaded (not polled).
   */
  private async seedSilence(tenant: string, rule: AlertRule): Promise<void> {
    if (rule.condition.kind !== 'noData' || !rule.enabled) return;
    for (const entity of await silenceCandidates(this.deps.store, tenant, rule)) {
      if (!inScope(rule, tenant, entity, this.districts)) continue;
      const lastAt = Date.parse(entity.modifiedAt ?? '');
      const key = keyOf(tenant, rule.id, entity.id);
      if (!Number.isFinite(lastAt) || this.episodes.has(key)) continue;
      const location = entity.attrs[NGSI.location]?.[0];
      this.episodes.set(key, {
        tenant,
        ruleId: rule.id,
        sourceId: entity.id,
        state: { active: false, lastAt },
        ...(location !== undefined ? { location } : {}),
      });
    }
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────

  private episode(key: string, tenant: string, ruleId: string, sourceId: string): Episode {
    let ep = this.episodes.get(key);
    if (ep === undefined) this.episodes.set(key, (ep = { tenant, ruleId, sourceId, state: IDLE }));
    return ep;
  }

  /** Run `work` after the key's earlier work; its outcome is the caller's, the chain goes on regardless. */
  private chain<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return run;
  }

  /** Chained work nobody awaits: failures are reported. */
  private schedule(key: string, work: () => Promise<void>): void {
    this.chain(key, work).catch((e: unknown) => this.onError(e, 'alert write'));
  }

  private track(work: Promise<unknown>, where: string): void {
    const tracked = work.catch((e: unknown) => this.onError(e, where));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }
}

function keyOf(tenant: string, ruleId: string, sourceId: string): string {
  return `${tenant}\u0000${ruleId}\u0000${sourceId}`;
}

function conflict(detail: string): NgsiError {
  return new NgsiError('InvalidRequest', detail, { status: 409 });
}
