// Temporal representations out: normalized (4.5.7), temporalValues (4.5.9), aggregated (4.5.19).
import { describe, expect, it } from 'vitest';
import { createCoreActiveContext } from '../jsonld/context-processor.js';
import type { AggregatedEntity, StoredInstance, TemporalEntity } from './model.js';
import { renderAggregatedEntity, renderTemporalEntity } from './render-temporal.js';

const core = createCoreActiveContext();
const D = 'https://uri.etsi.org/ngsi-ld/default-context/';

let n = 0;
function inst(partial: Partial<StoredInstance> & Pick<StoredInstance, 'type' | 'value'>): StoredInstance {
  n++;
  return {
    instanceId: `urn:ngsi-ld:attribute:instance:${n}`,
    createdAt: '2026-01-01T00:00:00Z',
    modifiedAt: '2026-01-01T00:00:00Z',
    ...partial,
  };
}

const vehicle: TemporalEntity = {
  id: 'urn:ngsi-ld:Vehicle:1',
  type: [`${D}Vehicle`],
  createdAt: '2020-08-01T12:00:00Z',
  modifiedAt: '2020-08-01T12:07:00Z',
  attrs: {
    [`${D}speed`]: [
      inst({ type: 'Property', value: 120, observedAt: '2020-08-01T12:03:00Z', unitCode: 'KMH' }),
      inst({ type: 'Property', value: 80, observedAt: '2020-08-01T12:05:00Z' }),
      inst({ type: 'Property', value: 7, observedAt: '2020-08-01T12:05:00Z', datasetId: 'urn:ds:gps' }),
    ],
    [`${D}owner`]: [
      inst({ type: 'Relationship', value: 'urn:ngsi-ld:Person:1', observedAt: '2020-08-01T12:03:00Z' }),
    ],
    [`${D}street`]: [
      inst({
        type: 'LanguageProperty',
        value: { fr: 'Grand Place', nl: 'Grote Markt' },
        observedAt: '2020-08-01T12:03:00Z',
      }),
    ],
    [`${D}kind`]: [
      inst({ type: 'VocabProperty', value: `${D}monument`, observedAt: '2020-08-01T12:03:00Z' }),
    ],
    [`${D}doc`]: [inst({ type: 'JsonProperty', value: { a: 1 }, observedAt: '2020-08-01T12:03:00Z' })],
    [`${D}depths`]: [inst({ type: 'ListProperty', value: [1.2, 3.4], observedAt: '2020-08-01T12:03:00Z' })],
    [`${D}route`]: [
      inst({ type: 'ListRelationship', value: ['urn:r:1', 'urn:r:2'], observedAt: '2020-08-01T12:03:00Z' }),
    ],
    location: [
      inst({
        type: 'GeoProperty',
        value: { type: 'Point', coordinates: [1, 2] },
        observedAt: '2020-08-01T12:03:00Z',
      }),
    ],
    [`${D}empty`]: [],
  },
};
vehicle.attrs['https://uri.etsi.org/ngsi-ld/location'] = vehicle.attrs.location!;
delete vehicle.attrs.location;

