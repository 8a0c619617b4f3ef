import { describe, expect, it } from 'vitest';
import { RedeliveryKeys } from './redelivery-keys.js';

describe('MQTT redelivery keys', () => {
  it('gives a reused packet id a new key, and a dup the key of its original', () => {
    const keys = new RedeliveryKeys();
    const first = keys.key('s', 7, false);
    expect(keys.key('s', 7, true)).toBe(first);
    const reused = keys.key('s', 7, false);
    expect(reused).not.toBe(first);
    expect(keys.key('s', 7, true)).toBe(reused);
    expect(keys.key('other', 7, true)).not.toBe(reused);
  });

  it('has no key for QoS 0, and a fresh one for a dup whose original was forgotten', () => {
    const keys = new RedeliveryKeys({ perSession: 2 });
    expect(keys.key('s', undefined, false)).toBeUndefined();
    const k1 = keys.key('s', 1, false);
    keys.key('s', 2, false);
    keys.key('s', 3, false);
    expect(keys.key('s', 1, true)).not.toBe(k1);
  });
});
