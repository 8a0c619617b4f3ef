/**
 * The cached device lookup: one store read per device per TTL, misses remembered briefly, failures
 * not remembered, forget() for this process's own changes, and a bounded size.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceRecord } from '../../store/devices-port.js';
import type { DeviceProfile } from '../registry/profile.js';
import { DeviceCache } from './device-cache.js';

const found = (id: string) => ({
  device: { tenant: 't', id } as DeviceRecord,
  profile: { id: 'p' } as DeviceProfile,
});

function source(known: Set<string>, failing = new Set<string>()) {
  const reads: string[] = [];
  return {
    reads,
    device: async (_tenant: string, id: string) => {
      reads.push(id);
      if (failing.has(id)) throw new Error('store down');
      return known.has(id) ? found(id) : undefined;
    },
  };
}

describe('DeviceCache', () => {
  it('reads each device once per TTL, and again after it', async () => {
    let now = 0;
    const src = source(new Set(['a']));
    const cache = new DeviceCache({ source: src, ttlMs: 1000, now: () => now });
    expect((await cache.device('t', 'a'))?.device.id).toBe('a');
    await cache.device('t', 'a');
    expect(src.reads).toEqual(['a']);
    now = 1500;
    await cache.device('t', 'a');
    expect(src.reads).toEqual(['a', 'a']);
  });

  it('remembers an unknown device for the shorter miss TTL', async () => {
    let now = 0;
    const src = source(new Set());
    const cache = new DeviceCache({ source: src, ttlMs: 10_000, missTtlMs: 100, now: () => now });
    expect(await cache.device('t', 'ghost')).toBeUndefined();
    await cache.device('t', 'ghost');
    expect(src.reads).toEqual(['ghost']);
    now = 200;
    await cache.device('t', 'ghost');
    expect(src.reads).toEqual(['ghost', 'ghost']);
  });

  it('does not remember a failed read', async () => {
    const src = source(new Set(['a']), new Set(['a']));
    const cache = new DeviceCache({ source: src });
    await expect(cache.device('t', 'a')).rejects.toThrow('store down');
    await new Promise((r) => setTimeout(r, 0));
    await expect(cache.device('t', 'a')).rejects.toThrow('store down');
    expect(src.reads).toEqual(['a', 'a']);
  });

  it('forgets one device, or a whole tenant', async () => {
    const src = source(new Set(['a', 'b']));
    const cache = new DeviceCache({ source: src });
    await cache.device('t', 'a');
    await cache.device('t', 'b');
    await cache.device('u', 'a');
    cache.forget('t', 'a');
    await cache.device('t', 'a');
    await cache.device('t', 'b');
    expect(src.reads).toEqual(['a', 'b', 'a', 'a']);
    cache.forget('t');
    await cache.device('t', 'b');
    await cache.device('u', 'a');
    expect(src.reads).toEqual(['a', 'b', 'a', 'a', 'b']);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const src = source(new Set(['a', 'b', 'c']));
    const cache = new DeviceCache({ source: src, maxEntries: 2 });
    await cache.device('t', 'a');
    await cache.device('t', 'b');
    await cache.device('t', 'c');
    await cache.device('t', 'c');
    await cache.device('t', 'a');
    expect(src.reads).toEqual(['a', 'b', 'c', 'a']);
  });
});
