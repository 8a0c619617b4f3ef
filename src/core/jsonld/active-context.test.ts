// Measured throughput (Node 20, 2 shared vCPUs under load, a context with a Link-header user context):
//   expandTerm, memo hit ~30-60 ns (17-35 M/s); compactIri, memo hit ~26-34 ns (30-38 M/s);
//   first sight of a string: expandTerm ~0.6-1.2 µs, compactIri ~2.5-3.7 µs;
//   ContextResolver.resolveSync cache hit for a repeated Link URL ~0.9 µs (1.1-1.2 M/s);
//   building a new ActiveContext (cache miss, core + small client context) ~45-90 µs.
// Figures come from an ad-hoc loop, not asserted here: timings on shared CI machines are noise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActiveContext } from './active-context.js';
import { buildActiveContext, createCoreActiveContext } from './context-processor.js';
import { CORE_CONTEXT_V1_8 } from './core-context-v1-8.js';

const NGSI = 'https://uri.etsi.org/ngsi-ld/';
const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';

function withContext(local: Record<string, unknown>): ActiveContext {
  return buildActiveContext([{ kind: 'local', value: local, source: 'test' }], JSON.stringify(local), local);
}

const core = createCoreActiveContext();
const USER = { Vehicle: 'https://example.org/Vehicle', ex: 'https://example.org/' };
const user = withContext(USER);

/** NGSI-LD attribute-name-like strings (clause 4.6.2: letters, digits, underscore). */
const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,30}$/);

describe('ActiveContext.expandTerm', () => {
  it('expands core terms, prefixes, absolute IRIs and unknown terms like JSON-LD', () => {
    expect(core.expandTerm('location')).toBe(`${NGSI}location`);
    expect(core.expandTerm('observedAt')).toBe(`${NGSI}observedAt`);
    expect(core.expandTerm('value')).toBe(`${NGSI}hasValue`);
    expect(core.expandTerm('Point')).toBe('https://purl.org/geojson/vocab#Point');
    expect(core.expandTerm('description')).toBe('http://purl.org/dc/terms/description');
    expect(core.expandTerm('attributeCount')).toBe(`${DEFAULT}attributeCount`);
    expect(core.expandTerm('ngsi-ld:foo')).toBe(`${NGSI}foo`);
    expect(core.expandTerm('foo')).toBe(`${DEFAULT}foo`);
    expect(core.expandTerm('urn:ngsi-ld:Vehicle:A1')).toBe('urn:ngsi-ld:Vehicle:A1');
    expect(core.expandTerm('https://example.org/a#b')).toBe('https://example.org/a#b');
    expect(core.expandTerm('ex:speed')).toBe('ex:speed'); // `ex` is no prefix here: an IRI of scheme ex
    expect(core.expandTerm('_:b0')).toBe('_:b0');
    expect(core.expandTerm('1a:b')).toBe(`${DEFAULT}1a:b`); // not an IRI: vocabulary-relative
  });

  it('passes keywords through and resolves keyword aliases', () => {
    expect(core.expandTerm('@id')).toBe('@id');
    expect(core.expandTerm('@type')).toBe('@type');
    expect(core.expandTerm('@somethingNew')).toBe('@somethingNew');
    expect(core.expandTerm('id')).toBe('@id');
    expect(core.expandTerm('type')).toBe('@type');
  });

  it('uses the client context for its terms and prefixes', () => {
    expect(user.expandTerm('Vehicle')).toBe('https://example.org/Vehicle');
    expect(user.expandTerm('ex:speed')).toBe('https://example.org/speed');
    expect(user.expandTerm('https://example.org/x')).toBe('https://example.org/x');
    expect(user.expandTerm('foo')).toBe(`${DEFAULT}foo`);
    expect(user.expandTerm('location')).toBe(`${NGSI}location`);
  });
});

