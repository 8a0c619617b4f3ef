import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { ContextResolver, type ContextLoader } from './context-resolver.js';
import { CORE_CONTEXT_URL, CORE_CONTEXT_URLS } from './core-context-v1-8.js';

const NGSI = 'https://uri.etsi.org/ngsi-ld/';
const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';

/** A loader serving fixed documents, counting loads per URL. */
class FakeLoader implements ContextLoader {
  readonly loads = new Map<string, number>();
  constructor(private readonly documents: Record<string, unknown | (() => unknown)>) {}

  async load(url: string): Promise<unknown> {
    this.loads.set(url, (this.loads.get(url) ?? 0) + 1);
    if (!Object.hasOwn(this.documents, url)) throw new Error('connect ECONNREFUSED');
    const doc = this.documents[url];
    return typeof doc === 'function' ? doc() : doc;
  }

  get total(): number {
    return [...this.loads.values()].reduce((a, b) => a + b, 0);
  }
}

const A = 'https://example.org/a.jsonld';
const B = 'https://example.org/b.jsonld';
const C = 'https://example.org/c.jsonld';

async function rejection(promise: Promise<unknown>): Promise<NgsiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NgsiError);
  return error as NgsiError;
}

describe('ContextResolver: what it resolves', () => {
  it('gives the core context for no context, null and the core URL, without loading anything', async () => {
    const loader = new FakeLoader({});
    const resolver = new ContextResolver(loader);
    expect(await resolver.resolve(undefined)).toBe(resolver.core);
    expect(await resolver.resolve(null)).toBe(resolver.core);
    expect(await resolver.resolve(CORE_CONTEXT_URL)).toBe(resolver.core);
    for (const url of CORE_CONTEXT_URLS) {
      const ctx = await resolver.resolve([url, { Car: 'https://a.org/Car' }]);
      expect(ctx.expandTerm('Car')).toBe('https://a.org/Car');
      expect(ctx.expandTerm('location')).toBe(`${NGSI}location`);
    }
    expect(loader.total).toBe(0);
  });

  it('loads a URL and uses the @context member of its document', async () => {
    const loader = new FakeLoader({ [A]: { '@context': { Car: 'https://a.org/Car' }, other: 'ignored' } });
    const ctx = await new ContextResolver(loader).resolve(A);
    expect(ctx.expandTerm('Car')).toBe('https://a.org/Car');
    expect(ctx.raw).toBe(A);
    expect(ctx.key).toBe(JSON.stringify(A));
  });

  it('applies an array in order, following remote contexts that include others', async () => {
    const loader = new FakeLoader({
      [A]: { '@context': [B, { Car: 'https://a.org/Car' }, CORE_CONTEXT_URL] },
      [B]: { '@context': { Car: 'https://b.org/Car', Bike: 'https://b.org/Bike', ex: 'https://ex.org/' } },
    });
    const ctx = await new ContextResolver(loader).resolve([A, { Bike: 'ex:Bike' }]);
    expect(ctx.expandTerm('Car')).toBe('https://a.org/Car');
    expect(ctx.expandTerm('Bike')).toBe('https://ex.org/Bike');
    expect(ctx.expandTerm('location')).toBe(`${NGSI}location`);
  });

  it('merges @import under the importing context', async () => {
    const loader = new FakeLoader({
      [A]: { '@context': { Car: 'https://a.org/Car', Bike: 'https://a.org/Bike' } },
    });
    const ctx = await new ContextResolver(loader).resolve({ '@import': A, Bike: 'https://mine.org/Bike' });
    expect(ctx.expandTerm('Car')).toBe('https://a.org/Car');
    expect(ctx.expandTerm('Bike')).toBe('https://mine.org/Bike');
    const core = await new ContextResolver(loader).resolve({
      '@import': CORE_CONTEXT_URL,
      Bike: 'https://b.org/B',
    });
    expect(core.expandTerm('Bike')).toBe('https://b.org/B');
  });

  it('keeps core terms whatever a client context says', async () => {
    const resolver = new ContextResolver(new FakeLoader({}));
    const ctx = await resolver.resolve({
      Vehicle: 'https://example.org/Vehicle',
      ex: 'https://example.org/',
      location: 'https://example.org/location',
      observedAt: { '@id': 'https://example.org/observedAt', '@type': '@id' },
    });
    expect(ctx.expandTerm('location')).toBe(`${NGSI}location`);
    expect(ctx.expandTerm('observedAt')).toBe(`${NGSI}observedAt`);
    expect(ctx.termDefinition('observedAt')?.type).toBe(`${NGSI}DateTime`);
    expect(ctx.expandTerm('ex:speed')).toBe('https://example.org/speed');
    expect(ctx.compactIri('https://example.org/speed')).toBe('ex:speed');
    expect(ctx.expandTerm('foo')).toBe(`${DEFAULT}foo`);
    expect(ctx.compactIri(`${DEFAULT}foo`)).toBe('foo');
  });
});

