import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('RecentIds', () => {
  it('remembers ids per device, forgetting the oldest beyond perDevice', () => {
    const r = new RecentIds({ perDevice: 2 });
    r.add('a', '1');
    r.add('a', '2');
    expect(r.has('a', '1') && r.has('a', '2')).toBe(true);
    expect(r.has('b', '1')).toBe(false);
    r.add('a', '1'); // used again: now the newest
    r.add('a', '3');
    expect([r.has('a', '1'), r.has('a', '2'), r.has('a', '3')]).toEqual([true, false, true]);
  });

  it('forgets the least recently active device beyond `devices`', () => {
    const r = new RecentIds({ devices: 2 });
    r.add('a', '1');
    r.add('b', '1');
    r.add('a', '2');
    r.add('c', '1');
    expect([r.has('a', '1'), r.has('b', '1'), r.has('c', '1')]).toEqual([true, false, true]);
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => new RecentIds({ perDevice: 0 })).toThrow(RangeError);
    expect(() => new RecentIds({ devices: 1.5 })).toThrow(RangeError);
  });
});
