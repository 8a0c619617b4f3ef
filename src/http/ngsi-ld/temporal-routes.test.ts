// The temporal API through HTTP, clause by clause (5.6.11 – 5.6.18, 5.7.3, 5.7.4, 4.5.7, 4.5.9,
// 4.5.19, 6.18 – 6.24): history made by the current-state API, then read, filtered, aggregated and
// edited through /temporal.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LD, testApp } from '../../../test/support/app.js';

let app: FastifyInstance;
const AQ = 'urn:ngsi-ld:AirQualityObserved:plaza-mayor';
const at = (hhmm: string) => `2026-12-01T${hhmm}:00Z`;

// What the current-state API does to pm25, in order: [value, observedAt].
const PM25: Array<[number, string]> = [
  [10, at('10:00')],
  [14, at('11:00')],
  [20, at('12:00')],
  [8, at('13:30')],
  [12, at('14:00')],
];

type Json = Record<string, unknown>;
type Instance = Json & { value: unknown; observedAt?: string; instanceId: string };

const get = async (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal${url}`, headers });
const ok = async (url: string, headers: Record<string, string> = {}) => {
  const res = await get(url, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const send = async (
  method: 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: string | object,
  headers: Record<string, string> = {},
) => app.inject({ method, url: `/ngsi-ld/v1${url}`, headers, ...(payload === undefined ? {} : { payload }) });

function expectProblem(
  res: { statusCode: number; body: string },
  status: number,
  kind: string,
  detail?: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  const body = JSON.parse(res.body) as { type: string; detail: string };
  expect(body.type).toBe(`https://uri.etsi.org/ngsi-ld/errors/${kind}`);
  if (detail !== undefined) expect(body.detail).toContain(detail);
}

