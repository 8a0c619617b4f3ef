/**
 * The subscription use cases (clause 5.8): create, retrieve, query, update and delete subscriptions,
 * kept in the SubscriptionRepository and mirrored in an in-memory matching index. The service is
 * also
 * - the store's Reactor (`react`): inside each write transaction it turns a change into the notices
 *   of the subscriptions it concerns, which the store writes to the outbox in that transaction;
 * - the notifier's NotificationSource: subscriptions from memory, notifications rendered with the
 *   subscription's @context;
 * - the owner of the periodic (timeInterval) scheduler.
 * Notification endpoints are vetted by the injected EndpointPolicy (the SSRF guard) on create and on
 * every change of the URI. Knows nothing of HTTP.
 */
import { NgsiError, alreadyExists, notFound } from '../../core/errors.js';
import { CORE_CONTEXT_URL } from '../../core/jsonld/core-context-v1-8.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { matchChange } from '../../core/subscription/match-change.js';
import type {
  NoticePayload,
  Subscription,
  SubscriptionOwner,
  SubscriptionRecord,
} from '../../core/subscription/model.js';
import type { Access } from '../../governance/policy/access.js';
import { renderNotification } from '../../core/subscription/render-notification.js';
import { DEFAULT_TENANT, type Change, type Notice, type Store } from '../../store/port.js';
import type { EndpointPolicy, NotificationSource, RenderedNotification } from '../notify/contracts.js';
import type { Scope } from '../scope.js';
import type { DeliveryGate } from '../cluster/delivery-gate.js';
import { PeriodicNotifier, type PeriodicOptions } from './periodic.js';
import { SubscriptionIndex } from './subscription-index.js';

/** Resolves a @context value (URL, list, object) to a term mapper; the ContextResolver fits. */
export interface ContextResolution {
  resolve(raw: unknown): Promise<TermMapper>;
}

/** What the service is built from. */
export interface SubscriptionServiceDeps {
  store: Store;
  /** Resolves subscriptions' @contexts, to check them on create and to compact notifications. */
  contexts: ContextResolution;
  /** Vets notification endpoints (SSRF guard); throws NgsiError BadRequestData to refuse one. */
  endpointPolicy: EndpointPolicy;
  /** The current instant, ISO (tests fix it). */
  now?: () => string;
  /** Options of the periodic scheduler. */
  periodic?: PeriodicOptions;
  /** Told of failures that must not fail a write (a subscription that cannot be evaluated, a periodic round). */
  onError?: (error: unknown, context: { tenant: string; subscriptionId: string; during: string }) => void;
  /**
   * What a subscription's owner may read now (synchronous: it runs inside write transactions).
   * Absent: subscriptions notify without restriction.
   */
  ownerAccess?: (tenant: string, owner: SubscriptionOwner) => Access;
  /**
   * Told after a subscription was stored or deleted, so other replicas reload it (cluster/
   * subscription-sync.ts). Absent with one process.
   */
  announce?: (key: { tenant: string; id: string }) => void;
  /** With replicas: whether this replica sends a periodic subscription's notifications (its deliverer). */
  deliveryGate?: Pick<DeliveryGate, 'mayDeliver'>;
}

