import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import type { ActiveContext } from './active-context.js';
import { buildActiveContext, type ContextStep } from './context-processor.js';

const NGSI = 'https://uri.etsi.org/ngsi-ld/';
const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';

function build(...contexts: Array<Record<string, unknown> | null | 'core'>): ActiveContext {
  const steps: ContextStep[] = contexts.map((c, i) =>
    c === null
      ? { kind: 'null', source: `#${i}` }
      : c === 'core'
        ? { kind: 'core' }
        : { kind: 'local', value: c, source: `#${i}` },
  );
  return buildActiveContext(steps, 'key', contexts);
}

/** The NgsiError `fn` throws (failing the test when it throws anything else or nothing). */
function errorOf(fn: () => unknown): NgsiError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NgsiError);
    return error as NgsiError;
  }
  throw new Error('expected an NgsiError');
}

function expectBadRequest(fn: () => unknown, detail: RegExp): void {
  const error = errorOf(fn);
  expect(error.kind).toBe('BadRequestData');
  expect(error.status).toBe(400);
  expect(error.detail).toMatch(detail);
}

describe('term definitions', () => {
  it('accepts string and object definitions, in any order of dependency', () => {
    const ctx = build({
      Car: 'ex:Car',
      speed: { '@id': 'ex:speed', '@type': 'xsd:decimal' },
      ex: 'https://example.org/',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
      alias: 'speed',
    });
    expect(ctx.expandTerm('Car')).toBe('https://example.org/Car');
    expect(ctx.expandTerm('speed')).toBe('https://example.org/speed');
    expect(ctx.termDefinition('speed')?.type).toBe('http://www.w3.org/2001/XMLSchema#decimal');
    expect(ctx.expandTerm('alias')).toBe('https://example.org/speed');
  });

  it('expands a term defined as itself, or without @id, under @vocab', () => {
    const ctx = build({ Vehicle: 'Vehicle', brand: { '@type': '@vocab' } });
    expect(ctx.expandTerm('Vehicle')).toBe(`${DEFAULT}Vehicle`);
    expect(ctx.expandTerm('brand')).toBe(`${DEFAULT}brand`);
    expect(ctx.termDefinition('brand')?.type).toBe('@vocab');
  });

  it('lets a client context build on core terms and prefixes', () => {
    const ctx = build({ myLocation: 'location', shape: 'geojson:Polygon', thing: 'ngsi-ld:Thing' });
    expect(ctx.expandTerm('myLocation')).toBe(`${NGSI}location`);
    expect(ctx.expandTerm('shape')).toBe('https://purl.org/geojson/vocab#Polygon');
    expect(ctx.expandTerm('thing')).toBe(`${NGSI}Thing`);
  });

  it('applies a client @vocab while processing its terms; the core @vocab applies in the end', () => {
    const ctx = build({ '@vocab': 'https://example.org/', Car: { '@type': '@id' } });
    expect(ctx.expandTerm('Car')).toBe('https://example.org/Car');
    expect(ctx.vocab).toBe(DEFAULT);
    expect(ctx.expandTerm('Bike')).toBe(`${DEFAULT}Bike`);
  });

  it('follows the JSON-LD 1.1 rules for which terms can be prefixes', () => {
    const ctx = build({
      simple: 'https://a.org/',
      expanded: { '@id': 'https://b.org/' },
      forced: { '@id': 'https://c.org/', '@prefix': true },
      noDelim: 'https://d.org/x',
    });
    expect(ctx.expandTerm('simple:x')).toBe('https://a.org/x');
    expect(ctx.expandTerm('expanded:x')).toBe('expanded:x');
    expect(ctx.expandTerm('forced:x')).toBe('https://c.org/x');
    expect(ctx.expandTerm('noDelim:x')).toBe('noDelim:x');
  });

  it('accepts a term shaped like a compact IRI only when it means what it would expand to', () => {
    expect(build({ ex: 'https://e.org/', 'ex:a': 'https://e.org/a' }).expandTerm('ex:a')).toBe(
      'https://e.org/a',
    );
    expect(build({ ex: 'https://e.org/', 'ex:b': { '@type': '@id' } }).expandTerm('ex:b')).toBe(
      'https://e.org/b',
    );
    expectBadRequest(
      () => build({ ex: 'https://e.org/', 'ex:a': 'https://other.org/a' }),
      /"ex:a".*expand to itself/,
    );
  });

  it('supports keyword aliases, but not for @context', () => {
    const ctx = build({ identifier: '@id' });
    expect(ctx.expandTerm('identifier')).toBe('@id');
    expect(ctx.compactIri('@id')).toBe('id');
    expectBadRequest(() => build({ ctx: '@context' }), /"ctx".*cannot be aliased/);
  });

  it('removes a definition set to null, so the term falls back to @vocab', () => {
    const ctx = build({ Car: 'https://a.org/Car' }, { Car: null, Bike: { '@id': null } });
    expect(ctx.expandTerm('Car')).toBe(`${DEFAULT}Car`);
    expect(ctx.expandTerm('Bike')).toBe(`${DEFAULT}Bike`);
  });

  it('skips keyword-shaped terms and accepts "@type": {"@container": "@set"}', () => {
    const ctx = build({ '@future': 'https://a.org/x', '@type': { '@container': '@set' } });
    expect(ctx.termDefinition('@future')).toBeUndefined();
    expectBadRequest(() => build({ '@type': 'https://a.org/t' }), /"@type" can only be given/);
  });

  it('keeps members JSON-LD defines on the definition', () => {
    const ctx = build({
      names: {
        '@id': 'https://a.org/names',
        '@container': ['@list', '@set'],
        '@language': 'en',
        '@direction': 'ltr',
      },
      scoped: { '@id': 'https://a.org/s', '@context': { x: 'https://a.org/x' }, '@nest': 'n', '@index': 'i' },
    });
    expect(ctx.termDefinition('names')).toMatchObject({
      container: ['@list', '@set'],
      language: 'en',
      direction: 'ltr',
    });
    expect(ctx.termDefinition('scoped')).toMatchObject({
      context: { x: 'https://a.org/x' },
      nest: 'n',
      index: 'i',
    });
  });
});

