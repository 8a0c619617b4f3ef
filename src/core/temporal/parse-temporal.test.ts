// Temporal representation as input (clause 4.5.7, 5.6.11, 5.6.12, 5.6.14).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { createCoreActiveContext } from '../jsonld/context-processor.js';
import {
  MAX_INSTANCES_PER_WRITE,
  parseInstanceFragment,
  parseTemporalEntity,
  parseTemporalFragment,
} from './parse-temporal.js';

const core = createCoreActiveContext();
const D = 'https://uri.etsi.org/ngsi-ld/default-context/';

function detailOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NgsiError);
    expect((e as NgsiError).kind).toBe('BadRequestData');
    return (e as NgsiError).detail;
  }
  throw new Error('expected a BadRequestData');
}

describe('parseTemporalEntity', () => {
  it('reads arrays of instances, several with the same datasetId, and single instances', () => {
    const t = parseTemporalEntity(
      {
        id: 'urn:ngsi-ld:Vehicle:1',
        type: 'Vehicle',
        speed: [
          { type: 'Property', value: 120, observedAt: '2020-08-01T12:03:00Z' },
          { type: 'Property', value: 80, observedAt: '2020-08-01T12:05:00Z' },
          { type: 'Property', value: 10, observedAt: '2020-08-01T12:05:00Z', datasetId: 'urn:ds:1' },
          { type: 'Property', value: 11, observedAt: '2020-08-01T12:06:00Z', datasetId: 'urn:ds:1' },
        ],
        owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:1', observedAt: '2020-08-01T12:03:00Z' },
        '@context': 'ignored here: the route resolves it',
      },
      core,
    );
    expect(t.id).toBe('urn:ngsi-ld:Vehicle:1');
    expect(t.type).toEqual([`${D}Vehicle`]);
    expect(t.attrs[`${D}speed`]).toHaveLength(4);
    expect(t.attrs[`${D}speed`]![2]).toEqual({
      type: 'Property',
      value: 10,
      observedAt: '2020-08-01T12:05:00Z',
      datasetId: 'urn:ds:1',
    });
    expect(t.attrs[`${D}owner`]).toEqual([
      { type: 'Relationship', value: 'urn:ngsi-ld:Person:1', observedAt: '2020-08-01T12:03:00Z' },
    ]);
  });

  it('reads concise instances and keeps an array value of a concise Property as one instance', () => {
    const t = parseTemporalEntity(
      {
        id: 'urn:x:1',
        type: 'T',
        speed: [
          { value: 1, observedAt: '2020-08-01T12:03:00Z' },
          { value: 2, observedAt: '2020-08-01T12:04:00Z' },
        ],
        tags: ['a', 'b'],
      },
      core,
    );
    expect(t.attrs[`${D}speed`]!.map((i) => i.value)).toEqual([1, 2]);
    expect(t.attrs[`${D}tags`]).toEqual([{ type: 'Property', value: ['a', 'b'] }]);
  });

  it.each([
    [null, 'must be a JSON object'],
    [[], 'must be a JSON object'],
    [{ type: 'T' }, 'entity id'],
    [{ id: 'not a uri', type: 'T' }, 'entity id'],
    [{ id: 'urn:x:1' }, 'entity type'],
    [{ '@id': 'urn:x:1', type: 'T' }, '"@id"'],
    [{ id: 'urn:x:1', type: 'T', speed: [] }, 'speed has no instances'],
    [{ id: 'urn:x:1', type: 'T', speed: null }, 'speed has no value'],
    [
      { id: 'urn:x:1', type: 'T', speed: [{ type: 'Property', value: 1, observedAt: 'yesterday' }] },
      'observedAt',
    ],
    [{ id: 'urn:x:1', type: 'T', 'bad name': 1 }, 'attribute name'],
    [{ id: 'urn:x:1', type: 'T', rel: [{ type: 'Relationship', object: 'nope' }] }, 'object of rel'],
  ])('refuses %j', (body, fragment) => {
    expect(detailOf(() => parseTemporalEntity(body, core))).toContain(fragment);
  });

  it('bounds the number of instances of one request', () => {
    const many = Array.from({ length: MAX_INSTANCES_PER_WRITE + 1 }, () => ({ value: 1 }));
    expect(detailOf(() => parseTemporalEntity({ id: 'urn:x:1', type: 'T', p: many }, core))).toContain(
      'too many attribute instances',
    );
  });

  it('answers any JSON with a result or a BadRequestData', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (body) => {
        try {
          parseTemporalEntity(body, core);
        } catch (e) {
          expect((e as NgsiError).kind).toBe('BadRequestData');
        }
      }),
    );
  });
});

describe('parseTemporalFragment', () => {
  it('takes the id from the URL and an optional type', () => {
    const t = parseTemporalFragment({ speed: [{ value: 1 }, { value: 2 }] }, 'urn:x:1', core);
    expect(t).toEqual({
      id: 'urn:x:1',
      type: [],
      attrs: {
        [`${D}speed`]: [
          { type: 'Property', value: 1 },
          { type: 'Property', value: 2 },
        ],
      },
    });
    expect(parseTemporalFragment({ id: 'urn:x:1', type: 'T', p: 1 }, 'urn:x:1', core).type).toEqual([
      `${D}T`,
    ]);
  });

  it('refuses another id, and a fragment without attributes', () => {
    expect(detailOf(() => parseTemporalFragment({ id: 'urn:x:2', p: 1 }, 'urn:x:1', core))).toContain(
      'differs from the URL id',
    );
    expect(detailOf(() => parseTemporalFragment({ type: 'T' }, 'urn:x:1', core))).toContain('no attributes');
  });
});

describe('parseInstanceFragment', () => {
  it('reads the instance itself or wrapped in its attribute name', () => {
    const expected = { type: 'Property', value: 150, observedAt: '2020-08-01T12:03:00Z' };
    expect(parseInstanceFragment('speed', { value: 150, observedAt: '2020-08-01T12:03:00Z' }, core)).toEqual(
      expected,
    );
    expect(
      parseInstanceFragment(
        'speed',
        { speed: { type: 'Property', value: 150, observedAt: '2020-08-01T12:03:00Z' } },
        core,
      ),
    ).toEqual(expected);
    expect(
      parseInstanceFragment(
        'speed',
        { speed: [{ type: 'Property', value: 150, observedAt: '2020-08-01T12:03:00Z' }], '@context': 'x' },
        core,
      ),
    ).toEqual(expected);
  });

  it('refuses several instances and non-objects', () => {
    expect(
      detailOf(() => parseInstanceFragment('speed', { speed: [{ value: 1 }, { value: 2 }] }, core)),
    ).toContain('one attribute instance at a time');
    expect(detailOf(() => parseInstanceFragment('speed', 3, core))).toContain('must be a JSON object');
  });
});
