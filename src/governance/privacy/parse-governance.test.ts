// Registry entry documents: the brief's ParkingSpot example parses to the expanded model, defaults
// apply, rendering gives back the canonical document, and every malformed document is a 400 naming
// the path of what is wrong.
import { describe, expect, it } from 'vitest';
import { failure } from '../../../test/support/failure.js';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import type { TypeGovernance } from './model.js';
import { parseGovernance, renderGovernance } from './parse-governance.js';

const EX = 'https://example.org/parking/';
const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';
const resolver = new ContextResolver({ load: async () => ({}) });
const mapper = resolver.resolveSync({
  ex: EX,
  ParkingSpot: 'ex:ParkingSpot',
  plate: 'ex:plate',
  where: 'ex:where',
})!;

const PARKING = {
  type: 'ParkingSpot',
  purpose: 'parking occupancy management',
  undeclared: 'drop',
  retention: 'P1Y',
  attributes: {
    status: { classification: 'public', purpose: 'occupancy', treatment: 'keep' },
    plate: { classification: 'personal', retention: 'P1D', treatment: { kind: 'pseudonymise', length: 16 } },
    location: { classification: 'public', treatment: { kind: 'coarsen', grid: 100 } },
    where: { classification: 'personal', treatment: { kind: 'coarsen', h3: 9 } },
    seenAt: { classification: 'internal', treatment: { kind: 'roundTime', period: 'PT15M' } },
    mac: { classification: 'sensitive', treatment: 'drop' },
  },
};