describe('ContextResolver: caching', () => {
  it('answers a repeated context from its cache, also synchronously', async () => {
    const loader = new FakeLoader({ [A]: { '@context': { Car: 'https://a.org/Car' } } });
    const resolver = new ContextResolver(loader);
    expect(resolver.resolveSync(A)).toBeUndefined();
    const first = await resolver.resolve(A);
    expect(await resolver.resolve(A)).toBe(first);
    expect(resolver.resolveSync(A)).toBe(first);
    expect(loader.total).toBe(1);
  });

  it('keeps a frozen copy of the client value to echo, untouched by later changes to the request', async () => {
    const raw: Record<string, unknown>[] = [{ Car: 'https://a.org/Car' }];
    const ctx = await new ContextResolver(new FakeLoader({})).resolve(raw);
    raw[0]!.Car = 'https://changed.org/Car';
    expect(ctx.raw).toEqual([{ Car: 'https://a.org/Car' }]);
    expect(Object.isFrozen(ctx.raw)).toBe(true);
    expect(Object.isFrozen((ctx.raw as unknown[])[0])).toBe(true);
    expect(ctx.key).toBe(JSON.stringify([{ Car: 'https://a.org/Car' }]));
  });

  it('resolves inline contexts synchronously and caches them', () => {
    const resolver = new ContextResolver(new FakeLoader({}));
    const ctx = resolver.resolveSync({ Car: 'https://a.org/Car' });
    expect(ctx?.expandTerm('Car')).toBe('https://a.org/Car');
    expect(resolver.resolveSync({ Car: 'https://a.org/Car' })).toBe(ctx);
    expect(() => resolver.resolveSync({ Car: 1 })).toThrow(NgsiError);
  });

  it('loads a URL once for concurrent resolutions', async () => {
    let release: (doc: unknown) => void = () => undefined;
    const gate = new Promise((r) => (release = r));
    let calls = 0;
    const resolver = new ContextResolver({
      load: async () => {
        calls++;
        return gate;
      },
    });
    const both = Promise.all([resolver.resolve(A), resolver.resolve(A)]);
    release({ '@context': { Car: 'https://a.org/Car' } });
    const [x, y] = await both;
    expect(x).toBe(y);
    expect(calls).toBe(1);
  });

  it('keeps at most cacheSize contexts', () => {
    const resolver = new ContextResolver(new FakeLoader({}), { cacheSize: 2 });
    const a = resolver.resolveSync({ a: 'https://a.org/a' });
    resolver.resolveSync({ b: 'https://a.org/b' });
    resolver.resolveSync({ c: 'https://a.org/c' });
    const again = resolver.resolveSync({ a: 'https://a.org/a' });
    expect(again).not.toBe(a);
    expect(again?.expandTerm('a')).toBe('https://a.org/a');
  });

  it('does not cache failures', async () => {
    let fail = true;
    const resolver = new ContextResolver(
      new FakeLoader({
        [A]: () => {
          if (fail) throw new Error('boom');
          return { '@context': {} };
        },
      }),
    );
    expect((await rejection(resolver.resolve(A))).kind).toBe('LdContextNotAvailable');
    fail = false;
    expect((await resolver.resolve(A)).key).toBe(JSON.stringify(A));
  });
});

