/**
 * GET /live (Server-Sent Events): changes reach a follower after their commit, filtered by type and by
 * what the caller may read; other tenants' changes never; anonymous callers only where a policy opens
 * data; a closing server ends the streams instead of hanging on them. Over real HTTP: inject cannot
 * follow a stream that does not end.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, testKit, type TestKit } from '../support/app.js';
import { makeCallers, type Caller } from '../security/principals.js';

let kit: TestKit;
let base: string;
let callers: Caller[];

beforeAll(async () => {
  kit = await testKit();
  await kit.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(kit.app.server.address() as AddressInfo).port}`;
  callers = await makeCallers(kit.governance, ['city-a']);
  await kit.governance.policies.put(
    'city-a',
    {
      rules: [
        { roles: ['admin'], actions: ['read', 'write', 'command', 'admin'] },
        { roles: ['viewer'], actions: ['read'] },
        { effect: 'deny', roles: ['viewer'], actions: ['read'], attrs: ['secret'] },
        { public: true, actions: ['read'], types: ['Open'] },
      ],
    },
    'test',
    new Date().toISOString(),
  );
});
afterAll(async () => {
  await kit.app.close();
});

const key = (name: string) => callers.find((c) => c.name === name)!.authorization!;

/** Follow /live, collecting parsed events until `until` holds or the time runs out. */
async function follow(
  query: string,
  headers: Record<string, string>,
  act: () => Promise<void>,
  until: (events: Array<{ event: string; data: unknown }>) => boolean,
): Promise<{ status: number; events: Array<{ event: string; data: unknown }> }> {
  const abort = new AbortController();
  const res = await fetch(`${base}/live${query}`, { headers, signal: abort.signal });
  const events: Array<{ event: string; data: unknown }> = [];
  if (res.status !== 200) return { status: res.status, events: [(await res.json()) as never] };
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  await act();
  const deadline = Date.now() + 5_000;
  while (!until(events) && Date.now() < deadline) {
    const timeout = new Promise<null>((ok) => setTimeout(() => ok(null), deadline - Date.now()));
    const chunk = await Promise.race([reader.read(), timeout]);
    if (chunk === null || chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
    }
  }
  abort.abort();
  return { status: res.status, events };
}

const post = (tenant: string, body: unknown) =>
  kit.app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entities',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'ngsild-tenant': tenant },
    payload: body as object,
  });

describe('GET /live', () => {
  it('pushes each committed change of the followed types, as the caller may read it, and deletions', async () => {
    const { status, events } = await follow(
      '?type=Sensor',
      { authorization: key('viewer-city-a'), 'ngsild-tenant': 'city-a' },
      async () => {
        expect((await post('city-a', { id: 'urn:ngsi-ld:Other:1', type: 'Other' })).statusCode).toBe(201);
        const created = await post('city-a', {
          id: 'urn:ngsi-ld:Sensor:1',
          type: 'Sensor',
          pm25: { type: 'Property', value: 12, unitCode: 'GQ' },
          secret: { type: 'Property', value: 'hidden' },
        });
        expect(created.statusCode).toBe(201);
        // Another tenant's entity of the same type and id never reaches this stream.
        expect((await post('city-b', { id: 'urn:ngsi-ld:Sensor:2', type: 'Sensor' })).statusCode).toBe(201);
        await new Promise((ok) => setTimeout(ok, 400));
        const deleted = await kit.app.inject({
          method: 'DELETE',
          url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'ngsild-tenant': 'city-a' },
        });
        expect(deleted.statusCode).toBe(204);
      },
      (events) => events.some((e) => e.event === 'deleted'),
    );
    expect(status).toBe(200);
    const entities = events.filter((e) => e.event === 'entity').map((e) => e.data as Record<string, unknown>);
    expect(entities.map((e) => e.id)).toEqual(['urn:ngsi-ld:Sensor:1']);
    expect(entities[0]).toMatchObject({
      type: 'Sensor',
      pm25: { type: 'Property', value: 12, unitCode: 'GQ' },
    });
    expect(entities[0]).toHaveProperty('modifiedAt');
    expect(entities[0]).not.toHaveProperty('secret');
    expect(events.find((e) => e.event === 'deleted')?.data).toEqual({
      id: 'urn:ngsi-ld:Sensor:1',
      type: ['Sensor'],
    });
  });

  it('coalesces a burst of changes of one entity into its latest state', async () => {
    const { events } = await follow(
      '?type=Burst&format=keyValues',
      { authorization: `Bearer ${ADMIN_KEY}`, 'ngsild-tenant': 'city-a' },
      async () => {
        expect(
          (
            await post('city-a', {
              id: 'urn:ngsi-ld:Burst:1',
              type: 'Burst',
              n: { type: 'Property', value: 0 },
            })
          ).statusCode,
        ).toBe(201);
        for (let n = 1; n <= 20; n++) {
          const res = await kit.app.inject({
            method: 'PATCH',
            url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Burst:1/attrs',
            headers: { authorization: `Bearer ${ADMIN_KEY}`, 'ngsild-tenant': 'city-a' },
            payload: { n: { type: 'Property', value: n } },
          });
          expect(res.statusCode).toBe(204);
        }
      },
      (events) => events.some((e) => (e.data as { n?: number }).n === 20),
    );
    const values = events.map((e) => (e.data as { n: number }).n);
    expect(values.at(-1)).toBe(20);
    expect(values.length).toBeLessThan(21);
  });

  it('lets anonymous callers follow only what a public rule opens; refuses them elsewhere with 401', async () => {
    const open = await follow(
      '',
      { 'ngsild-tenant': 'city-a' },
      async () => {
        expect((await post('city-a', { id: 'urn:ngsi-ld:Closed:1', type: 'Closed' })).statusCode).toBe(201);
        expect((await post('city-a', { id: 'urn:ngsi-ld:Open:1', type: 'Open' })).statusCode).toBe(201);
      },
      (events) => events.length > 0,
    );
    expect(open.status).toBe(200);
    expect(open.events.map((e) => (e.data as { id: string }).id)).toEqual(['urn:ngsi-ld:Open:1']);
    const closed = await fetch(`${base}/live`, { headers: { 'ngsild-tenant': 'city-b' } });
    expect(closed.status).toBe(401);
    expect(await closed.json()).toMatchObject({ status: 401 });
  });

  it('refuses bad parameters with 400 ProblemDetails, and a principal of another tenant with 403', async () => {
    const bad = await fetch(`${base}/live?type=a%20b`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 400 });
    const unknown = await fetch(`${base}/live?since=1`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(unknown.status).toBe(400);
    const other = await fetch(`${base}/live`, {
      headers: { authorization: key('admin-city-a'), 'ngsild-tenant': 'city-b' },
    });
    expect(other.status).toBe(403);
  });

  it('ends open streams when the server closes, so that shutdown does not hang', async () => {
    const own = await testKit();
    await own.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (own.app.server.address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/live`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(res.status).toBe(200);
    const started = Date.now();
    await own.app.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    const text = await res.text();
    expect(text).toContain('event: reconnect');
  });
});
