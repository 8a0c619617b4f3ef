/**
 * Adapters from the pure entity operations to store mutations: a thrown NgsiError inside a
 * decision becomes a per-entity failure, so one bad entity never aborts a batch.
 */
import { isNgsiError, notFound } from '../../core/errors.js';
import type { Entity } from '../../core/model/entity.js';
import type { Mutation, MutationDecision } from '../../store/port.js';

/** A mutation that puts what `change` returns; an NgsiError thrown by `change` fails this entity only. */
export function putMutation(id: string, change: (current: Entity | undefined) => Entity): Mutation {
  return {
    id,
    decide(current): MutationDecision {
      try {
        return { action: 'put', entity: change(current) };
      } catch (e) {
        if (isNgsiError(e)) return { action: 'fail', error: e };
        throw e;
      }
    },
  };
}

/** Like putMutation, for operations on an entity that must exist (404 otherwise). */
export function existingMutation(id: string, change: (current: Entity) => Entity): Mutation {
  return putMutation(id, (current) => {
    if (current === undefined) throw notFound(`entity ${id} not found`);
    return change(current);
  });
}

/** Delete an entity that must exist. */
export function deleteMutation(id: string): Mutation {
  return {
    id,
    decide: (current) =>
      current === undefined
        ? { action: 'fail', error: notFound(`entity ${id} not found`) }
        : { action: 'delete' },
  };
}
