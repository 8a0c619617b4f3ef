// ETSI GS CIM 009 clause 5.7.2 (Query Entities), 4.9 (q), 4.17 (type selection), 4.19 (scopeQ),
// 6.3.10/6.3.13 (pagination, count), 5.7.2 via POST /entityOperations/query: ETSI test group 019.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, rand, tenant, uid, useBroker, type Res } from './harness.js';
import { building } from './fixtures.js';

const b = useBroker();
const enc = encodeURIComponent;
const Q = `Qb${rand(6)}`; // type of the q-test buildings
const [TB, TP, TT] = [`Tb${rand(6)}`, `Tp${rand(6)}`, `Tt${rand(6)}`];
const SC = `Sc${rand(6)}`; // type of the scope-test entities
const prefix = `urn:ngsi-ld:QBuilding:${rand(8)}`;
const ids = { a: `${prefix}:a`, b: `${prefix}:b`, c: `${prefix}:c` };
const multi = { e1: uid('Multi'), e2: uid('Multi'), e3: uid('Multi') };

async function post(body: Record<string, unknown>, opts: { tenant?: string; link?: string } = {}) {
  expectStatus(await b.call('POST', 'entities', { body, ...opts }), 201);
}
const query = (qs: string, opts: { tenant?: string; link?: string } = {}): Promise<Res> =>
  b.call('GET', `entities?${qs}`, opts);
const count = (res: Res): number => Number(res.headers.get('ngsild-results-count'));
const idsOf = (res: Res): string[] => (res.body as { id: string }[]).map((e) => e.id).sort();

beforeAll(async () => {
  const obs = (at: string, v: number) => ({ type: 'Property', value: v, observedAt: at });
  await post({
    ...building(ids.a, { name: 'Eiffel Tower', airQualityLevel: 4, locatedIn: 'urn:ngsi-ld:City:Paris' }, Q),
    airQualityLevel: obs('2024-01-01T00:00:00Z', 4),
    temperature: { type: 'Property', value: 21, accuracy: { type: 'Property', value: 0.5 } },
    address: { type: 'Property', value: { city: 'Paris', zip: '75007' } },
  });
  await post({
    ...building(ids.b, { name: 'Pisa Tower', airQualityLevel: 6, locatedIn: 'urn:ngsi-ld:City:Pisa' }, Q),
    airQualityLevel: obs('2024-07-01T00:00:00Z', 6),
    temperature: { type: 'Property', value: 25, accuracy: { type: 'Property', value: 2 } },
    address: { type: 'Property', value: { city: 'Pisa', zip: '56126' } },
  });
  await post({
    ...building(ids.c, { name: 'Big Ben', almostFull: true, airQualityLevel: 8 }, Q),
    locatedIn: { type: 'Relationship', object: 'urn:ngsi-ld:City:London' },
    airQualityLevel: obs('2024-08-01T00:00:00Z', 8),
    height: { type: 'Property', value: 96 },
  });
  await post({ id: multi.e1, type: TB });
  await post({ id: multi.e2, type: TP });
  await post({ id: multi.e3, type: [TB, TT] });
  await post({ id: uid('Scoped'), type: SC, scope: '/Lyon/Parks/TeteDOr' });
  await post({ id: uid('Scoped'), type: SC, scope: ['/Lyon/Parks/TeteDOr', '/CompanyA/Org/Unit1'] });
});

