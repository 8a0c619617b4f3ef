// Entity model round trips: parse (normalized / concise) → internal expanded form → render.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNgsiError } from '../errors.js';
import { createCoreActiveContext } from '../jsonld/context-processor.js';
import { parseEntity } from './parse-entity.js';
import { renderEntity } from './render-entity.js';

const core = createCoreActiveContext();
const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';

describe('parseEntity', () => {
  it('expands types and attribute names, keeps values', () => {
    const e = parseEntity(
      {
        id: 'urn:x:1',
        type: 'Building',
        height: {
          type: 'Property',
          value: 12,
          unitCode: 'MTR',
          source: { type: 'Property', value: 'survey' },
        },
      },
      core,
    );
    expect(e.type).toEqual([`${DEFAULT}Building`]);
    expect(e.attrs[`${DEFAULT}height`]).toEqual([
      {
        type: 'Property',
        value: 12,
        unitCode: 'MTR',
        sub: { [`${DEFAULT}source`]: { type: 'Property', value: 'survey' } },
      },
    ]);
  });

  it('treats location as a core term', () => {
    const e = parseEntity(
      { id: 'urn:x:1', type: 'T', location: { type: 'Point', coordinates: [1, 2] } },
      core,
    );
    expect(e.attrs['https://uri.etsi.org/ngsi-ld/location']?.[0]?.type).toBe('GeoProperty');
  });

  it('refuses two instances with the same datasetId', () => {
    expect(() =>
      parseEntity(
        {
          id: 'urn:x:1',
          type: 'T',
          p: [
            { type: 'Property', value: 1 },
            { type: 'Property', value: 2 },
          ],
        },
        core,
      ),
    ).toThrow(/two instances/);
  });

  it('parses every attribute kind and renders it back unchanged (normalized)', () => {
    const input = {
      id: 'urn:x:kinds',
      type: ['A', 'B'],
      scope: ['/city/north', '/city/south'],
      p: { type: 'Property', value: { nested: [1, 2] }, observedAt: '2026-01-01T00:00:00Z' },
      r: { type: 'Relationship', object: 'urn:x:other', objectType: 'Other' },
      g: {
        type: 'GeoProperty',
        value: {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        },
      },
      l: { type: 'LanguageProperty', languageMap: { en: 'hello', fr: 'bonjour' } },
      lp: { type: 'ListProperty', valueList: [1, 'two', 3] },
      lr: { type: 'ListRelationship', objectList: [{ object: 'urn:x:a' }, { object: 'urn:x:b' }] },
      v: { type: 'VocabProperty', vocab: 'Monday' },
      j: { type: 'JsonProperty', json: { any: { thing: true } } },
      multi: [
        { type: 'Property', value: 1, datasetId: 'urn:x:ds1' },
        { type: 'Property', value: 2 },
      ],
    };
    expect(renderEntity(parseEntity(input, core), core, { format: 'normalized' })).toEqual(input);
  });

  it('only ever throws NgsiError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        try {
          parseEntity(value, core);
        } catch (e) {
          expect(isNgsiError(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('renderEntity', () => {
  const e = parseEntity(
    {
      id: 'urn:x:r',
      type: 'T',
      temp: { type: 'Property', value: 20, unitCode: 'CEL' },
      plain: { type: 'Property', value: 5 },
      obj: { type: 'Property', value: { a: 1 } },
      owner: { type: 'Relationship', object: 'urn:x:o' },
    },
    core,
  );

  it('keyValues gives bare values', () => {
    expect(renderEntity(e, core, { format: 'keyValues' })).toEqual({
      id: 'urn:x:r',
      type: 'T',
      temp: 20,
      plain: 5,
      obj: { a: 1 },
      owner: 'urn:x:o',
    });
  });

  it('concise drops types, and reduces value-only Properties to the value (not JSON objects)', () => {
    expect(renderEntity(e, core, { format: 'concise' })).toEqual({
      id: 'urn:x:r',
      type: 'T',
      temp: { value: 20, unitCode: 'CEL' },
      plain: 5,
      obj: { value: { a: 1 } },
      owner: { object: 'urn:x:o' },
    });
  });

  it('concise output parses back to the same entity', () => {
    const concise = renderEntity(e, core, { format: 'concise' });
    expect(parseEntity(concise, core)).toEqual(e);
  });
});
