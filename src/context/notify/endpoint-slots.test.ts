import { describe, expect, it } from 'vitest';
import { EndpointSlots } from './endpoint-slots.js';

describe('EndpointSlots', () => {
  it('keys endpoints by scheme, host and port', () => {
    expect(EndpointSlots.keyOf('http://user:pw@Example.org:8080/a/b?c=1')).toBe('http://example.org:8080');
    expect(EndpointSlots.keyOf('https://example.org/x')).toBe('https://example.org');
    expect(EndpointSlots.keyOf('mqtt://broker:1883/city/topic')).toBe('mqtt://broker:1883');
  });

  it('caps the sends in flight per endpoint and wakes the waiters when a slot frees', () => {
    const slots = new EndpointSlots<string>(2);
    slots.acquire('a');
    slots.acquire('a');
    expect(slots.free('a')).toBe(false);
    expect(slots.free('b')).toBe(true);
    slots.wait('a', 'sub1');
    slots.wait('a', 'sub2');
    slots.wait('a', 'sub1');
    expect(slots.release('a')).toEqual(['sub1', 'sub2']);
    expect(slots.free('a')).toBe(true);
    expect(slots.release('a')).toEqual([]);
    expect(slots.inFlight('a')).toBe(0);
  });
});
