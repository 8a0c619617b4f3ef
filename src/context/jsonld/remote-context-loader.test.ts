import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import { AddressGuard } from '../net/address-guard.js';
import { RemoteContextLoader, type RemoteContextLoaderOptions } from './remote-context-loader.js';

const DOC = { '@context': { Car: 'https://a.org/Car' } };

/** The test server listens on loopback, which the SSRF guard refuses unless allowed: tests allow it. */
const LOOPBACK = new AddressGuard({ allow: ['127.0.0.1'] });
const loopbackLoader = (options: RemoteContextLoaderOptions = {}) =>
  new RemoteContextLoader({ guard: LOOPBACK, ...options });

/** A local server with one route per behaviour; counts requests per path. */
let server: Server;
let base = '';
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    switch (path) {
      case '/ld':
        res.writeHead(200, { 'content-type': 'application/ld+json' }).end(JSON.stringify(DOC));
        return;
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(DOC));
        return;
      case '/plain':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(JSON.stringify(DOC));
        return;
      case '/html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
        return;
      case '/not-json':
        res.writeHead(200, { 'content-type': 'application/ld+json' }).end('{"@context": ');
        return;
      case '/slow':
        setTimeout(
          () => res.writeHead(200, { 'content-type': 'application/ld+json' }).end('{}'),
          2_000,
        ).unref();
        return;
      case '/slow-body':
        res.writeHead(200, { 'content-type': 'application/ld+json' });
        res.write('{"@context":');
        setTimeout(() => res.end('{}}'), 2_000).unref();
        return;
      case '/large-declared':
        res
          .writeHead(200, { 'content-type': 'application/ld+json', 'content-length': '5000' })
          .end('x'.repeat(5000));
        return;
      case '/large-chunked': {
        // No Content-Length: the limit must be enforced while reading.
        res.writeHead(200, { 'content-type': 'application/ld+json' });
        for (let i = 0; i < 10; i++) res.write(`${' '.repeat(999)}\n`);
        res.end('{}');
        return;
      }
      case '/redirect':
        res.writeHead(302, { location: '/ld' }).end();
        return;
      case '/loop':
        res.writeHead(307, { location: '/loop' }).end();
        return;
      case '/to-other-loopback':
        // 127.0.0.2 is loopback too, but not in the tests' allow list: the second hop must be refused.
        res
          .writeHead(301, { location: `http://127.0.0.2:${(server.address() as AddressInfo).port}/ld` })
          .end();
        return;
      case '/to-file':
        res.writeHead(302, { location: 'file:///etc/passwd' }).end();
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => hits.clear());

async function failure(promise: Promise<unknown>): Promise<NgsiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NgsiError);
  return error as NgsiError;
}

