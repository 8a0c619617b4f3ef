// ETSI GS CIM 009 clause 5.5.2 / 6.3.3 (ProblemDetails), 6.3.20 (unknown parameters): derived from ETSI
// test 059_01, plus robustness checks: hostile input gets a 4xx ProblemDetails, never a 5xx.
import fc from 'fast-check';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { authHeader } from '../support/serve-process.js';
import { expectProblem, expectStatus, uid, useBroker, type Res } from './harness.js';
import { minimal } from './fixtures.js';

const b = useBroker();
const enc = encodeURIComponent;

/**
 * POSTs a large body and resolves with the response, or with `undefined` when the server answered early
 * and closed the connection while the upload was still running (TCP may then discard the answer on the
 * client side: legal HTTP, not a server failure; curl, which waits for 100-continue, sees the 413).
 */
function postLarge(url: string, body: string): Promise<{ status: number; text: string } | undefined> {
  return new Promise((ok, fail) => {
    let answered = false;
    const headers = { 'content-type': 'application/json', ...authHeader() };
    const req = request(url, { method: 'POST', headers }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
      res.on('error', fail);
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return;
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') ok(undefined);
      else fail(err);
    });
    req.end(body);
  });
}

/** A 4xx whose body is a ProblemDetails with an NGSI-LD error type. */
function expectClientProblem(res: Res): void {
  expect(res.status, `${res.status}: ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${res.status}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(String(res.body?.type)).toMatch(/^https:\/\/uri\.etsi\.org\/ngsi-ld\/errors\/[A-Za-z]+$/);
  expect(typeof res.body.title).toBe('string');
}

describe('059 unknown query parameters', () => {
  it('059_01_01 CreateEntity with an unknown parameter → 400 InvalidRequest', async () => {
    const res = await b.call('POST', 'entities?invalidParam=1', { body: minimal(uid()) });
    expectProblem(res, 400, 'InvalidRequest');
  });

  it('059_01_02 QueryEntities with an unknown parameter → 400 InvalidRequest', async () => {
    expectProblem(await b.call('GET', 'entities?type=Building&invalidParam=1'), 400, 'InvalidRequest');
  });

  it('059_01_x RetrieveEntity with an unknown parameter → 400 InvalidRequest', async () => {
    const id = uid();
    expectStatus(await b.call('POST', 'entities', { body: minimal(id) }), 201);
    expectProblem(await b.call('GET', `entities/${enc(id)}?bogus=true`), 400, 'InvalidRequest');
  });

  it('059_01_x unknown option value → 400', async () => {
    expectProblem(await b.call('GET', 'entities?type=Building&options=sideways'), 400, [
      'BadRequestData',
      'InvalidRequest',
    ]);
  });
});

describe('ProblemDetails for every error', () => {
  it('error bodies carry type, title, detail and the status', async () => {
    const res = await b.call('GET', `entities/${enc(uid())}`);
    expectProblem(res, 404, 'ResourceNotFound');
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/(problem\+)?json/);
    expect(typeof res.body.detail).toBe('string');
    if (res.body.status !== undefined) expect(res.body.status).toBe(404);
  });

  it('unknown path under /ngsi-ld/v1 → 404 (or 400) ProblemDetails', async () => {
    const res = await b.call('GET', 'nonsense/thing');
    expectStatus(res, [400, 404]);
    expectClientProblem(res);
  });

  it('unsupported method on /entities/{id} → 405', async () => {
    const res = await b.call('POST', `entities/${enc(uid())}`, { body: {} });
    expectStatus(res, 405);
  });
});

describe('hostile input never gives a 5xx', () => {
  it('malformed JSON of many shapes → 400 InvalidRequest', async () => {
    for (const raw of ['{', '[1,', '{"a":}', 'nul', '"\\u12"', '{"id":"urn:x:1","type":"T"}}', '\u0000']) {
      const res = await b.call('POST', 'entities', { body: raw, contentType: 'application/json' });
      expectProblem(res, 400, ['InvalidRequest', 'BadRequestData']);
    }
  });

  it('JSON that is not an object (array, number, string, null) → 400', async () => {
    for (const raw of ['[]', '42', '"x"', 'null', 'true']) {
      const res = await b.call('POST', 'entities', { body: raw, contentType: 'application/json' });
      expectProblem(res, 400, ['InvalidRequest', 'BadRequestData']);
    }
  });

  it('a huge body (12 MB) → 413 or 400, never 5xx', async () => {
    const big = JSON.stringify({
      ...minimal(uid()),
      blob: { type: 'Property', value: 'x'.repeat(12 * 1024 * 1024) },
    });
    const res = await postLarge(`${b.base}/ngsi-ld/v1/entities`, big);
    if (res) {
      expect([400, 413], `${res.status}: ${res.text.slice(0, 200)}`).toContain(res.status);
      expect(String(JSON.parse(res.text).type)).toMatch(/^https:\/\/uri\.etsi\.org\/ngsi-ld\/errors\//);
    }
    // Whether or not the early answer reached us, the broker must still be healthy and working.
    expectStatus(await b.call('GET', '/health'), 200);
    expectStatus(await b.call('POST', 'entities', { body: minimal(uid()) }), 201);
  });

  it('a deeply nested body (depth 20 000) → 400, never 5xx', async () => {
    const depth = 20_000;
    const nested = `{"id":"${uid()}","type":"T","p":{"type":"Property","value":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const res = await b.call('POST', 'entities', { body: nested, contentType: 'application/json' });
    expectStatus(res, [400, 413]);
    expectClientProblem(res);
  });

  it('deeply nested sub-attributes → 400', async () => {
    let attr: Record<string, unknown> = { type: 'Property', value: 1 };
    for (let i = 0; i < 200; i++) attr = { type: 'Property', value: i, sub: attr };
    const res = await b.call('POST', 'entities', { body: { ...minimal(uid()), p: attr } });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('odd ids in paths never give a 5xx', async () => {
    const odd = ['%', '%E0%A4%A', 'urn:', 'a b', '..%2F..%2Fetc', ':::', 'urn:ngsi-ld:%00', 'x'.repeat(5000)];
    for (const id of odd) {
      for (const [method, suffix] of [
        ['GET', ''],
        ['DELETE', ''],
        ['PATCH', '/attrs'],
        ['GET', '/attrs/%00'],
      ] as const) {
        const res = await b.call(method, `entities/${id}${suffix}`, method === 'PATCH' ? { body: {} } : {});
        expect(res.status, `${method} ${id}${suffix}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });

  it('odd query strings never give a 5xx', async () => {
    const qs = [
      'type=%',
      'type=(((',
      'type=Building&q=%28%28%28',
      'type=Building&q=' + enc('a=='.repeat(2000)),
      'type=Building&q=' + enc('('.repeat(5000) + 'a==1' + ')'.repeat(5000)),
      'type=Building&georel=near;maxDistance==-1&geometry=Point&coordinates=[0,0]',
      'type=Building&coordinates=' + enc('['.repeat(3000)),
      'type=Building&scopeQ=' + enc('/' + '+/'.repeat(1000)),
      'type=Building&idPattern=' + enc('(a+)+$'),
      'type=Building&limit=abc&offset=xyz',
    ];
    for (const q of qs) {
      const res = await b.call('GET', `entities?${q}`);
      expect(res.status, `${q.slice(0, 80)}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });

  it('property: arbitrary JSON bodies to POST /entities get 201 or a 4xx ProblemDetails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const res = await b.call('POST', 'entities', {
          body: JSON.stringify(value),
          contentType: 'application/json',
        });
        if (res.status === 201) return;
        expectClientProblem(res);
      }),
      { numRuns: 60 },
    );
  });

  it('property: entity-shaped bodies with arbitrary attribute values never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 3 }), async (name, value) => {
        const body = { id: uid(), type: 'Fuzz', [name]: value };
        const res = await b.call('POST', 'entities', { body });
        if (res.status === 201) return;
        expectClientProblem(res);
      }),
      { numRuns: 60 },
    );
  });

  it('property: arbitrary q strings give 200 or a 4xx ProblemDetails, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (q) => {
        const res = await b.call('GET', `entities?type=Building&q=${enc(q)}`);
        if (res.status === 200) return;
        expectClientProblem(res);
      }),
      { numRuns: 80 },
    );
  });
});
