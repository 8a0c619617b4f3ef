/**
 * Bounds on what one query may ask of a store, checked before anything is compiled: the nesting
 * depth and node count of the q, type and scope expressions (a deep tree would overflow the
 * compiler's stack, SQLite's expression depth or PostgreSQL's `max_stack_depth`; a wide one would
 * make a statement of megabytes), and the number of values a statement binds. Depth and size are the
 * same for every store, so a query is refused or accepted alike on each (decision 0011); how many
 * values a statement may bind is each dialect's own limit, given by the caller.
 */
import { NgsiError } from '../../core/errors.js';
import type { EntityQuery } from '../../core/query/ast.js';

/** Deepest nesting of and/or accepted. */
export const MAX_DEPTH = 32;
/** Most nodes (terms and leaves, and the values of lists) across q, type and scopeQ. */
export const MAX_NODES = 2000;

/** Throw TooComplexQuery when an expression of the query is too deep or too large. */
export function checkComplexity(q: Omit<EntityQuery, 'limit' | 'offset' | 'count'>): void {
  let nodes = 0;
  for (const root of [q.q, q.type, q.scopeQ]) {
    if (!root) continue;
    // Iterative walk: a hostile depth must not overflow the stack before it is measured.
    const stack: Array<[unknown, number]> = [[root, 1]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop()!;
      nodes++;
      if (depth > MAX_DEPTH)
        throw new NgsiError('TooComplexQuery', `expression nested deeper than ${MAX_DEPTH}`);
      if (nodes > MAX_NODES)
        throw new NgsiError('TooComplexQuery', `expression has more than ${MAX_NODES} terms`);
      const items = (node as { items?: unknown }).items;
      if (Array.isArray(items)) for (const item of items) stack.push([item, depth + 1]);
      const values = (node as { values?: unknown }).values;
      if (Array.isArray(values)) nodes += values.length;
    }
  }
}

/** Throw TooComplexQuery when a statement would bind more than `max` values (the dialect's bound). */
export function checkParams(count: number, max: number): void {
  if (count > max) throw new NgsiError('TooComplexQuery', `query needs more than ${max} values`);
}