beforeAll(async () => {
  app = await testApp({
    loader: {
      load: async (url) => {
        if (url !== 'http://ctx.example/aq.jsonld') throw new Error(`unknown ${url}`);
        return { '@context': { pm: 'https://uri.etsi.org/ngsi-ld/default-context/pm25' } };
      },
    },
  });
  const [first, ...rest] = PM25;
  const created = await send('POST', '/entities', {
    id: AQ,
    type: 'AirQualityObserved',
    pm25: { type: 'Property', value: first![0], observedAt: first![1], unitCode: 'GQ' },
    name: { type: 'Property', value: 'Plaza Mayor' },
  });
  expect(created.statusCode, created.body).toBe(201);
  for (const [i, [value, observedAt]] of rest.entries()) {
    // Alternate the partial update of one attribute and the update of attributes.
    const res =
      i % 2 === 0
        ? await send('PATCH', `/entities/${AQ}/attrs/pm25`, { value, observedAt })
        : await send('PATCH', `/entities/${AQ}/attrs`, { pm25: { type: 'Property', value, observedAt } });
    expect(res.statusCode, res.body).toBe(204);
  }
  for (let i = 1; i <= 3; i++) {
    const res = await send('POST', '/entities', {
      id: `urn:ngsi-ld:WasteContainer:${i}`,
      type: 'WasteContainer',
      fillingLevel: { type: 'Property', value: i / 10, observedAt: at(`0${i}:00`) },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => {
  await app.close();
});

describe('history recorded from the current-state API (5.6, 5.7.3)', () => {
  it('shows every value pm25 took, oldest first, each with an instanceId', async () => {
    const body = await ok(`/entities/${AQ}?attrs=pm25`);
    expect(body.id).toBe(AQ);
    expect(body.type).toBe('AirQualityObserved');
    const pm25 = body.pm25 as Instance[];
    expect(instants(pm25.map((i) => [i.value, i.observedAt]))).toEqual(instants(PM25));
    expect(new Set(pm25.map((i) => i.instanceId)).size).toBe(PM25.length);
    for (const i of pm25) expect(i.instanceId).toMatch(/^urn:ngsi-ld:attribute:instance:/);
    expect(pm25[0]!.unitCode).toBe('GQ');
    expect(body).not.toHaveProperty('name');
  });

  it('keeps the history of a deleted entity', async () => {
    const id = 'urn:ngsi-ld:Streetlight:gone';
    await send('POST', '/entities', { id, type: 'Streetlight', lux: { value: 3, observedAt: at('09:00') } });
    expect((await send('DELETE', `/entities/${id}`)).statusCode).toBe(204);
    const body = await ok(`/entities/${id}`);
    expect((body.lux as Instance[]).map((i) => i.value)).toEqual([3]);
  });

  it('adds sysAttrs with options=sysAttrs', async () => {
    const body = await ok(`/entities/${AQ}?attrs=pm25&options=sysAttrs`);
    expect(typeof body.createdAt).toBe('string');
    const pm25 = body.pm25 as Instance[];
    expect(typeof pm25[0]!.createdAt).toBe('string');
    expect(typeof pm25[0]!.modifiedAt).toBe('string');
  });

  it('404 for an entity without history, 400 for a bad id', async () => {
    expectProblem(await get('/entities/urn:ngsi-ld:Nothing:1'), 404, 'ResourceNotFound');
    expectProblem(await get('/entities/not%20a%20uri'), 400, 'BadRequestData');
  });
});

describe('temporal query parameters (4.11, 6.19)', () => {
  const values = async (qs: string) =>
    ((await ok(`/entities/${AQ}?attrs=pm25&${qs}`)).pm25 as Instance[] | undefined)?.map((i) => i.value);

  it('timerel before / after / between on observedAt', async () => {
    expect(await values(`timerel=before&timeAt=${at('11:30')}`)).toEqual([10, 14]);
    expect(await values(`timerel=after&timeAt=${at('11:30')}`)).toEqual([20, 8, 12]);
    expect(await values(`timerel=between&timeAt=${at('10:30')}&endTimeAt=${at('13:45')}`)).toEqual([
      14, 20, 8,
    ]);
    expect(await values(`timerel=after&timeAt=${at('23:00')}`)).toBeUndefined();
  });

  it('lastN: the last N, still oldest first', async () => {
    expect(await values('lastN=2')).toEqual([8, 12]);
    expect(await values(`lastN=2&timerel=before&timeAt=${at('12:30')}`)).toEqual([14, 20]);
    expect(await values('lastN=100')).toEqual(PM25.map(([v]) => v));
  });

  it('timeproperty=modifiedAt and createdAt select on the recording time', async () => {
    const all = await ok(`/entities/${AQ}?timeproperty=modifiedAt&timerel=after&timeAt=2000-01-01T00:00:00Z`);
    expect((all.pm25 as Instance[]).map((i) => i.value)).toEqual(PM25.map(([v]) => v));
    expect(typeof (all.pm25 as Instance[])[0]!.modifiedAt).toBe('string');
    // name has no observedAt: only the recording times see it.
    expect((all.name as Instance[]).map((i) => i.value)).toEqual(['Plaza Mayor']);
    const none = await ok(
      `/entities/${AQ}?timeproperty=createdAt&timerel=before&timeAt=2000-01-01T00:00:00Z`,
    );
    expect(none.pm25).toBeUndefined();
  });

  it('refuses bad temporal parameters with precise 400s', async () => {
    const bad: Array<[string, string]> = [
      ['timerel=after', 'needs timeAt'],
      [`timeAt=${at('10:00')}`, 'needs timerel'],
      [`timerel=between&timeAt=${at('10:00')}`, 'needs endTimeAt'],
      [`timerel=between&timeAt=${at('10:00')}&endTimeAt=${at('09:00')}`, 'later than timeAt'],
      ['timerel=after&timeAt=noon', 'timeAt must be an ISO 8601 date-time'],
      ['lastN=0', 'lastN must be a positive integer'],
      ['timeproperty=observed', 'timeproperty must be one of'],
      ['options=aggregatedValues', 'needs aggrMethods'],
      ['options=aggregatedValues&aggrMethods=median', 'unknown aggrMethod'],
      ['aggrMethods=avg', 'needs options=aggregatedValues'],
      ['options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=PT0S', 'longer than zero'],
      ['options=keyValues', 'unknown option'],
    ];
    for (const [qs, detail] of bad)
      expectProblem(await get(`/entities/${AQ}?${qs}`), 400, 'BadRequestData', detail);
    expectProblem(await get(`/entities/${AQ}?type=T`), 400, 'InvalidRequest');
    expectProblem(await get(`/entities/${AQ}?nonsense=1`), 400, 'InvalidRequest');
  });
});

describe('temporalValues (4.5.9)', () => {
  it('pairs each value with its observedAt', async () => {
    const body = await ok(`/entities/${AQ}?attrs=pm25&options=temporalValues`);
    expect((body.pm25 as Json).type).toBe('Property');
    expect(instants((body.pm25 as Json).values)).toEqual(instants(PM25));
  });

  it('uses objects for a Relationship and keeps datasetIds apart', async () => {
    const id = 'urn:ngsi-ld:Vehicle:tv';
    const res = await send('POST', '/temporal/entities', {
      id,
      type: 'Vehicle',
      owner: [
        { type: 'Relationship', object: 'urn:ngsi-ld:Person:1', observedAt: at('10:00') },
        { type: 'Relationship', object: 'urn:ngsi-ld:Person:2', observedAt: at('11:00') },
      ],
      speed: [
        { type: 'Property', value: 50, observedAt: at('10:00') },
        { type: 'Property', value: 51, observedAt: at('10:00'), datasetId: 'urn:ngsi-ld:Dataset:gps' },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = await ok(`/entities/${id}?options=temporalValues`);
    const owner = body.owner as Json;
    expect(owner.type).toBe('Relationship');
    expect(instants(owner.objects)).toEqual(
      instants([
        ['urn:ngsi-ld:Person:1', at('10:00')],
        ['urn:ngsi-ld:Person:2', at('11:00')],
      ]),
    );
    const speed = (body.speed as Json[]).map((s) => ({ ...s, values: instants(s.values) }));
    expect(speed).toHaveLength(2);
    expect(speed).toEqual(
      expect.arrayContaining([
        { type: 'Property', values: instants([[50, at('10:00')]]) },
        { type: 'Property', datasetId: 'urn:ngsi-ld:Dataset:gps', values: instants([[51, at('10:00')]]) },
      ]),
    );
  });
});

describe('aggregatedValues (4.5.19), checked against hand computation', () => {
  const agg = async (qs: string) =>
    (await ok(`/entities/${AQ}?attrs=pm25&options=aggregatedValues&${qs}`)).pm25 as Json;

  it('one bucket over the whole range without aggrPeriodDuration', async () => {
    const pm25 = await agg('aggrMethods=totalCount,sum,avg,min,max,distinctCount');
    expect(pm25.type).toBe('Property');
    const first = (m: string) => (pm25[m] as unknown[][])[0]![0];
    expect((pm25.totalCount as unknown[][]).length).toBe(1);
    expect(first('totalCount')).toBe(5);
    expect(first('distinctCount')).toBe(5);
    expect(first('sum')).toBe(64);
    expect(first('avg')).toBeCloseTo(12.8, 10);
    expect(first('min')).toBe(8);
    expect(first('max')).toBe(20);
  });

  it('per PT2H period from timeAt, empty periods omitted', async () => {
    const pm25 = await agg(
      `aggrMethods=totalCount,sum,avg,min,max,stddev,sumsq&aggrPeriodDuration=PT2H&timerel=between&timeAt=${at('09:00')}&endTimeAt=${at('15:00')}`,
    );
    // [09,11): 10 · [11,13): 14, 20 · [13,15): 8, 12
    const col = (m: string) => (pm25[m] as unknown[][]).map((t) => t[0]);
    expect(instants(pm25.totalCount).map((t) => t[1])).toEqual(
      ['09:00', '11:00', '13:00'].map((h) => ms(at(h))),
    );
    expect(instants(pm25.sum)[0]![2]).toBe(ms(at('11:00')));
    expect(col('totalCount')).toEqual([1, 2, 2]);
    expect(col('sum')).toEqual([10, 34, 20]);
    expect(col('avg')).toEqual([10, 17, 10]);
    expect(col('min')).toEqual([10, 14, 8]);
    expect(col('max')).toEqual([10, 20, 12]);
    expect(col('sumsq')).toEqual([100, 596, 208]);
    const sd = col('stddev') as number[];
    expect(sd[0]).toBeCloseTo(0, 10);
    expect(sd[1]).toBeCloseTo(3, 10);
    expect(sd[2]).toBeCloseTo(2, 10);
  });

  it('per calendar month (P1M)', async () => {
    const id = 'urn:ngsi-ld:WaterConsumptionObserved:1';
    const instances = [
      ['2026-01-15T12:00:00Z', 1],
      ['2026-01-31T23:00:00Z', 2],
      ['2026-02-10T00:00:00Z', 3],
      ['2026-03-01T00:00:00Z', 4],
      ['2026-03-20T00:00:00Z', 5],
    ].map(([observedAt, value]) => ({ type: 'Property', value, observedAt }));
    const res = await send('POST', '/temporal/entities', {
      id,
      type: 'WaterConsumptionObserved',
      flow: instances,
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = await ok(
      `/entities/${id}?options=aggregatedValues&aggrMethods=sum,totalCount&aggrPeriodDuration=P1M&timerel=after&timeAt=2026-01-01T00:00:00Z`,
    );
    const flow = body.flow as Json;
    expect(instants(flow.sum)).toEqual(
      instants([
        [3, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'],
        [3, '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
        [9, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'],
      ]),
    );
    expect((flow.totalCount as unknown[][]).map((t) => t[0])).toEqual([2, 1, 2]);
  });

  it('aggregates in queries too', async () => {
    const res = await get('/entities?type=WasteContainer&options=aggregatedValues&aggrMethods=max');
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json() as Json[];
    expect(list.map((e) => ((e.fillingLevel as Json).max as unknown[][])[0]![0])).toEqual([0.1, 0.2, 0.3]);
  });
});

describe('query temporal evolution of entities (5.7.4, 6.18.3.1)', () => {
  const ids = async (qs: string) => ((await ok(`/entities?${qs}`)) as Json[]).map((e) => e.id);

  it('selects by type, attrs and q (on the current state), ordered by id', async () => {
    expect(await ids('type=WasteContainer')).toEqual([1, 2, 3].map((i) => `urn:ngsi-ld:WasteContainer:${i}`));
    expect(await ids('type=WasteContainer&q=fillingLevel>0.15')).toEqual([
      'urn:ngsi-ld:WasteContainer:2',
      'urn:ngsi-ld:WasteContainer:3',
    ]);
    expect(await ids('attrs=pm25')).toEqual([AQ]);
  });

  it('pages over entities with limit/offset and counts them', async () => {
    const res = await get('/entities?type=WasteContainer&limit=2&offset=1&count=true');
    expect(res.statusCode).toBe(200);
    expect(res.headers['ngsild-results-count']).toBe('3');
    expect((res.json() as Json[]).map((e) => e.id)).toEqual([
      'urn:ngsi-ld:WasteContainer:2',
      'urn:ngsi-ld:WasteContainer:3',
    ]);
    expectProblem(await get('/entities?type=WasteContainer&limit=100000'), 403, 'TooManyResults');
  });

  it('needs type, attrs, q or geoQ', async () => {
    expectProblem(await get('/entities'), 400, 'BadRequestData', 'at least one of type, attrs, q or geoQ');
    expectProblem(await get(`/entities?id=${AQ}`), 400, 'BadRequestData', 'at least one of');
    expectProblem(await get('/entities?type=(('), 400, 'BadRequestData');
    expectProblem(await get('/entities?type=T&orderBy=id'), 400, 'InvalidRequest');
  });

  it('POST /temporal/entityOperations/query with temporalQ', async () => {
    const res = await send('POST', '/temporal/entityOperations/query?count=true', {
      type: 'Query',
      entities: [{ type: 'AirQualityObserved' }],
      attrs: ['pm25'],
      temporalQ: { timerel: 'after', timeAt: at('11:30'), lastN: 2 },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['ngsild-results-count']).toBe('1');
    const [e] = res.json() as Json[];
    expect((e!.pm25 as Instance[]).map((i) => i.value)).toEqual([8, 12]);
    expectProblem(
      await send('POST', '/temporal/entityOperations/query', {
        type: 'Query',
        temporalQ: { timerel: 'after' },
      }),
      400,
      'BadRequestData',
    );
    expectProblem(
      await send('POST', '/temporal/entityOperations/query', { type: 'NotAQuery' }),
      400,
      'BadRequestData',
    );
  });
});

describe('selection by idPattern, ids, geoQ and scopeQ (5.7.4: q, geoQ, scopeQ on the current state)', () => {
  const ids = async (qs: string) => ((await ok(`/entities?${qs}`)) as Json[]).map((e) => e.id);

  it('selects with id lists and idPattern next to a type', async () => {
    expect(await ids('type=WasteContainer&idPattern=:[13]$')).toEqual([
      'urn:ngsi-ld:WasteContainer:1',
      'urn:ngsi-ld:WasteContainer:3',
    ]);
    expect(await ids('type=WasteContainer&id=urn:ngsi-ld:WasteContainer:2')).toEqual([
      'urn:ngsi-ld:WasteContainer:2',
    ]);
    expectProblem(await get('/entities?type=WasteContainer&idPattern=(('), 400, 'BadRequestData');
  });

  it('selects with geoQ and scopeQ, tested on the current state', async () => {
    const base = { type: 'Bench', seats: { value: 4, observedAt: at('10:00') } };
    for (const [i, lon, scope] of [
      [1, -3.7038, '/madrid/centro'],
      [2, -3.6, '/madrid/este'],
    ] as const) {
      const res = await send('POST', '/entities', {
        id: `urn:ngsi-ld:Bench:${i}`,
        ...base,
        scope,
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, 40.4168] } },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    expect(
      await ids('type=Bench&georel=near;maxDistance==1000&geometry=Point&coordinates=[-3.7038,40.4168]'),
    ).toEqual(['urn:ngsi-ld:Bench:1']);
    expect(await ids('type=Bench&scopeQ=/madrid/este')).toEqual(['urn:ngsi-ld:Bench:2']);
    expectProblem(
      await get('/entities?type=Bench&georel=near&geometry=Point&coordinates=[0'),
      400,
      'BadRequestData',
    );
  });
});

describe('representation parameters (attrs, pick, omit, lang, format)', () => {
  it('picks and omits members', async () => {
    const picked = await ok(`/entities/${AQ}?pick=id,pm25&lastN=1`);
    expect(Object.keys(picked)).toEqual(['id', 'pm25']);
    const omitted = await ok(`/entities/${AQ}?omit=type,pm25&timeproperty=createdAt`);
    expect(omitted).not.toHaveProperty('type');
    expect(omitted).not.toHaveProperty('pm25');
    expect(omitted).toHaveProperty('name');
    expectProblem(await get(`/entities/${AQ}?pick=id&omit=type`), 400, 'BadRequestData', 'pick and omit');
  });

  it('format=temporalValues is options=temporalValues', async () => {
    expect(await ok(`/entities/${AQ}?attrs=pm25&format=temporalValues`)).toEqual(
      await ok(`/entities/${AQ}?attrs=pm25&options=temporalValues`),
    );
  });

  it('lang picks one language of a LanguageProperty history', async () => {
    const id = 'urn:ngsi-ld:PointOfInterest:lang';
    const res = await send('POST', '/temporal/entities', {
      id,
      type: 'PointOfInterest',
      street: [
        {
          type: 'LanguageProperty',
          languageMap: { fr: 'Grand Place', nl: 'Grote Markt' },
          observedAt: at('12:03'),
        },
        {
          type: 'LanguageProperty',
          languageMap: { fr: 'Grand Marché', nl: 'Grote Markt' },
          observedAt: at('12:05'),
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    const normalized = await ok(`/entities/${id}?lang=fr`);
    expect((normalized.street as Instance[]).map((i) => [i.type, i.value, i.lang])).toEqual([
      ['Property', 'Grand Place', 'fr'],
      ['Property', 'Grand Marché', 'fr'],
    ]);
    const simplified = await ok(`/entities/${id}?options=temporalValues`);
    expect(((simplified.street as Json).languageMaps as unknown[][]).map((p) => p[0])).toEqual([
      { languageMap: { fr: 'Grand Place', nl: 'Grote Markt' } },
      { languageMap: { fr: 'Grand Marché', nl: 'Grote Markt' } },
    ]);
  });
});

describe('temporal API writes (5.6.11 – 5.6.16)', () => {
  const V = 'urn:ngsi-ld:Vehicle:w';
  const speeds = async () => ((await ok(`/entities/${V}`)).speed as Instance[] | undefined) ?? [];

  it('creates (201 + Location) then appends (204); several instances share a datasetId', async () => {
    const body = {
      id: V,
      type: 'Vehicle',
      speed: [
        { type: 'Property', value: 120, observedAt: at('12:03') },
        { type: 'Property', value: 80, observedAt: at('12:05') },
      ],
    };
    const created = await send('POST', '/temporal/entities', body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.location).toBe(`/ngsi-ld/v1/temporal/entities/${encodeURIComponent(V)}`);
    const again = await send('POST', '/temporal/entities', {
      id: V,
      type: 'Vehicle',
      speed: { type: 'Property', value: 100, observedAt: at('12:07') },
    });
    expect(again.statusCode, again.body).toBe(204);
    expect((await speeds()).map((i) => i.value)).toEqual([120, 80, 100]);
    // Not the current state: the temporal API writes history only.
    expect((await send('DELETE', `/entities/${V}`)).statusCode).toBe(404);
  });

  it('adds attributes to an existing temporal entity only', async () => {
    const res = await send('POST', `/temporal/entities/${V}/attrs`, {
      fuel: [
        { type: 'Property', value: 67, observedAt: at('12:03') },
        { type: 'Property', value: 53, observedAt: at('13:05'), datasetId: 'urn:ngsi-ld:Dataset:tank2' },
      ],
    });
    expect(res.statusCode, res.body).toBe(204);
    expect(((await ok(`/entities/${V}?attrs=fuel`)).fuel as Instance[]).map((i) => i.value)).toEqual([
      67, 53,
    ]);
    expectProblem(
      await send('POST', '/temporal/entities/urn:ngsi-ld:Vehicle:none/attrs', { fuel: { value: 1 } }),
      404,
      'ResourceNotFound',
    );
    expectProblem(
      await send('POST', `/temporal/entities/${V}/attrs`, {}),
      400,
      'BadRequestData',
      'no attributes',
    );
  });

  it('modifies one instance, keeping its instanceId (PATCH …/{instanceId})', async () => {
    const [first] = await speeds();
    const res = await send('PATCH', `/temporal/entities/${V}/attrs/speed/${first!.instanceId}`, {
      speed: { type: 'Property', value: 150, observedAt: at('12:03') },
    });
    expect(res.statusCode, res.body).toBe(204);
    const after = await speeds();
    expect(after[0]).toMatchObject({ instanceId: first!.instanceId, value: 150 });
    expectProblem(
      await send('PATCH', `/temporal/entities/${V}/attrs/speed/urn:ngsi-ld:attribute:instance:nope`, {
        value: 1,
      }),
      404,
      'ResourceNotFound',
    );
    expectProblem(
      await send('PATCH', `/temporal/entities/${V}/attrs/speed/invalidId`, { value: 1 }),
      400,
      'BadRequestData',
    );
    expectProblem(
      await send('PATCH', `/temporal/entities/${V}/attrs/in(valid/${first!.instanceId}`, { value: 1 }),
      400,
      'BadRequestData',
    );
  });

  it('deletes one instance (DELETE …/{instanceId})', async () => {
    const before = await speeds();
    const gone = before[1]!.instanceId;
    expect((await send('DELETE', `/temporal/entities/${V}/attrs/speed/${gone}`)).statusCode).toBe(204);
    expect((await speeds()).map((i) => i.instanceId)).toEqual(
      before.filter((i) => i.instanceId !== gone).map((i) => i.instanceId),
    );
    expectProblem(
      await send('DELETE', `/temporal/entities/${V}/attrs/speed/${gone}`),
      404,
      'ResourceNotFound',
    );
  });

  it("deletes an attribute's history: default instances, one datasetId, or all", async () => {
    await send('POST', `/temporal/entities/${V}/attrs`, {
      fuel: { type: 'Property', value: 40, observedAt: at('14:07'), datasetId: 'urn:ngsi-ld:Dataset:tank2' },
    });
    const fuel = async () => ((await ok(`/entities/${V}?attrs=fuel`)).fuel as Instance[] | undefined) ?? [];
    expect((await send('DELETE', `/temporal/entities/${V}/attrs/fuel`)).statusCode).toBe(204);
    expect((await fuel()).map((i) => i.value)).toEqual([53, 40]);
    expectProblem(
      await send('DELETE', `/temporal/entities/${V}/attrs/fuel?datasetId=not-a-uri`),
      400,
      'BadRequestData',
    );
    expect(
      (await send('DELETE', `/temporal/entities/${V}/attrs/fuel?datasetId=urn:ngsi-ld:Dataset:tank2`))
        .statusCode,
    ).toBe(204);
    expect(await fuel()).toEqual([]);
    expectProblem(
      await send('DELETE', `/temporal/entities/${V}/attrs/fuel?deleteAll=true`),
      404,
      'ResourceNotFound',
    );
    expect((await send('DELETE', `/temporal/entities/${V}/attrs/speed?deleteAll=true`)).statusCode).toBe(204);
    expect(await speeds()).toEqual([]);
  });

  it('deletes the whole temporal representation', async () => {
    expect((await send('DELETE', `/temporal/entities/${V}`)).statusCode).toBe(204);
    expectProblem(await get(`/entities/${V}`), 404, 'ResourceNotFound');
    expectProblem(await send('DELETE', `/temporal/entities/${V}`), 404, 'ResourceNotFound');
  });

  it('refuses bad temporal entities with 400', async () => {
    const bad = [
      { type: 'Vehicle', speed: { value: 1 } },
      { id: 'urn:x:1', speed: { value: 1 } },
      { id: 'urn:x:1', type: 'Vehicle', speed: [] },
      { id: 'urn:x:1', type: 'Vehicle', speed: [{ type: 'Property', value: 1, observedAt: 'now' }] },
    ];
    for (const body of bad)
      expectProblem(await send('POST', '/temporal/entities', body), 400, 'BadRequestData');
    expectProblem(await send('POST', '/temporal/entities', [1, 2]), 400, 'BadRequestData');
  });
});

describe('tenants (6.3.14)', () => {
  const H = { 'NGSILD-Tenant': 'valencia' };

  it('keeps histories per tenant; reading an unknown tenant is NonexistentTenant', async () => {
    const id = 'urn:ngsi-ld:NoiseLevelObserved:v1';
    const res = await send(
      'POST',
      '/temporal/entities',
      { id, type: 'NoiseLevelObserved', laeq: { value: 60, observedAt: at('10:00') } },
      H,
    );
    expect(res.statusCode, res.body).toBe(201);
    const own = await get(`/entities/${id}`, H);
    expect(own.statusCode).toBe(200);
    expect(own.headers['ngsild-tenant']).toBe('valencia');
    expectProblem(await get(`/entities/${id}`), 404, 'ResourceNotFound');
    expectProblem(await get(`/entities/${id}`, { 'NGSILD-Tenant': 'nowhere' }), 404, 'NonexistentTenant');
    expectProblem(
      await get('/entities?type=NoiseLevelObserved', { 'NGSILD-Tenant': 'nowhere' }),
      404,
      'NonexistentTenant',
    );
    expectProblem(
      await send('DELETE', `/temporal/entities/${id}`, undefined, { 'NGSILD-Tenant': 'nowhere' }),
      404,
      'NonexistentTenant',
    );
    expectProblem(await get(`/entities/${id}`, { 'NGSILD-Tenant': 'bad tenant!' }), 400, 'BadRequestData');
    expect(((await ok('/entities?type=NoiseLevelObserved', H)) as Json[]).map((e) => e.id)).toEqual([id]);
    expect(await ok('/entities?type=NoiseLevelObserved')).toEqual([]);
  });
});

describe('JSON-LD contexts and negotiation (6.3.4 – 6.3.6)', () => {
  it('compacts with the Link context and answers ld+json with @context in the body', async () => {
    const link =
      '<http://ctx.example/aq.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"';
    const res = await get(`/entities/${AQ}?attrs=pm&lastN=1`, { Link: link, Accept: LD });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/ld+json');
    const body = res.json() as Json;
    expect(body['@context']).toBe('http://ctx.example/aq.jsonld');
    expect((body.pm as Instance[]).map((i) => i.value)).toEqual([12]);
    const plain = await get(`/entities/${AQ}?attrs=pm25&lastN=1`);
    expect(plain.headers.link).toContain('ngsi-ld-core-context');
  });

  it('reads @context from an ld+json body', async () => {
    const id = 'urn:ngsi-ld:Vehicle:ld';
    const res = await send(
      'POST',
      '/temporal/entities',
      {
        id,
        type: 'Vehicle',
        velocity: { value: 3, observedAt: at('10:00') },
        '@context': [{ velocity: 'https://example.org/speed' }],
      },
      { 'content-type': LD },
    );
    expect(res.statusCode, res.body).toBe(201);
    const body = await ok(`/entities/${id}`);
    expect(body).toHaveProperty(['https://example.org/speed']);
  });

  it('406 for media types the temporal API does not speak, 415 for bodies it does not read', async () => {
    expectProblem(await get(`/entities/${AQ}`, { Accept: 'application/geo+json' }), 406, 'NotAcceptable');
    expectProblem(await get(`/entities/${AQ}`, { Accept: 'text/html' }), 406, 'NotAcceptable');
    expectProblem(
      await send('POST', '/temporal/entities', 'id=1', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      'UnsupportedMediaType',
    );
    expectProblem(
      await send('POST', '/temporal/entities', { id: 'urn:x:1', type: 'T', p: 1, '@context': [] }, {}),
      400,
      'BadRequestData',
    );
  });

  it('lists every temporal route in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Json };
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/ngsi-ld/v1/temporal/entities',
      '/ngsi-ld/v1/temporal/entities/{entityId}',
      '/ngsi-ld/v1/temporal/entities/{entityId}/attrs',
      '/ngsi-ld/v1/temporal/entities/{entityId}/attrs/{attrId}',
      '/ngsi-ld/v1/temporal/entities/{entityId}/attrs/{attrId}/{instanceId}',
      '/ngsi-ld/v1/temporal/entityOperations/query',
    ]) {
      expect(paths).toContain(p);
    }
  });
});

/** The store may print instants with or without milliseconds: compare them as instants. */
function ms(iso: unknown): number {
  return Date.parse(String(iso));
}
/** Pairs or triples with their ISO members (all but the first) read as epoch milliseconds. */
function instants(tuples: unknown): unknown[][] {
  return (tuples as unknown[][]).map(([v, ...times]) => [v, ...times.map(ms)]);
}