describe('019 query entities by id, type, pattern, attrs', () => {
  it('019_01_01 Query Several Entities Based On Ids', async () => {
    const res = await query(`type=${Q}&id=${enc(`${ids.a},${ids.b}`)}`);
    expectStatus(res, 200);
    expect(idsOf(res)).toEqual([ids.a, ids.b]);
  });

  it('019_01_02 Query Several Entities Based On The Entities Types (A,B)', async () => {
    const res = await query(`type=${TB},${TP}`);
    expectStatus(res, 200);
    expect(idsOf(res)).toEqual(Object.values(multi).sort());
  });

  it('019_01_03 Query Several Entities Based On The Given Id Pattern', async () => {
    const res = await query(`type=${Q}&idPattern=${enc(`^${prefix}:[ab]$`)}`);
    expectStatus(res, 200);
    expect(idsOf(res)).toEqual([ids.a, ids.b]);
  });

  it('019_01_04 Query Several Entities Based On Attribute Names (attrs only)', async () => {
    const attr = `uniq${rand(6)}`;
    const id = uid();
    await post({
      id,
      type: 'Thing',
      [attr]: { type: 'Property', value: 1 },
      other: { type: 'Property', value: 2 },
    });
    const res = await query(`attrs=${attr}`);
    expectStatus(res, 200);
    expect(idsOf(res)).toEqual([id]);
    expect(res.body[0][attr]).toBeDefined();
    expect(res.body[0].other).toBeUndefined();
  });

  it('019_01_x attrs with type restricts the returned attributes', async () => {
    const res = await query(`type=${Q}&attrs=name`);
    expectStatus(res, 200);
    expect(res.body).toHaveLength(3);
    for (const e of res.body) expect(Object.keys(e).sort()).toEqual(['id', 'name', 'type']);
  });

  it('019_02_01 Query One Entity Via POST Interaction Based On Id', async () => {
    const res = await b.call('POST', 'entityOperations/query', {
      body: { type: 'Query', entities: [{ id: ids.a, type: Q }] },
    });
    expectStatus(res, 200);
    expect(idsOf(res)).toEqual([ids.a]);
  });

  it('019_02_02 Query Via POST with type, q and attrs', async () => {
    const res = await b.call('POST', 'entityOperations/query', {
      body: { type: 'Query', entities: [{ type: Q }], q: 'airQualityLevel>5', attrs: ['name'] },
    });
    expectStatus(res, 200);
    expect(idsOf(res)).toEqual([ids.b, ids.c]);
    expect(res.body[0].airQualityLevel).toBeUndefined();
  });

  it('019_02_03 Query Via POST with an invalid body (no type "Query") → 400', async () => {
    const res = await b.call('POST', 'entityOperations/query', { body: { entities: 'nope' } });
    expectProblem(res, 400, ['BadRequestData', 'InvalidRequest']);
  });

  it('019_03_01 Query Entities Based On Incorrect Ids → 400 BadRequestData', async () => {
    expectProblem(await query(`type=${Q}&id=thisisaninvaliduri1,thisisaninvaliduri2`), 400, 'BadRequestData');
  });

  it('019_03_02 Query Several Entities Based On Incorrect Id Pattern → 400 BadRequestData', async () => {
    expectProblem(
      await query(`type=${Q}&idPattern=${enc('invalid_entity_id_pattern**')}`),
      400,
      'BadRequestData',
    );
  });

  it('019_03_05 Query Entities Without Minimal Parameters (ids only) → 400 BadRequestData', async () => {
    expectProblem(await query(`id=${enc('urn:ngsi-ld:Entity:01')}`), 400, 'BadRequestData');
  });

  it('019_03_05b GET /entities with no parameter at all → 400 BadRequestData', async () => {
    expectProblem(await b.call('GET', 'entities'), 400, 'BadRequestData');
  });

  it('019_04_01 Query Entities In A Simplified Representation', async () => {
    const res = await query(`type=${Q}&id=${enc(ids.a)}&options=keyValues`);
    expectStatus(res, 200);
    expect(res.body[0]).toMatchObject({
      id: ids.a,
      name: 'Eiffel Tower',
      locatedIn: 'urn:ngsi-ld:City:Paris',
    });
  });
});