describe('ActiveContext.compactIri', () => {
  it('gives back terms, compact IRIs and vocabulary-relative names', () => {
    expect(core.compactIri(`${NGSI}location`)).toBe('location');
    expect(core.compactIri(`${NGSI}hasValue`)).toBe('value');
    expect(core.compactIri(`${NGSI}somethingElse`)).toBe('ngsi-ld:somethingElse');
    expect(core.compactIri(`${DEFAULT}foo`)).toBe('foo');
    expect(core.compactIri('https://purl.org/geojson/vocab#Point')).toBe('Point');
    expect(core.compactIri('urn:ngsi-ld:Vehicle:A1')).toBe('urn:ngsi-ld:Vehicle:A1');
    expect(core.compactIri('https://elsewhere.org/x')).toBe('https://elsewhere.org/x');
    expect(core.compactIri('@id')).toBe('id');
    expect(core.compactIri('@value')).toBe('@value');
  });

  it('never returns a name that would expand to another IRI', () => {
    // `location` is a core term, so …/default-context/location cannot come back as "location".
    expect(core.compactIri(`${DEFAULT}location`)).toBe('ngsi-ld:default-context/location');
    expect(core.expandTerm('ngsi-ld:default-context/location')).toBe(`${DEFAULT}location`);
  });

  it('prefers the shortest term, then the lexicographically least, among terms for one IRI', () => {
    const ctx = withContext({
      speedLong: 'https://example.org/speed',
      zz: 'https://example.org/speed',
      sp: 'https://example.org/speed',
      spd: 'https://example.org/speed',
    });
    expect(ctx.compactIri('https://example.org/speed')).toBe('sp');
    for (const t of ['speedLong', 'zz', 'sp', 'spd'])
      expect(ctx.expandTerm(t)).toBe('https://example.org/speed');
  });

  it('prefers the shortest compact IRI among prefixes', () => {
    const ctx = withContext({
      example: 'https://example.org/',
      ex: 'https://example.org/',
      exa: 'https://example.org/a/',
    });
    expect(ctx.compactIri('https://example.org/a/b')).toBe('exa:b');
    expect(ctx.compactIri('https://example.org/speed')).toBe('ex:speed');
    expect(ctx.compactIri('https://example.org/')).toBe('ex');
  });

  it('does not use reverse properties or non-prefix terms for compaction', () => {
    const ctx = withContext({
      parentOf: { '@reverse': 'https://example.org/childOf' },
      exv: 'https://example.org/Vehicle', // no gen-delim at the end: not a prefix
    });
    expect(ctx.compactIri('https://example.org/childOf')).toBe('https://example.org/childOf');
    expect(ctx.compactIri('https://example.org/Vehicle/1')).toBe('https://example.org/Vehicle/1');
    expect(ctx.expandTerm('exv:1')).toBe('exv:1');
  });

  it('keeps answering correctly once its memo tables have been cleared', () => {
    const ctx = createCoreActiveContext();
    let wrong = 0;
    for (let i = 0; i < 25_000; i++) if (ctx.compactIri(ctx.expandTerm(`attr${i}`)) !== `attr${i}`) wrong++;
    expect(wrong).toBe(0);
    expect(ctx.expandTerm('location')).toBe(`${NGSI}location`);
    expect(ctx.compactIri(`${NGSI}location`)).toBe('location');
  });
});

describe('ActiveContext metadata', () => {
  it('exposes term definitions with expanded @type coercions', () => {
    expect(core.termDefinition('observedAt')?.type).toBe(`${NGSI}DateTime`);
    expect(core.termDefinition('object')?.type).toBe('@id');
    expect(core.termDefinition('vocab')?.type).toBe('@vocab');
    expect(core.termDefinition('json')?.type).toBe('@json');
    expect(core.termDefinition('languageMap')?.container).toEqual(['@language']);
    expect(core.termDefinition('ngsi-ld')?.prefix).toBe(true);
    expect(core.termDefinition('location')?.protected).toBe(true);
    expect(core.termDefinition('nope')).toBeUndefined();
    expect(Object.isFrozen(core.termDefinition('location'))).toBe(true);
  });

  it('carries its cache key, the raw value to echo, and @vocab', () => {
    expect(user.key).toBe(JSON.stringify(USER));
    expect(user.raw).toBe(USER);
    expect(user.vocab).toBe(DEFAULT);
    expect(core.raw).toBe('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld');
  });
});

describe('ActiveContext properties', () => {
  const coreTerms = Object.keys(CORE_CONTEXT_V1_8['@context']).filter((t) => !t.startsWith('@'));

  it('compacts the expansion of every core term back to that term', () => {
    expect(coreTerms.length).toBe(181);
    for (const t of coreTerms) expect(core.compactIri(core.expandTerm(t))).toBe(t);
    fc.assert(fc.property(fc.constantFrom(...coreTerms), (t) => core.compactIri(core.expandTerm(t)) === t));
  });

  it('compacts any expansion to a name that expands back to it', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          name,
          name.map((n) => `ex:${n}`),
          fc.webUrl(),
        ),
        (s) => {
          for (const ctx of [core, user]) {
            const iri = ctx.expandTerm(s);
            expect(ctx.expandTerm(ctx.compactIri(iri))).toBe(iri);
          }
        },
      ),
    );
  });

  it('expands ex:name through the client prefix and compacts it back', () => {
    fc.assert(
      fc.property(
        name.filter((n) => n !== 'Vehicle'),
        (n) => {
          expect(user.expandTerm(`ex:${n}`)).toBe(`https://example.org/${n}`);
          expect(user.compactIri(`https://example.org/${n}`)).toBe(`ex:${n}`);
        },
      ),
    );
    expect(user.compactIri('https://example.org/Vehicle')).toBe('Vehicle');
  });

  it('maps an unknown name into the default context and back', () => {
    fc.assert(
      fc.property(
        name.filter((n) => core.termDefinition(n) === undefined),
        (n) => {
          for (const ctx of [core, user]) {
            expect(ctx.expandTerm(n)).toBe(`${DEFAULT}${n}`);
            expect(ctx.compactIri(`${DEFAULT}${n}`)).toBe(n);
          }
        },
      ),
    );
  });

  it('never lets a client context change what a core term means', () => {
    const iri = fc.oneof(
      fc.webUrl(),
      name.map((n) => `urn:x:${n}`),
    );
    fc.assert(
      fc.property(fc.constantFrom('location', 'observedAt', ...coreTerms), iri, (term, target) => {
        const ctx = withContext({ [term]: target, ex: 'https://example.org/' });
        expect(ctx.expandTerm(term)).toBe(core.expandTerm(term));
        expect(ctx.termDefinition(term)).toEqual(core.termDefinition(term));
      }),
    );
  });
});
