// The alerts engine end to end on a real SQLite store: rules written through the rule book, entities
// written through the EntityService, Alert entities raised and cleared on the change stream —
// thresholds with hysteresis, district scope, offline devices, silence — with no duplicate under
// concurrent writes, acknowledgement and manual clearing, rebuild after a restart, and notify.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemScope } from '../../src/context/scope.js';
import { subscriptionId } from '../../src/alerts/rule-book.js';
import { alertKit, DC, T, T0, type AlertKit } from './alert-kit.js';

let kit: AlertKit;
beforeEach(async () => {
  kit = await alertKit();
});
afterEach(async () => kit.close());

const MIN = 60_000;
const scope = systemScope(T);
const AQ1 = 'urn:ngsi-ld:AirQualityObserved:aq-1';
const pmRule = (extra: Record<string, unknown> = {}) => ({
  id: 'pm25-high',
  name: 'PM2.5 above 35',
  severity: 'high',
  scope: { type: 'AirQualityObserved' },
  condition: { kind: 'threshold', attribute: 'pm25', op: '>', value: 35, clear: 30 },
  ...extra,
});

async function readings(id: string, values: number[], stepMs = MIN, from = T0): Promise<void> {
  for (const [i, pm25] of values.entries())
    await kit.write(id, 'AirQualityObserved', { pm25 }, from + i * stepMs);
  await kit.settle();
}

/** A no-data rule (30 minutes of silence) over `ruleScope`. */
const putSilentRule = (ruleScope: Record<string, string>) =>
  kit.alerts.rules.put(
    scope,
    {
      id: 'silent',
      name: 'Silent',
      severity: 'low',
      scope: ruleScope,
      condition: { kind: 'noData', for: 'PT30M' },
    },
    'create',
  );

describe('threshold rules', () => {
  it('raise one Alert entity per episode, with hysteresis, and clear it', async () => {
    await kit.alerts.rules.put(scope, pmRule(), 'create');
    await readings(AQ1, [20, 36, 34, 36, 31, 40]); // hovering between 30 and 35 does not clear
    let list = await kit.alertList();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      type: 'Alert',
      status: 'active',
      severity: 'high',
      category: 'environment',
      subCategory: 'threshold',
      alertSource: AQ1,
      rule: 'urn:ngsi-ld:AlertRule:pm25-high',
      value: 36,
      dateIssued: new Date(T0 + MIN).toISOString(),
      description: 'PM2.5 above 35: pm25 = 36',
    });
    expect(list[0]?.id).toMatch(/^urn:ngsi-ld:Alert:pm25-high:[0-9a-f]{12}:\d+$/);

    await readings(AQ1, [29], MIN, T0 + 10 * MIN);
    list = await kit.alertList();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      status: 'cleared',
      clearedAt: new Date(T0 + 10 * MIN).toISOString(),
      value: 36,
    });
    expect(list[0]?.clearedBy).toBeUndefined();

    // A new episode is a new alert; the cleared one stays as history.
    await readings(AQ1, [50], MIN, T0 + 20 * MIN);
    list = await kit.alertList();
    expect(list.map((a) => a.status)).toEqual(['cleared', 'active']);
  });

  it('with `for`, fires only once the value held that long (observedAt times)', async () => {
    await kit.alerts.rules.put(
      scope,
      pmRule({ condition: { kind: 'threshold', attribute: 'pm25', op: '>', value: 35, for: 'PT1H' } }),
      'create',
    );
    await readings(AQ1, [40, 41, 42, 43], 20 * MIN); // 0, 20, 40, 60 min
    const list = await kit.alertList();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ value: 43, dateIssued: new Date(T0 + 60 * MIN).toISOString() });
  });

  it('ignores entities out of scope and changes of other attributes; disabled rules do nothing', async () => {
    await kit.alerts.rules.put(scope, pmRule(), 'create');
    await kit.alerts.rules.put(scope, pmRule({ id: 'off', enabled: false }), 'create');
    await kit.write('urn:ngsi-ld:NoiseLevelObserved:n1', 'NoiseLevelObserved', { pm25: 99 });
    await kit.write(AQ1, 'AirQualityObserved', { pm25: 10 }, T0);
    await kit.write(AQ1, 'AirQualityObserved', { temperature: 40 }, T0 + MIN);
    await kit.settle();
    expect(await kit.alertList()).toEqual([]);
  });
});