describe('parseGovernance', () => {
  it('expands the type and attribute names and reads every treatment', () => {
    const g = parseGovernance(PARKING, mapper);
    expect(g).toEqual<TypeGovernance>({
      type: `${EX}ParkingSpot`,
      purpose: 'parking occupancy management',
      undeclared: 'drop',
      retention: 'P1Y',
      attributes: {
        // `status` and `location` are core terms: the core context decides their IRIs.
        'https://uri.etsi.org/ngsi-ld/status': {
          classification: 'public',
          purpose: 'occupancy',
          treatment: { kind: 'keep' },
        },
        [`${EX}plate`]: {
          classification: 'personal',
          retention: 'P1D',
          treatment: { kind: 'pseudonymise', length: 16 },
        },
        'https://uri.etsi.org/ngsi-ld/location': {
          classification: 'public',
          treatment: { kind: 'coarsen', grid: 100 },
        },
        [`${EX}where`]: { classification: 'personal', treatment: { kind: 'coarsen', h3: 9 } },
        [`${DEFAULT}seenAt`]: {
          classification: 'internal',
          treatment: { kind: 'roundTime', period: 'PT15M', periodMs: 900_000 },
        },
        [`${DEFAULT}mac`]: { classification: 'sensitive', treatment: { kind: 'drop' } },
      },
    });
  });

  it('applies the defaults: undeclared drop, no retention, treatment keep, pseudonym length 16', () => {
    const g = parseGovernance(
      {
        type: 'ParkingSpot',
        purpose: 'p',
        attributes: {
          a: { classification: 'public' },
          plate: { classification: 'personal', treatment: 'pseudonymise' },
        },
      },
      mapper,
    );
    expect(g.undeclared).toBe('drop');
    expect(g).not.toHaveProperty('retention');
    expect(g.attributes[`${DEFAULT}a`]).toEqual({ classification: 'public', treatment: { kind: 'keep' } });
    expect(g.attributes[`${EX}plate`]?.treatment).toEqual({ kind: 'pseudonymise', length: 16 });
    expect(
      parseGovernance(
        {
          type: 'T',
          purpose: 'p',
          attributes: { x: { classification: 'public', treatment: { kind: 'pseudonymise' } } },
        },
        mapper,
      ).attributes[`${DEFAULT}x`]?.treatment,
    ).toEqual({ kind: 'pseudonymise', length: 16 });
  });

  it('accepts undeclared "refuse", an empty attribute list and an @context member (left to the caller)', () => {
    const g = parseGovernance(
      {
        '@context': { anything: 'https://x.example/' },
        type: 'T',
        purpose: 'p',
        undeclared: 'refuse',
        attributes: {},
      },
      resolver.core,
    );
    expect(g).toEqual({ type: `${DEFAULT}T`, purpose: 'p', undeclared: 'refuse', attributes: {} });
  });

  const bad: Array<[string, unknown, string]> = [
    ['not an object', [], 'the document must be a JSON object'],
    ['null', null, 'the document must be a JSON object'],
    ['unknown member', { ...PARKING, owner: 'me' }, 'owner is not a member'],
    ['no type', { ...PARKING, type: undefined }, 'type is required'],
    ['type not a name', { ...PARKING, type: 'a b' }, 'type is not a valid name'],
    ['type a keyword alias', { ...PARKING, type: 'id' }, 'type "id" does not expand to an IRI'],
    ['no purpose', { ...PARKING, purpose: undefined }, 'purpose is required'],
    ['empty purpose', { ...PARKING, purpose: '  ' }, 'purpose must be a non-empty text'],
    ['purpose too long', { ...PARKING, purpose: 'x'.repeat(501) }, 'purpose is longer than 500'],
    ['undeclared', { ...PARKING, undeclared: 'allow' }, 'undeclared must be "drop", "refuse" or "keep"'],
    [
      'retention not a duration',
      { ...PARKING, retention: '1 year' },
      'retention "1 year" is not an ISO 8601 duration',
    ],
    ['retention a number', { ...PARKING, retention: 365 }, 'retention must be an ISO 8601 duration'],
    ['no attributes', { ...PARKING, attributes: undefined }, 'attributes is required'],
    ['attributes an array', { ...PARKING, attributes: [] }, 'attributes must be a JSON object'],
    [
      'attribute an entity member',
      { ...PARKING, attributes: { id: { classification: 'public' } } },
      'attributes.id "id" is an entity member',
    ],
    [
      'attribute not an object',
      { ...PARKING, attributes: { a: 'public' } },
      'attributes.a must be a JSON object',
    ],
    ['no classification', { ...PARKING, attributes: { a: {} } }, 'attributes.a.classification is required'],
    [
      'bad classification',
      { ...PARKING, attributes: { a: { classification: 'secret' } } },
      'attributes.a.classification must be one of public, internal, personal, sensitive',
    ],
    [
      'unknown attribute member',
      { ...PARKING, attributes: { a: { classification: 'public', kind: 'keep' } } },
      'attributes.a.kind is not a member',
    ],
    [
      'attribute retention',
      { ...PARKING, attributes: { a: { classification: 'public', retention: 'P' } } },
      'attributes.a.retention "P" is not an ISO 8601 duration',
    ],
    [
      'attribute purpose',
      { ...PARKING, attributes: { a: { classification: 'public', purpose: 3 } } },
      'attributes.a.purpose must be a non-empty text',
    ],
    [
      'unknown treatment',
      { ...PARKING, attributes: { a: { classification: 'public', treatment: 'hash' } } },
      'attributes.a.treatment must be one of keep, drop, pseudonymise, coarsen, roundTime',
    ],
    [
      'treatment a number',
      { ...PARKING, attributes: { a: { classification: 'public', treatment: 1 } } },
      'attributes.a.treatment must be a JSON object',
    ],
    [
      'coarsen as a string',
      { ...PARKING, attributes: { a: { classification: 'public', treatment: 'coarsen' } } },
      'attributes.a.treatment coarsen needs a cell',
    ],
    [
      'roundTime as a string',
      { ...PARKING, attributes: { a: { classification: 'public', treatment: 'roundTime' } } },
      'attributes.a.treatment roundTime needs a period',
    ],
    [
      'no kind',
      { ...PARKING, attributes: { a: { classification: 'public', treatment: { length: 8 } } } },
      'attributes.a.treatment.kind must be one of',
    ],
    [
      'member of another kind',
      { ...PARKING, attributes: { a: { classification: 'public', treatment: { kind: 'keep', length: 8 } } } },
      'attributes.a.treatment.length is not a member',
    ],
    [
      'pseudonym too short',
      {
        ...PARKING,
        attributes: { a: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 4 } } },
      },
      'attributes.a.treatment.length must be an integer from 8 to 64',
    ],
    [
      'pseudonym too long',
      {
        ...PARKING,
        attributes: { a: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 65 } } },
      },
      'attributes.a.treatment.length must be an integer from 8 to 64',
    ],
    [
      'pseudonym fraction',
      {
        ...PARKING,
        attributes: { a: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 8.5 } } },
      },
      'attributes.a.treatment.length must be an integer',
    ],
    [
      'coarsen without a cell',
      { ...PARKING, attributes: { a: { classification: 'public', treatment: { kind: 'coarsen' } } } },
      'exactly one of "grid" (metres) and "h3"',
    ],
    [
      'coarsen with both',
      {
        ...PARKING,
        attributes: { a: { classification: 'public', treatment: { kind: 'coarsen', grid: 100, h3: 9 } } },
      },
      'exactly one of "grid" (metres) and "h3"',
    ],
    [
      'grid too small',
      {
        ...PARKING,
        attributes: { a: { classification: 'public', treatment: { kind: 'coarsen', grid: 0.5 } } },
      },
      'attributes.a.treatment.grid must be a number of metres from 1 to 100000',
    ],
    [
      'grid too large',
      {
        ...PARKING,
        attributes: { a: { classification: 'public', treatment: { kind: 'coarsen', grid: 100_001 } } },
      },
      'attributes.a.treatment.grid must be a number of metres',
    ],
    [
      'grid a string',
      {
        ...PARKING,
        attributes: { a: { classification: 'public', treatment: { kind: 'coarsen', grid: '100' } } },
      },
      'attributes.a.treatment.grid must be a number of metres',
    ],
    [
      'h3 out of range',
      { ...PARKING, attributes: { a: { classification: 'public', treatment: { kind: 'coarsen', h3: 16 } } } },
      'attributes.a.treatment.h3 must be an integer from 0 to 15',
    ],
    [
      'roundTime without period',
      { ...PARKING, attributes: { a: { classification: 'public', treatment: { kind: 'roundTime' } } } },
      'attributes.a.treatment.period must be an ISO 8601 duration',
    ],
    [
      'roundTime bad period',
      {
        ...PARKING,
        attributes: { a: { classification: 'public', treatment: { kind: 'roundTime', period: '15m' } } },
      },
      'attributes.a.treatment.period "15m" is not an ISO 8601 duration',
    ],
    [
      'roundTime in months',
      {
        ...PARKING,
        attributes: { a: { classification: 'public', treatment: { kind: 'roundTime', period: 'P1M' } } },
      },
      'attributes.a.treatment.period must have a fixed length',
    ],
  ];

  it.each(bad)('refuses %s', (_what, doc, message) => {
    const error = failure(() => parseGovernance(doc, mapper));
    expect(error.kind).toBe('BadRequestData');
    expect(error.status).toBe(400);
    expect(error.detail).toContain('Invalid governance entry');
    expect(error.detail).toContain(message);
  });

  it('refuses two names that expand to the same IRI', () => {
    const m = resolver.resolveSync({
      plate: 'https://x.example/plate',
      numberPlate: 'https://x.example/plate',
    })!;
    const error = failure(() =>
      parseGovernance(
        {
          type: 'T',
          purpose: 'p',
          attributes: { plate: { classification: 'personal' }, numberPlate: { classification: 'personal' } },
        },
        m,
      ),
    );
    expect(error.detail).toContain(
      'attributes.numberPlate expands to https://x.example/plate, as "plate" does',
    );
  });

  it('refuses more than 1000 attributes', () => {
    const attributes = Object.fromEntries(
      Array.from({ length: 1001 }, (_, i) => [`a${i}`, { classification: 'public' }]),
    );
    expect(failure(() => parseGovernance({ type: 'T', purpose: 'p', attributes }, mapper)).detail).toContain(
      'declares 1001 attributes; at most 1000',
    );
  });
});

