import { describe, expect, it } from 'vitest';
import {
  CORE_CONTEXT,
  CORE_CONTEXT_URL,
  CORE_CONTEXT_URLS,
  CORE_CONTEXT_V1_8,
  isCoreContextUrl,
} from './core-context-v1-8.js';

describe('bundled NGSI-LD core context v1.8', () => {
  const ctx = CORE_CONTEXT_V1_8['@context'];

  it('is the published document: JSON-LD 1.1, protected, with the default-context @vocab', () => {
    expect(ctx['@version']).toBe(1.1);
    expect(ctx['@protected']).toBe(true);
    expect(ctx['@vocab']).toBe('https://uri.etsi.org/ngsi-ld/default-context/');
    expect(ctx['ngsi-ld']).toBe('https://uri.etsi.org/ngsi-ld/');
    expect(ctx.geojson).toBe('https://purl.org/geojson/vocab#');
    // 181 term definitions plus @version, @protected and @vocab.
    expect(Object.keys(ctx)).toHaveLength(184);
  });

  it('holds the v1.8 terms the broker relies on', () => {
    expect(ctx.id).toBe('@id');
    expect(ctx.type).toBe('@type');
    expect(ctx.location).toBe('ngsi-ld:location');
    expect(ctx.value).toBe('ngsi-ld:hasValue');
    expect(ctx.object).toEqual({ '@id': 'ngsi-ld:hasObject', '@type': '@id' });
    expect(ctx.observedAt).toEqual({ '@id': 'ngsi-ld:observedAt', '@type': 'DateTime' });
    expect(ctx.json).toEqual({ '@id': 'ngsi-ld:hasJSON', '@type': '@json' });
    expect(ctx.vocab).toEqual({ '@id': 'ngsi-ld:hasVocab', '@type': '@vocab' });
    expect(ctx.languageMap).toEqual({ '@id': 'ngsi-ld:hasLanguageMap', '@container': '@language' });
    expect(ctx.VocabProperty).toBe('ngsi-ld:VocabProperty');
    expect(ctx.JsonProperty).toBe('ngsi-ld:JsonProperty');
    expect(ctx.ListRelationship).toBe('ngsi-ld:ListRelationship');
    expect(ctx.attributeCount).toBe('attributeCount');
  });

  it('is frozen all the way down, so no caller can change the core for everyone', () => {
    expect(Object.isFrozen(CORE_CONTEXT_V1_8)).toBe(true);
    expect(Object.isFrozen(ctx)).toBe(true);
    expect(Object.isFrozen(ctx.observedAt)).toBe(true);
    expect(CORE_CONTEXT).toBe(CORE_CONTEXT_V1_8);
  });

  it('recognises the v1.8, unversioned and older core context URLs, and nothing else', () => {
    expect(CORE_CONTEXT_URL).toBe('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld');
    expect(CORE_CONTEXT_URLS[0]).toBe(CORE_CONTEXT_URL);
    for (const v of ['', '-v1.3', '-v1.4', '-v1.5', '-v1.6', '-v1.7', '-v1.8']) {
      expect(isCoreContextUrl(`https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context${v}.jsonld`)).toBe(true);
    }
    expect(isCoreContextUrl('http://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld')).toBe(false);
    expect(isCoreContextUrl('https://example.org/context.jsonld')).toBe(false);
    expect(Object.isFrozen(CORE_CONTEXT_URLS)).toBe(true);
  });
});