describe('district scope', () => {
  it('watches only entities whose location lies in the district polygon, and follows a district that moves', async () => {
    const square = (x: number) => [
      [
        [x, 0],
        [x + 1, 0],
        [x + 1, 1],
        [x, 1],
        [x, 0],
      ],
    ];
    const district = (coordinates: number[][][]) =>
      kit.entities.batchUpsert(
        scope,
        [
          {
            id: 'urn:ngsi-ld:District:old-town',
            type: [`${DC}District`],
            attrs: {
              'https://uri.etsi.org/ngsi-ld/location': [
                { type: 'GeoProperty', value: { type: 'Polygon', coordinates } },
              ],
            },
          },
        ],
        'replace',
      );
    await district(square(0));
    await kit.alerts.rules.put(
      scope,
      pmRule({ scope: { type: 'AirQualityObserved', district: 'urn:ngsi-ld:District:old-town' } }),
      'create',
    );
    await kit.write('urn:ngsi-ld:AirQualityObserved:in', 'AirQualityObserved', { pm25: 50 }, T0, [0.5, 0.5]);
    await kit.write('urn:ngsi-ld:AirQualityObserved:out', 'AirQualityObserved', { pm25: 50 }, T0, [5.5, 0.5]);
    await kit.settle();
    let list = await kit.alertList();
    expect(list.map((a) => a.alertSource)).toEqual(['urn:ngsi-ld:AirQualityObserved:in']);
    expect(list[0]?.location).toEqual({ type: 'Point', coordinates: [0.5, 0.5] });

    await district(square(5)); // the district now covers `out`
    await kit.settle();
    await kit.write(
      'urn:ngsi-ld:AirQualityObserved:out',
      'AirQualityObserved',
      { pm25: 51 },
      T0 + MIN,
      [5.5, 0.5],
    );
    await kit.settle();
    list = await kit.alertList();
    expect(list.map((a) => a.alertSource).sort()).toEqual([
      'urn:ngsi-ld:AirQualityObserved:in',
      'urn:ngsi-ld:AirQualityObserved:out',
    ]);
  });
});

describe('deviceOffline and noData', () => {
  it('deviceOffline fires on offline and clears on online', async () => {
    await kit.alerts.rules.put(
      scope,
      {
        id: 'offline',
        name: 'Device offline',
        severity: 'medium',
        scope: { type: 'Device' },
        condition: { kind: 'deviceOffline' },
      },
      'create',
    );
    const dev = 'urn:ngsi-ld:Device:d1';
    await kit.write(dev, 'Device', { deviceState: 'online' }, T0);
    await kit.write(dev, 'Device', { deviceState: 'offline' }, T0 + MIN);
    await kit.settle();
    expect(await kit.alertList()).toMatchObject([
      { status: 'active', value: 'offline', category: 'device', alertSource: dev },
    ]);
    await kit.write(dev, 'Device', { deviceState: 'online' }, T0 + 2 * MIN);
    await kit.settle();
    expect(await kit.alertList()).toMatchObject([{ status: 'cleared', value: 'offline' }]);
  });

  it('noData fires on the timer once the entity was silent for `for`, and clears on its next update', async () => {
    await putSilentRule({ entity: AQ1 });
    kit.clock.ms = T0;
    await readings(AQ1, [10]);
    const changeAt = Date.now(); // noData counts from the write itself (the change's instant)
    kit.clock.ms = changeAt + 29 * MIN;
    kit.alerts.engine.tick();
    await kit.settle();
    expect(await kit.alertList()).toEqual([]);
    kit.clock.ms = changeAt + 31 * MIN;
    kit.alerts.engine.tick();
    kit.alerts.engine.tick(); // a second tick does not raise a second alert
    await kit.settle();
    expect(await kit.alertList()).toMatchObject([{ status: 'active', subCategory: 'noData' }]);
    await readings(AQ1, [11]);
    expect(await kit.alertList()).toMatchObject([{ status: 'cleared' }]);
  });
});

