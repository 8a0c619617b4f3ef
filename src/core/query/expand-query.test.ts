import { describe, expect, it } from 'vitest';
import { expandGeoQuery, expandPath, expandQExpr, expandTypeExpr } from './expand-query.js';
import { parseGeoQuery } from './geo-query.js';
import { parseQ } from './q-parser.js';
import { parseTypeExpr } from './type-expr.js';

const ns = 'https://example.org/';
const expand = (t: string): string => `${ns}${t}`;

describe('expandQExpr', () => {
  it('expands attribute and sub-attribute names, not members nor JSON keys', () => {
    expect(
      expandQExpr(parseQ('sensor.rawdata[airquality.particulate]==40;speed.observedAt>2020-01-01'), expand),
    ).toEqual({
      kind: 'and',
      items: [
        {
          kind: 'compare',
          path: { attr: `${ns}sensor`, sub: [`${ns}rawdata`], keys: ['airquality', 'particulate'] },
          op: '==',
          value: { kind: 'number', value: 40 },
        },
        {
          kind: 'compare',
          path: { attr: `${ns}speed`, sub: ['observedAt'], keys: [] },
          op: '>',
          value: { kind: 'datetime', value: '2020-01-01', epochMs: Date.UTC(2020, 0, 1) },
        },
      ],
    });
  });

  it('walks every node kind and leaves literals alone', () => {
    const e = expandQExpr(parseQ('!a|b==1..2|c!=x,y|d.unitCode=="CEL"'), expand);
    expect(e).toMatchObject({
      kind: 'or',
      items: [
        { kind: 'notExists', path: { attr: `${ns}a` } },
        { kind: 'range', path: { attr: `${ns}b` } },
        {
          kind: 'in',
          path: { attr: `${ns}c` },
          values: [
            { kind: 'string', value: 'x' },
            { kind: 'string', value: 'y' },
          ],
        },
        {
          kind: 'compare',
          path: { attr: `${ns}d`, sub: ['unitCode'] },
          value: { kind: 'string', value: 'CEL' },
        },
      ],
    });
  });

  it('expandValues expands string and URI literals of the listed attributes (EXAMPLE 12)', () => {
    expect(expandQExpr(parseQ('gender==Male'), expand, { expandValues: ['gender'] })).toMatchObject({
      value: { kind: 'uri', value: `${ns}Male` },
    });
    expect(expandQExpr(parseQ('gender==Male,Female'), expand, { expandValues: ['gender'] })).toMatchObject({
      values: [{ value: `${ns}Male` }, { value: `${ns}Female` }],
    });
    expect(expandQExpr(parseQ('other==Male'), expand, { expandValues: ['gender'] })).toMatchObject({
      value: { kind: 'string', value: 'Male' },
    });
    expect(expandQExpr(parseQ('gender~=Ma'), expand, { expandValues: ['gender'] })).toMatchObject({
      value: { kind: 'string', value: 'Ma' },
    });
  });

  it('does not modify its input', () => {
    const parsed = parseQ('a.b[c]==1');
    const copy = structuredClone(parsed);
    expandQExpr(parsed, expand);
    expect(parsed).toEqual(copy);
  });

  it('expandPath', () => {
    expect(expandPath({ attr: 'a', sub: ['b', 'datasetId'], keys: ['k'] }, expand)).toEqual({
      attr: `${ns}a`,
      sub: [`${ns}b`, 'datasetId'],
      keys: ['k'],
    });
  });
});

describe('expandTypeExpr and expandGeoQuery', () => {
  it('expands type names', () => {
    expect(expandTypeExpr(parseTypeExpr('(Home;Vehicle)|Motorhome'), expand)).toEqual({
      kind: 'or',
      items: [
        {
          kind: 'and',
          items: [
            { kind: 'type', name: `${ns}Home` },
            { kind: 'type', name: `${ns}Vehicle` },
          ],
        },
        { kind: 'type', name: `${ns}Motorhome` },
      ],
    });
  });

  it('expands the geoproperty, default included', () => {
    const geo = parseGeoQuery({ georel: 'near;maxDistance==10', geometry: 'Point', coordinates: '[1,2]' });
    expect(expandGeoQuery(geo, expand)).toEqual({ ...geo, geoproperty: `${ns}location` });
  });
});
