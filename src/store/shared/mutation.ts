/**
 * How a store runs one mutator of `Store.mutate` (port.ts): the mutator decides from the entity as
 * the batch has left it; an NgsiError it throws, or a put of an entity with another id, fails that
 * entity only and the rest of the batch goes on; any other exception fails the whole call. Shared so that every store treats mutators alike (decision 0011).
 */
import { isNgsiError, NgsiError } from '../../core/errors.js';
import type { Entity } from '../../core/model/entity.js';
import type { Mutation, MutationDecision } from '../port.js';

/** The decision of `m` on `current`; a refusal comes back as `fail`. */
export function decide(m: Mutation, current: Entity | undefined): MutationDecision {
  let decision: MutationDecision;
  try {
    decision = m.decide(current);
  } catch (e) {
    if (isNgsiError(e)) return { action: 'fail', error: e };
    throw e;
  }
  if (decision.action === 'put' && decision.entity.id !== m.id) {
    const error = new NgsiError(
      'InternalError',
      `mutation for ${m.id} returned entity ${decision.entity.id}`,
    );
    return { action: 'fail', error };
  }
  return decision;
}
