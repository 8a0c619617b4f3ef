// End-to-end: the demo simulator against a real Urbis (in this process, over loopback HTTP and MQTT):
// provisioning, telemetry through MQTT, HTTP and the LoRaWAN webhook, history, a command obeyed,
// an incident in the data, the public open data, a restart on the same data, and a clean stop.
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentSchedule } from '../../src/demo/behaviour/incidents.js';
import { INTEGRATION_PRINCIPAL } from '../../src/demo/sim/provision.js';
import { startDemo, type DemoOptions, type RunningDemo } from '../../src/demo/sim/index.js';
import { radioOf } from '../../src/demo/sim/transports/chirpstack-uplink.js';
import type { DemoDevice } from '../../src/demo/city/model.js';
import { ADMIN_KEY } from '../support/app.js';
import { sdmContextDocument, startUrbis, type UrbisUnderTest } from './urbis-under-test.js';

const TENANT = 'demo';
/** Reads use the shipped models' terms, merged, hosted by Urbis itself (a client's own context). */
let LINK = '';

type Json = Record<string, unknown>;

describe('demo simulator against a running Urbis', () => {
  let urbis: UrbisUnderTest;
  let demo: RunningDemo | undefined;
  let options: DemoOptions;
  let startedAt: number;
  let baseline: Map<string, number>;
  const warnings: string[] = [];
  // The test's own connections, closed before the last test counts what is left open.
  const agent = new Agent();
  let agentClosed = false;

  /** A call to Urbis as the administrator (or anonymous with `anonymous`), in the demo tenant. */
  const api = async (path: string, init: { method?: string; body?: unknown; anonymous?: boolean } = {}) => {
    const headers: Record<string, string> = {
      'ngsild-tenant': TENANT,
      link: LINK,
      accept: 'application/json',
    };
    if (init.anonymous !== true) headers.authorization = `Bearer ${ADMIN_KEY}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(urbis.baseUrl + path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      dispatcher: agent,
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text === '' ? undefined : JSON.parse(text)) as unknown,
    };
  };
  const entity = async (id: string): Promise<Json> => {
    const r = await api(`/ngsi-ld/v1/entities/${encodeURIComponent(id)}`);
    expect(r.status).toBe(200);
    return r.body as Json;
  };
  const ofType = async (type: string, anonymous = false) =>
    api(`/ngsi-ld/v1/entities?type=${type}&limit=1000&options=keyValues`, { anonymous });
  const latestObservedAt = (e: Json): number =>
    Math.max(
      0,
      ...Object.values(e)
        .filter((a): a is Json => a !== null && typeof a === 'object' && 'observedAt' in a)
        .map((a) => Date.parse(a.observedAt as string)),
    );
  const city = () => (demo as RunningDemo).city;
  const firstOf = (pred: (d: DemoDevice) => boolean): DemoDevice => {
    const d = city().devices.find(pred);
    if (d === undefined) throw new Error('no such device in the small city');
    return d;
  };

  beforeAll(async () => {
    urbis = await startUrbis();
    const hosted = await fetch(`${urbis.baseUrl}/ngsi-ld/v1/jsonldContexts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(sdmContextDocument()),
    });
    expect(hosted.status).toBe(201);
    LINK = `<${hosted.headers.get('location')}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
    await hosted.text();
    baseline = resources();
    // The demo runs with a key of the tenant's own administrator, as `urbis serve` gives it one.
    const admin = await api('/admin/principals', {
      method: 'POST',
      body: { id: 'demo-city', kind: 'service', roles: ['admin'] },
    });
    expect(admin.status).toBe(201);
    const key = await api('/admin/keys', { method: 'POST', body: { principal: 'demo-city' } });
    options = {
      baseUrl: urbis.baseUrl,
      apiKey: (key.body as { secret: string }).secret,
      tenant: TENANT,
      mqttUrl: urbis.mqttUrl,
      size: 'small',
      speed: 600,
      backfillHours: 1,
      logger: {
        info: () => {},
        error: (o, msg) => warnings.push(`${msg ?? ''} ${JSON.stringify(o)}`),
        warn: (o, msg) => warnings.push(`${msg ?? ''} ${JSON.stringify(o)}`),
      },
    };
    demo = await startDemo(options);
    startedAt = Date.now();
  }, 30_000);

  afterAll(async () => {
    await demo?.stop();
    if (!agentClosed) await agent.close();
    await urbis?.close();
  });

  it('provisions every kind of entity, each with its location', async () => {
    const c = city();
    const expected = new Map<string, number>([
      ['District', c.districts.length],
      ['RoadSegment', c.roads.length],
      ['Building', c.buildings.length],
    ]);
    for (const d of c.devices) expected.set(d.entityType, (expected.get(d.entityType) ?? 0) + 1);
    expect(expected.size).toBeGreaterThanOrEqual(14);
    for (const [type, count] of expected) {
      const r = await ofType(type);
      expect(r.status, type).toBe(200);
      const items = r.body as Json[];
      expect(items.length, type).toBe(count);
      for (const e of items) expect(e.location, `${type} ${String(e.id)}`).toBeDefined();
    }
    const devices = await api('/devices?limit=0&count=true');
    expect(devices.headers.get('ngsild-results-count')).toBe(String(c.devices.length));
  });

  it('sends telemetry through MQTT, HTTP and the LoRaWAN webhook: values change, devices are seen', async () => {
    const picks = (['mqtt', 'http', 'lorawan'] as const).map((t) => firstOf((d) => d.transport === t));
    await until(async () => {
      for (const d of picks) if (latestObservedAt(await entity(d.entityId)) <= startedAt) return false;
      return true;
    }, 20_000);
    const stats = demo!.stats();
    expect(stats.sent.mqtt).toBeGreaterThan(0);
    expect(stats.sent.http).toBeGreaterThan(0);
    expect(stats.sent.lorawan).toBeGreaterThan(0);
    for (const d of picks) {
      const r = await api(`/devices/${d.id}`);
      const state = (r.body as { state: Json }).state;
      expect(Date.parse(state.lastSeen as string), d.id).toBeGreaterThanOrEqual(startedAt - 1_000);
      expect(state.online, d.id).toBe(true);
    }
    // The network server's radio report reached the LoRaWAN device's state.
    const lorawan = picks[2] as DemoDevice;
    const state = ((await api(`/devices/${lorawan.id}`)).body as { state: Json }).state;
    expect(state.rssi).toBe(radioOf(lorawan).rssi);
  });

  it('backfilled history, older than the start, is in the temporal API', async () => {
    await demo!.backfilled();
    const aq = firstOf((d) => d.kind === 'airQuality');
    const since = new Date(startedAt - 2 * 3_600_000).toISOString();
    const r = await api(
      `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(aq.entityId)}?timerel=after&timeAt=${since}&attrs=pm25`,
    );
    expect(r.status).toBe(200);
    const instances = (r.body as { pm25?: Json[] }).pm25 ?? [];
    // An hour at five-minute intervals, less the odd drop-out.
    const old = instances.filter((i) => Date.parse(i.observedAt as string) < startedAt - 60_000);
    expect(old.length).toBeGreaterThanOrEqual(8);
    expect(demo!.stats().backfilled).toBeGreaterThan(city().devices.length * 3);
  });

  it('a dim command to a street light reaches SUCCEEDED and the light reports its new level', async () => {
    const light = firstOf((d) => d.kind === 'streetlight');
    // A manual dim lasts until the lamp's next phase (dusk, midnight, dawn …), a few virtual minutes
    // away at worst: at 600× that can be within the second, so a second try is allowed.
    let shown = false;
    for (let attempt = 0; attempt < 3 && !shown; attempt++) {
      const sent = await api(`/devices/${light.id}/commands`, {
        method: 'POST',
        body: { name: 'dim', value: 37 },
      });
      expect(sent.status).toBe(201);
      const location = sent.headers.get('location') as string;
      await until(
        async () => ((await api(location)).body as { status: string }).status === 'SUCCEEDED',
        10_000,
      );
      shown = await until(async () => {
        const e = await entity(light.entityId);
        return (e.illuminanceLevel as { value?: number } | undefined)?.value === 0.37;
      }, 3_000).then(
        () => true,
        () => false,
      );
    }
    expect(shown).toBe(true);
    expect(demo!.stats().commands.succeeded).toBeGreaterThanOrEqual(1);
  });

  it('the scripted bin overflow shows in the data', async () => {
    const overflow = incidentSchedule(city(), 42, { firstWithinS: 120 }).find(
      (i) => i.kind === 'binOverflow',
    );
    const bin = firstOf((d) => d.id === overflow?.deviceId);
    await until(async () => {
      const e = await entity(bin.entityId);
      return ((e.fillingLevel as { value?: number } | undefined)?.value ?? 0) >= 0.95;
    }, 15_000);
    // With the alerts API in this Urbis, the default bin rule raises an alert that anyone may read.
    if ((await api('/alerts/rules')).status === 404) return;
    await until(async () => {
      const alerts = (await api('/alerts?status=active')).body as Array<{
        alertSource: string;
        rule: string;
      }>;
      return alerts.some((a) => a.alertSource === bin.entityId && a.rule.endsWith(':demo-bin-full'));
    }, 10_000);
    const open = await api('/ngsi-ld/v1/entities?type=Alert&limit=100', { anonymous: true });
    expect(open.status).toBe(200);
    expect((open.body as Json[]).length).toBeGreaterThan(0);
  });

  it('the demo tenant’s open data is readable anonymously; devices and household meters are not', async () => {
    const aq = await ofType('AirQualityObserved', true);
    expect(aq.status).toBe(200);
    expect((aq.body as Json[]).length).toBeGreaterThan(0);
    const districts = await ofType('District', true);
    expect((districts.body as Json[]).length).toBe(city().districts.length);
    const device = firstOf((d) => d.transport === 'mqtt');
    const one = await api(`/ngsi-ld/v1/entities/${encodeURIComponent(`urn:ngsi-ld:Device:${device.id}`)}`, {
      anonymous: true,
    });
    expect(one.status).not.toBe(200);
    for (const type of ['Device', 'WaterConsumptionObserved']) {
      const r = await ofType(type, true);
      expect(r.status === 200 ? (r.body as Json[]).length : 0, type).toBe(0);
    }
  });

  it('writes only what the Smart Data Models governance declares: nothing dropped, nothing refused', async () => {
    const m = await fetch(urbis.baseUrl + '/metrics', {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      dispatcher: agent,
    });
    const dropped = new Map<string, number>();
    for (const line of (await m.text()).split('\n')) {
      const hit = /^urbis_attributes_dropped_total\{type="[^"]*\/([^"/]+)"\} (\d+)$/.exec(line);
      if (hit !== null) dropped.set(hit[1] as string, Number(hit[2]));
      expect(line, 'a device message refused').not.toMatch(/^urbis_device_refusals_total\{.*\} [1-9]/);
    }
    // Urbis's own writes aside — the registry links every fed entity with refDevice (undeclared in the
    // shipped TrafficFlowObserved entry) and gives Device entities `profile` and command attributes
    // (undeclared in the Device entry) — nothing the demo sends is dropped.
    const counters = city().devices.filter((d) => d.kind === 'trafficCounter').length;
    expect(dropped.get('TrafficFlowObserved') ?? 0).toBeLessThanOrEqual(counters);
    dropped.delete('TrafficFlowObserved');
    dropped.delete('Device');
    expect(Object.fromEntries(dropped)).toEqual({});
    // The one warning a run may log: this Urbis has no alerts API (yet).
    expect(warnings.filter((w) => !w.includes('no alerts API'))).toEqual([]);
    const rules = await api('/alerts/rules');
    if (rules.status !== 404) {
      const ids = (rules.body as Array<{ id: string }>).map((r) => r.id);
      expect(ids).toEqual(expect.arrayContaining(['demo-pm25-high', 'demo-bin-full', 'demo-device-offline']));
      const meters = city().devices.filter((d) => d.kind === 'flowMeter').length;
      expect(ids.filter((id) => id.startsWith('demo-flow-jump-'))).toHaveLength(meters);
    }
  });

  it('counts and survives a device Urbis refuses: its credential revoked, the others go on', async () => {
    const http = firstOf((d) => d.transport === 'http');
    const creds = (await api(`/devices/${http.id}/credentials`)).body as Array<{ id: string }>;
    for (const c of creds)
      expect((await api(`/devices/${http.id}/credentials/${c.id}`, { method: 'DELETE' })).status).toBe(204);
    const before = demo!.stats();
    await until(async () => demo!.stats().errors > before.errors, 10_000);
    const after = demo!.stats();
    expect(after.sent.mqtt + after.sent.lorawan).toBeGreaterThan(before.sent.mqtt + before.sent.lorawan);
    // Throttled: however many sends failed, one line about them.
    expect(warnings.filter((w) => w.includes('not accepted')).length).toBe(1);
  });

  it('restarts on the same data: devices kept, tokens rotated, no second history, telemetry again', async () => {
    await demo!.stop();
    const before = (await api('/devices?limit=0&count=true')).headers.get('ngsild-results-count');
    demo = await startDemo(options);
    const again = Date.now();
    await demo.backfilled();
    expect(demo.stats().backfilled).toBe(0);
    expect((await api('/devices?limit=0&count=true')).headers.get('ngsild-results-count')).toBe(before);
    await until(async () => {
      const s = demo!.stats().sent;
      return s.mqtt > 0 && s.http > 0 && s.lorawan > 0;
    }, 15_000);
    const http = firstOf((d) => d.transport === 'http');
    await until(async () => latestObservedAt(await entity(http.entityId)) > again, 15_000);
    // One active key for the integration: the earlier run's was revoked with its secret gone.
    const keys = (await api(`/admin/keys?principal=${INTEGRATION_PRINCIPAL}`)).body as Array<{
      state: string;
    }>;
    expect(keys.filter((k) => k.state === 'active')).toHaveLength(1);
    expect(demo.stats().errors).toBe(0);
    // Tokens live in memory only: a restart rotated each device's (the old one revoked), and gave
    // the device whose credential an operator revoked a new one.
    const other = city().devices.filter((d) => d.transport === 'http')[1] as DemoDevice;
    const rotated = (await api(`/devices/${other.id}/credentials`)).body as Array<{ revokedAt?: string }>;
    expect(rotated.map((c) => c.revokedAt !== undefined).sort()).toEqual([false, true]);
    const reissued = (await api(`/devices/${http.id}/credentials`)).body as Array<{ revokedAt?: string }>;
    expect(reissued.filter((c) => c.revokedAt === undefined)).toHaveLength(1);
  });

  it('stop() leaves no timers or sockets of its own behind', async () => {
    await demo!.stop();
    demo = undefined;
    await agent.close();
    agentClosed = true;
    // Urbis's own timers come and go; what the demo opened (its tick, one socket and keep-alive
    // timer per MQTT device, the HTTP pool) would show as more than before it started.
    await until(async () => atMost(resources(), baseline), 5_000).catch(() => undefined);
    expect(Object.fromEntries(resources())).toEqual(
      Object.fromEntries([...resources()].map(([k, v]) => [k, Math.min(v, baseline.get(k) ?? 0)])),
    );
  });
});

/** Counts of the process's active handles by kind (timers, sockets). */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo())
    if (r === 'Timeout' || r === 'TCPSocketWrap') counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

function atMost(now: Map<string, number>, before: Map<string, number>): boolean {
  return [...now].every(([k, v]) => v <= (before.get(k) ?? 0));
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
