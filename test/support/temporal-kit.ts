/**
 * Shared fixture of the temporal route tests (src/http/ngsi-ld/temporal-*.test.ts): one app per test
 * file with a known history, request helpers, and readers that compare instants as instants.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { testApp } from './app.js';

let app: FastifyInstance;
/** The app of the calling test file (set by `useTemporalApp`). */
export const currentApp = (): FastifyInstance => app;
export const AQ = 'urn:ngsi-ld:AirQualityObserved:plaza-mayor';
export const at = (hhmm: string) => `2026-12-01T${hhmm}:00Z`;

// What the current-state API does to pm25, in order: [value, observedAt].
export const PM25: Array<[number, string]> = [
  [10, at('10:00')],
  [14, at('11:00')],
  [20, at('12:00')],
  [8, at('13:30')],
  [12, at('14:00')],
];

export type Json = Record<string, unknown>;
export type Instance = Json & { value: unknown; observedAt?: string; instanceId: string };

export const get = async (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal${url}`, headers });
export const ok = async (url: string, headers: Record<string, string> = {}) => {
  const res = await get(url, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
export const send = async (
  method: 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: string | object,
  headers: Record<string, string> = {},
) => app.inject({ method, url: `/ngsi-ld/v1${url}`, headers, ...(payload === undefined ? {} : { payload }) });

export function expectProblem(
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

/**
 * Registers the hooks of a test file: a fresh app whose current-state API made the history of
 * PM25 (alternating partial and full attribute updates) and three WasteContainers.
 */
export function useTemporalApp(): void {
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
}

/** The store may print instants with or without milliseconds: compare them as instants. */
export function ms(iso: unknown): number {
  return Date.parse(String(iso));
}
/** Pairs or triples with their ISO members (all but the first) read as epoch milliseconds. */
export function instants(tuples: unknown): unknown[][] {
  return (tuples as unknown[][]).map(([v, ...times]) => [v, ...times.map(ms)]);
}
