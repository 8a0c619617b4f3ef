import { describe, expect, it } from 'vitest';
import { isoClock } from './entity-service.js';

describe('isoClock', () => {
  it('gives the current time as an ISO string', () => {
    const now = isoClock();
    const before = Date.now();
    const t = Date.parse(now());
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
    expect(now()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('moves on with the clock', async () => {
    const now = isoClock();
    const first = now();
    await new Promise((r) => setTimeout(r, 5));
    expect(Date.parse(now())).toBeGreaterThan(Date.parse(first));
  });
});
