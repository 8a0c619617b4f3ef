/** The row form of attribute instances, shared by every store. */
import { describe, expect, it } from 'vitest';
import type { Attribute } from '../../../core/model/entity.js';
import {
  decodeInstance,
  encodeInstance,
  instanceDigits,
  instanceId,
  KINDS,
  LastInstant,
  toMs,
  type InstanceFields,
} from './instance-codec.js';

/** Encode, then read back as the row would come from a store. */
function roundTrip(a: Attribute, iid: number | string = 7): ReturnType<typeof decodeInstance> {
  const c = encodeInstance(a);
  const row: InstanceFields = [iid, c.kind, c.observedAt, 1000, 2000, c.num, c.str, c.json, c.unit, c.extra];
  return decodeInstance(row, a.datasetId);
}

describe('instance rows', () => {
  it('stores a bare number or string without any JSON', () => {
    expect(encodeInstance({ type: 'Property', value: 21.5, unitCode: 'CEL' })).toEqual({
      kind: 0,
      observedAt: null,
      unit: 'CEL',
      extra: null,
      num: 21.5,
      str: null,
      json: null,
    });
    expect(encodeInstance({ type: 'Relationship', value: 'urn:x' })).toMatchObject({
      kind: 1,
      str: 'urn:x',
      json: null,
    });
  });

  it('gives back every member it keeps', () => {
    const cases: Attribute[] = [
      { type: 'Property', value: 3, observedAt: '2026-01-01T00:00:00.000Z', unitCode: 'MTR' },
      { type: 'Property', value: true },
      { type: 'Property', value: null },
      { type: 'Property', value: { a: [1, 'x'] }, datasetId: 'urn:ds:1' },
      { type: 'Relationship', value: 'urn:p:1', objectType: ['https://x/Person', 'https://x/Agent'] },
      { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } },
      { type: 'LanguageProperty', value: { en: 'street', fr: 'rue' } },
      { type: 'ListProperty', value: [1, 2, 3] },
      { type: 'ListRelationship', value: ['urn:a', 'urn:b'] },
      { type: 'VocabProperty', value: 'https://x/Open' },
      { type: 'JsonProperty', value: 5 },
      {
        type: 'Property',
        value: 1,
        sub: { 'https://x/s': { type: 'Property', value: 'v', unitCode: 'C62' } },
      },
    ];
    for (const a of cases) {
      expect(roundTrip(a)).toEqual({
        ...a,
        instanceId: 'urn:ngsi-ld:attribute:instance:7',
        createdAt: '1970-01-01T00:00:01.000Z',
        modifiedAt: '1970-01-01T00:00:02.000Z',
      });
    }
    expect(new Set(cases.map((c) => encodeInstance(c).kind)).size).toBe(KINDS.length);
  });

  it('keeps sub-attributes without their own system timestamps', () => {
    const sub = {
      'https://x/s': {
        type: 'Property' as const,
        value: 'v',
        createdAt: '2026-01-01T00:00:00Z',
        modifiedAt: '2026-01-02T00:00:00Z',
        sub: { 'https://x/t': { type: 'Property' as const, value: 1, modifiedAt: '2026-01-02T00:00:00Z' } },
      },
    };
    expect(roundTrip({ type: 'Property', value: 1, sub }).sub).toEqual({
      'https://x/s': { type: 'Property', value: 'v', sub: { 'https://x/t': { type: 'Property', value: 1 } } },
    });
  });

  it('names an instance the same whether its row id is a number or decimal text', () => {
    const a: Attribute = { type: 'Property', value: 1 };
    expect(roundTrip(a, 7)).toEqual(roundTrip(a, '7'));
  });

  it('drops malformed members instead of storing them', () => {
    const odd = { type: 'Property', value: 1, unitCode: 5, sub: null } as unknown as Attribute;
    expect(encodeInstance(odd)).toMatchObject({ unit: null, extra: null });
  });

  it('reads back only its own instance ids, as at most 18 digits', () => {
    expect(instanceDigits(instanceId(42))).toBe('42');
    expect(instanceDigits(instanceId('999999999999999999'))).toBe('999999999999999999');
    for (const bad of [
      'urn:ngsi-ld:attribute:instance:',
      'urn:ngsi-ld:attribute:instance:0',
      'urn:ngsi-ld:attribute:instance:01',
      'urn:ngsi-ld:attribute:instance:1e3',
      'urn:ngsi-ld:attribute:instance:-1',
      'urn:ngsi-ld:attribute:instance:1000000000000000000',
      'urn:other:42',
      42 as unknown as string,
    ]) {
      expect(instanceDigits(bad)).toBeUndefined();
    }
  });

  it('parses instants as toMs does when it remembers the last one, also across changes and absences', () => {
    const last = new LastInstant();
    const seq = [
      undefined,
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:01.500Z',
      'not a date',
      'not a date',
      undefined,
      '2026-01-01T00:00:00Z',
    ];
    expect(seq.map((iso) => last.toMs(iso))).toEqual(seq.map((iso) => toMs(iso)));
    expect(last.toMs('2026-01-01T00:00:01.500Z')).toBe(Date.UTC(2026, 0, 1, 0, 0, 1, 500));
  });

  it('encodes the observedAt of each instance, also when consecutive instances differ', () => {
    const at = ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', undefined];
    expect(at.map((o) => encodeInstance({ type: 'Property', value: 1, observedAt: o }).observedAt)).toEqual([
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 1, 1),
      null,
    ]);
  });
});