describe('core terms', () => {
  it('cannot be redefined by a client context, before or after the core context URL', () => {
    for (const ctx of [
      build({ location: 'https://evil.org/location', observedAt: { '@id': 'https://evil.org/at' } }),
      build('core', { location: 'https://evil.org/location', 'ngsi-ld': 'https://evil.org/' }),
      build({ location: 'https://evil.org/location' }, 'core'),
    ]) {
      expect(ctx.expandTerm('location')).toBe(`${NGSI}location`);
      expect(ctx.expandTerm('observedAt')).toBe(`${NGSI}observedAt`);
      expect(ctx.expandTerm('ngsi-ld:x')).toBe(`${NGSI}x`);
      expect(ctx.compactIri(`${NGSI}location`)).toBe('location');
    }
  });

  it('survive a null reset, which only forgets client terms', () => {
    const ctx = build({ Car: 'https://a.org/Car' }, null, { Bike: 'https://a.org/Bike' });
    expect(ctx.expandTerm('Car')).toBe(`${DEFAULT}Car`);
    expect(ctx.expandTerm('Bike')).toBe('https://a.org/Bike');
    expect(ctx.expandTerm('location')).toBe(`${NGSI}location`);
  });
});

describe('protected client terms', () => {
  const first = { '@protected': true, Car: 'https://a.org/Car' };

  it('may be repeated identically but not redefined', () => {
    expect(build(first, { Car: 'https://a.org/Car' }).expandTerm('Car')).toBe('https://a.org/Car');
    expectBadRequest(() => build(first, { Car: 'https://b.org/Car' }), /term "Car" is protected/);
    expectBadRequest(
      () => build({ Car: { '@id': 'https://a.org/Car', '@protected': true } }, { Car: null }),
      /protected/,
    );
  });

  it('cannot be reset by null', () => {
    expectBadRequest(() => build(first, null), /null cannot reset the context: term "Car" is protected/);
  });
});

