/**
 * Between the change stream and the evaluator: whether a changed entity is in a rule's scope, and
 * what sample (if any) the change gives the rule's condition. Pure (districts are looked up in the
 * in-memory index).
 */
import { instancesOf, type Entity } from '../core/model/entity.js';
import type { Change } from '../store/port.js';
import type { DistrictIndex } from './districts.js';
import type { ValueSample } from './evaluator.js';
import type { AlertRule } from './rule.js';

/** True when the entity is in the rule's scope: every member the scope names holds. */
export function inScope(rule: AlertRule, tenant: string, entity: Entity, districts: DistrictIndex): boolean {
  const s = rule.scope;
  if (s.entity !== undefined && entity.id !== s.entity) return false;
  if (s.type !== undefined && !entity.type.includes(s.type)) return false;
  if (s.district !== undefined && !districts.contains(tenant, s.district, entity)) return false;
  return true;
}

/**
 * The sample a change gives a rule: for noData any write of the entity; for the others a new
 * instance of the watched attribute (a change of other attributes re-sends nothing). Its time is the
 * instance's observedAt when it has a valid one, else the change's instant.
 */
export function sampleOf(rule: AlertRule, change: Change): ValueSample | undefined {
  const after = change.after;
  if (after === undefined) return undefined;
  const changeAt = Date.parse(change.at);
  const c = rule.condition;
  if (c.kind === 'noData') return { kind: 'value', at: changeAt, value: undefined };
  const now = defaultInstance(after, c.attribute);
  if (now === undefined) return undefined;
  const was = change.before === undefined ? undefined : defaultInstance(change.before, c.attribute);
  // Untouched by this change (another attribute was written): the rule has seen it already.
  if (was !== undefined && sameJson(was, now)) return undefined;
  const observed = now.observedAt === undefined ? NaN : Date.parse(now.observedAt);
  return { kind: 'value', at: Number.isFinite(observed) ? observed : changeAt, value: now.value };
}

function defaultInstance(entity: Entity, iri: string) {
  const list = instancesOf(entity.attrs, iri);
  return list?.find((a) => a.datasetId === undefined) ?? list?.[0];
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