describe('normalized temporal representation', () => {
  it('lists every instance with its instanceId, compacted, always as an array', () => {
    const out = renderTemporalEntity(vehicle, core, { format: 'normalized', timeproperty: 'observedAt' });
    expect(out.id).toBe('urn:ngsi-ld:Vehicle:1');
    expect(out.type).toBe('Vehicle');
    expect(out.createdAt).toBeUndefined();
    const speed = out.speed as Array<Record<string, unknown>>;
    expect(speed).toHaveLength(3);
    expect(speed[0]).toEqual({
      type: 'Property',
      value: 120,
      unitCode: 'KMH',
      observedAt: '2020-08-01T12:03:00Z',
      instanceId: vehicle.attrs[`${D}speed`]![0]!.instanceId,
    });
    expect(speed[2]!.datasetId).toBe('urn:ds:gps');
    expect(out.owner).toEqual([
      expect.objectContaining({ type: 'Relationship', object: 'urn:ngsi-ld:Person:1' }),
    ]);
    expect(out).not.toHaveProperty('empty');
  });

  it('adds sysAttrs on the entity and each instance when asked', () => {
    const out = renderTemporalEntity(vehicle, core, {
      format: 'normalized',
      timeproperty: 'observedAt',
      sysAttrs: true,
    });
    expect(out.createdAt).toBe('2020-08-01T12:00:00Z');
    expect(out.modifiedAt).toBe('2020-08-01T12:07:00Z');
    expect((out.speed as Array<Record<string, unknown>>)[0]).toMatchObject({
      createdAt: '2026-01-01T00:00:00Z',
      modifiedAt: '2026-01-01T00:00:00Z',
    });
  });

  it('shows the time property the query used even without sysAttrs', () => {
    const out = renderTemporalEntity(vehicle, core, { format: 'normalized', timeproperty: 'modifiedAt' });
    expect((out.speed as Array<Record<string, unknown>>)[0]!.modifiedAt).toBe('2026-01-01T00:00:00Z');
    expect((out.speed as Array<Record<string, unknown>>)[0]!.createdAt).toBeUndefined();
  });

  it('projects with attrs, pick and omit, and picks a language with lang', () => {
    const only = renderTemporalEntity(vehicle, core, {
      format: 'normalized',
      timeproperty: 'observedAt',
      attrs: new Set([`${D}speed`]),
    });
    expect(Object.keys(only)).toEqual(['id', 'type', 'speed']);
    const picked = renderTemporalEntity(vehicle, core, {
      format: 'normalized',
      timeproperty: 'observedAt',
      pick: new Set(['id', `${D}owner`]),
    });
    expect(Object.keys(picked)).toEqual(['id', 'owner']);
    const omitted = renderTemporalEntity(vehicle, core, {
      format: 'normalized',
      timeproperty: 'observedAt',
      omit: new Set(['type', `${D}speed`]),
    });
    expect(omitted).not.toHaveProperty('type');
    expect(omitted).not.toHaveProperty('speed');
    const lang = renderTemporalEntity(vehicle, core, {
      format: 'normalized',
      timeproperty: 'observedAt',
      lang: 'nl',
    });
    expect((lang.street as Array<Record<string, unknown>>)[0]).toMatchObject({
      type: 'Property',
      value: 'Grote Markt',
      lang: 'nl',
    });
  });
});

describe('temporalValues (4.5.9)', () => {
  const out = renderTemporalEntity(vehicle, core, { format: 'temporalValues', timeproperty: 'observedAt' });

  it('pairs values with their time, one object per datasetId', () => {
    expect(out.speed).toEqual([
      {
        type: 'Property',
        values: [
          [120, '2020-08-01T12:03:00Z'],
          [80, '2020-08-01T12:05:00Z'],
        ],
      },
      { type: 'Property', datasetId: 'urn:ds:gps', values: [[7, '2020-08-01T12:05:00Z']] },
    ]);
  });

  it('names the member after each attribute type', () => {
    expect(out.owner).toEqual({
      type: 'Relationship',
      objects: [['urn:ngsi-ld:Person:1', '2020-08-01T12:03:00Z']],
    });
    expect(out.street).toEqual({
      type: 'LanguageProperty',
      languageMaps: [[{ languageMap: { fr: 'Grand Place', nl: 'Grote Markt' } }, '2020-08-01T12:03:00Z']],
    });
    expect(out.kind).toEqual({
      type: 'VocabProperty',
      vocabs: [[{ vocab: 'monument' }, '2020-08-01T12:03:00Z']],
    });
    expect(out.doc).toEqual({ type: 'JsonProperty', jsons: [[{ json: { a: 1 } }, '2020-08-01T12:03:00Z']] });
    expect(out.depths).toEqual({ type: 'ListProperty', valueLists: [[[1.2, 3.4], '2020-08-01T12:03:00Z']] });
    expect(out.route).toEqual({
      type: 'ListRelationship',
      objectLists: [[['urn:r:1', 'urn:r:2'], '2020-08-01T12:03:00Z']],
    });
    expect(out.location).toEqual({
      type: 'GeoProperty',
      values: [[{ type: 'Point', coordinates: [1, 2] }, '2020-08-01T12:03:00Z']],
    });
  });

  it('pairs with the requested time property, and a LanguageProperty with lang becomes a Property', () => {
    const byCreation = renderTemporalEntity(vehicle, core, {
      format: 'temporalValues',
      timeproperty: 'createdAt',
      lang: 'fr',
      attrs: new Set([`${D}owner`, `${D}street`]),
    });
    expect(byCreation).toEqual({
      id: 'urn:ngsi-ld:Vehicle:1',
      type: 'Vehicle',
      owner: { type: 'Relationship', objects: [['urn:ngsi-ld:Person:1', '2026-01-01T00:00:00Z']] },
      street: { type: 'Property', values: [['Grand Place', '2026-01-01T00:00:00Z']] },
    });
  });
});

