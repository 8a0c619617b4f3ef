// ETSI GS CIM 009 clause 4.10 (geoQ), 5.7.2, 6.3.7 (GeoJSON): derived from ETSI tests 019_01_05, 019_05,
// 019_10 (Point targets), 019_11 (Polygon targets), plus LineString cases in the same style.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, rand, uid, useBroker, type Res } from './harness.js';
import { GEO, located } from './fixtures.js';

const b = useBroker();
const enc = encodeURIComponent;
const [GPT, GPOLY, GLINE] = [`Gpt${rand(6)}`, `Gpoly${rand(6)}`, `Gline${rand(6)}`];
const pt = { p1: uid('Geo'), p2: uid('Geo'), p3: uid('Geo') };

const square = (x0: number, y0: number, x1: number, y1: number) => [
  [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ],
];
const POLY1 = square(4.8, 45.7, 4.9, 45.8);
const POLY2 = square(5.1, 45.9, 5.2, 46.0);
const LINE1 = [
  [4.8, 45.75],
  [4.9, 45.75],
];
const LINE2 = [
  [5.0, 46.0],
  [5.1, 46.1],
];

async function post(body: Record<string, unknown>) {
  expectStatus(await b.call('POST', 'entities', { body }), 201);
}

function geo(type: string, georel: string, geometry: string, coordinates: unknown, extra = ''): Promise<Res> {
  const qs = `type=${type}&count=true&georel=${enc(georel)}&geometry=${geometry}&coordinates=${enc(JSON.stringify(coordinates))}${extra}`;
  return b.call('GET', `entities?${qs}`);
}
const count = (res: Res): number => Number(res.headers.get('ngsild-results-count'));

beforeAll(async () => {
  await post(located(pt.p1, GPT, { type: 'Point', coordinates: [...GEO.P1] }));
  await post(located(pt.p2, GPT, { type: 'Point', coordinates: [...GEO.P2] }));
  await post(
    located(
      pt.p3,
      GPT,
      { type: 'Point', coordinates: [...GEO.P3] },
      {
        observationSpace: {
          type: 'GeoProperty',
          value: { type: 'Polygon', coordinates: square(4.8, 45.7, 4.9, 45.8) },
        },
      },
    ),
  );
  await post(located(uid('Geo'), GPOLY, { type: 'Polygon', coordinates: POLY1 }));
  await post(located(uid('Geo'), GPOLY, { type: 'Polygon', coordinates: POLY2 }));
  await post(located(uid('Geo'), GLINE, { type: 'LineString', coordinates: LINE1 }));
  await post(located(uid('Geo'), GLINE, { type: 'LineString', coordinates: LINE2 }));
});

describe('019_10 geoqueries with Point entities', () => {
  const cases: [string, string, string, unknown, number][] = [
    ['019_10_01 QueryOnEqualsPoint', 'equals', 'Point', GEO.P1, 1],
    ['019_10_02 QueryOnMaxDistancePoint', 'near;maxDistance==5000', 'Point', GEO.P1, 2],
    ['019_10_03 QueryOnMinDistancePoint', 'near;minDistance==5000', 'Point', GEO.P1, 1],
    ['019_10_04 QueryOnWithinPolygon', 'within', 'Polygon', GEO.BOX, 2],
    ['019_10_05 QueryOnDisjointPolygon', 'disjoint', 'Polygon', GEO.BOX, 1],
    ['019_10_06 QueryOnDisjointPoint', 'disjoint', 'Point', GEO.P1, 2],
    ['019_10_07 QueryOnContainsPoint', 'contains', 'Point', GEO.P1, 1],
    ['019_10_08 QueryOnIntersectsPoint', 'intersects', 'Point', GEO.P1, 1],
    ['019_10_x near with a small maxDistance', 'near;maxDistance==100', 'Point', GEO.P1, 1],
  ];
  for (const [name, georel, geometry, coords, want] of cases) {
    it(name, async () => {
      const res = await geo(GPT, georel, geometry, coords);
      expectStatus(res, 200);
      expect(count(res)).toBe(want);
    });
  }

  it('019_01_05 Query Several Entities Based On A Geoquery (returns the matching ids)', async () => {
    const res = await geo(GPT, 'near;maxDistance==5000', 'Point', GEO.P1);
    expect((res.body as { id: string }[]).map((e) => e.id).sort()).toEqual([pt.p1, pt.p2].sort());
  });

  it('019_10_x geoproperty=observationSpace selects another GeoProperty', async () => {
    const res = await geo(GPT, 'intersects', 'Point', GEO.P1, '&geoproperty=observationSpace');
    expectStatus(res, 200);
    expect((res.body as { id: string }[]).map((e) => e.id)).toEqual([pt.p3]);
  });

  it('019_10_x geoQ via POST /entityOperations/query', async () => {
    const res = await b.call('POST', 'entityOperations/query', {
      body: {
        type: 'Query',
        entities: [{ type: GPT }],
        geoQ: { georel: 'near;maxDistance==5000', geometry: 'Point', coordinates: GEO.P1 },
      },
    });
    expectStatus(res, 200);
    expect(res.body).toHaveLength(2);
  });
});

