// The notifier over HTTP, end to end: changes written to a real store, delivered by the dispatcher
// through the real HTTP sender to a real node:http receiver on a loopback port.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBroker, createMemoryBus } from '../../src/bus/memory/index.js';
import { LeaseDeliveryGate } from '../../src/context/cluster/delivery-gate.js';
import { NotificationDispatcher } from '../../src/context/notify/dispatcher.js';
import { FAST, Harness, Receiver, TYPE, V, sensor, sleep, subscriptionTo, waitFor, write } from './kit.js';

const SUB = 'urn:ngsi-ld:Subscription:test';
const ids = (n: number, prefix = 'urn:ngsi-ld:Sensor:') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

let receiver: Receiver;
let h: Harness | undefined;
beforeEach(async () => {
  receiver = await new Receiver().start();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await receiver.stop();
});

/** A harness with one subscription to the receiver (plus `extra`), dispatcher started. */
async function harness(options = FAST, extra: Parameters<typeof subscriptionTo>[2] = {}, endpoint = {}) {
  h = new Harness(options);
  await h.subscribe(subscriptionTo(SUB, `${receiver.url}/notify`, extra, endpoint));
  await h.dispatcher.start();
  return h;
}

describe('delivery', () => {
  it('delivers a change as an NGSI-LD Notification and counts it on the subscription', async () => {
    const t = await harness(FAST, {}, { receiverInfo: [{ key: 'X-Auth-Token', value: 'secret' }] });
    await write(t.store, [sensor('urn:ngsi-ld:Sensor:1', 42)]);
    await waitFor(() => receiver.delivered.length === 1, 'the notification');
    const [r] = receiver.delivered;
    expect(r!.path).toBe('/notify');
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers['x-auth-token']).toBe('secret');
    expect(r!.body).toMatchObject({ type: 'Notification', subscriptionId: SUB });
    expect(r!.body.id).toMatch(/^urn:ngsi-ld:Notification:[0-9a-f-]{36}$/);
    expect(Date.parse(r!.body.notifiedAt)).not.toBeNaN();
    expect(r!.body.data).toEqual([
      { id: 'urn:ngsi-ld:Sensor:1', type: TYPE, [V]: { type: 'Property', value: 42 } },
    ]);
    await waitFor(async () => (await t.status(SUB)).timesSent === 1, 'the statistics');
    const status = await t.status(SUB);
    expect(status).toMatchObject({ timesSent: 1, timesFailed: 0, deadLetters: 0 });
    expect(status.lastSuccess).toBe(status.lastNotification);
    expect(await t.store.outbox.size()).toBe(0);
    expect(t.dispatcher.stats()).toMatchObject({ notifications: 1, entries: 1, failures: 0 });
  });

  it('sends the tenant in NGSILD-Tenant and keeps tenants apart', async () => {
    h = new Harness(FAST);
    await h.subscribe(subscriptionTo(SUB, `${receiver.url}/a`), 'urn:city:a');
    await h.subscribe(subscriptionTo(SUB, `${receiver.url}/b`), 'urn:city:b');
    await h.dispatcher.start();
    await write(h.store, [sensor('urn:x:1', 1)], 'urn:city:a');
    await write(h.store, [sensor('urn:x:2', 2)], 'urn:city:b');
    await waitFor(() => receiver.delivered.length === 2, 'two notifications');
    const byPath = Object.fromEntries(receiver.delivered.map((r) => [r.path, r]));
    expect(byPath['/a']?.headers['ngsild-tenant']).toBe('urn:city:a');
    expect(byPath['/a']?.body.data.map((e) => e.id)).toEqual(['urn:x:1']);
    expect(byPath['/b']?.headers['ngsild-tenant']).toBe('urn:city:b');
    expect(byPath['/b']?.body.data.map((e) => e.id)).toEqual(['urn:x:2']);
  });

  it('batches pending entries of distinct entities, oldest first, up to batchSize per notification', async () => {
    h = new Harness({ ...FAST, batchSize: 100 });
    await h.subscribe(subscriptionTo(SUB, `${receiver.url}/notify`));
    const all = ids(250);
    await write(
      h.store,
      all.map((id, i) => sensor(id, i)),
    );
    expect(await h.store.outbox.size()).toBe(250);
    await h.dispatcher.start();
    await waitFor(() => receiver.delivered.length === 3, 'three notifications');
    const sizes = receiver.delivered.map((r) => r.body.data.length).sort((a, b) => b - a);
    expect(sizes).toEqual([100, 100, 50]);
    const first = receiver.delivered.find((r) => r.body.data[0]?.id === all[0]);
    expect(first?.body.data.map((e) => e.id)).toEqual(all.slice(0, 100));
    expect(new Set(receiver.delivered.flatMap((r) => r.body.data.map((e) => e.id))).size).toBe(250);
    await waitFor(async () => (await h!.status(SUB)).timesSent === 3, 'three successes');
  });

  it('never puts two changes of one entity in a notification, and never lets a later one overtake', async () => {
    h = new Harness({ ...FAST, batchSize: 50 });
    await h.subscribe(subscriptionTo(SUB, `${receiver.url}/notify`));
    // A receiver that fails about a third of the time (seeded), so that retries are in the mix.
    let seed = 7;
    receiver.answer = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 3 === 0 ? 500 : 204;
    };
    const sensors = ids(5);
    for (let v = 0; v < 20; v++)
      await write(
        h.store,
        sensors.map((id) => sensor(id, v)),
      );
    await h.dispatcher.start();
    await waitFor(() => receiver.valuesByEntity().get(sensors[4]!)?.length === 20, 'every change', 20_000);
    await waitFor(async () => (await h!.store.outbox.size()) === 0, 'an empty outbox');
    for (const id of sensors) expect(receiver.valuesByEntity().get(id)).toEqual([...Array(20).keys()]);
    for (const r of receiver.requests) {
      const inOne = r.body.data.map((e) => e.id);
      expect(new Set(inOne).size).toBe(inOne.length);
    }
    expect(receiver.requests.some((r) => r.status === 500)).toBe(true);
  });
});

