/**
 * A small city for the browser tests, written through Urbis's public API like any client would:
 * a hosted @context (sent as the Link header, as the dashboard does), three districts, roads, two
 * buildings, 50 air-quality stations (one with a day of hourly history), a street light whose device
 * takes a `dim` command, and that device itself, provisioned with an MQTT credential.
 */
import { connectAsync, type MqttClient } from 'mqtt';

export const TENANT = 'city';
export const LIGHT = 'light-001';
export const LIGHT_ENTITY = `urn:ngsi-ld:Streetlight:${LIGHT}`;
export const AQ = (n: number) => `urn:ngsi-ld:AirQualityObserved:aq-${String(n).padStart(3, '0')}`;
const DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';

/** Headers of an admin NGSI-LD request in the test tenant. */
export function adminHeaders(key: string, context?: string): Record<string, string> {
  return {
    authorization: `Bearer ${key}`,
    'ngsild-tenant': TENANT,
    'content-type': 'application/json',
    ...(context !== undefined
      ? { link: `<${context}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` }
      : {}),
  };
}

async function call(origin: string, path: string, init: RequestInit, ok: number[]): Promise<Response> {
  const res = await fetch(`${origin}${path}`, init);
  if (!ok.includes(res.status))
    throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

const square = (x: number, y: number, d: number) => [
  [
    [x, y],
    [x + d, y],
    [x + d, y + d],
    [x, y + d],
    [x, y],
  ],
];
const point = (lon: number, lat: number) => ({
  type: 'GeoProperty',
  value: { type: 'Point', coordinates: [lon, lat] },
});

export interface Seeded {
  context: string;
  device: MqttClient;
  close(): Promise<void>;
}

export async function seedCity(origin: string, mqttPort: number, key: string): Promise<Seeded> {
  // A context whose terms mean what the core context's default vocabulary would: the Link path is
  // exercised end to end without any term changing meaning between the seed and the device registry.
  const terms = [
    'pm25',
    'name',
    'roadClass',
    'population',
    'deprivationIndex',
    'illuminanceLevel',
    'refDevice',
    'category',
  ];
  const hosted = await call(
    origin,
    '/ngsi-ld/v1/jsonldContexts',
    {
      method: 'POST',
      headers: adminHeaders(key),
      body: JSON.stringify({ '@context': Object.fromEntries(terms.map((t) => [t, `${DEFAULT_VOCAB}${t}`])) }),
    },
    [201],
  );
  const context = hosted.headers.get('location') as string;
  const headers = adminHeaders(key, context);
  const now = Date.now();
  const observedAt = new Date(now - 60_000).toISOString();
  const x0 = -8.65;
  const y0 = 41.13;
  const entities: Array<Record<string, unknown>> = [
    ...['Ribeira', 'Boavista', 'Campanhã'].map((name, i) => ({
      id: `urn:ngsi-ld:District:${name.toLowerCase()}`,
      type: 'District',
      name: { type: 'Property', value: name },
      population: { type: 'Property', value: 20_000 + i * 15_000 },
      deprivationIndex: { type: 'Property', value: 0.2 + i * 0.3 },
      location: {
        type: 'GeoProperty',
        value: { type: 'Polygon', coordinates: square(x0 + i * 0.03, y0, 0.03) },
      },
    })),
    ...[
      ['primary', [x0, y0 + 0.015], [x0 + 0.09, y0 + 0.015]],
      ['secondary', [x0 + 0.045, y0], [x0 + 0.045, y0 + 0.03]],
      ['residential', [x0 + 0.01, y0 + 0.005], [x0 + 0.02, y0 + 0.025]],
    ].map(([roadClass, a, b], i) => ({
      id: `urn:ngsi-ld:RoadSegment:${i + 1}`,
      type: 'RoadSegment',
      name: { type: 'Property', value: `Road ${i + 1}` },
      roadClass: { type: 'Property', value: roadClass },
      location: { type: 'GeoProperty', value: { type: 'LineString', coordinates: [a, b] } },
    })),
    ...[0, 1].map((i) => ({
      id: `urn:ngsi-ld:Building:school-${i + 1}`,
      type: 'Building',
      name: { type: 'Property', value: `School ${i + 1}` },
      category: { type: 'Property', value: 'school' },
      location: point(x0 + 0.012 + i * 0.04, y0 + 0.02),
    })),
    ...Array.from({ length: 50 }, (_, i) => ({
      id: AQ(i + 1),
      type: 'AirQualityObserved',
      name: { type: 'Property', value: `Station ${i + 1}` },
      pm25: { type: 'Property', value: 4 + ((i * 7) % 60), unitCode: 'GQ', observedAt },
      location: point(x0 + 0.002 + (i % 10) * 0.0088, y0 + 0.002 + Math.floor(i / 10) * 0.0055),
    })),
    {
      id: LIGHT_ENTITY,
      type: 'Streetlight',
      name: { type: 'Property', value: 'Lamp on Road 1' },
      illuminanceLevel: { type: 'Property', value: 0.8, observedAt },
      refDevice: { type: 'Relationship', object: `urn:ngsi-ld:Device:${LIGHT}` },
      location: point(x0 + 0.05, y0 + 0.015),
    },
  ];
  await call(
    origin,
    '/ngsi-ld/v1/entityOperations/upsert',
    { method: 'POST', headers, body: JSON.stringify(entities) },
    [201, 204],
  );
  // A day of hourly PM2.5 for station 1: the chart's aggregation has something to draw.
  const history = Array.from({ length: 24 }, (_, h) => ({
    type: 'Property',
    value: 10 + ((h * 5) % 30),
    unitCode: 'GQ',
    observedAt: new Date(now - (24 - h) * 3600_000 + 60_000).toISOString(),
  }));
  await call(
    origin,
    '/ngsi-ld/v1/temporal/entities',
    {
      method: 'POST',
      headers,
      body: JSON.stringify({ id: AQ(1), type: 'AirQualityObserved', pm25: history }),
    },
    [201, 204],
  );
  await call(
    origin,
    '/device-profiles/streetlight-v1',
    {
      method: 'PUT',
      headers: adminHeaders(key),
      body: JSON.stringify({
        transport: 'mqtt',
        codec: { kind: 'json' },
        entityType: 'Streetlight',
        commands: { dim: { type: 'integer', min: 0, max: 100 } },
      }),
    },
    [200, 201],
  );
  const created = await call(
    origin,
    '/devices',
    {
      method: 'POST',
      headers: adminHeaders(key),
      body: JSON.stringify({ id: LIGHT, profile: 'streetlight-v1', entityId: LIGHT_ENTITY }),
    },
    [201],
  );
  const { credential } = (await created.json()) as { credential: { secret: string } };
  // The device: obeys every command on its topic and reports success.
  const device = await connectAsync({
    host: '127.0.0.1',
    port: mqttPort,
    protocolVersion: 4,
    reconnectPeriod: 0,
    username: credential.secret,
    password: '',
    clientId: `browser-test-${LIGHT}`,
  });
  device.on('message', (_topic, payload) => {
    const cmd = JSON.parse(payload.toString()) as { id: string };
    void device.publishAsync(`devices/${LIGHT}/commands/result`, JSON.stringify({ id: cmd.id, ok: true }), {
      qos: 1,
    });
  });
  await device.subscribeAsync(`devices/${LIGHT}/commands`, { qos: 1 });
  return { context, device, close: () => device.endAsync(true) };
}