describe('019_11 geoqueries with Polygon entities', () => {
  const cases: [string, string, string, unknown, number][] = [
    ['019_11_01 QueryOnEqualsPolygon', 'equals', 'Polygon', POLY1, 1],
    ['019_11_02 QueryOnIntersectsPolygon', 'intersects', 'Polygon', square(4.85, 45.75, 4.95, 45.85), 1],
    ['019_11_03 QueryOnContainsPolygonMatching', 'contains', 'Polygon', square(4.82, 45.72, 4.84, 45.74), 1],
    ['019_11_04 QueryOnContainsPolygonNotMatching', 'contains', 'Polygon', square(4.0, 45.0, 4.1, 45.1), 0],
    ['019_11_05 QueryOnDisjointPolygon', 'disjoint', 'Polygon', square(4.0, 45.0, 4.1, 45.1), 2],
    ['019_11_06 QueryOnWithinPolygon', 'within', 'Polygon', square(4.7, 45.6, 5.0, 45.85), 1],
    ['019_11_07 QueryOnOverlapsPolygon', 'overlaps', 'Polygon', square(4.85, 45.75, 4.95, 45.85), 1],
    ['019_11_08 QueryOnContainsPoint', 'contains', 'Point', [4.85, 45.75], 1],
    [
      '019_11_x near;maxDistance from a point inside a polygon',
      'near;maxDistance==1000',
      'Point',
      [4.85, 45.75],
      1,
    ],
  ];
  for (const [name, georel, geometry, coords, want] of cases) {
    it(name, async () => {
      const res = await geo(GPOLY, georel, geometry, coords);
      expectStatus(res, 200);
      expect(count(res)).toBe(want);
    });
  }
});

describe('019_1x geoqueries with LineString entities', () => {
  const cases: [string, string, string, unknown, number][] = [
    ['019_1x_01 LineString equals', 'equals', 'LineString', LINE1, 1],
    [
      '019_1x_02 LineString intersects a crossing LineString',
      'intersects',
      'LineString',
      [
        [4.85, 45.7],
        [4.85, 45.8],
      ],
      1,
    ],
    [
      '019_1x_03 LineString intersects a Polygon',
      'intersects',
      'Polygon',
      square(4.84, 45.74, 4.86, 45.76),
      1,
    ],
    ['019_1x_04 LineString within a Polygon', 'within', 'Polygon', square(4.79, 45.74, 4.91, 45.76), 1],
    ['019_1x_05 LineString near;maxDistance', 'near;maxDistance==2000', 'Point', [4.85, 45.76], 1],
    ['019_1x_06 LineString disjoint', 'disjoint', 'Polygon', square(4.79, 45.74, 4.91, 45.76), 1],
  ];
  for (const [name, georel, geometry, coords, want] of cases) {
    it(name, async () => {
      const res = await geo(GLINE, georel, geometry, coords);
      expectStatus(res, 200);
      expect(count(res)).toBe(want);
    });
  }
});

describe('019_05 GeoJSON and invalid geoqueries', () => {
  it('019_05_01 Get Entities That Can Be Returned In GeoJSON Format (FeatureCollection)', async () => {
    const res = await b.call('GET', `entities?type=${GPT}&id=${enc(`${pt.p1},${pt.p2}`)}`, {
      accept: 'application/geo+json',
    });
    expectStatus(res, 200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/geo\+json/);
    expect(res.body.type).toBe('FeatureCollection');
    expect(res.body.features).toHaveLength(2);
    for (const f of res.body.features) {
      expect(f.type).toBe('Feature');
      expect(f.geometry.type).toBe('Point');
      expect([pt.p1, pt.p2]).toContain(f.id);
    }
  });

  const bad: [string, string][] = [
    ['019_10_x georel without geometry → 400', `type=${GPT}&georel=near;maxDistance==10`],
    [
      '019_10_x unknown georel → 400',
      `type=${GPT}&georel=nearby&geometry=Point&coordinates=${enc('[4.8,45.7]')}`,
    ],
    [
      '019_10_x near without a distance → 400',
      `type=${GPT}&georel=near&geometry=Point&coordinates=${enc('[4.8,45.7]')}`,
    ],
    [
      '019_10_x malformed coordinates → 400',
      `type=${GPT}&georel=intersects&geometry=Point&coordinates=${enc('[4.8,')}`,
    ],
    [
      '019_10_x coordinates not matching geometry → 400',
      `type=${GPT}&georel=within&geometry=Polygon&coordinates=${enc('[4.8,45.7]')}`,
    ],
    [
      '019_10_x unknown geometry type → 400',
      `type=${GPT}&georel=within&geometry=Circle&coordinates=${enc('[4.8,45.7]')}`,
    ],
  ];
  for (const [name, qs] of bad) {
    it(name, async () => {
      expectProblem(await b.call('GET', `entities?${qs}`), 400, ['BadRequestData', 'InvalidRequest']);
    });
  }
});