describe('malformed contexts', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'a number as definition',
      { speed: 42 },
      /\(#0\): term "speed": a definition must be a string, an object or null, not a number/,
    ],
    ['an array as definition', { speed: ['a'] }, /term "speed".*not an array/],
    [
      'an unknown member',
      { speed: { '@id': 'https://a.org/s', '@foo': 1 } },
      /term "speed": unexpected member "@foo"/,
    ],
    ['a non-string @id', { speed: { '@id': 5 } }, /"@id" must be a string or null/],
    [
      'an @id that is no IRI',
      { speed: { '@id': 'not an iri' } },
      /"not an iri" does not expand to an absolute IRI/,
    ],
    ['a bad @type', { speed: { '@id': 'https://a.org/s', '@type': '@list' } }, /"@type" must be @id, @vocab/],
    ['a non-string @type', { speed: { '@id': 'https://a.org/s', '@type': 1 } }, /"@type" must be a string/],
    ['a bad @container', { speed: { '@id': 'https://a.org/s', '@container': '@bag' } }, /"@container" value/],
    [
      'a bad @protected',
      { speed: { '@id': 'https://a.org/s', '@protected': 'yes' } },
      /"@protected" must be true or false/,
    ],
    ['@prefix on a compact IRI', { 'ex:s': { '@prefix': true } }, /"@prefix" is not allowed/],
    [
      'a bad @language',
      { speed: { '@id': 'https://a.org/s', '@language': 3 } },
      /"@language" must be a string or null/,
    ],
    ['a bad @direction', { speed: { '@id': 'https://a.org/s', '@direction': 'up' } }, /"@direction" must be/],
    ['a bad @index', { speed: { '@id': 'https://a.org/s', '@index': 3 } }, /"@index" must be a string/],
    ['a bad scoped context', { speed: { '@id': 'https://a.org/s', '@context': 3 } }, /scoped "@context"/],
    [
      '@reverse with @id',
      { p: { '@reverse': 'https://a.org/r', '@id': 'https://a.org/p' } },
      /"@reverse" excludes/,
    ],
    ['a @reverse that is no IRI', { p: { '@reverse': '@id' } }, /"@reverse" must be an IRI/],
    ['an empty term', { '': 'https://a.org/x' }, /a term must not be the empty string/],
    ['a keyword as term', { '@id': 'https://a.org/x' }, /"@id" is a keyword and cannot be defined/],
    ['a whole document', { '@context': { a: 'https://a.org/a' } }, /send the context itself/],
    ['@version 1.0', { '@version': 1.0 }, /"@version" must be 1.1/],
    ['a bad @vocab', { '@vocab': 42 }, /"@vocab" must be a string or null/],
    ['a keyword @vocab', { '@vocab': '@id' }, /"@vocab" must be an absolute IRI/],
    ['a bad @base', { '@base': 1 }, /"@base" must be a string or null/],
    ['a bad @propagate', { '@propagate': 'no' }, /"@propagate" must be true or false/],
    ['a bad context @direction', { '@direction': 'up' }, /"@direction" must be "ltr", "rtl" or null/],
    ['a cycle', { a: 'b:x', b: 'a:y' }, /cyclic IRI mapping/],
  ];

  it.each(cases)('reports %s as BadRequestData', (_what, local, detail) => {
    expectBadRequest(() => build(local), detail);
  });

  it('rejects a term shaped like a compact IRI that expands to no IRI', () => {
    expectBadRequest(
      () => build({ '1a:b': { '@type': '@id' } }),
      /"1a:b": it has no "@id" and does not expand/,
    );
    expectBadRequest(() => build({ id2: '@id', 'id2:x': { '@type': '@id' } }), /"id2:x": it has no "@id"/);
  });

  it('expands @vocab against the context as it was, not against the terms it comes with', () => {
    const ctx = build(
      { ex: 'https://ex.org/' },
      { '@vocab': 'ex:', ex: 'https://other.org/', Car: { '@type': '@id' } },
    );
    expect(ctx.expandTerm('Car')).toBe('https://ex.org/Car');
    expect(ctx.expandTerm('ex:x')).toBe('https://other.org/x');
  });

  it('needs @vocab for terms without @id once a null reset removed it', () => {
    expectBadRequest(
      () => build(null, { Car: { '@type': '@id' } }),
      /"Car": it has no "@id" and does not expand to an absolute IRI/,
    );
    expectBadRequest(() => build(null, { Car: 'Car2' }), /"Car2" does not expand to an absolute IRI/);
  });

  it('stops a long chain of dependent definitions with BadRequestData, not a stack overflow', () => {
    const local: Record<string, unknown> = { t0: 'https://a.org/' };
    for (let i = 1; i <= 5000; i++) local[`t${i}`] = `t${i - 1}:x`;
    const reversed = Object.fromEntries(Object.entries(local).reverse());
    expectBadRequest(() => build(reversed), /depend on each other too deeply/);
  });

  it('cuts long client strings short in error details', () => {
    const error = errorOf(() => build({ ['x'.repeat(10_000)]: 1 }));
    expect(error.detail.length).toBeLessThan(300);
  });
});