describe('noData without further writes', () => {
  it('a new noData rule watches entities already silent, from their last modification', async () => {
    await readings(AQ1, [10]);
    const written = Date.parse((await kit.store.getEntity(T, AQ1))?.modifiedAt ?? '');
    await putSilentRule({ type: 'AirQualityObserved' });
    await kit.settle();
    kit.clock.ms = written + 31 * MIN;
    kit.alerts.engine.tick();
    await kit.settle();
    expect(await kit.alertList()).toMatchObject([
      { status: 'active', alertSource: AQ1, value: new Date(written).toISOString() },
    ]);
  });

  it('after a restart, silent entities are still watched', async () => {
    await putSilentRule({ entity: AQ1 });
    await readings(AQ1, [10]);
    const written = Date.parse((await kit.store.getEntity(T, AQ1))?.modifiedAt ?? '');
    await kit.restart();
    kit.clock.ms = written + 31 * MIN;
    kit.alerts.engine.tick();
    await kit.settle();
    expect(await kit.alertList()).toMatchObject([{ status: 'active', alertSource: AQ1 }]);
  });
});

describe('noData across replicas', () => {
  it('a write this process did not see moves the deadline instead of raising a false alert', async () => {
    await putSilentRule({ entity: AQ1 });
    await readings(AQ1, [10]);
    const first = Date.parse((await kit.store.getEntity(T, AQ1))?.modifiedAt ?? '');
    // Another replica writes: this engine's reactor does not see it.
    kit.store.setReactor((change) => kit.subscriptions.react(change));
    await new Promise((r) => setTimeout(r, 5));
    await kit.write(AQ1, 'AirQualityObserved', { pm25: 11 });
    const second = Date.parse((await kit.store.getEntity(T, AQ1))?.modifiedAt ?? '');
    expect(second).toBeGreaterThan(first);
    kit.clock.ms = first + 30 * MIN + 1;
    kit.alerts.engine.tick();
    await kit.settle();
    expect(await kit.alertList()).toEqual([]);
    kit.clock.ms = second + 30 * MIN;
    kit.alerts.engine.tick();
    await kit.settle();
    expect(await kit.alertList()).toMatchObject([
      { status: 'active', dateIssued: new Date(second + 30 * MIN).toISOString() },
    ]);
  });
});

describe('no duplicates', () => {
  it('many concurrent writes for the same entity raise exactly one alert', async () => {
    await kit.alerts.rules.put(scope, pmRule(), 'create');
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        kit.write(AQ1, 'AirQualityObserved', { pm25: 40 + (i % 7) }, T0 + i * 1000),
      ),
    );
    // Other devices at the same time: one alert each.
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        kit.write(`urn:ngsi-ld:AirQualityObserved:c${i % 10}`, 'AirQualityObserved', { pm25: 60 }, T0 + i),
      ),
    );
    await kit.settle();
    const list = await kit.alertList();
    expect(list.filter((a) => a.alertSource === AQ1)).toHaveLength(1);
    expect(list).toHaveLength(11);
    expect(new Set(list.map((a) => a.alertSource)).size).toBe(11);
  });

  it('a firing decided twice (another replica saw the same change) creates the alert once', async () => {
    await kit.alerts.rules.put(scope, pmRule(), 'create');
    const replica = await kit.replica();
    await readings(AQ1, [50]);
    const after = await kit.store.getEntity(T, AQ1);
    replica.observe({ tenant: T, id: AQ1, ...(after ? { after } : {}), at: new Date(T0).toISOString() });
    await replica.engine.idle();
    await kit.settle();
    expect(await kit.alertList()).toHaveLength(1);
    expect(replica.engine.stats).toMatchObject({ raised: 0, duplicates: 1 });
    expect(kit.alerts.engine.stats).toMatchObject({ raised: 1, duplicates: 0 });
    await replica.stop();
  });
});