describe('aggregated representation (4.5.19)', () => {
  const agg: AggregatedEntity = {
    id: 'urn:ngsi-ld:Vehicle:1',
    type: [`${D}Vehicle`, `${D}Car`],
    attrs: {
      [`${D}speed`]: [
        {
          type: 'Property',
          buckets: [
            { start: '2020-08-01T12:00:00Z', end: '2020-08-01T13:00:00Z', values: { avg: 100, max: 120 } },
            { start: '2020-08-01T13:00:00Z', end: '2020-08-01T14:00:00Z', values: { avg: 50, max: null } },
          ],
        },
        {
          type: 'Property',
          datasetId: 'urn:ds:gps',
          buckets: [
            { start: '2020-08-01T12:00:00Z', end: '2020-08-01T13:00:00Z', values: { avg: 7, max: 7 } },
          ],
        },
      ],
      [`${D}fuel`]: [
        {
          type: 'Property',
          buckets: [{ start: '2020-08-01T12:00:00Z', end: '2020-08-01T13:00:00Z', values: { avg: 67 } }],
        },
      ],
    },
  };

  it('gives [value, start, end] triples per function, per datasetId', () => {
    const out = renderAggregatedEntity(agg, core, { methods: ['avg', 'max'] });
    expect(out.type).toEqual(['Vehicle', 'Car']);
    expect(out.speed).toEqual([
      {
        type: 'Property',
        avg: [
          [100, '2020-08-01T12:00:00Z', '2020-08-01T13:00:00Z'],
          [50, '2020-08-01T13:00:00Z', '2020-08-01T14:00:00Z'],
        ],
        max: [
          [120, '2020-08-01T12:00:00Z', '2020-08-01T13:00:00Z'],
          [null, '2020-08-01T13:00:00Z', '2020-08-01T14:00:00Z'],
        ],
      },
      {
        type: 'Property',
        datasetId: 'urn:ds:gps',
        avg: [[7, '2020-08-01T12:00:00Z', '2020-08-01T13:00:00Z']],
        max: [[7, '2020-08-01T12:00:00Z', '2020-08-01T13:00:00Z']],
      },
    ]);
    expect(out.fuel).toEqual({
      type: 'Property',
      avg: [[67, '2020-08-01T12:00:00Z', '2020-08-01T13:00:00Z']],
      max: [[null, '2020-08-01T12:00:00Z', '2020-08-01T13:00:00Z']],
    });
  });

  it('projects with attrs and omit', () => {
    const out = renderAggregatedEntity(agg, core, {
      methods: ['avg'],
      attrs: new Set([`${D}fuel`]),
      omit: new Set(['type']),
    });
    expect(out).toEqual({
      id: 'urn:ngsi-ld:Vehicle:1',
      fuel: { type: 'Property', avg: [[67, '2020-08-01T12:00:00Z', '2020-08-01T13:00:00Z']] },
    });
  });
});
