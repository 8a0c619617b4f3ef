/**
 * Whether one change of one entity concerns a subscription, and what to notify (clause 5.8.6 and the
 * notificationTrigger member of clause 5.2.12). Pure: the store calls it (through the subscription
 * service) inside the write transaction, and its result goes to the outbox as it is.
 *
 * A change concerns a subscription when all of these hold:
 * - the subscription is not periodic (`timeInterval` ones notify on their own schedule), is active,
 *   and has not expired at the instant of the change;
 * - the entity — after the change, or before it for a deletion — matches one of `entities` (type or
 *   type expression; id or idPattern) when entities are given;
 * - the change fires one of the subscription's triggers, counting only watched attributes when
 *   `watchedAttributes` is given:
 *   - entityCreated: the entity was created (and holds a watched attribute);
 *   - entityDeleted: the entity was deleted (and held a watched attribute);
 *   - attributeCreated: an attribute instance was added — including every attribute of a new entity,
 *     so that the default triggers (attributeCreated, attributeUpdated) report new entities;
 *   - attributeUpdated: an instance was rewritten (see entity-diff.ts);
 *   - attributeDeleted: an instance was removed from an entity that still exists;
 *   - entityUpdated: any of the three above on an existing entity, or a change of its types or scopes
 *     when no attributes are watched;
 * - q, geoQ and scopeQ hold on the entity after the change (before it, for a deletion).
 *
 * The notice carries the entity reduced to `notification.attributes` and to the subscription's
 * `datasetId` instances. Removed instances are included as NGSI-LD Null instances (value
 * `urn:ngsi-ld:null`, languageMap `{"@none": "urn:ngsi-ld:null"}`) when the subscription listens to
 * attributeDeleted or entityUpdated. A deleted entity is reported by id and type, plus Null instances
 * of the attributes named in `notification.attributes` (all of them with showChanges). With
 * `showChanges`, `previous` holds the former instances of what was updated or removed.
 */
import { instancesOf, type Attribute, type AttributeType, type Entity } from '../model/entity.js';
import { asGeometry, geoMatches } from '../query/geo-match.js';
import type { GeoQuery } from '../query/ast.js';
import { compilePattern } from '../query/pattern.js';
import { matchesQ } from '../query/q-match.js';
import { matchesScopeQ } from '../query/scope-query.js';
import { matchesTypeExpr } from '../query/type-expr.js';
import { diffEntities, type EntityDiff } from './entity-diff.js';
import type { EntitySelector, NoticePayload, Subscription, Trigger } from './model.js';

/** A change of one entity: the store's Change has these members (and more). */
export interface EntityChange {
  id: string;
  /** Absent when the entity was created. */
  before?: Entity;
  /** Absent when the entity was deleted. */
  after?: Entity;
  /** ISO instant of the change. */
  at: string;
}

/** The NGSI-LD Null that stands for removed values in notifications (clause 5.2.1). */
export const NGSI_NULL = 'urn:ngsi-ld:null';

/** Which trigger names the notice when several fire at once. */
const PRIORITY: readonly Trigger[] = [
  'entityCreated',
  'entityDeleted',
  'entityUpdated',
  'attributeCreated',
  'attributeUpdated',
  'attributeDeleted',
];

/** The notice payload for `sub`, or undefined when the change does not concern it. */
export function matchChange(sub: Subscription, change: EntityChange): NoticePayload | undefined {
  if (sub.timeInterval !== undefined || !isLive(sub, change.at)) return undefined;
  const subject = change.after ?? change.before;
  if (subject === undefined) return undefined;
  if (sub.entities !== undefined && !sub.entities.some((s) => matchesSelector(s, subject))) return undefined;
  const diff = diffEntities(change.before, change.after);
  const fired = firedTriggers(sub, change, diff);
  const trigger = PRIORITY.find((t) => fired.has(t) && sub.notificationTrigger.includes(t));
  if (trigger === undefined) return undefined;
  if (!matchesFilters(sub, subject)) return undefined;
  return trigger === 'entityDeleted'
    ? deletedPayload(sub, subject, change.at)
    : changedPayload(sub, subject, diff, trigger, change.at);
}

