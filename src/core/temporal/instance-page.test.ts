// Temporal pagination (clause 6.3.10): one page of the time range for every attribute.
import { describe, expect, it } from 'vitest';
import { cutToPage } from './instance-page.js';
import type { StoredInstance, TemporalEntity } from './model.js';

const minute = (m: number) => `2026-01-01T00:${String(m).padStart(2, '0')}:00.000Z`;
const series = (from: number, to: number): StoredInstance[] =>
  Array.from({ length: to - from + 1 }, (_, k) => ({
    type: 'Property',
    value: from + k,
    observedAt: minute(from + k),
    instanceId: `urn:ngsi-ld:attribute:instance:${from + k}`,
    createdAt: minute(from + k),
    modifiedAt: minute(from + k),
  }));
const entity = (id: string, attrs: Record<string, StoredInstance[]>): TemporalEntity => ({
  id,
  type: ['T'],
  attrs,
});
const values = (e: TemporalEntity, a: string) => e.attrs[a]!.map((i) => i.value);

describe('cutToPage', () => {
  it('leaves an answer that fits alone', () => {
    const e = [entity('urn:x:1', { a: series(0, 4) })];
    const out = cutToPage(e, { timeproperty: 'observedAt' }, 5);
    expect(out.page).toBeUndefined();
    expect(out.entities).toEqual(e);
  });

  it('forwards: cuts at the earliest last-kept instant of any cut attribute, for every attribute', () => {
    const e = [
      entity('urn:x:1', { a: series(0, 5), b: series(1, 3) }),
      entity('urn:x:2', { a: series(2, 9), c: series(0, 9).slice(0, 4) }),
    ];
    // max 3: x:1 a keeps 0..2 (last 2); x:2 a keeps 2..4 (last 4) → boundary minute 2.
    const out = cutToPage(e, { timeproperty: 'observedAt' }, 3);
    expect(out.page).toEqual({ start: minute(0), end: minute(2), size: '*' });
    expect(values(out.entities[0]!, 'a')).toEqual([0, 1, 2]);
    expect(values(out.entities[0]!, 'b')).toEqual([1, 2]);
    expect(values(out.entities[1]!, 'a')).toEqual([2]);
    expect(values(out.entities[1]!, 'c')).toEqual([0, 1, 2]);
  });

  it('forwards: starts at timeAt for after and between', () => {
    const e = [entity('urn:x:1', { a: series(10, 20) })];
    const after = cutToPage(
      e,
      { timeproperty: 'observedAt', time: { timerel: 'after', timeAt: Date.parse(minute(5)) } },
      4,
    );
    expect(after.page).toEqual({ start: minute(5), end: minute(13), size: '*' });
    const before = cutToPage(
      e,
      { timeproperty: 'observedAt', time: { timerel: 'before', timeAt: Date.parse(minute(50)) } },
      4,
    );
    expect(before.page).toEqual({ start: minute(10), end: minute(13), size: '*' });
  });

  it('backwards (lastN): keeps the most recent, cuts at the latest first-kept instant', () => {
    const e = [entity('urn:x:1', { a: series(0, 9), b: series(0, 7) })];
    const out = cutToPage(e, { timeproperty: 'observedAt', lastN: 20 }, 3);
    // a keeps 7..9, b keeps 5..7 → boundary 7 (the latest first-kept); b trimmed to ≥ 7.
    expect(out.page).toEqual({ start: minute(9), end: minute(7), size: 20 });
    expect(values(out.entities[0]!, 'a')).toEqual([7, 8, 9]);
    expect(values(out.entities[0]!, 'b')).toEqual([7]);
    const between = cutToPage(
      e,
      {
        timeproperty: 'observedAt',
        lastN: 20,
        time: { timerel: 'between', timeAt: Date.parse(minute(0)), endTimeAt: Date.parse(minute(30)) },
      },
      3,
    );
    expect(between.page?.start).toBe(minute(30));
  });

  it('pages on the requested time property', () => {
    const a = series(0, 5)
      .map((i, k) => ({ ...i, modifiedAt: minute(50 - k) }))
      .reverse();
    const out = cutToPage([entity('urn:x:1', { a })], { timeproperty: 'modifiedAt' }, 2);
    expect(out.page).toEqual({ start: minute(45), end: minute(46), size: '*' });
  });
});