describe('renderGovernance', () => {
  it('gives back the document, in canonical form, and parses back to the same entry', () => {
    const g = parseGovernance(PARKING, mapper);
    const doc = renderGovernance(g, mapper);
    expect(doc).toEqual(PARKING);
    expect(parseGovernance(JSON.parse(JSON.stringify(doc)), mapper)).toEqual(g);
  });

  it('writes defaults out and compacts with the reader’s context', () => {
    const g = parseGovernance(
      {
        type: 'ParkingSpot',
        purpose: 'p',
        attributes: { plate: { classification: 'personal', treatment: 'pseudonymise' } },
      },
      mapper,
    );
    expect(renderGovernance(g, mapper)).toEqual({
      type: 'ParkingSpot',
      purpose: 'p',
      undeclared: 'drop',
      attributes: { plate: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 16 } } },
    });
    // Someone without the parking context sees full IRIs, which parse back to the same entry.
    const forOthers = renderGovernance(g, resolver.core);
    expect(forOthers.type).toBe(`${EX}ParkingSpot`);
    expect(Object.keys(forOthers.attributes)).toEqual([`${EX}plate`]);
    expect(parseGovernance(forOthers, resolver.core)).toEqual(g);
  });

  it('keeps a term named __proto__ as a plain member', () => {
    const m = resolver.resolveSync(JSON.parse('{"__proto__": "https://x.example/proto"}'))!;
    const raw = JSON.parse(
      '{"type":"T","purpose":"p","attributes":{"__proto__":{"classification":"public"}}}',
    );
    const g = parseGovernance(raw, m);
    expect(Object.keys(g.attributes)).toEqual(['https://x.example/proto']);
    const doc = renderGovernance(g, m);
    expect(Object.keys(doc.attributes)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(doc)).attributes).toHaveProperty('__proto__');
  });
});
