/**
 * For unit tests of parsers and validators: the NgsiError that a call throws, to assert its kind,
 * status and detail — and a failed test when it throws nothing or something else.
 */
import { expect } from 'vitest';
import { NgsiError } from '../../src/core/errors.js';

/** The NgsiError `f` throws. */
export function failure(f: () => unknown): NgsiError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NgsiError);
    return e as NgsiError;
  }
  throw new Error('expected a failure');
}
