// The temporal API through HTTP, clause by clause (5.6.11 – 5.6.18, 5.7.3, 5.7.4, 4.5.7, 4.5.9,
// 4.5.19, 6.18 – 6.24): history made by the current-state API, then read, filtered and aggregated
// through /temporal. Writes, tenants and contexts: temporal-writes-routes.test.ts.
import { describe, expect, it } from 'vitest';
import {
  AQ,
  at,
  PM25,
  get,
  ok,
  send,
  expectProblem,
  ms,
  instants,
  useTemporalApp,
  type Instance,
  type Json,
} from '../../../test/support/temporal-kit.js';

useTemporalApp();

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
