/**
 * A temporal query may filter with q, geoQ and scopeQ, which test the CURRENT state of an entity
 * (not its history): every store first asks its current-state query runner for
 * the ids they select, then restricts the temporal entities to those. Which parts of the query go to
 * that runner is the same for every store (decision 0011).
 */
import type { EntityQuery } from '../../../core/query/ast.js';
import type { TemporalEntityQuery } from '../../port.js';

/** The current-state query a temporal query asks, without paging. */
export type CurrentProbe = Omit<EntityQuery, 'limit' | 'offset' | 'count'>;

/** True when the query tests the current state (q, geoQ or scopeQ). */
export const needsCurrentState = (q: Pick<TemporalEntityQuery, 'q' | 'geoQ' | 'scopeQ'>): boolean =>
  q.q !== undefined || q.geoQ !== undefined || q.scopeQ !== undefined;

/** The current-state query of a temporal query that `needsCurrentState`: its q, geoQ, scopeQ and ids. */
export function currentProbe(q: TemporalEntityQuery): CurrentProbe {
  const probe: CurrentProbe = {};
  if (q.q) probe.q = q.q;
  if (q.geoQ) probe.geoQ = q.geoQ;
  if (q.scopeQ) probe.scopeQ = q.scopeQ;
  if (q.ids) probe.ids = q.ids;
  return probe;
}