/** Active and not expired at `at`. */
export function isLive(sub: Subscription, at: string): boolean {
  return sub.isActive && (sub.expiresAt === undefined || Date.parse(sub.expiresAt) > Date.parse(at));
}

const patterns = new Map<string, RegExp>();

/** True when the entity matches the selector (type or type expression, then id or idPattern). */
export function matchesSelector(s: EntitySelector, entity: Entity): boolean {
  const typeOk =
    s.typeExpr !== undefined ? matchesTypeExpr(s.typeExpr, entity.type) : entity.type.includes(s.type);
  if (!typeOk) return false;
  if (s.id !== undefined) return entity.id === s.id;
  if (s.idPattern !== undefined) {
    let re = patterns.get(s.idPattern);
    if (re === undefined) {
      re = compilePattern(s.idPattern);
      if (patterns.size >= 1000) patterns.clear();
      patterns.set(s.idPattern, re);
    }
    return re.test(entity.id);
  }
  return true;
}

/** q, geoQ and scopeQ on the entity. */
export function matchesFilters(sub: Subscription, entity: Entity): boolean {
  if (sub.q !== undefined && !matchesQ(entity, sub.q.expr)) return false;
  if (sub.geoQ !== undefined && !matchesGeo(entity, sub.geoQ)) return false;
  return sub.scopeQ === undefined || matchesScopeQ(sub.scopeQ.expr, entity.scope);
}

function matchesGeo(entity: Entity, geoQ: GeoQuery): boolean {
  return (instancesOf(entity.attrs, geoQ.geoproperty) ?? []).some((a) => {
    const g = a.type === 'GeoProperty' ? asGeometry(a.value) : undefined;
    return g !== undefined && geoMatches(g, geoQ);
  });
}

function firedTriggers(sub: Subscription, change: EntityChange, diff: EntityDiff): Set<Trigger> {
  const watched = sub.watchedAttributes;
  const relevant = (name: string): boolean => watched === undefined || watched.includes(name);
  const any = (names: Iterable<string>): boolean => [...names].some(relevant);
  const fired = new Set<Trigger>();
  if (change.before === undefined) {
    if (any(diff.created.keys())) fired.add('attributeCreated');
    if (watched === undefined || fired.size > 0) fired.add('entityCreated');
    return fired;
  }
  if (change.after === undefined) {
    if (watched === undefined || any(Object.keys(change.before.attrs))) fired.add('entityDeleted');
    return fired;
  }
  if (any(diff.created.keys())) fired.add('attributeCreated');
  if (any(diff.updated.keys())) fired.add('attributeUpdated');
  if (any(diff.deleted.keys())) fired.add('attributeDeleted');
  if (fired.size > 0 || (watched === undefined && diff.typeOrScopeChanged)) fired.add('entityUpdated');
  return fired;
}

/** The entity after the change, reduced, with Null instances for what was removed when that is asked for. */
function changedPayload(
  sub: Subscription,
  entity: Entity,
  diff: EntityDiff,
  trigger: Trigger,
  at: string,
): NoticePayload {
  const keep = keeper(sub);
  const out = reduce(entity, keep);
  const reportRemovals =
    sub.notificationTrigger.includes('attributeDeleted') || sub.notificationTrigger.includes('entityUpdated');
  const previous: Record<string, Attribute[]> = {};
  for (const [name, changes] of diff.updated) {
    const kept = changes.filter((c) => keep(name, c.before));
    if (kept.length > 0) previous[name] = kept.map((c) => c.before);
  }
  for (const [name, removed] of diff.deleted) {
    const kept = removed.filter((a) => keep(name, a));
    if (kept.length === 0) continue;
    if (reportRemovals) (out.attrs[name] ??= []).push(...kept.map((a) => nullInstance(a)));
    (previous[name] ??= []).push(...kept);
  }
  const payload: NoticePayload = { trigger, entity: out, at };
  if (sub.notification.showChanges && Object.keys(previous).length > 0) payload.previous = previous;
  return payload;
}

