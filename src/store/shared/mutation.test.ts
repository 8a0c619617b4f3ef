/** Running one mutator: refusals fail its entity only, anything else fails the call. */
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import type { Entity } from '../../core/model/entity.js';
import type { Mutation, MutationDecision } from '../port.js';
import { decide } from './mutation.js';

const entity = (id: string): Entity => ({ id, type: ['https://x/T'], attrs: {} });
const mutation = (id: string, f: (current: Entity | undefined) => MutationDecision): Mutation => ({
  id,
  decide: f,
});

describe('decide', () => {
  it('hands the current entity to the mutator and returns its decision', () => {
    const seen: Array<Entity | undefined> = [];
    const d = decide(
      mutation('urn:a', (c) => {
        seen.push(c);
        return { action: 'put', entity: entity('urn:a') };
      }),
      entity('urn:a'),
    );
    expect(d).toEqual({ action: 'put', entity: entity('urn:a') });
    expect(seen).toEqual([entity('urn:a')]);
    expect(
      decide(
        mutation('urn:a', () => ({ action: 'skip' })),
        undefined,
      ),
    ).toEqual({ action: 'skip' });
  });

  it('turns an NgsiError thrown by the mutator into a failure of that entity', () => {
    const error = new NgsiError('AlreadyExists', 'urn:a exists');
    const d = decide(
      mutation('urn:a', () => {
        throw error;
      }),
      entity('urn:a'),
    );
    expect(d).toEqual({ action: 'fail', error });
  });

  it('fails a put of an entity with another id', () => {
    const d = decide(
      mutation('urn:a', () => ({ action: 'put', entity: entity('urn:b') })),
      undefined,
    );
    expect(d.action).toBe('fail');
    expect(d.action === 'fail' && d.error.kind).toBe('InternalError');
  });

  it('lets any other exception through', () => {
    const m = mutation('urn:a', () => {
      throw new TypeError('bug');
    });
    expect(() => decide(m, undefined)).toThrow(TypeError);
  });
});
