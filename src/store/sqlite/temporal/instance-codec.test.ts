/**
 * SQLite's reading of instance ids: row ids are JavaScript numbers, so beyond the shared syntax
 * (src/store/shared/temporal/instance-codec.test.ts) only safe integers are ours.
 */
import { describe, expect, it } from 'vitest';
import { instanceId } from '../../shared/temporal/instance-codec.js';
import { parseInstanceId } from './instance-codec.js';

describe('SQLite instance ids', () => {
  it('parses its own ids up to the largest safe integer, and nothing else', () => {
    expect(parseInstanceId(instanceId(42))).toBe(42);
    expect(parseInstanceId(instanceId(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseInstanceId(instanceId('9007199254740992'))).toBeUndefined();
    expect(parseInstanceId('urn:ngsi-ld:attribute:instance:01')).toBeUndefined();
    expect(parseInstanceId('urn:other:42')).toBeUndefined();
  });
});
