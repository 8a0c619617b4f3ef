// ETSI GS CIM 009 clauses 5.5.7 / 6.3.5–6.3.6 (@context resolution and compaction), 5.13 / 6.30
// (/jsonldContexts), 5.5.2 (LdContextNotAvailable): derived from ETSI tests 001_04, 001_05, 043, 050–053.
import { describe, expect, it } from 'vitest';
import { DEFAULT_NS, TEST_NS, TEST_TERMS, expectProblem, expectStatus, uid, useBroker } from './harness.js';
import { building, buildingLd } from './fixtures.js';

const b = useBroker();
const enc = encodeURIComponent;
const get = (id: string, opts: { link?: string; accept?: string } = {}) =>
  b.call('GET', `entities/${enc(id)}`, opts);

describe('001_04/001_05 @context from Link header or default', () => {
  it('001_04_01 Link header context with application/json; read with it → terms', async () => {
    const id = uid('Building');
    expectStatus(await b.call('POST', 'entities', { body: building(id), link: b.contextUrl }), 201);
    const res = await get(id, { link: b.contextUrl });
    expect(res.body.almostFull).toBeDefined();
    expect(res.body.type).toBe('Building');
  });

  it('001_04_02 …read without it → expanded IRIs', async () => {
    const id = uid('Building');
    expectStatus(await b.call('POST', 'entities', { body: building(id), link: b.contextUrl }), 201);
    const res = await get(id);
    expect(res.body[`${TEST_NS}almostFull`]).toBeDefined();
    expect(res.body.type).toBe(`${TEST_NS}Building`);
  });

  it('001_05_01 default context when no Link header; read without context → the same short terms', async () => {
    const id = uid('Building');
    expectStatus(await b.call('POST', 'entities', { body: building(id) }), 201);
    const res = await get(id);
    expect(res.body.almostFull).toBeDefined();
    expect(res.body.type).toBe('Building');
  });

  it('001_05_02 …read with a context redefining the term → default-context IRI, not the user term', async () => {
    const id = uid('Building');
    expectStatus(await b.call('POST', 'entities', { body: building(id) }), 201);
    const res = await get(id, { link: b.contextUrl, accept: 'application/json' });
    expect(res.body.almostFull).toBeUndefined();
    const key = Object.keys(res.body).find((k) => k.endsWith('default-context/almostFull'));
    expect([`${DEFAULT_NS}almostFull`, 'ngsi-ld:default-context/almostFull']).toContain(key);
  });

  it('001_07_x inline body @context and Link-context reads agree on the same IRIs', async () => {
    const id = uid('Building');
    expectStatus(
      await b.call('POST', 'entities', { body: buildingLd(id), contentType: 'application/ld+json' }),
      201,
    );
    const res = await get(id, { link: b.contextUrl });
    expect(res.body.name.value).toBe('Tour Part-Dieu');
  });

  it('019_x query with the user context matches and compacts user terms', async () => {
    const id = uid('Building');
    expectStatus(
      await b.call('POST', 'entities', { body: building(id, { name: 'Ctx Q' }), link: b.contextUrl }),
      201,
    );
    const res = await b.call('GET', `entities?type=Building&q=${enc('name=="Ctx Q"')}`, {
      link: b.contextUrl,
    });
    expectStatus(res, 200);
    expect(res.body.map((e: { id: string }) => e.id)).toEqual([id]);
    expect(res.body[0].name.value).toBe('Ctx Q');
  });

  it('019_x query by the expanded type IRI finds entities created with the user context', async () => {
    const id = uid('Building');
    expectStatus(await b.call('POST', 'entities', { body: building(id), link: b.contextUrl }), 201);
    const res = await b.call('GET', `entities?type=${enc(`${TEST_NS}Building`)}&id=${enc(id)}`);
    expectStatus(res, 200);
    expect(res.body).toHaveLength(1);
  });
});