describe('retries and dead letters', () => {
  it('retries a failed notification under the same id until the receiver takes it', async () => {
    receiver.answer = ({ n }) => (n < 3 ? 503 : 200);
    const t = await harness();
    await write(t.store, [sensor('urn:x:1', 1), sensor('urn:x:2', 2)]);
    await waitFor(() => receiver.delivered.length === 1, 'the delivery');
    expect(receiver.requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    expect(new Set(receiver.requests.map((r) => r.body.id)).size).toBe(1);
    expect(receiver.requests.every((r) => r.body.data.length === 2)).toBe(true);
    await waitFor(async () => (await t.status(SUB)).timesSent === 1, 'the success');
    const status = await t.status(SUB);
    expect(status).toMatchObject({ timesSent: 1, timesFailed: 3, deadLetters: 0, lastError: 'HTTP 503' });
    expect(status.lastFailure! <= status.lastSuccess!).toBe(true);
    expect(t.dispatcher.stats()).toMatchObject({ notifications: 1, failures: 3 });
  });

  it('gives up after maxAttempts: the entries become dead letters, and later changes still flow', async () => {
    receiver.answer = () => 500;
    const t = await harness({ ...FAST, maxAttempts: 3 });
    await write(t.store, [sensor('urn:x:1', 1), sensor('urn:x:2', 1)]);
    await waitFor(async () => (await t.status(SUB)).deadLetters === 2, 'the dead letters');
    expect(receiver.requests).toHaveLength(3);
    expect(await t.store.outbox.size()).toBe(0);
    const dead = await t.store.outbox.deadLetters('', SUB, 10);
    expect(dead.map((e) => [e.entityId, e.attempts])).toEqual([
      ['urn:x:1', 3],
      ['urn:x:2', 3],
    ]);
    expect(await t.status(SUB)).toMatchObject({ timesFailed: 3, timesSent: 0, lastError: 'HTTP 500' });

    receiver.answer = () => 204;
    await write(t.store, [sensor('urn:x:1', 2)]);
    await waitFor(() => receiver.delivered.length === 1, 'the next change');
    expect(receiver.valuesByEntity().get('urn:x:1')).toEqual([2]);
  });

  it('reports a receiver that does not answer in time', async () => {
    receiver.answer = () => 'hang';
    const t = await harness({ ...FAST, maxAttempts: 1 }, {}, { timeout: 150 });
    await write(t.store, [sensor('urn:x:1', 1)]);
    await waitFor(async () => (await t.status(SUB)).deadLetters === 1, 'the dead letter');
    expect((await t.status(SUB)).lastError).toBe('no answer within 150 ms');
  });

  it('reports a refused connection', async () => {
    const down = await new Receiver().start();
    const url = down.url;
    await down.stop();
    h = new Harness({ ...FAST, maxAttempts: 2 });
    await h.subscribe(subscriptionTo(SUB, `${url}/notify`));
    await h.dispatcher.start();
    await write(h.store, [sensor('urn:x:1', 1)]);
    await waitFor(async () => (await h!.status(SUB)).deadLetters === 1, 'the dead letter');
    expect((await h.status(SUB)).lastError).toMatch(/ECONNREFUSED/);
  });

  it('resumes, after a restart, a notification that failed before under its notification id', async () => {
    h = new Harness(FAST);
    await h.subscribe(subscriptionTo(SUB, `${receiver.url}/notify`));
    await write(h.store, [sensor('urn:x:1', 1), sensor('urn:x:2', 1)]);
    await write(h.store, [sensor('urn:x:1', 2)]);
    // A previous process sent the first two entries once, under this id, and failed.
    const [a, b] = await h.store.outbox.take('', SUB, 0, 2);
    const nid = 'urn:ngsi-ld:Notification:before-the-restart';
    await h.store.outbox.failed('', SUB, [a!.oid, b!.oid], nid, 'HTTP 502', new Date().toISOString());
    await h.dispatcher.start();
    await waitFor(() => receiver.delivered.length === 2, 'both notifications');
    expect(receiver.delivered[0]?.body.id).toBe(nid);
    expect(receiver.delivered[0]?.body.data.map((e) => e.id)).toEqual(['urn:x:1', 'urn:x:2']);
    expect(receiver.delivered[1]?.body.id).not.toBe(nid);
    expect(receiver.valuesByEntity().get('urn:x:1')).toEqual([1, 2]);
  });

  it('sends straight to the dead letters what reached maxAttempts before a restart', async () => {
    h = new Harness({ ...FAST, maxAttempts: 2 });
    await h.subscribe(subscriptionTo(SUB, `${receiver.url}/notify`));
    await write(h.store, [sensor('urn:x:1', 1)]);
    const [a] = await h.store.outbox.take('', SUB, 0, 1);
    for (let i = 0; i < 2; i++)
      await h.store.outbox.failed(
        '',
        SUB,
        [a!.oid],
        'urn:ngsi-ld:Notification:x',
        'HTTP 500',
        new Date().toISOString(),
      );
    await h.dispatcher.start();
    await waitFor(async () => (await h!.status(SUB)).deadLetters === 1, 'the dead letter');
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('throttling, pauses, concurrency and stop', () => {
  it('keeps `throttling` seconds between notifications, batching what comes meanwhile', async () => {
    const t = await harness(FAST, { throttling: 1 });
    await write(t.store, [sensor('urn:x:1', 1)]);
    await waitFor(() => receiver.delivered.length === 1, 'the first notification');
    await write(t.store, [sensor('urn:x:2', 1)]);
    await write(t.store, [sensor('urn:x:3', 1)]);
    await waitFor(() => receiver.delivered.length === 2, 'the second notification', 5_000);
    const [first, second] = receiver.delivered;
    // A lower bound set by the throttle, not a speed: the second cannot come sooner.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.body.data.map((e) => e.id)).toEqual(['urn:x:2', 'urn:x:3']);
  });

  it('holds the entries of a paused subscription until it is active again', async () => {
    const t = await harness(FAST, { isActive: false });
    await write(t.store, [sensor('urn:x:1', 1)]);
    await sleep(300);
    expect(receiver.requests).toHaveLength(0);
    expect(await t.store.outbox.size()).toBe(1);
    t.source.set('', subscriptionTo(SUB, `${receiver.url}/notify`, { isActive: true }));
    await waitFor(() => receiver.delivered.length === 1, 'the held notification');
  });

  it('resumes a paused subscription at once when woken', async () => {
    const t = await harness({ ...FAST, recheckMs: 60_000 }, { isActive: false });
    await write(t.store, [sensor('urn:x:1', 1)]);
    await sleep(100);
    t.source.set('', subscriptionTo(SUB, `${receiver.url}/notify`, { isActive: true }));
    t.dispatcher.wake('', SUB);
    await waitFor(() => receiver.delivered.length === 1, 'the held notification', 2_000);
  });

  it('keeps at most concurrencyPerEndpoint notifications in flight to one endpoint, all subscriptions together', async () => {
    h = new Harness({ ...FAST, concurrencyPerEndpoint: 3, batchSize: 1 });
    for (const n of [1, 2, 3]) await h.subscribe(subscriptionTo(`urn:sub:${n}`, `${receiver.url}/n${n}`));
    receiver.delayMs = 20;
    await write(
      h.store,
      ids(20).map((id) => sensor(id, 1)),
    );
    await h.dispatcher.start();
    await waitFor(() => receiver.delivered.length === 60, 'sixty notifications', 20_000);
    expect(receiver.maxActive).toBeLessThanOrEqual(3);
    expect(receiver.maxActive).toBeGreaterThan(1);
  });

  it('stop() waits for the sends in flight and leaves the rest in the outbox for the next start', async () => {
    h = new Harness({ ...FAST, concurrencyPerEndpoint: 1, batchSize: 1 });
    await h.subscribe(subscriptionTo(SUB, `${receiver.url}/notify`));
    receiver.delayMs = 100;
    await write(
      h.store,
      ids(10).map((id) => sensor(id, 1)),
    );
    await h.dispatcher.start();
    await waitFor(() => receiver.active === 1, 'a send in flight');
    await h.dispatcher.stop();
    const sent = receiver.delivered.length;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(await h.store.outbox.size()).toBe(10 - sent);
    h.dispatcher = h.newDispatcher();
    receiver.delayMs = 0;
    await h.dispatcher.start();
    await waitFor(() => receiver.delivered.length === 10, 'the rest after a restart');
    expect(new Set(receiver.delivered.map((r) => r.body.data[0]?.id)).size).toBe(10);
  });

  it('drops the pending notifications of a deleted subscription', async () => {
    const t = await harness(FAST, { isActive: false });
    await write(t.store, [sensor('urn:x:1', 1)]);
    t.source.delete('', SUB);
    expect(await t.store.subscriptions.delete('', SUB)).toBe(true);
    await sleep(200);
    expect(await t.store.outbox.size()).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('SSRF guard at delivery', () => {
  it('refuses a name that resolves to loopback when only other addresses are allowed', async () => {
    h = new Harness({ ...FAST, maxAttempts: 2 }, ['10.0.0.0/8']);
    await h.subscribe(subscriptionTo(SUB, `http://localhost:${receiver.port}/notify`));
    await h.dispatcher.start();
    await write(h.store, [sensor('urn:x:1', 1)]);
    await waitFor(async () => (await h!.status(SUB)).deadLetters === 1, 'the dead letter');
    expect(receiver.requests).toHaveLength(0);
    expect((await h.status(SUB)).lastError).toMatch(/ERR_ADDRESS_REFUSED: localhost resolves to .*loopback/);
  });

  it('refuses a literal loopback address without allowance', async () => {
    h = new Harness({ ...FAST, maxAttempts: 1 }, []);
    await h.subscribe(subscriptionTo(SUB, `${receiver.url}/notify`));
    await h.dispatcher.start();
    await write(h.store, [sensor('urn:x:1', 1)]);
    await waitFor(async () => (await h!.status(SUB)).deadLetters === 1, 'the dead letter');
    expect(receiver.requests).toHaveLength(0);
    expect((await h.status(SUB)).lastError).toMatch(/127\.0\.0\.1 is a loopback address/);
  });

  it('follows a redirect only to an allowed address', async () => {
    receiver.answer = ({ path }) =>
      path === '/moved'
        ? { status: 308, headers: { location: '/notify' } }
        : path === '/escape'
          ? { status: 307, headers: { location: `http://127.0.0.2:${receiver.port}/notify` } }
          : 204;
    h = new Harness({ ...FAST, maxAttempts: 1 });
    await h.subscribe(subscriptionTo('urn:sub:moved', `${receiver.url}/moved`));
    await h.subscribe(subscriptionTo('urn:sub:escape', `${receiver.url}/escape`));
    await h.dispatcher.start();
    await write(h.store, [sensor('urn:x:1', 1)]);
    await waitFor(async () => (await h!.status('urn:sub:escape')).deadLetters === 1, 'the refused redirect');
    await waitFor(async () => (await h!.status('urn:sub:moved')).timesSent === 1, 'the followed redirect');
    expect(receiver.delivered.map((r) => r.path).sort()).toEqual(['/notify']);
    expect((await h.status('urn:sub:escape')).lastError).toMatch(/127\.0\.0\.2 is a loopback address/);
  });
});

describe('several replicas over one outbox', () => {
  it('delivers each entry once: one replica per subscription, the other taking over when it leaves', async () => {
    h = await harness();
    await h.dispatcher.stop(); // this test runs its own two dispatchers
    const store = h.store;
    // Both replicas hear every commit (as the outbox relay makes them).
    type Listener = (w: Array<{ tenant: string; subscriptionId: string }>) => void;
    const listeners: Listener[] = [];
    store.onOutbox((w) => listeners.forEach((l) => l(w)));
    const shared = {
      outbox: store.outbox,
      onOutbox: (l: Listener | undefined) => void (l && listeners.push(l)),
    };
    const broker = new MemoryBroker();
    const replica = (gate: LeaseDeliveryGate) =>
      new NotificationDispatcher(
        { store: shared, source: h!.source, senders: { 'http:': h!.http }, gate },
        { ...FAST, rescanMs: 100 },
      );
    const gateA = new LeaseDeliveryGate(createMemoryBus({ broker }), 300);
    const gateB = new LeaseDeliveryGate(createMemoryBus({ broker }), 300);
    const a = replica(gateA);
    const b = replica(gateB);
    await a.start();
    await b.start();
    await write(
      store,
      ids(20).map((id, i) => sensor(id, i)),
    );
    await waitFor(async () => (await store.outbox.size()) === 0, 'the first 20 delivered');
    await sleep(100);
    const first = receiver.delivered.flatMap((r) => r.body.data.map((e) => e.id));
    expect(first.sort()).toEqual(ids(20));
    const sA = a.stats().entries;
    const sB = b.stats().entries;
    expect(sA + sB).toBe(20);
    expect(Math.min(sA, sB)).toBe(0); // one deliverer for the subscription
    // The deliverer leaves (graceful: its lease is released); the other delivers what follows.
    const [gone, stays, staysGate] = sA > 0 ? [a, b, gateB] : [b, a, gateA];
    await gone.stop();
    await (gone === a ? gateA : gateB).release();
    await write(
      store,
      ids(5, 'urn:ngsi-ld:Sensor:late-').map((id, i) => sensor(id, i)),
    );
    await waitFor(async () => (await store.outbox.size()) === 0, 'the late 5 delivered', 5_000);
    const all = receiver.delivered.flatMap((r) => r.body.data.map((e) => e.id));
    expect(all).toHaveLength(25);
    expect(new Set(all).size).toBe(25);
    expect(stays.stats().entries).toBe(5 + (stays === a ? sA : sB));
    await stays.stop();
    await staysGate.release();
  });
});
