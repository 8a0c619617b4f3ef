/**
 * The temporal API end to end through a real `urbis serve` (clauses 5.6.11–5.6.16, 5.7.3, 5.7.4,
 * 6.3.10): history written by the current-state API and read back by the temporal API, in the
 * normalized, temporalValues and aggregatedValues representations.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, tenant, uid, useBroker } from './harness.js';

const broker = useBroker();

const at = (minute: number) => `2026-11-02T08:${String(minute).padStart(2, '0')}:00.000Z`;

/** A counter created at minute 0 (value 10), then updated at minutes 10, 20, 30 (values 20, 30, 60). */
async function counterWithHistory(t: string): Promise<string> {
  const id = uid('TrafficFlowObserved');
  const create = await broker.call('POST', 'entities', {
    tenant: t,
    body: {
      id,
      type: 'TrafficFlowObserved',
      intensity: { type: 'Property', value: 10, observedAt: at(0) },
      name: { type: 'Property', value: 'Gran Via' },
    },
  });
  expectStatus(create, 201);
  for (const [minute, value] of [
    [10, 20],
    [20, 30],
    [30, 60],
  ] as const) {
    const res = await broker.call('PATCH', `entities/${id}/attrs`, {
      tenant: t,
      body: { intensity: { type: 'Property', value, observedAt: at(minute) } },
    });
    expectStatus(res, 204);
  }
  return id;
}

describe('temporal API end to end', () => {
  it('keeps every change made through the current-state API as an instance', async () => {
    const t = tenant();
    const id = await counterWithHistory(t);
    const res = await broker.call('GET', `temporal/entities/${id}?attrs=intensity`, { tenant: t });
    expectStatus(res, 200);
    const instances = res.body.intensity;
    expect(instances.map((i: { value: number }) => i.value)).toEqual([10, 20, 30, 60]);
    expect(instances.map((i: { observedAt: string }) => Date.parse(i.observedAt))).toEqual(
      [0, 10, 20, 30].map((m) => Date.parse(at(m))),
    );
    for (const i of instances) expect(i.instanceId).toMatch(/^urn:/);
    expect(new Set(instances.map((i: { instanceId: string }) => i.instanceId)).size).toBe(4);
  });

  it('filters by time, takes the last N, and simplifies with temporalValues', async () => {
    const t = tenant();
    const id = await counterWithHistory(t);
    const between = await broker.call(
      'GET',
      `temporal/entities/${id}?attrs=intensity&timerel=between&timeAt=${at(5)}&endTimeAt=${at(25)}&options=temporalValues`,
      { tenant: t },
    );
    expectStatus(between, 200);
    expect(between.body.intensity.values.map((v: [number, string]) => v[0])).toEqual([20, 30]);
    const last = await broker.call('GET', `temporal/entities/${id}?attrs=intensity&lastN=2`, { tenant: t });
    expect(last.body.intensity.map((i: { value: number }) => i.value)).toEqual([30, 60]);
  });

  it('aggregates per period in the store: avg, max and totalCount per 20 minutes', async () => {
    const t = tenant();
    const id = await counterWithHistory(t);
    const res = await broker.call(
      'GET',
      `temporal/entities/${id}?attrs=intensity&options=aggregatedValues&aggrMethods=avg,max,totalCount` +
        `&aggrPeriodDuration=PT20M&timerel=between&timeAt=${at(0)}&endTimeAt=${at(40)}`,
      { tenant: t },
    );
    expectStatus(res, 200);
    const a = res.body.intensity;
    expect(a.avg.map((b: [number]) => b[0])).toEqual([15, 45]);
    expect(a.max.map((b: [number]) => b[0])).toEqual([20, 60]);
    expect(a.totalCount.map((b: [number]) => b[0])).toEqual([2, 2]);
    expect(a.avg.map((b: [number, string, string]) => [Date.parse(b[1]), Date.parse(b[2])])).toEqual([
      [Date.parse(at(0)), Date.parse(at(20))],
      [Date.parse(at(20)), Date.parse(at(40))],
    ]);
  });

  it('queries temporal entities by type, and answers ProblemDetails for what it cannot do', async () => {
    const t = tenant();
    const id = await counterWithHistory(t);
    const list = await broker.call(
      'GET',
      'temporal/entities?type=TrafficFlowObserved&attrs=intensity&lastN=1',
      {
        tenant: t,
      },
    );
    expectStatus(list, 200);
    expect(list.body.map((e: { id: string }) => e.id)).toEqual([id]);
    expectProblem(
      await broker.call('GET', `temporal/entities/urn:ngsi-ld:Nope:1`, { tenant: t }),
      404,
      'ResourceNotFound',
    );
    expectProblem(
      await broker.call('GET', `temporal/entities/${id}?timerel=between&timeAt=${at(0)}`, { tenant: t }),
      400,
    );
    expectProblem(
      await broker.call('GET', `temporal/entities/${id}?options=aggregatedValues&aggrMethods=median`, {
        tenant: t,
      }),
      400,
    );
    expectProblem(
      await broker.call('GET', 'temporal/entities?type=X', { tenant: tenant() }),
      404,
      'NonexistentTenant',
    );
  });

  it('deletes an entity but keeps its history until the temporal entity is deleted', async () => {
    const t = tenant();
    const id = await counterWithHistory(t);
    expectStatus(await broker.call('DELETE', `entities/${id}`, { tenant: t }), 204);
    const kept = await broker.call('GET', `temporal/entities/${id}?attrs=intensity`, { tenant: t });
    expect(kept.body.intensity).toHaveLength(4);
    expectStatus(await broker.call('DELETE', `temporal/entities/${id}`, { tenant: t }), 204);
    expectProblem(
      await broker.call('GET', `temporal/entities/${id}`, { tenant: t }),
      404,
      'ResourceNotFound',
    );
  });
});