describe('ContextResolver: errors', () => {
  it('reports a loader failure as LdContextNotAvailable naming the URL', async () => {
    const error = await rejection(
      new ContextResolver(new FakeLoader({})).resolve([{ a: 'https://a.org/a' }, A]),
    );
    expect(error.kind).toBe('LdContextNotAvailable');
    expect(error.status).toBe(503);
    expect(error.detail).toContain(A);
    expect(error.detail).toContain('ECONNREFUSED');
  });

  it('passes a loader NgsiError through (a 504 timeout stays a 504)', async () => {
    const timeout = new NgsiError('LdContextNotAvailable', `@context ${A} timed out`, { status: 504 });
    const error = await rejection(new ContextResolver({ load: () => Promise.reject(timeout) }).resolve(A));
    expect(error).toBe(timeout);
  });

  const malformed: Array<[string, unknown, Record<string, unknown>, RegExp]> = [
    ['a number', 42, {}, /\(request\): a @context must be a URL, an object, an array or null, not a number/],
    ['a boolean in an array', [true], {}, /not a boolean/],
    ['nested arrays', [[A]], {}, /must not contain arrays/],
    ['a relative URL', 'context.jsonld', {}, /"context.jsonld" is not an absolute URL/],
    [
      'a document without @context',
      A,
      { [A]: { Car: 'https://a.org/Car' } },
      /\(https:\/\/example.org\/a.jsonld\): .*no "@context" member/,
    ],
    ['a document that is an array', A, { [A]: [1] }, /no "@context" member/],
    [
      'a cycle',
      A,
      { [A]: { '@context': B }, [B]: { '@context': [C] }, [C]: { '@context': A } },
      /recursive context inclusion: .*a.jsonld → .*b.jsonld → .*c.jsonld → .*a.jsonld/,
    ],
    [
      'a bad definition in a remote context',
      A,
      { [A]: { '@context': { Car: 5 } } },
      /\(https:\/\/example.org\/a.jsonld\): term "Car"/,
    ],
    ['a non-string @import', { '@import': 5 }, {}, /"@import" must be a URL/],
    [
      'an @import of an array',
      { '@import': A },
      { [A]: { '@context': [] } },
      /an imported context must be a single object/,
    ],
    [
      'an @import that imports',
      { '@import': A },
      { [A]: { '@context': { '@import': B } } },
      /must not itself use "@import"/,
    ],
  ];

  it.each(malformed)('reports %s as BadRequestData', async (_what, raw, documents, detail) => {
    const error = await rejection(new ContextResolver(new FakeLoader(documents)).resolve(raw));
    expect(error.kind).toBe('BadRequestData');
    expect(error.detail).toMatch(detail);
  });

  it('bounds how deep remote contexts nest', async () => {
    const documents: Record<string, unknown> = {};
    for (let i = 0; i < 20; i++) documents[`https://e.org/${i}`] = { '@context': `https://e.org/${i + 1}` };
    const resolver = new ContextResolver(new FakeLoader(documents), { maxDepth: 5 });
    expect((await rejection(resolver.resolve('https://e.org/0'))).detail).toMatch(
      /nested deeper than 5 levels/,
    );
  });

  it('bounds how many remote contexts one resolution includes', async () => {
    const urls = Array.from({ length: 6 }, (_, i) => `https://e.org/${i}`);
    const documents = Object.fromEntries(urls.map((u) => [u, { '@context': {} }]));
    const loader = new FakeLoader(documents);
    const resolver = new ContextResolver(loader, { maxRemoteContexts: 5 });
    expect((await rejection(resolver.resolve(urls))).detail).toMatch(/more than 5 remote contexts/);
    expect(loader.total).toBe(0);
    // A → [B, B] → each B → [C, C] …: repeats count, so fan-out cannot explode.
    const fan = new FakeLoader({
      [A]: { '@context': [B, B, B] },
      [B]: { '@context': [C, C, C] },
      [C]: { '@context': {} },
    });
    expect((await rejection(new ContextResolver(fan, { maxRemoteContexts: 5 }).resolve(A))).detail).toMatch(
      /more than 5/,
    );
  });

  it('rejects with NgsiError only, whatever JSON it is given', async () => {
    const urls = [
      'https://e.org/0',
      'https://e.org/1',
      'https://e.org/2',
      'http://e.org/x',
      CORE_CONTEXT_URL,
    ];
    const term = fc.oneof(
      fc.constantFrom('Car', 'ex', 'location', 'id', '@type', '@vocab', '@import', ''),
      fc.string(),
    );
    const definition = fc.oneof(
      fc.constantFrom('https://a.org/', 'ex:x', '@id', 'Car', 'location', null),
      fc.dictionary(
        fc.constantFrom('@id', '@type', '@container', '@prefix', '@protected', '@reverse', '@context'),
        fc.oneof(fc.jsonValue(), fc.constantFrom('@id', 'ex:y', '@list')),
      ),
      fc.jsonValue(),
    );
    const local = fc.dictionary(term, definition, { maxKeys: 6 });
    const context = fc.oneof(
      fc.jsonValue(),
      local,
      fc.constantFrom(...urls),
      fc.array(fc.oneof(local, fc.constantFrom(...urls), fc.constant(null), fc.jsonValue()), {
        maxLength: 5,
      }),
    );
    const documents = fc.tuple(context, context, context, fc.jsonValue());
    await fc.assert(
      fc.asyncProperty(context, documents, async (raw, [d0, d1, d2, other]) => {
        const loader = new FakeLoader({
          [urls[0]!]: { '@context': d0 },
          [urls[1]!]: { '@context': d1 },
          [urls[2]!]: d2,
          [urls[3]!]: other,
        });
        const resolver = new ContextResolver(loader);
        try {
          const ctx = await resolver.resolve(raw);
          expect(ctx.expandTerm('location')).toBe(`${NGSI}location`);
        } catch (error) {
          expect(error).toBeInstanceOf(NgsiError);
          expect(['BadRequestData', 'LdContextNotAvailable']).toContain((error as NgsiError).kind);
        }
      }),
      { numRuns: 500 },
    );
  });
});