describe('019_06/07 pagination and count', () => {
  it('019_06_01 Query Entities Specifying A Maximum Number Of Results (limit=2)', async () => {
    const res = await query(`type=${Q}&limit=2&count=true`);
    expectStatus(res, 200);
    expect(res.body).toHaveLength(2);
    expect(count(res)).toBe(3);
  });

  it('019_06_02 offset pages through the results without overlap', async () => {
    const p1 = await query(`type=${Q}&limit=2&offset=0`);
    const p2 = await query(`type=${Q}&limit=2&offset=2`);
    expect(p2.body).toHaveLength(1);
    expect([...idsOf(p1), ...idsOf(p2)].sort()).toEqual(Object.values(ids).sort());
  });

  it('019_06_03 limit=0 with count=true returns only the count', async () => {
    const res = await query(`type=${Q}&limit=0&count=true`);
    expectStatus(res, 200);
    expect(res.body).toEqual([]);
    expect(count(res)).toBe(3);
  });

  it('019_06_04 limit above the maximum → 400 BadRequestData or 403 TooManyResults', async () => {
    const res = await query(`type=${Q}&limit=1000000`);
    expectProblem(res, [400, 403], ['BadRequestData', 'TooManyResults']);
    if (res.status === 403) expect(res.body.type).toBe('https://uri.etsi.org/ngsi-ld/errors/TooManyResults');
  });

  it('019_06_05 negative limit or offset → 400', async () => {
    expectProblem(await query(`type=${Q}&limit=-1`), 400, ['BadRequestData', 'InvalidRequest']);
    expectProblem(await query(`type=${Q}&offset=-3`), 400, ['BadRequestData', 'InvalidRequest']);
  });

  it('019_07_01 count=true with only the entity type', async () => {
    const t = tenant();
    await post({ ...building(uid('Building'), { airQualityLevel: 6 }) }, { tenant: t, link: b.contextUrl });
    await post({ ...building(uid('Building'), { airQualityLevel: 4 }) }, { tenant: t, link: b.contextUrl });
    const res = await query('type=Building&count=true', { tenant: t, link: b.contextUrl });
    expectStatus(res, 200);
    expect(count(res)).toBe(2);
    const res2 = await query('type=Building&count=true&q=airQualityLevel==6', {
      tenant: t,
      link: b.contextUrl,
    });
    expect(count(res2)).toBe(1);
  });

  it('019_07_03 no NGSILD-Results-Count header without count=true', async () => {
    const res = await query(`type=${Q}`);
    expect(res.headers.get('ngsild-results-count')).toBeNull();
  });
});

describe('019_08 entity type selection language', () => {
  const cases: [string, string, (keyof typeof multi)[]][] = [
    ['019_08_01 Query With One Type', TB, ['e1', 'e3']],
    ['019_08_02 Query With The AND Operator', `(${TB};${TT})`, ['e3']],
    ['019_08_03 Query With The OR Operator', `${TB},${TP}`, ['e1', 'e2', 'e3']],
    ['019_08_04 Different Query With The OR Operator', `${TP},${TT}`, ['e2', 'e3']],
    ['019_08_05 Query With Two Operators', `(${TB};${TP}),${TT}`, ['e3']],
    ['019_08_06 AND without parentheses', `${TB};${TT}`, ['e3']],
  ];
  for (const [name, sel, want] of cases) {
    it(name, async () => {
      const res = await query(`type=${enc(sel)}`);
      expectStatus(res, 200);
      expect(idsOf(res)).toEqual(want.map((k) => multi[k]).sort());
    });
  }
});

