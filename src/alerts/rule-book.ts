/**
 * The alert rules of every tenant: created, replaced and deleted as AlertRule entities through the
 * EntityService, and mirrored in memory (loaded lazily, the first time a tenant is needed) so that
 * the engine picks the rules of a change without reading the store. A rule with `notify` owns one
 * NGSI-LD subscription on its Alerts, so delivery, retries and the SSRF guard are the notifier's.
 *
 * The mirror also follows the change stream (`refresh`): a rule written by another replica, or
 * directly through the NGSI-LD API, is re-read when its entity changes.
 */
import { createHash } from 'node:crypto';
import { alreadyExists, badRequest, isNgsiError, notFound } from '../core/errors.js';
import type { Entity } from '../core/model/entity.js';
import { parseSubscription } from '../core/subscription/parse-subscription.js';
import type { EntityService } from '../context/entities/entity-service.js';
import { systemScope, type Scope } from '../context/scope.js';
import type { SubscriptionService } from '../context/subscriptions/subscription-service.js';
import type { Store } from '../store/port.js';
import { parseRule, ruleContext, type AlertRule } from './rule.js';
import { documentOf, ruleEntity } from './rule-entity.js';
import { RULE_PREFIX, type AlertVocabulary } from './vocabulary.js';
import type { TermMapper } from '../core/jsonld/terms.js';

/** A rule, the document it was written as, and when. */
export interface RuleEntry {
  rule: AlertRule;
  raw: Record<string, unknown>;
  createdAt?: string;
  modifiedAt?: string;
}

/** Most rules one tenant may hold: each is evaluated on every change in its scope. */
export const MAX_RULES_PER_TENANT = 1000;

export interface RuleBookDeps {
  entities: Pick<EntityService, 'create' | 'replace' | 'delete'>;
  store: Pick<Store, 'getEntity' | 'queryEntities' | 'capabilities'>;
  contexts: { resolve(raw: unknown): Promise<TermMapper> };
  /** Absent: rules with `notify` are refused (no notifier in this process). */
  subscriptions?: Pick<SubscriptionService, 'create' | 'delete'>;
  vocabulary: () => AlertVocabulary;
  /** Told after a rule of a tenant changed (undefined: deleted). */
  onChange?: (tenant: string, id: string, entry: RuleEntry | undefined) => void;
  onError?: (error: unknown, where: string) => void;
}

export class RuleBook {
  private readonly deps: RuleBookDeps;
  private readonly byTenant = new Map<string, Map<string, RuleEntry>>();
  private readonly loading = new Map<string, Promise<Map<string, RuleEntry>>>();

  constructor(deps: RuleBookDeps) {
    this.deps = deps;
  }

  /** The tenant's rules if loaded (synchronous: evaluation uses it). */
  loaded(tenant: string): Map<string, RuleEntry> | undefined {
    return this.byTenant.get(tenant);
  }

  /** The tenant's rules, loaded from the store the first time. */
  ensure(tenant: string): Promise<Map<string, RuleEntry>> {
    const have = this.byTenant.get(tenant);
    if (have !== undefined) return Promise.resolve(have);
    let pending = this.loading.get(tenant);
    if (pending === undefined) {
      pending = this.load(tenant).finally(() => this.loading.delete(tenant));
      this.loading.set(tenant, pending);
    }
    return pending;
  }

  async list(tenant: string): Promise<RuleEntry[]> {
    return [...(await this.ensure(tenant)).values()].sort((a, b) => a.rule.id.localeCompare(b.rule.id));
  }

  async get(tenant: string, id: string): Promise<RuleEntry | undefined> {
    return (await this.ensure(tenant)).get(id);
  }

  /**
   * Create (`mode` create: 409 when it exists) or create-or-replace (`put`) a rule from its document.
   * The notify subscription is made before the rule is stored, so an endpoint the SSRF guard refuses
   * fails the request and changes nothing.
   */
  async put(
    scope: Scope,
    raw: unknown,
    mode: 'create' | 'put',
  ): Promise<{ entry: RuleEntry; created: boolean }> {
    const mapper = await this.deps.contexts.resolve(ruleContext(raw));
    const rule = parseRule(raw, mapper);
    const doc = raw as Record<string, unknown>;
    const rules = await this.ensure(scope.tenant);
    const before = rules.get(rule.id);
    if (before !== undefined && mode === 'create')
      throw alreadyExists(`alert rule ${rule.id} already exists`);
    if (before === undefined && rules.size >= MAX_RULES_PER_TENANT)
      throw badRequest(`a tenant may hold at most ${MAX_RULES_PER_TENANT} alert rules`);
    const newSub = rule.notify === undefined ? undefined : subscriptionId(rule);
    const oldSub = before?.rule.notify === undefined ? undefined : subscriptionId(before.rule);
    if (newSub !== undefined && newSub !== oldSub) await this.subscribe(scope.tenant, rule, newSub);
    const entity = ruleEntity(this.deps.vocabulary(), rule, doc);
    try {
      if (before === undefined) await this.deps.entities.create(scope, entity);
      else await this.deps.entities.replace(scope, entity.id, entity);
    } catch (e) {
      if (newSub !== undefined && newSub !== oldSub) await this.unsubscribe(scope.tenant, newSub);
      throw e;
    }
    if (oldSub !== undefined && oldSub !== newSub) await this.unsubscribe(scope.tenant, oldSub);
    const stored = await this.deps.store.getEntity(scope.tenant, entity.id);
    const entry = entryOf(rule, doc, stored);
    this.set(scope.tenant, rule.id, entry);
    return { entry, created: before === undefined };
  }