describe('people and restarts', () => {
  it('acknowledge then clear by hand; no new alert while the condition still holds', async () => {
    await kit.alerts.rules.put(scope, pmRule(), 'create');
    await readings(AQ1, [50]);
    const [alert] = await kit.alertList();
    const id = alert?.id as string;
    const acked = await kit.alerts.engine.acknowledge(scope, id, 'ops-1');
    expect(acked).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'ops-1',
      acknowledgedAt: expect.any(String),
    });
    expect(await kit.alerts.engine.acknowledge(scope, id, 'ops-2')).toMatchObject({
      acknowledgedBy: 'ops-1',
    });
    const cleared = await kit.alerts.engine.clear(scope, id, 'ops-1');
    expect(cleared).toMatchObject({ status: 'cleared', clearedBy: 'ops-1' });
    await expect(kit.alerts.engine.acknowledge(scope, id, 'ops-1')).rejects.toMatchObject({ status: 409 });

    await readings(AQ1, [55, 60], MIN, T0 + MIN); // still high: suppressed
    expect(await kit.alertList()).toHaveLength(1);
    await readings(AQ1, [20, 50], MIN, T0 + 10 * MIN); // cleared, then a new episode
    expect((await kit.alertList()).map((a) => a.status)).toEqual(['cleared', 'active']);
    await expect(kit.alerts.engine.acknowledge(scope, 'urn:ngsi-ld:Alert:nope', 'x')).rejects.toMatchObject({
      status: 404,
    });
  });

  it('after a restart, open episodes are rebuilt: no second alert, and the old one clears', async () => {
    await kit.alerts.rules.put(scope, pmRule(), 'create');
    await readings(AQ1, [50]);
    await kit.restart();
    await readings(AQ1, [60], MIN, T0 + MIN);
    expect(await kit.alertList()).toMatchObject([{ status: 'active', value: 50 }]);
    await readings(AQ1, [10], MIN, T0 + 2 * MIN);
    expect(await kit.alertList()).toMatchObject([{ status: 'cleared', value: 50 }]);
    // The rule itself was reloaded from its AlertRule entity.
    expect((await kit.alerts.rules.get(T, 'pm25-high'))?.rule.name).toBe('PM2.5 above 35');
  });

  it('deleting a rule clears its open alerts', async () => {
    await kit.alerts.rules.put(scope, pmRule(), 'create');
    await readings(AQ1, [50]);
    await kit.alerts.rules.delete(scope, 'pm25-high');
    await kit.settle();
    expect(await kit.alertList()).toMatchObject([{ status: 'cleared', clearedBy: 'urbis:rule-deleted' }]);
    expect(await kit.store.getEntity(T, 'urn:ngsi-ld:AlertRule:pm25-high')).toBeUndefined();
  });
});

describe('notify', () => {
  it('a rule with notify owns a subscription on its alerts; the alert lifecycle reaches the outbox', async () => {
    const { entry } = await kit.alerts.rules.put(
      scope,
      pmRule({ notify: { endpoint: 'http://127.0.0.1:9/hook' } }),
      'create',
    );
    const subId = subscriptionId(entry.rule);
    const record = await kit.store.subscriptions.get(T, subId);
    expect(record?.subscription).toMatchObject({
      q: { text: 'rule=="urn:ngsi-ld:AlertRule:pm25-high"' },
      notification: { endpoint: { uri: 'http://127.0.0.1:9/hook' } },
    });
    // An alert of another rule does not match its q.
    await kit.alerts.rules.put(
      scope,
      pmRule({ id: 'other', condition: { kind: 'threshold', attribute: 'pm25', op: '>', value: 45 } }),
      'create',
    );
    await readings(AQ1, [50]);
    const pending = await kit.store.outbox.take(T, subId, 0, 100);
    expect(pending).toHaveLength(1);
    expect(pending[0]?.entityId).toMatch(/^urn:ngsi-ld:Alert:pm25-high:/);

    // Replacing with another endpoint swaps the subscription; deleting the rule removes it.
    const { entry: moved } = await kit.alerts.rules.put(
      scope,
      pmRule({ notify: { endpoint: 'mqtt://127.0.0.1/alerts' } }),
      'put',
    );
    expect(await kit.store.subscriptions.get(T, subId)).toBeUndefined();
    expect(await kit.store.subscriptions.get(T, subscriptionId(moved.rule))).toBeDefined();
    await kit.alerts.rules.delete(scope, 'pm25-high');
    expect(await kit.store.subscriptions.get(T, subscriptionId(moved.rule))).toBeUndefined();
  });
});
