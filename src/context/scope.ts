/**
 * Who a use case runs for: the tenant, and the caller's Access (what the tenant's policy lets the
 * principal do). Services apply it at the finest grain the store cannot: entities the caller may not
 * read are not found, attributes it may not read are left out, queries are narrowed in the store so
 * that paging and counts stay exact, and every change is checked against the entity's state inside
 * the write transaction. `access` is absent only for the platform's own work (retention, ingest
 * pipelines that were authorised upstream).
 */
import { forbidden, type NgsiError } from '../core/errors.js';
import type { AttrPath, EntityQuery, QExpr, TypeExpr } from '../core/query/ast.js';
import type { Access, Filterable } from '../governance/policy/access.js';
import type { Action } from '../governance/policy/model.js';
import type { Mutation } from '../store/port.js';

export interface Scope {
  tenant: string;
  access?: Access;
}

/** A scope without access control: the platform's own work. */
export function systemScope(tenant: string): Scope {
  return { tenant };
}

/** The entity as the caller may read it, or undefined when it may not read it at all. */
export function readable<E extends Filterable>(scope: Scope, entity: E): E | undefined {
  return scope.access === undefined ? entity : scope.access.filterEntity(entity, 'read');
}

/**
 * The query narrowed to what the caller may reach with `action`; undefined when that is nothing.
 * A query that filters, selects or sorts on an attribute the caller may not read is refused (403):
 * its answer would reveal that attribute's values.
 */
export function narrowQuery<Q extends Omit<EntityQuery, 'limit' | 'offset' | 'count'>>(
  scope: Scope,
  query: Q,
  action: Action,
): Q | undefined {
  const access = scope.access;
  if (access === undefined) return query;
  const types = typeNames(query.type);
  for (const attr of referencedAttrs(query)) {
    if (access.hidesAttr(action, attr, types)) throw forbidden(`not allowed to query on attribute ${attr}`);
  }
  const visibility = access.visibility(action);
  if (visibility === undefined) return query;
  if (visibility.allow.length === 0) return undefined;
  return { ...query, visibility };
}

/**
 * Device entities (`urn:ngsi-ld:Device:<device id>`, issue #5) carry actuator commands: a change of
 * one of their attributes can drive a traffic signal or a building's HVAC. Changing one therefore
 * needs the `command` action as well as `write` (an editor may correct data, not drive actuators).
 */
export const DEVICE_ENTITY_PREFIX = 'urn:ngsi-ld:Device:';

/** Wrap mutations so that every applied change is checked against the caller's write rules. */
export function guardMutations(scope: Scope, mutations: Mutation[]): Mutation[] {
  const access = scope.access;
  if (access === undefined) return mutations;
  const commands = access.may('command');
  return mutations.map((m) => ({
    id: m.id,
    decide: (current) => {
      if (!commands && m.id.startsWith(DEVICE_ENTITY_PREFIX))
        return {
          action: 'fail',
          error: forbidden(`${m.id} carries actuator commands: changing it needs the command action`),
        };
      const decision = m.decide(current);
      let error: NgsiError | undefined;
      if (decision.action === 'put') error = access.checkChange(current, decision.entity);
      else if (decision.action === 'delete' && current !== undefined)
        error = access.checkChange(current, undefined);
      return error === undefined ? decision : { action: 'fail', error };
    },
  }));
}

/** The plain type names of a type expression made only of alternatives; undefined otherwise. */
function typeNames(t: TypeExpr | undefined): string[] | undefined {
  if (t === undefined) return undefined;
  if (t.kind === 'type') return [t.name];
  if (t.kind === 'or' && t.items.every((i) => i.kind === 'type'))
    return t.items.map((i) => (i as { name: string }).name);
  return undefined;
}

/** Every attribute a query's selection depends on (q, attrs, geoQ, orderBy). */
function referencedAttrs(query: Omit<EntityQuery, 'limit' | 'offset' | 'count'>): Set<string> {
  const out = new Set<string>(query.attrs ?? []);
  if (query.q) collectQ(query.q, out);
  if (query.geoQ) out.add(query.geoQ.geoproperty);
  for (const o of query.orderBy ?? []) if (typeof o.key === 'object') out.add((o.key as AttrPath).attr);
  return out;
}

function collectQ(q: QExpr, out: Set<string>): void {
  if (q.kind === 'and' || q.kind === 'or') for (const i of q.items) collectQ(i, out);
  else out.add(q.path.attr);
}
