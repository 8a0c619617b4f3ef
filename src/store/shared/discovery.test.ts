/** Discovery from (signature, count) pairs, as every store lists types and attributes. */
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../core/model/entity.js';
import { attributesOf, SignatureCache, typesOf, type ShapeCount } from './discovery.js';
import { sameShape, signature } from './entity-shape.js';

const T = 'https://x/T';
const U = 'https://x/U';
const temp = 'https://x/temperature';
const loc = 'https://x/location';

const e = (type: string[], attrs: Entity['attrs']): Entity => ({ id: 'urn:x', type, attrs });

describe('entity signature', () => {
  it('sorts types and attributes and counts instances per attribute type', () => {
    const a = e([U, T], {
      [temp]: [
        { type: 'Property', value: 1 },
        { type: 'Property', value: 2, datasetId: 'urn:ds' },
      ],
      [loc]: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [0, 0] } }],
    });
    expect(JSON.parse(signature(a))).toEqual([
      [T, U],
      [
        [loc, 'GeoProperty', 1],
        [temp, 'Property', 2],
      ],
    ]);
  });

  it('is the same exactly when sameShape says so', () => {
    const a = e([T], { [temp]: [{ type: 'Property', value: 1 }] });
    const b = e([T], { [temp]: [{ type: 'Property', value: 99 }] });
    const c = e([T], { [temp]: [{ type: 'Relationship', value: 'urn:y' }] });
    expect(sameShape(a, b)).toBe(true);
    expect(signature(a)).toBe(signature(b));
    expect(sameShape(a, c)).toBe(false);
    expect(signature(a)).not.toBe(signature(c));
  });
});

describe('discovery listings', () => {
  const cache = new SignatureCache();
  const shapes: ShapeCount[] = [
    {
      sig: cache.parse(
        signature(
          e([T], { [temp]: [{ type: 'Property', value: 1 }], [loc]: [{ type: 'GeoProperty', value: {} }] }),
        ),
      ),
      n: 3,
    },
    {
      sig: cache.parse(
        signature(
          e([T, U], {
            [temp]: [
              { type: 'Property', value: 1 },
              { type: 'Property', value: 2, datasetId: 'urn:ds' },
            ],
          }),
        ),
      ),
      n: 2,
    },
  ];

  it('lists types with entity counts and attribute types, sorted', () => {
    expect(typesOf(shapes)).toEqual([
      {
        type: T,
        entityCount: 5,
        attributes: [
          { name: loc, attributeTypes: ['GeoProperty'] },
          { name: temp, attributeTypes: ['Property'] },
        ],
      },
      { type: U, entityCount: 2, attributes: [{ name: temp, attributeTypes: ['Property'] }] },
    ]);
    expect(typesOf(shapes, [U]).map((t) => t.type)).toEqual([U]);
  });

  it('lists attributes with instance counts and the types that carry them', () => {
    expect(attributesOf(shapes)).toEqual([
      { name: loc, attributeCount: 3, attributeTypes: ['GeoProperty'], typeNames: [T] },
      { name: temp, attributeCount: 3 + 2 * 2, attributeTypes: ['Property'], typeNames: [T, U] },
    ]);
    expect(attributesOf(shapes, ['https://x/none'])).toEqual([]);
  });

  it('parses each signature text once', () => {
    const text = signature(e([T], {}));
    expect(cache.parse(text)).toBe(cache.parse(text));
  });
});