describe('IRIs confused with a prefix', () => {
  // Found by the property below: after a null reset, `ngsi-ld:q` is an absolute IRI when the term is
  // defined; the core context laid over it again makes `ngsi-ld:` a prefix that reads it otherwise.
  it.each([
    ['@reverse', { a: { '@reverse': 'ngsi-ld:q' } }],
    ['@id', { a: { '@id': 'ngsi-ld:q' } }],
    ['a plain mapping', { a: 'ngsi-ld:q' }],
  ])('refuses a term whose IRI no longer expands to itself (%s)', (_, local) => {
    expect(() => build(null, local)).toThrow(/reads as another IRI/);
  });

  it('keeps terms whose IRI the core prefix expands the same way', () => {
    expect(build({ a: 'ngsi-ld:q' }).expandTerm('a')).toBe(`${NGSI}q`);
  });
});

describe('properties over generated contexts', () => {
  const word = fc.constantFrom(
    ...['a', 'b', 'ex', 'Car', 'location', 'id', 'type', 'x:y', 'a:b', 'ex:z', 'https://h.org/p', '_:b'],
    ...['@id', '@vocab', '@type', 'ngsi-ld:q', 'geojson:P', '', '/r', 'a/b'],
  );
  const definition = fc.oneof(
    word,
    fc.constant(null),
    fc.record(
      {
        '@id': fc.oneof(word, fc.constant(null)),
        '@type': word,
        '@prefix': fc.boolean(),
        '@protected': fc.boolean(),
        '@reverse': word,
        '@container': fc.constantFrom('@list', '@set', '@bad'),
      },
      { requiredKeys: [] },
    ),
  );
  const step = fc.oneof(
    fc.dictionary(word, definition, { maxKeys: 8 }),
    fc.constant(null),
    fc.constant('core' as const),
  );

  it('fail only with NgsiError; otherwise keep the core and compact every expansion to a name that expands back', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 4 }),
        fc.array(fc.oneof(word, fc.string()), { maxLength: 10 }),
        (steps, names) => {
          let ctx: ActiveContext;
          try {
            ctx = build(...steps);
          } catch (error) {
            expect(error).toBeInstanceOf(NgsiError);
            return;
          }
          expect(ctx.expandTerm('location')).toBe(`${NGSI}location`);
          for (const n of [...names, ...ctx.definedTerms()]) {
            const iri = ctx.expandTerm(n);
            expect(ctx.expandTerm(ctx.compactIri(iri))).toBe(iri);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