  /** Delete a rule and its subscription; ResourceNotFound when unknown. */
  async delete(scope: Scope, id: string): Promise<void> {
    const before = (await this.ensure(scope.tenant)).get(id);
    if (before === undefined) throw notFound(`alert rule ${id} not found`);
    await this.deps.entities.delete(scope, `${RULE_PREFIX}${id}`);
    if (before.rule.notify !== undefined) await this.unsubscribe(scope.tenant, subscriptionId(before.rule));
    this.set(scope.tenant, id, undefined);
  }

  /**
   * Follow a change of an AlertRule entity seen on the change stream (another replica, the NGSI-LD
   * API): re-read it into the mirror. Nothing to do for a tenant not loaded yet.
   */
  async refresh(tenant: string, entityId: string, after: Entity | undefined): Promise<void> {
    const rules = this.byTenant.get(tenant);
    if (rules === undefined) return;
    const id = entityId.slice(RULE_PREFIX.length);
    const entry = after === undefined ? undefined : await this.read(after);
    const known = rules.get(id);
    if (entry === undefined ? known === undefined : JSON.stringify(known?.raw) === JSON.stringify(entry.raw))
      return;
    this.set(tenant, id, entry);
  }

  private set(tenant: string, id: string, entry: RuleEntry | undefined): void {
    const rules = this.byTenant.get(tenant);
    if (rules === undefined) return;
    if (entry === undefined) rules.delete(id);
    else rules.set(id, entry);
    this.deps.onChange?.(tenant, id, entry);
  }

  private async load(tenant: string): Promise<Map<string, RuleEntry>> {
    const v = this.deps.vocabulary();
    const rules = new Map<string, RuleEntry>();
    const limit = Math.min(this.deps.store.capabilities.maxLimit, 1000);
    for (let offset = 0; ; offset += limit) {
      const { entities } = await this.deps.store.queryEntities(tenant, {
        type: { kind: 'type', name: v.AlertRule },
        orderBy: [{ key: 'id', descending: false }],
        limit,
        offset,
        count: false,
      });
      for (const e of entities) {
        const entry = await this.read(e);
        if (entry !== undefined) rules.set(entry.rule.id, entry);
      }
      if (entities.length < limit) break;
    }
    // Whoever finished loading first wins; a rule written meanwhile went through `set` on that map.
    const raced = this.byTenant.get(tenant);
    if (raced !== undefined) return raced;
    this.byTenant.set(tenant, rules);
    return rules;
  }

  /** The rule an entity holds; a damaged one is reported and skipped (it cannot be evaluated). */
  private async read(entity: Entity): Promise<RuleEntry | undefined> {
    const doc = documentOf(this.deps.vocabulary(), entity);
    try {
      if (doc === undefined) throw badRequest('the entity holds no rule document');
      const rule = parseRule(doc, await this.deps.contexts.resolve(ruleContext(doc)));
      if (`${RULE_PREFIX}${rule.id}` !== entity.id) throw badRequest(`the document names rule ${rule.id}`);
      return entryOf(rule, doc, entity);
    } catch (e) {
      this.deps.onError?.(e, `alert rule ${entity.id}`);
      return undefined;
    }
  }

  private async subscribe(tenant: string, rule: AlertRule, id: string): Promise<void> {
    const subscriptions = this.deps.subscriptions;
    if (subscriptions === undefined) throw badRequest('rule.notify: notifications are not available here');
    const v = this.deps.vocabulary();
    const endpoint = (rule.notify as { endpoint: string }).endpoint;
    // Compact names with the core context: Alert, rule and status expand as the Alert entities' do.
    const core = await this.deps.contexts.resolve(undefined);
    const sub = parseSubscription(
      {
        id,
        type: 'Subscription',
        description: `Alerts of rule ${rule.id}`,
        entities: [{ type: core.compactIri(v.Alert) }],
        q: `${core.compactIri(v.rule)}==${JSON.stringify(`${RULE_PREFIX}${rule.id}`)}`,
        // Raised (status created), acknowledged and cleared (status updated).
        watchedAttributes: [core.compactIri(v.status)],
        notification: { endpoint: { uri: endpoint, accept: 'application/json' } },
      },
      core,
      { now: new Date().toISOString() },
    );
    try {
      await subscriptions.create(systemScope(tenant), sub);
    } catch (e) {
      if (isNgsiError(e) && e.kind === 'AlreadyExists') return; // made by an earlier attempt: same endpoint
      if (isNgsiError(e) && e.status === 400) throw badRequest(`rule.notify.endpoint: ${e.detail}`);
      throw e;
    }
  }

  private async unsubscribe(tenant: string, id: string): Promise<void> {
    try {
      await this.deps.subscriptions?.delete(systemScope(tenant), id);
    } catch (e) {
      if (!isNgsiError(e) || e.kind !== 'ResourceNotFound')
        this.deps.onError?.(e, `alert rule subscription ${id}`);
    }
  }
}

/** One subscription per rule and endpoint: replacing a rule with the same endpoint keeps it. */
export function subscriptionId(rule: AlertRule): string {
  const endpoint = rule.notify?.endpoint ?? '';
  const hash = createHash('sha256').update(endpoint).digest('hex').slice(0, 12);
  return `urn:ngsi-ld:Subscription:AlertRule:${rule.id}:${hash}`;
}

function entryOf(rule: AlertRule, raw: Record<string, unknown>, stored: Entity | undefined): RuleEntry {
  return {
    rule,
    raw,
    ...(stored?.createdAt !== undefined ? { createdAt: stored.createdAt } : {}),
    ...(stored?.modifiedAt !== undefined ? { modifiedAt: stored.modifiedAt } : {}),
  };
}