/** A deleted entity: id and type, and Null instances of the attributes asked for. */
function deletedPayload(sub: Subscription, before: Entity, at: string): NoticePayload {
  const out: Entity = { id: before.id, type: [...before.type], attrs: {} };
  if (before.createdAt !== undefined) out.createdAt = before.createdAt;
  if (before.modifiedAt !== undefined) out.modifiedAt = before.modifiedAt;
  const showChanges = sub.notification.showChanges;
  if (sub.notification.attributes === undefined && !showChanges)
    return { trigger: 'entityDeleted', entity: out, at };
  const kept = reduce(before, keeper(sub));
  for (const [name, instances] of Object.entries(kept.attrs))
    out.attrs[name] = instances.map((a) => nullInstance(a));
  const payload: NoticePayload = { trigger: 'entityDeleted', entity: out, at };
  if (showChanges && Object.keys(kept.attrs).length > 0) payload.previous = kept.attrs;
  return payload;
}

/** The entity as a subscription's notifications show it: reduced to its attributes and datasetIds. */
export function notifiedView(sub: Subscription, entity: Entity): Entity {
  return reduce(entity, keeper(sub));
}

/** Which instances a notification shows: `notification.attributes`, then the `datasetId` filter. */
function keeper(sub: Subscription): (name: string, a: Attribute) => boolean {
  const names = sub.notification.attributes;
  const datasets = sub.datasetId;
  return (name, a) =>
    (names === undefined || names.includes(name)) &&
    (datasets === undefined || datasets.includes(a.datasetId ?? '@none'));
}

/** The entity with only the instances `keep` accepts (attributes left empty are dropped). */
export function reduce(entity: Entity, keep: (name: string, a: Attribute) => boolean): Entity {
  const attrs: Record<string, Attribute[]> = {};
  for (const [name, instances] of Object.entries(entity.attrs)) {
    const kept = instances.filter((a) => keep(name, a));
    if (kept.length > 0) attrs[name] = kept;
  }
  const out: Entity = { id: entity.id, type: entity.type, attrs };
  if (entity.scope !== undefined) out.scope = entity.scope;
  if (entity.createdAt !== undefined) out.createdAt = entity.createdAt;
  if (entity.modifiedAt !== undefined) out.modifiedAt = entity.modifiedAt;
  return out;
}

/** The NGSI-LD Null instance standing for a removed one (same type, datasetId and creation time). */
export function nullInstance(a: Attribute): Attribute {
  const out: Attribute = { type: a.type, value: nullValue(a.type) };
  if (a.datasetId !== undefined) out.datasetId = a.datasetId;
  if (a.createdAt !== undefined) out.createdAt = a.createdAt;
  if (a.modifiedAt !== undefined) out.modifiedAt = a.modifiedAt;
  return out;
}

function nullValue(type: AttributeType): unknown {
  switch (type) {
    case 'LanguageProperty':
      return { '@none': NGSI_NULL };
    case 'ListProperty':
    case 'ListRelationship':
      return [NGSI_NULL];
    default:
      return NGSI_NULL;
  }
}

/** True when an instance is an NGSI-LD Null instance made by `nullInstance`. */
export function isNullInstance(a: Attribute): boolean {
  const v = a.value;
  if (v === NGSI_NULL) return true;
  if (Array.isArray(v)) return v.length === 1 && v[0] === NGSI_NULL;
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as Record<string, unknown>)['@none'] === NGSI_NULL &&
    Object.keys(v).length === 1
  );
}
