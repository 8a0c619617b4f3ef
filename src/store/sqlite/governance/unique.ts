/**
 * A write that breaks a UNIQUE or PRIMARY KEY constraint is the caller's conflict (a key id or hash
 * given twice), not a failure of the store: it becomes AlreadyExists with a message naming what
 * clashed, so the caller can answer 409 instead of 500.
 */
import { NgsiError } from '../../../core/errors.js';

/** Run `f`; a uniqueness violation becomes AlreadyExists(`what`). */
export function unique<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new NgsiError('AlreadyExists', `${what} already exists`, { cause: e });
    }
    throw e;
  }
}