describe('6.3.6 @context in responses', () => {
  it('application/json response carries a JSON-LD Link header', async () => {
    const id = uid('Building');
    expectStatus(await b.call('POST', 'entities', { body: building(id), link: b.contextUrl }), 201);
    const res = await get(id, { link: b.contextUrl, accept: 'application/json' });
    const link = res.headers.get('link') ?? '';
    expect(link).toMatch(/rel="?http:\/\/www\.w3\.org\/ns\/json-ld#context"?/);
    expect(res.body['@context']).toBeUndefined();
  });

  it('application/ld+json response carries @context in the body and no context Link', async () => {
    const id = uid('Building');
    expectStatus(await b.call('POST', 'entities', { body: building(id), link: b.contextUrl }), 201);
    const res = await get(id, { link: b.contextUrl, accept: 'application/ld+json' });
    expect(res.body['@context']).toBeDefined();
    expect(res.headers.get('link') ?? '').not.toMatch(/json-ld#context/);
  });

  it('query with application/ld+json gives every entity its @context', async () => {
    const id = uid('Building');
    expectStatus(await b.call('POST', 'entities', { body: building(id) }), 201);
    const res = await b.call('GET', `entities?type=Building&id=${enc(id)}`, {
      accept: 'application/ld+json',
    });
    expectStatus(res, 200);
    expect(res.body[0]['@context']).toBeDefined();
  });
});

describe('043 LdContextNotAvailable', () => {
  it('043_01_01 Create Entity with an unreachable body @context → 503 LdContextNotAvailable', async () => {
    const res = await b.call('POST', 'entities', {
      body: { ...building(uid()), '@context': [b.deadContextUrl] },
      contentType: 'application/ld+json',
    });
    expectProblem(res, 503, 'LdContextNotAvailable');
  });

  it('043_01_x Create Entity with an unreachable Link context → 503 LdContextNotAvailable', async () => {
    const res = await b.call('POST', 'entities', { body: building(uid()), link: b.deadContextUrl });
    expectProblem(res, 503, 'LdContextNotAvailable');
  });

  it('043_01_x Query Entities with an unreachable Link context → 503 LdContextNotAvailable', async () => {
    const res = await b.call('GET', 'entities?type=Building', { link: b.deadContextUrl });
    expectProblem(res, 503, 'LdContextNotAvailable');
  });

  it('043_01_04 Batch Entity Create with unreachable contexts → 207 with LdContextNotAvailable errors', async () => {
    const ids = [uid(), uid()];
    const res = await b.call('POST', 'entityOperations/create', {
      body: ids.map((id) => ({ ...building(id), '@context': [b.deadContextUrl] })),
      contentType: 'application/ld+json',
    });
    expectStatus(res, 207);
    expect(res.body.errors).toHaveLength(2);
    for (const e of res.body.errors) {
      expect(e.error.type).toBe('https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable');
    }
  });
});

describe('050–053 /jsonldContexts', () => {
  async function add(): Promise<{ url: string; localId: string }> {
    const res = await b.call('POST', 'jsonldContexts', { body: { '@context': TEST_TERMS } });
    expectStatus(res, 201);
    const loc = res.headers.get('location') ?? '';
    expect(loc).toMatch(/\/ngsi-ld\/v1\/jsonldContexts\/./);
    const url = new URL(loc, b.base).toString();
    return { url, localId: decodeURIComponent(url.split('/jsonldContexts/')[1] ?? '') };
  }

  it('050_01_01 Add a @context → 201 with Location', async () => {
    await add();
  });

  it('050_02_01 Add an invalid @context (no @context member) → 400', async () => {
    const res = await b.call('POST', 'jsonldContexts', { body: { foo: 'bar' } });
    expectProblem(res, 400, ['BadRequestData', 'InvalidRequest']);
  });

  it('050_03_01 Add with invalid JSON → 400 InvalidRequest', async () => {
    const res = await b.call('POST', 'jsonldContexts', {
      body: '{"@context": ',
      contentType: 'application/json',
    });
    expectProblem(res, 400, 'InvalidRequest');
  });

  it('052_01_01 List @contexts includes the added one', async () => {
    const { url } = await add();
    const res = await b.call('GET', 'jsonldContexts');
    expectStatus(res, 200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((u: string) => new URL(u, b.base).toString())).toContain(url);
  });

  it('052_02_01 List @contexts with details=true gives objects with URL, localId and kind', async () => {
    const { url } = await add();
    const res = await b.call('GET', 'jsonldContexts?details=true');
    expectStatus(res, 200);
    const mine = res.body.find((c: { URL?: string }) => c.URL && new URL(c.URL, b.base).toString() === url);
    expect(mine).toBeDefined();
    expect(typeof mine.localId).toBe('string');
    expect(mine.kind).toBe('Hosted');
  });

  it('053_01_01 Serve an added @context', async () => {
    const { localId } = await add();
    const res = await b.call('GET', `jsonldContexts/${enc(localId)}`);
    expectStatus(res, 200);
    expect(res.body['@context']).toMatchObject({ almostFull: TEST_TERMS.almostFull });
  });

  it('053_02_01 Serve an unknown @context → 404 ResourceNotFound', async () => {
    expectProblem(await b.call('GET', 'jsonldContexts/nosuchcontext42'), 404, 'ResourceNotFound');
  });

  it('053_x a hosted @context can be used in a Link header', async () => {
    const { url } = await add();
    const id = uid('Building');
    expectStatus(await b.call('POST', 'entities', { body: building(id), link: url }), 201);
    const res = await get(id, { link: b.contextUrl });
    expect(res.body.almostFull).toBeDefined();
  });

  it('051_01_01 Delete an added @context → 204, then 404', async () => {
    const { localId } = await add();
    expectStatus(await b.call('DELETE', `jsonldContexts/${enc(localId)}`), 204);
    expectProblem(await b.call('GET', `jsonldContexts/${enc(localId)}`), 404, 'ResourceNotFound');
  });

  it('051_02_01 Delete an unknown @context → 404 ResourceNotFound', async () => {
    expectProblem(await b.call('DELETE', 'jsonldContexts/nosuchcontext43'), 404, 'ResourceNotFound');
  });
});