describe('019_09 query on q', () => {
  const cases: [string, string, number][] = [
    ['019_09_01 QueryOnName', 'name=="Eiffel Tower"', 1],
    ['019_09_02 QueryOnNameAndAlmostFullFalse', 'name=="Pisa Tower";almostFull==false', 1],
    ['019_09_04 QueryOnNameOrAlmostFullFalse', 'name=="Pisa Tower"|almostFull==false', 2],
    [
      '019_09_05 QueryOnNamesAndAlmostFullFalse',
      '(name=="Pisa Tower"|name=="Eiffel Tower");almostFull==false',
      2,
    ],
    ['019_09_06 QueryOnAirQualityLevel', 'airQualityLevel==4', 1],
    ['019_09_07 QueryOnAirQualityLevelRange', 'airQualityLevel>=4;airQualityLevel<7', 2],
    ['019_09_08 QueryOnLocatedInExisting', 'locatedIn==urn:ngsi-ld:City:Pisa', 1],
    ['019_09_09 QueryOnLocatedInNonExisting', 'locatedIn==urn:ngsi-ld:City:Nowhere', 0],
    [
      '019_09_10 QueryOnLocatedInTwoCities',
      'locatedIn==urn:ngsi-ld:City:Pisa|locatedIn==urn:ngsi-ld:City:Nowhere',
      1,
    ],
    ['019_09_x not equal', 'airQualityLevel!=4', 2],
    ['019_09_x greater than', 'airQualityLevel>6', 1],
    ['019_09_x less or equal', 'airQualityLevel<=6', 2],
    ['019_09_x range value', 'airQualityLevel==4..7', 2],
    ['019_09_x value list', 'airQualityLevel==4,8', 2],
    ['019_09_x string list', 'name=="Eiffel Tower","Big Ben"', 2],
    ['019_09_x boolean', 'almostFull==true', 1],
    ['019_09_x pattern match', 'name~="^Pisa"', 1],
    ['019_09_x pattern not match', 'name!~="Tower"', 1],
    ['019_09_x attribute exists', 'height', 1],
    ['019_09_x attribute does not exist', '!height', 2],
    ['019_09_x dotted sub-attribute path', 'temperature.accuracy<1', 1],
    ['019_09_x [key] path into a JSON value', 'address[city]=="Pisa"', 1],
    ['019_09_x observedAt date comparison', 'airQualityLevel.observedAt>=2024-06-01T00:00:00Z', 2],
    [
      '019_09_x nested parentheses',
      '((airQualityLevel==4|airQualityLevel==8);almostFull==true)|name=="Pisa Tower"',
      2,
    ],
  ];
  for (const [name, q, want] of cases) {
    it(name, async () => {
      const res = await query(`type=${Q}&count=true&q=${enc(q)}`);
      expectStatus(res, 200);
      expect(count(res)).toBe(want);
      expect(res.body).toHaveLength(want);
    });
  }

  it('019_09_x q alone (without type) is a valid query', async () => {
    const res = await query(`q=${enc(`name=="Big Ben";height==96`)}&count=true`);
    expectStatus(res, 200);
    expect(idsOf(res)).toContain(ids.c);
  });

  it('019_09_x invalid q → 400 BadRequestData', async () => {
    expectProblem(await query(`type=${Q}&q=${enc('name===')}`), 400, 'BadRequestData');
    expectProblem(await query(`type=${Q}&q=${enc('(name=="a"')}`), 400, 'BadRequestData');
  });
});

describe('019_01_06 scopeQ', () => {
  const cases: [string, string, number][] = [
    ['019_01_06 QueryWithFullScope', '/Lyon/Parks/TeteDOr', 2],
    ['019_01_06 QueryWithPlusMatching', '/Lyon/+/TeteDOr', 2],
    ['019_01_06 QueryWithHashMatching', '/CompanyA/#', 1],
    ['019_01_06 QueryNonEmptyScope', '/#', 2],
    ['019_01_06 QueryWithAndScope', '/Lyon/Parks/TeteDOr;/CompanyA/Org/Unit1', 1],
    ['019_01_06 QueryWithOrScope', '/Lyon/Parks/TeteDOr,/CompanyA/Org/Unit1', 2],
    ['019_01_06 QueryWithUnknownScope', '/Paris', 0],
  ];
  for (const [name, scopeQ, want] of cases) {
    it(`${name} (${scopeQ})`, async () => {
      const res = await query(`type=${SC}&count=true&scopeQ=${enc(scopeQ)}`);
      expectStatus(res, 200);
      expect(count(res)).toBe(want);
    });
  }

  it('019_01_06 invalid scopeQ → 400 BadRequestData', async () => {
    expectProblem(await query(`type=${SC}&scopeQ=${enc('no-leading-slash')}`), 400, 'BadRequestData');
  });
});
