/**
 * The demo city, run as real devices against a running Urbis (issue #7): `startDemo` generates the
 * seeded city, provisions it through Urbis's public API (policy, profiles, geography, devices, the
 * LoRaWAN integration's key, alert rules — idempotently, so a restart on the same data works), sends
 * a day of history on first provisioning, connects the MQTT devices, and lets the fleet report on its
 * virtual clock until `stop()`. Nothing is written to disk: device tokens live in this process only,
 * and a restart rotates them.
 */
import { BEHAVIOURS } from '../behaviour/index.js';
import { DEFAULT_CYCLE_S, incidentSchedule, incidentVariety } from '../behaviour/incidents.js';
import type { SimState } from '../behaviour/types.js';
import { generateCity } from '../city/index.js';
import type { City, DemoDevice } from '../city/model.js';
import { backfill, type BackfillControl, type BackfillInput } from './backfill.js';
import { VirtualClock } from './clock.js';
import { Fleet } from './fleet.js';
import { flowRuleInputs } from './flow-rule.js';
import { resolveOptions, type DemoLogger, type DemoOptions, type RunningDemo } from './options.js';
import { provisionCity } from './provision.js';
import { emptyStats, snapshot, ThrottledLog } from './stats.js';
import { ChirpstackForwarder } from './transports/senders.js';
import { MqttDevice } from './transports/mqtt-device.js';
import { mapLimit, UrbisClient } from './urbis-client.js';

export type { DemoOptions, DemoStats, RunningDemo, DemoLogger } from './options.js';

/** MQTT connections opened at once at start-up. */
const CONNECT_CONCURRENCY = 16;

/** Provision the demo city in Urbis and start its devices. */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const o = resolveOptions(options);
  const logger = o.logger;
  const city = generateCity(o.seed, { devices: o.size });
  const client = new UrbisClient(o.baseUrl, o.apiKey, o.tenant);
  const mqtt = new Map<string, MqttDevice>();
  const closeAll = async () => {
    await Promise.allSettled([...mqtt.values()].map((m) => m.close()));
    await client.close();
  };
  try {
    const provisioned = await provisionCity(
      client,
      city,
      BEHAVIOURS,
      { speed: o.speed, ...flowRuleInputs(BEHAVIOURS.flowMeter, city, o.seed) },
      logger,
    );
    const clock = new VirtualClock(o.speed, Date.now());
    const states: SimState[] = city.devices.map((d) => BEHAVIOURS[d.kind].initialState(d, o.seed));
    const stats = emptyStats();
    const log = new ThrottledLog(logger);

    const schedule = incidentSchedule(city, o.seed, {
      firstWithinS: o.incidentsWithinS,
      cycleS: DEFAULT_CYCLE_S,
    });
    // New devices' history, sent while the city runs: each device goes live once its own is in.
    const history =
      o.backfillHours > 0
        ? city.devices
            .map((device, i) => ({ device, state: states[i] as SimState }))
            .filter(({ device }) => provisioned.created.has(device.id))
        : [];
    // The fleet reads the connection map when it sends, so it can be made before the devices connect.
    const fleet = new Fleet({
      city,
      behaviours: BEHAVIOURS,
      states,
      clock,
      client,
      tokens: provisioned.tokens,
      forwarder: new ChirpstackForwarder(client, provisioned.integrationKey),
      mqtt,
      incidents: { schedule, cycleS: DEFAULT_CYCLE_S, variety: incidentVariety(city) },
      stats,
      log,
      held: new Set(history.map((h) => h.device.id)),
    });
    if (o.mqttUrl !== undefined)
      await connectMqtt(o.mqttUrl, city, provisioned.tokens, mqtt, {
        command: (id, cmd) => fleet.command(id, cmd),
        afterCommand: (id) => fleet.reportNow(id),
        problem: (id, detail) => log.warn('mqtt', { device: id, err: detail }, 'demo: MQTT device problem'),
      });
    fleet.start();
    let stopped = false;
    const backfilled = sendHistory(
      client,
      {
        devices: history,
        behaviours: BEHAVIOURS,
        tokens: provisioned.tokens,
        endMs: clock.startMs,
        hours: o.backfillHours,
      },
      {
        stopped: () => stopped,
        onDevice: (id) => fleet.release(id),
        onSent: (n) => {
          stats.backfilled += n;
        },
      },
      logger,
    );
    logger.info(
      {
        tenant: o.tenant,
        devices: city.devices.length,
        mqtt: mqtt.size,
        speed: o.speed,
        created: provisioned.created.size,
      },
      `demo: ${city.name} is running`,
    );

    let stopping: Promise<void> | undefined;
    return {
      city,
      stats: () => snapshot(stats),
      backfilled: () => backfilled,
      stop: () =>
        (stopping ??= (async () => {
          stopped = true;
          await backfilled;
          await fleet.stop();
          await closeAll();
          logger.info({ stats: snapshot(stats) }, 'demo: stopped');
        })()),
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/** Send the history (when there is any) and log the outcome; never rejects. */
async function sendHistory(
  client: UrbisClient,
  input: BackfillInput,
  control: BackfillControl,
  logger: DemoLogger,
): Promise<void> {
  if (input.devices.length === 0) return;
  const started = Date.now();
  try {
    const history = await backfill(client, input, control);
    if (history.failed.length > 0)
      logger.warn(
        { devices: history.failed.length, first: history.failed[0] },
        'demo: the history of some devices was not accepted',
      );
    logger.info(
      { readings: history.sent, hours: input.hours, ms: Date.now() - started },
      'demo: history sent',
    );
  } catch (err) {
    logger.error({ err }, 'demo: sending the history failed');
  }
}

interface ConnectionHandlers {
  command(
    deviceId: string,
    command: { id: string; name: string; value: unknown },
  ): ReturnType<Fleet['command']>;
  afterCommand(deviceId: string): void;
  problem(deviceId: string, detail: string): void;
}

/**
 * Connect every MQTT device that has a token. A device that cannot connect now sends over HTTP
 * instead (logged), so one refused connection does not keep the city dark.
 */
async function connectMqtt(
  url: string,
  city: City,
  tokens: ReadonlyMap<string, string>,
  into: Map<string, MqttDevice>,
  handlers: ConnectionHandlers,
): Promise<void> {
  const devices = city.devices.filter((d: DemoDevice) => d.transport === 'mqtt' && tokens.has(d.id));
  await mapLimit(devices, CONNECT_CONCURRENCY, async (d) => {
    try {
      const connection = await MqttDevice.connect(url, d, tokens.get(d.id) as string, {
        command: (cmd) => handlers.command(d.id, cmd),
        afterCommand: () => handlers.afterCommand(d.id),
        problem: (detail) => handlers.problem(d.id, detail),
      });
      into.set(d.id, connection);
    } catch (e) {
      handlers.problem(d.id, `cannot connect, sending over HTTP: ${(e as Error).message}`);
    }
  });
}