describe('RemoteContextLoader', () => {
  it('loads application/ld+json, application/json and (GitHub-raw style) text/plain documents', async () => {
    const loader = loopbackLoader();
    expect(await loader.load(`${base}/ld`)).toEqual(DOC);
    expect(await loader.load(`${base}/json`)).toEqual(DOC);
    expect(await loader.load(`${base}/plain`)).toEqual(DOC);
    expect(await loader.load(`${base}/redirect`)).toEqual(DOC);
  });

  it('serves a repeated URL from its cache until the TTL runs out', async () => {
    let now = 1_000;
    const loader = loopbackLoader({ cacheTtlMs: 60_000, now: () => now });
    await loader.load(`${base}/ld`);
    await loader.load(`${base}/ld`);
    expect(hits.get('/ld')).toBe(1);
    now += 60_001;
    await loader.load(`${base}/ld`);
    expect(hits.get('/ld')).toBe(2);
  });

  it('fetches once for concurrent loads of one URL', async () => {
    const loader = loopbackLoader();
    const [a, b] = await Promise.all([loader.load(`${base}/ld`), loader.load(`${base}/ld`)]);
    expect(a).toBe(b);
    expect(hits.get('/ld')).toBe(1);
  });

  it('keeps at most cacheSize documents', async () => {
    const loader = loopbackLoader({ cacheSize: 1 });
    await loader.load(`${base}/ld`);
    await loader.load(`${base}/json`);
    await loader.load(`${base}/ld`);
    expect(hits.get('/ld')).toBe(2);
  });

  it('asks the lookup hook first and does not fetch what it knows', async () => {
    const stored = { '@context': { Stored: 'https://s.org/S' } };
    const asked: string[] = [];
    const loader = loopbackLoader({
      lookup: async (url) => {
        asked.push(url);
        return url.endsWith('/stored') ? stored : undefined;
      },
    });
    expect(await loader.load(`${base}/stored`)).toBe(stored);
    expect(await loader.load(`${base}/ld`)).toEqual(DOC);
    expect(asked).toEqual([`${base}/stored`, `${base}/ld`]);
    expect(hits.get('/stored')).toBeUndefined();
  });

  it('gives up after the timeout with a 504', async () => {
    const loader = loopbackLoader({ timeoutMs: 200 });
    for (const path of ['/slow', '/slow-body']) {
      const error = await failure(loader.load(`${base}${path}`));
      expect(error.kind).toBe('LdContextNotAvailable');
      expect(error.status).toBe(504);
      expect(error.detail).toContain(`${base}${path}`);
      expect(error.detail).toContain('200 ms');
    }
  });

  it('refuses documents over the size limit, declared or not', async () => {
    const loader = loopbackLoader({ maxBytes: 4096 });
    for (const path of ['/large-declared', '/large-chunked']) {
      const error = await failure(loader.load(`${base}${path}`));
      expect(error.kind).toBe('LdContextNotAvailable');
      expect(error.status).toBe(503);
      expect(error.detail).toMatch(/larger than 4096 bytes/);
    }
  });

  it('reports what is wrong with an unusable answer, naming the URL', async () => {
    const loader = loopbackLoader();
    const cases: Array<[string, RegExp]> = [
      ['/missing', /\/missing: the server answered HTTP 404/],
      ['/html', /\/html: the document has content type text\/html/],
      ['/not-json', /\/not-json: the document is not valid JSON/],
    ];
    for (const [path, detail] of cases) {
      const error = await failure(loader.load(`${base}${path}`));
      expect(error.kind).toBe('LdContextNotAvailable');
      expect(error.status).toBe(503);
      expect(error.detail).toMatch(detail);
    }
    expect(hits.get('/missing')).toBe(1);
    await failure(loader.load(`${base}/missing`));
    expect(hits.get('/missing')).toBe(2); // failures are not cached
  });

  it('reports a refused connection as LdContextNotAvailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(loopbackLoader().load(`http://127.0.0.1:${port}/ctx`));
    expect(error.kind).toBe('LdContextNotAvailable');
    expect(error.detail).toMatch(/ECONNREFUSED/);
  });

  it('only loads http and https URLs', async () => {
    const loader = loopbackLoader();
    for (const url of ['file:///etc/passwd', 'ftp://example.org/c.jsonld', 'urn:x:y', 'not a url']) {
      const error = await failure(loader.load(url));
      expect(error.kind).toBe('BadRequestData');
      expect(error.detail).toContain('only http and https');
    }
  });

  it('plugs into ContextResolver', async () => {
    const resolver = new ContextResolver(loopbackLoader());
    const ctx = await resolver.resolve([`${base}/ld`, { ex: 'https://example.org/' }]);
    expect(ctx.expandTerm('Car')).toBe('https://a.org/Car');
    expect(ctx.expandTerm('ex:speed')).toBe('https://example.org/speed');
    const error = await failure(resolver.resolve(`${base}/missing`));
    expect(error.kind).toBe('LdContextNotAvailable');
  });

  describe('SSRF guard', () => {
    it('refuses a loopback URL by default (400), without connecting', async () => {
      const error = await failure(new RemoteContextLoader().load(`${base}/ld`));
      expect(error.kind).toBe('BadRequestData');
      expect(error.status).toBe(400);
      expect(error.detail).toMatch(/127\.0\.0\.1 is a loopback address/);
      expect(hits.get('/ld')).toBeUndefined();
    });

    it('refuses a name that resolves to loopback unless the name or its address is allowed', async () => {
      const port = (server.address() as AddressInfo).port;
      const url = `http://localhost:${port}/ld`;
      const refused = await failure(
        new RemoteContextLoader({ guard: new AddressGuard({ allow: ['10.0.0.0/8'] }) }).load(url),
      );
      expect(refused.kind).toBe('BadRequestData');
      expect(refused.detail).toMatch(/localhost resolves to 127\.0\.0\.1, a loopback address/);
      expect(hits.get('/ld')).toBeUndefined();
      expect(
        await new RemoteContextLoader({ guard: new AddressGuard({ allow: ['localhost'] }) }).load(url),
      ).toEqual(DOC);
      expect(await loopbackLoader().load(url)).toEqual(DOC);
    });

    it('checks the address actually resolved, not the name (a public-looking name on a private address)', async () => {
      const guard = new AddressGuard({ resolve: async () => [{ address: '10.1.2.3', family: 4 }] });
      const error = await failure(
        new RemoteContextLoader({ guard }).load('http://contexts.example.org/c.jsonld'),
      );
      expect(error.kind).toBe('BadRequestData');
      expect(error.detail).toMatch(/contexts\.example\.org resolves to 10\.1\.2\.3, a private address/);
    });

    it('checks every redirect hop again', async () => {
      const error = await failure(loopbackLoader().load(`${base}/to-other-loopback`));
      expect(error.kind).toBe('BadRequestData');
      expect(error.detail).toMatch(/127\.0\.0\.2 is a loopback address/);
      expect(hits.get('/to-other-loopback')).toBe(1);
      expect(hits.get('/ld')).toBeUndefined();
    });

    it('follows a bounded number of redirects, and only to http(s)', async () => {
      const loop = await failure(loopbackLoader({ maxRedirects: 3 }).load(`${base}/loop`));
      expect(loop.kind).toBe('LdContextNotAvailable');
      expect(loop.detail).toMatch(/more than 3 redirects/);
      expect(hits.get('/loop')).toBe(4);
      const file = await failure(loopbackLoader().load(`${base}/to-file`));
      expect(file.kind).toBe('LdContextNotAvailable');
      expect(file.detail).toMatch(/redirected to file: URL/);
    });
  });
});