/** The Link header naming a context URL (clause 6.3.5). */
function linkHeader(url: string): string {
  return `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
}

export class SubscriptionService implements NotificationSource {
  private readonly store: Store;
  private readonly contexts: ContextResolution;
  private readonly policy: EndpointPolicy;
  private readonly now: () => string;
  private readonly index = new SubscriptionIndex();
  private readonly periodic: PeriodicNotifier;
  private readonly onError: NonNullable<SubscriptionServiceDeps['onError']>;
  private readonly ownerAccess: SubscriptionServiceDeps['ownerAccess'];
  private readonly announce: NonNullable<SubscriptionServiceDeps['announce']>;
  /** Counters for tests and metrics: subscriptions evaluated against changes, notices produced. */
  readonly stats = { evaluations: 0, notices: 0 };

  constructor(deps: SubscriptionServiceDeps) {
    this.store = deps.store;
    this.contexts = deps.contexts;
    this.policy = deps.endpointPolicy;
    this.now = deps.now ?? (() => new Date().toISOString());
    this.onError = deps.onError ?? (() => undefined);
    this.ownerAccess = deps.ownerAccess;
    this.announce = deps.announce ?? (() => undefined);
    this.periodic = new PeriodicNotifier({
      ...(deps.deliveryGate ? { gate: deps.deliveryGate } : {}),
      ownerAccess: (tenant, sub) => this.accessOf(tenant, sub),
      store: deps.store,
      lookup: (tenant, id) => this.index.get(tenant, id),
      clock: () => Date.parse(this.now()),
      onError: (error, tenant, subscriptionId) =>
        this.onError(error, { tenant, subscriptionId, during: 'periodic' }),
      ...(deps.periodic ? { options: deps.periodic } : {}),
    });
  }

  /** Load every stored subscription into memory and start the periodic scheduler. */
  async start(): Promise<void> {
    for (const { tenant, subscription } of await this.store.subscriptions.all()) {
      this.index.put(tenant, subscription);
      this.periodic.schedule(tenant, subscription);
    }
    this.periodic.start();
  }

  /** Stop the periodic scheduler (waits for a round in progress). */
  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  /**
   * Reload one subscription from the store into memory, or forget it when it is gone: another
   * replica created, changed or deleted it (cluster/subscription-sync.ts).
   */
  async refresh(key: { tenant: string; id: string }): Promise<void> {
    const record = await this.store.subscriptions.get(key.tenant, key.id);
    if (record === undefined) {
      this.index.remove(key.tenant, key.id);
      this.periodic.unschedule(key.tenant, key.id);
      return;
    }
    this.index.put(key.tenant, record.subscription);
    this.periodic.schedule(key.tenant, record.subscription);
  }

  /** The periodic scheduler (tests drive its rounds). */
  get scheduler(): PeriodicNotifier {
    return this.periodic;
  }

  /** Reads, updates and deletes address an existing tenant (clause 6.3.14: NonexistentTenant). */
  async requireTenant(tenant: string): Promise<void> {
    if (!(await this.store.tenantExists(tenant))) {
      throw new NgsiError('NonexistentTenant', `tenant ${JSON.stringify(tenant)} does not exist`);
    }
  }

  /**
   * Create (5.8.1): 409 when the id is taken. The tenant springs into being with it. The caller
   * becomes the owner: notifications will carry only what it may read.
   */
  async create(scope: Scope, given: Subscription): Promise<void> {
    const tenant = scope.tenant;
    const principal = scope.access?.principal;
    const sub: Subscription =
      principal === undefined
        ? given
        : {
            ...given,
            owner: {
              principal: principal.id,
              tenant: principal.tenant,
              roles: [...principal.roles],
              via: principal.via,
            },
          };
    await this.policy.vet(sub.notification.endpoint.uri);
    await this.contexts.resolve(sub.jsonldContext);
    // Check and reserve with no await in between, so that two creates of one id cannot both pass.
    if (this.index.get(tenant, sub.id) !== undefined) {
      throw alreadyExists(`subscription ${sub.id} already exists`);
    }
    this.index.put(tenant, sub);
    try {
      if ((await this.store.subscriptions.get(tenant, sub.id)) !== undefined) {
        throw alreadyExists(`subscription ${sub.id} already exists`);
      }
      await this.store.subscriptions.put(tenant, sub);
    } catch (error) {
      this.index.remove(tenant, sub.id);
      throw error;
    }
    this.periodic.schedule(tenant, sub);
    this.announce({ tenant, id: sub.id });
  }

  /** Retrieve (5.8.3). */
  async retrieve(scope: Scope, id: string): Promise<SubscriptionRecord> {
    await this.requireTenant(scope.tenant);
    const record = await this.store.subscriptions.get(scope.tenant, id);
    if (record === undefined || !ownedBy(scope, record.subscription))
      throw notFound(`subscription ${id} not found`);
    return record;
  }

  /** Query (5.8.4): a page of the tenant's subscriptions, ordered by id, and their total. */
  async list(
    scope: Scope,
    limit: number,
    offset: number,
  ): Promise<{ items: SubscriptionRecord[]; count: number }> {
    await this.requireTenant(scope.tenant);
    if (seesAll(scope)) return this.store.subscriptions.list(scope.tenant, limit, offset);
    // Only the caller's own: filtered before paging so that the page and the count are exact.
    const all = await this.store.subscriptions.list(scope.tenant, Number.MAX_SAFE_INTEGER, 0);
    const own = all.items.filter((r) => ownedBy(scope, r.subscription));
    return { items: own.slice(offset, offset + limit), count: own.length };
  }

  /**
   * Give a principal's subscriptions (in every tenant) the roles it has now: when an administrator
   * changes its roles or disables it (roles []), its notifications follow at once. How many changed.
   */
  async updateOwnerRoles(principal: { id: string; tenant: string }, roles: string[]): Promise<number> {
    let n = 0;
    for (const { tenant, subscription } of await this.store.subscriptions.all()) {
      const owner = subscription.owner;
      if (owner?.principal !== principal.id || owner.tenant !== principal.tenant) continue;
      const next: Subscription = { ...subscription, owner: { ...owner, roles: [...roles] } };
      await this.store.subscriptions.put(tenant, next);
      this.index.put(tenant, next);
      this.announce({ tenant, id: next.id });
      n++;
    }
    return n;
  }

  /**
   * Delete every subscription of `tenant` that a principal (its id and its own tenant) owns, when the
   * principal is deleted; how many.
   */
  async deleteOwnedBy(tenant: string, principal: { id: string; tenant: string }): Promise<number> {
    let n = 0;
    for (const { tenant: t, subscription } of await this.store.subscriptions.all()) {
      const owner = subscription.owner;
      if (t !== tenant || owner?.principal !== principal.id || owner.tenant !== principal.tenant) continue;
      await this.store.subscriptions.delete(t, subscription.id);
      this.index.remove(t, subscription.id);
      this.periodic.unschedule(t, subscription.id);
      this.announce({ tenant: t, id: subscription.id });
      n++;
    }
    return n;
  }

  /**
   * Update (5.8.2): `change` builds the new subscription from the current one (patchSubscription);
   * a new endpoint URI is vetted, a new @context resolved, before anything is stored.
   */
  async update(scope: Scope, id: string, change: (current: Subscription) => Subscription): Promise<void> {
    const tenant = scope.tenant;
    await this.requireTenant(tenant);
    const current =
      this.index.get(tenant, id) ?? (await this.store.subscriptions.get(tenant, id))?.subscription;
    if (current === undefined || !ownedBy(scope, current)) throw notFound(`subscription ${id} not found`);
    const changed = change(current);
    // The owner is not a member a client can set or change.
    const { owner: _given, ...rest } = changed;
    const next: Subscription = current.owner === undefined ? rest : { ...rest, owner: current.owner };
    if (next.notification.endpoint.uri !== current.notification.endpoint.uri) {
      await this.policy.vet(next.notification.endpoint.uri);
    }
    if (JSON.stringify(next.jsonldContext) !== JSON.stringify(current.jsonldContext)) {
      await this.contexts.resolve(next.jsonldContext);
    }
    // Deleted while we waited: do not bring it back.
    if ((await this.store.subscriptions.get(tenant, id)) === undefined) {
      throw notFound(`subscription ${id} not found`);
    }
    await this.store.subscriptions.put(tenant, next);
    this.index.put(tenant, next);
    this.periodic.schedule(tenant, next);
    this.announce({ tenant, id });
  }

  /** Delete (5.8.5), with its pending notifications. */
  async delete(scope: Scope, id: string): Promise<void> {
    const tenant = scope.tenant;
    await this.requireTenant(tenant);
    const record = await this.store.subscriptions.get(tenant, id);
    if (record !== undefined && !ownedBy(scope, record.subscription))
      throw notFound(`subscription ${id} not found`);
    const existed = await this.store.subscriptions.delete(tenant, id);
    this.index.remove(tenant, id);
    this.periodic.unschedule(tenant, id);
    if (!existed) throw notFound(`subscription ${id} not found`);
    this.announce({ tenant, id });
  }

  /**
   * The Reactor (install with `store.setReactor(service.react)`): the notices of one change. Runs
   * inside the write transaction, so it is synchronous and touches nothing but memory. A
   * subscription that cannot be evaluated is reported and skipped: it must not fail the write.
   */
  readonly react = (change: Change): Notice[] => {
    const notices: Notice[] = [];
    for (const sub of this.index.candidates(change.tenant, change)) {
      this.stats.evaluations++;
      let payload: NoticePayload | undefined;
      try {
        const seen = this.ownersView(sub, change);
        if (seen === undefined) continue;
        payload = matchChange(sub, seen);
      } catch (error) {
        this.onError(error, { tenant: change.tenant, subscriptionId: sub.id, during: 'matching' });
        continue;
      }
      if (payload !== undefined) notices.push({ subscriptionId: sub.id, entityId: change.id, payload });
    }
    this.stats.notices += notices.length;
    return notices;
  };

  /** The owner's access (undefined: no restriction). */
  private accessOf(tenant: string, sub: Subscription): Access | undefined {
    return sub.owner === undefined || this.ownerAccess === undefined
      ? undefined
      : this.ownerAccess(tenant, sub.owner);
  }

  /**
   * The change as the subscription's owner may see it: both states reduced to the attributes it may
   * read, so that a hidden attribute neither triggers nor appears; undefined when it sees neither.
   */
  private ownersView(sub: Subscription, change: Change): Change | undefined {
    const access = this.accessOf(change.tenant, sub);
    if (access === undefined) return change;
    const before = change.before === undefined ? undefined : access.filterEntity(change.before);
    const after = change.after === undefined ? undefined : access.filterEntity(change.after);
    if (before === undefined && after === undefined) return undefined;
    const { before: _b, after: _a, ...rest } = change;
    return {
      ...rest,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    };
  }

  /** NotificationSource: the subscription as it is now, from memory. */
  subscription(tenant: string, id: string): Subscription | undefined {
    return this.index.get(tenant, id);
  }

  /**
   * NotificationSource: the Notification for these matches, in the endpoint's media type. JSON-LD
   * carries the subscription's @context in the body; JSON and GeoJSON name it in a Link header.
   * Headers: the endpoint's receiverInfo, then Link and NGSILD-Tenant (which receiverInfo cannot
   * override). Rejects with LdContextNotAvailable when a remote @context cannot be loaded (the
   * notifier retries later).
   */
  async render(
    tenant: string,
    subscription: Subscription,
    notificationId: string,
    payloads: NoticePayload[],
    notifiedAt: string,
  ): Promise<RenderedNotification> {
    const mapper = await this.contexts.resolve(subscription.jsonldContext);
    const notification = renderNotification(subscription, notificationId, payloads, notifiedAt, mapper);
    const endpoint = subscription.notification.endpoint;
    const headers: Record<string, string> = {};
    for (const { key, value } of endpoint.receiverInfo ?? []) headers[key] = value;
    let body: Record<string, unknown> = notification;
    if (endpoint.accept === 'application/ld+json') {
      body = { '@context': subscription.jsonldContext, ...notification };
    } else {
      headers.Link = linkHeader(contextUrl(subscription.jsonldContext));
    }
    if (tenant !== DEFAULT_TENANT) headers['NGSILD-Tenant'] = tenant;
    return { body: JSON.stringify(body), contentType: endpoint.accept, headers };
  }
}

/** A caller that may administer the tenant sees every subscription; others their own. */
function seesAll(scope: Scope): boolean {
  return scope.access === undefined || scope.access.may('admin');
}

function ownedBy(scope: Scope, sub: Subscription): boolean {
  if (seesAll(scope)) return true;
  const p = scope.access?.principal;
  return p !== undefined && sub.owner?.principal === p.id && sub.owner.tenant === p.tenant;
}

/** The one URL a Link header can name: the context itself, a one-URL list's URL, else the core context. */
function contextUrl(context: unknown): string {
  if (typeof context === 'string') return context;
  if (Array.isArray(context) && context.length === 1 && typeof context[0] === 'string') return context[0];
  return CORE_CONTEXT_URL;
}
