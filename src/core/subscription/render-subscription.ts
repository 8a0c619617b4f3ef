/**
 * Output side of subscriptions (clause 5.2.12, 5.8.3, 5.8.4): a stored subscription and its delivery
 * statistics, rendered as JSON with the caller's @context (types and attribute names compacted; the
 * q and scopeQ texts as they were given).
 *
 * Members are rendered as the client gave them; defaults the client left out are shown only where
 * the spec always shows them (`notificationTrigger`, `notification.format`, `endpoint.accept`);
 * `isActive` appears when false, `showChanges` and `sysAttrs` when true. Read-only members:
 * - `status`: `expired` once `expiresAt` has passed, else `paused` when `isActive` is false, else `active`;
 * - inside `notification`: `timesSent`, `timesFailed`, `lastNotification`, `lastSuccess`, `lastFailure`,
 *   `status` (`ok` or `failed`: how the latest attempt went, once there was one), and two Urbis
 *   members: `deadLetters`, the number of notifications given up after their last retry (shown when
 *   not zero), and `lastError`, the reason of the latest failed attempt;
 * - `createdAt`, `modifiedAt` with `sysAttrs`;
 * - `jsonldContext` when the subscription's @context is a single URL.
 */
import type { TermMapper } from '../jsonld/terms.js';
import type { TypeExpr } from '../query/ast.js';
import { printTypeExpr } from '../query/type-expr.js';
import type { DeliveryStatus, Subscription, SubscriptionRecord } from './model.js';

export type SubscriptionStatus = 'active' | 'paused' | 'expired';

/** The subscription's status at instant `now` (ISO). */
export function subscriptionStatus(sub: Subscription, now: string): SubscriptionStatus {
  if (sub.expiresAt !== undefined && Date.parse(sub.expiresAt) <= Date.parse(now)) return 'expired';
  return sub.isActive ? 'active' : 'paused';
}

/** Render options: the instant for `status`, and whether to show createdAt/modifiedAt. */
export interface RenderSubscriptionOptions {
  now: string;
  sysAttrs?: boolean;
}

/** Render one subscription (without @context: the caller adds it for JSON-LD). */
export function renderSubscription(
  record: SubscriptionRecord,
  mapper: TermMapper,
  options: RenderSubscriptionOptions,
): Record<string, unknown> {
  const sub = record.subscription;
  const compact = (iri: string): string => mapper.compactIri(iri);
  const out: Record<string, unknown> = { id: sub.id, type: 'Subscription' };
  if (sub.subscriptionName !== undefined) out.subscriptionName = sub.subscriptionName;
  if (sub.description !== undefined) out.description = sub.description;
  if (sub.entities !== undefined) {
    out.entities = sub.entities.map((s) => {
      const e: Record<string, unknown> = {};
      if (s.id !== undefined) e.id = s.id;
      if (s.idPattern !== undefined) e.idPattern = s.idPattern;
      e.type =
        s.typeExpr !== undefined ? printTypeExpr(compactTypeExpr(s.typeExpr, compact)) : compact(s.type);
      return e;
    });
  }
  if (sub.watchedAttributes !== undefined) out.watchedAttributes = sub.watchedAttributes.map(compact);
  out.notificationTrigger = [...sub.notificationTrigger];
  if (sub.q !== undefined) out.q = sub.q.text;
  if (sub.geoQ !== undefined) {
    const g = sub.geoQ;
    const georel =
      g.maxDistance !== undefined
        ? `near;maxDistance==${g.maxDistance}`
        : g.minDistance !== undefined
          ? `near;minDistance==${g.minDistance}`
          : g.georel;
    out.geoQ = {
      geometry: g.geometry.type,
      coordinates: g.geometry.coordinates,
      georel,
      geoproperty: compact(g.geoproperty),
    };
  }
  if (sub.scopeQ !== undefined) out.scopeQ = sub.scopeQ.text;
  if (sub.csf !== undefined) out.csf = sub.csf;
  if (sub.datasetId !== undefined) out.datasetId = [...sub.datasetId];
  if (sub.lang !== undefined) out.lang = sub.lang;
  if (sub.timeInterval !== undefined) out.timeInterval = sub.timeInterval;
  if (sub.throttling !== undefined) out.throttling = sub.throttling;
  if (sub.expiresAt !== undefined) out.expiresAt = sub.expiresAt;
  if (!sub.isActive) out.isActive = false;
  out.status = subscriptionStatus(sub, options.now);
  out.notification = renderNotificationParams(sub, record.status, compact);
  if (typeof sub.jsonldContext === 'string') out.jsonldContext = sub.jsonldContext;
  if (options.sysAttrs) {
    out.createdAt = sub.createdAt;
    out.modifiedAt = sub.modifiedAt;
  }
  return out;
}

function renderNotificationParams(
  sub: Subscription,
  status: DeliveryStatus,
  compact: (iri: string) => string,
): Record<string, unknown> {
  const n = sub.notification;
  const member = (m: string): string => (m === 'id' || m === 'type' ? m : compact(m));
  const out: Record<string, unknown> = {};
  if (n.attributes !== undefined) out.attributes = n.attributes.map(compact);
  if (n.pick !== undefined) out.pick = n.pick.map(member);
  if (n.omit !== undefined) out.omit = n.omit.map(member);
  out.format = n.format;
  if (n.showChanges) out.showChanges = true;
  if (n.sysAttrs) out.sysAttrs = true;
  const e = n.endpoint;
  const endpoint: Record<string, unknown> = { uri: e.uri, accept: e.accept };
  if (e.timeout !== undefined) endpoint.timeout = e.timeout;
  if (e.receiverInfo !== undefined) endpoint.receiverInfo = e.receiverInfo.map((kv) => ({ ...kv }));
  if (e.notifierInfo !== undefined) endpoint.notifierInfo = e.notifierInfo.map((kv) => ({ ...kv }));
  out.endpoint = endpoint;
  const outcome = lastOutcome(status);
  if (outcome !== undefined) out.status = outcome;
  out.timesSent = status.timesSent;
  out.timesFailed = status.timesFailed;
  if (status.lastNotification !== undefined) out.lastNotification = status.lastNotification;
  if (status.lastSuccess !== undefined) out.lastSuccess = status.lastSuccess;
  if (status.lastFailure !== undefined) out.lastFailure = status.lastFailure;
  if (status.deadLetters > 0) out.deadLetters = status.deadLetters;
  if (status.lastError !== undefined) out.lastError = status.lastError;
  return out;
}

/** `ok` when the latest attempt succeeded, `failed` when it failed, undefined before any attempt. */
function lastOutcome(status: DeliveryStatus): 'ok' | 'failed' | undefined {
  const success = status.lastSuccess === undefined ? -Infinity : Date.parse(status.lastSuccess);
  const failure = status.lastFailure === undefined ? -Infinity : Date.parse(status.lastFailure);
  if (success === -Infinity && failure === -Infinity) return undefined;
  return success >= failure ? 'ok' : 'failed';
}

function compactTypeExpr(expr: TypeExpr, compact: (iri: string) => string): TypeExpr {
  return expr.kind === 'type'
    ? { kind: 'type', name: compact(expr.name) }
    : { kind: expr.kind, items: expr.items.map((i) => compactTypeExpr(i, compact)) };
}
