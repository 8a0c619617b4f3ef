/**
 * What the engine reads from the store when it loads a tenant (never while evaluating): its district
 * polygons, its open alerts (to rebuild their episodes after a restart) and the entities a noData
 * rule watches (to start their wait). Paged reads of the current state, bounded.
 */
import type { Entity } from '../core/model/entity.js';
import type { EntityQuery, QExpr } from '../core/query/ast.js';
import type { Store } from '../store/port.js';
import type { AlertRule } from './rule.js';
import type { AlertVocabulary } from './vocabulary.js';

/** Most entities one noData rule starts watching at load (a rule over more sees them on their next write). */
export const MAX_SEEDED_PER_RULE = 10_000;

type Reader = Pick<Store, 'queryEntities' | 'capabilities'>;

/** Every entity matching (at most `max`), a page at a time, ordered by id. */
export async function queryAll(
  store: Reader,
  tenant: string,
  query: Omit<EntityQuery, 'limit' | 'offset' | 'count'>,
  max = Number.MAX_SAFE_INTEGER,
): Promise<Entity[]> {
  const limit = Math.min(store.capabilities.maxLimit, 1000);
  const out: Entity[] = [];
  for (let offset = 0; out.length < max; offset += limit) {
    const { entities } = await store.queryEntities(tenant, {
      ...query,
      orderBy: [{ key: 'id', descending: false }],
      limit,
      offset,
      count: false,
    });
    out.push(...entities);
    if (entities.length < limit) break;
  }
  return out.slice(0, max);
}

/** The tenant's alerts whose status is not cleared. */
export function unclearedAlerts(store: Reader, v: AlertVocabulary, tenant: string): Promise<Entity[]> {
  return queryAll(store, tenant, {
    type: { kind: 'type', name: v.Alert },
    q: statusIn(v.status, ['active', 'acknowledged']),
  });
}

/**
 * The entities a noData rule may watch, by its entity or type; a rule scoped by district alone is
 * not seeded (its entities start being watched on their next write).
 */
export function silenceCandidates(store: Reader, tenant: string, rule: AlertRule): Promise<Entity[]> {
  const s = rule.scope;
  if (s.entity !== undefined) return queryAll(store, tenant, { ids: [s.entity] }, 1);
  if (s.type !== undefined)
    return queryAll(store, tenant, { type: { kind: 'type', name: s.type } }, MAX_SEEDED_PER_RULE);
  return Promise.resolve([]);
}

/** q: `status==s1,s2…` */
export function statusIn(statusIri: string, statuses: readonly string[]): QExpr {
  return {
    kind: 'in',
    path: { attr: statusIri, sub: [], keys: [] },
    negate: false,
    values: statuses.map((s) => ({ kind: 'string', value: s })),
  };
}
