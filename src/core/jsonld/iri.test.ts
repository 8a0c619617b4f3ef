import { describe, expect, it } from 'vitest';
import { endsWithGenDelim, hasKeywordForm, isAbsoluteIri, isKeyword, splitCompactIri } from './iri.js';

describe('JSON-LD lexical helpers', () => {
  it('tells keywords from keyword-shaped strings', () => {
    expect(isKeyword('@id')).toBe(true);
    expect(isKeyword('@vocab')).toBe(true);
    expect(isKeyword('@foo')).toBe(false);
    expect(hasKeywordForm('@foo')).toBe(true);
    expect(hasKeywordForm('@')).toBe(false);
    expect(hasKeywordForm('@foo1')).toBe(false);
  });

  it('recognises absolute IRIs and blank node ids', () => {
    for (const iri of ['urn:ngsi-ld:Vehicle:A1', 'https://example.org/a', 'ex:speed', '_:b0', 'a+b.c-d:x']) {
      expect(isAbsoluteIri(iri)).toBe(true);
    }
    for (const term of ['speed', ':x', '1a:b', 'a b:c', 'ex:has space', ''])
      expect(isAbsoluteIri(term)).toBe(false);
  });

  it('splits compact IRIs, but never an IRI with an authority or a blank node id', () => {
    expect(splitCompactIri('ex:speed')).toEqual({ prefix: 'ex', suffix: 'speed' });
    expect(splitCompactIri('ngsi-ld:a:b')).toEqual({ prefix: 'ngsi-ld', suffix: 'a:b' });
    expect(splitCompactIri('https://example.org/')).toBeUndefined();
    expect(splitCompactIri('_:b0')).toBeUndefined();
    expect(splitCompactIri(':x')).toBeUndefined();
    expect(splitCompactIri('speed')).toBeUndefined();
  });

  it('spots IRIs that can serve as prefixes', () => {
    expect(endsWithGenDelim('https://example.org/')).toBe(true);
    expect(endsWithGenDelim('https://purl.org/geojson/vocab#')).toBe(true);
    expect(endsWithGenDelim('urn:x:')).toBe(true);
    expect(endsWithGenDelim('https://example.org/Vehicle')).toBe(false);
  });
});
