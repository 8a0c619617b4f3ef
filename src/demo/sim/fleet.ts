/**
 * The demo city's devices at run time: each device's simulated state, when it reports next (one
 * schedule, one timer for the whole fleet), and how its reading leaves — MQTT with its own connection,
 * HTTP with its token, or LoRaWAN through the network server's webhook. Readings carry real time;
 * the behaviours see the virtual clock and the incidents active on it. A device whose previous report
 * is still in flight skips this one (counted), so a slow Urbis slows the city instead of queueing
 * without bound; a failed send is counted and logged (throttled), never thrown.
 */
import type { CommandOutcome, Environment, KindBehaviour, SimState } from '../behaviour/types.js';
import { activeIncidents, type Incident, type IncidentVariety } from '../behaviour/incidents.js';
import type { City, DemoDevice, DeviceKind } from '../city/model.js';
import type { VirtualClock } from './clock.js';
import type { DemoStats } from './options.js';
import { ReportSchedule } from './schedule.js';
import type { ThrottledLog } from './stats.js';
import { sendHttp, type ChirpstackForwarder } from './transports/senders.js';
import type { MqttDevice, ReceivedCommand } from './transports/mqtt-device.js';
import type { UrbisClient } from './urbis-client.js';

/** How often the fleet's one timer looks for due reports. */
export const TICK_MS = 100;
/** Devices start reporting spread over at most this long, so the first tick is not a stampede. */
const STAGGER_MS = 5_000;
/** ± this share of a device's interval, so that devices drift apart as real ones do. */
const JITTER = 0.1;
/**
 * A device an incident hits reports at least this often (real ms) while it lasts, and once at its
 * start: at real speed a bin reports every 15 minutes, and a newcomer should see the overflow, the
 * pollution episode and their alerts within the first minute, not a quarter of an hour later.
 */
const INCIDENT_INTERVAL_MS = 15_000;
/** Which kinds of device a district-wide incident shows on. */
const HIT_KINDS: Partial<Record<Incident['kind'], DeviceKind>> = {
  pollution: 'airQuality',
  burstMain: 'flowMeter',
};

export interface FleetDeps {
  city: City;
  behaviours: Readonly<Record<DeviceKind, KindBehaviour>>;
  states: SimState[];
  clock: VirtualClock;
  client: UrbisClient;
  tokens: ReadonlyMap<string, string>;
  forwarder: ChirpstackForwarder;
  /** Connected MQTT devices by device id; an MQTT device without one sends over HTTP. */
  mqtt: ReadonlyMap<string, MqttDevice>;
  incidents: { schedule: readonly Incident[]; cycleS: number; variety: IncidentVariety };
  stats: DemoStats;
  log: ThrottledLog;
  /** Devices whose history is still being sent: they report live once released. */
  held?: ReadonlySet<string>;
}

export class Fleet {
  private readonly schedule = new ReportSchedule();
  private readonly inFlight: boolean[];
  private readonly pending = new Set<Promise<void>>();
  private readonly index = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Keys of the incidents active at the last tick, to see the ones that begin. */
  private activeKeys = new Set<string>();
  private readonly held: Set<string>;

  constructor(private readonly deps: FleetDeps) {
    this.inFlight = deps.city.devices.map(() => false);
    deps.city.devices.forEach((d, i) => this.index.set(d.id, i));
    this.held = new Set(deps.held);
  }

  /** The device's history is in: its live reports may go now. */
  release(deviceId: string): void {
    this.held.delete(deviceId);
  }

  /** Schedule every device's first report (staggered) and start the timer. */
  start(): void {
    const now = this.deps.clock.realNow();
    this.deps.city.devices.forEach((d, i) => {
      const interval = this.realInterval(d);
      this.schedule.push(now + Math.random() * Math.min(interval, STAGGER_MS), i);
    });
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stop the timer and wait for the reports in flight. */
  async stop(): Promise<void> {
    // A command answered after this point must not start a report on a closing connection.
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.pending]);
  }

  /** The incidents and everything else the city shares, now. */
  environment(realMs: number): Environment {
    const { schedule, cycleS, variety } = this.deps.incidents;
    return {
      incidents: activeIncidents(schedule, cycleS, this.deps.clock.elapsedVirtualS(realMs), variety),
    };
  }

  /** An actuator's command (from its MQTT connection): obey it, count it. */
  command(deviceId: string, command: ReceivedCommand): CommandOutcome {
    const i = this.index.get(deviceId);
    const { stats } = this.deps;
    stats.commands.received++;
    const device = i === undefined ? undefined : this.deps.city.devices[i];
    const behaviour = device === undefined ? undefined : this.deps.behaviours[device.kind];
    const outcome: CommandOutcome =
      device === undefined || behaviour?.command === undefined
        ? { ok: false, error: `${deviceId} takes no commands` }
        : behaviour.command(device, this.deps.states[i as number] as SimState, command.name, command.value);
    if (outcome.ok) stats.commands.succeeded++;
    else stats.commands.failed++;
    return outcome;
  }

  /** Report at once, out of schedule (after a command: the new state shows without waiting). */
  reportNow(deviceId: string): void {
    const i = this.index.get(deviceId);
    if (i !== undefined && !this.stopped) this.report(i, this.deps.clock.realNow());
  }

  private tick(): void {
    const now = this.deps.clock.realNow();
    const env = this.environment(now);
    const started = this.beginning(env);
    const due = this.schedule.popDue(now);
    for (const { index } of due) {
      const device = this.deps.city.devices[index] as DemoDevice;
      let interval = this.realInterval(device);
      if (env.incidents.some((incident) => hits(incident, device)))
        interval = Math.min(interval, INCIDENT_INTERVAL_MS);
      this.schedule.push(now + interval * (1 - JITTER + 2 * JITTER * Math.random()), index);
      this.report(index, now, env);
    }
    // An incident that begins shows at once on the devices it hits (out of schedule).
    if (started.length > 0) {
      this.deps.city.devices.forEach((device, index) => {
        if (started.some((incident) => hits(incident, device))) this.report(index, now, env);
      });
    }
  }

  /** The incidents of `env` that were not active at the previous tick. */
  private beginning(env: Environment): Environment['incidents'] {
    const keys = new Set<string>();
    const started: Environment['incidents'] = [];
    for (const incident of env.incidents) {
      const key = `${incident.kind}:${incident.cycleIndex}:${incident.districtId ?? incident.deviceId ?? ''}`;
      keys.add(key);
      if (!this.activeKeys.has(key)) started.push(incident);
    }
    this.activeKeys = keys;
    return started;
  }

  private realInterval(device: DemoDevice): number {
    return this.deps.clock.realIntervalMs(this.deps.behaviours[device.kind].intervalS);
  }

  private report(index: number, realMs: number, env: Environment = this.environment(realMs)): void {
    const { city, behaviours, states, clock, stats } = this.deps;
    if (this.inFlight[index] === true) {
      stats.skipped++;
      return;
    }
    const device = city.devices[index] as DemoDevice;
    // Its history is still on the way: a live reading now would be overwritten by older ones.
    if (this.held.has(device.id)) return;
    const reading = behaviours[device.kind].read(
      device,
      states[index] as SimState,
      clock.virtualAt(realMs),
      env,
    );
    if (reading === undefined) return; // a drop-out: this report is missed, as a real device's is
    // Real time on the wire: the virtual clock runs ahead of Urbis's and would be refused as future.
    const payload = { ...reading, ts: realMs / 1000 };
    this.inFlight[index] = true;
    const sent = this.send(device, payload).then(
      (transport) => {
        stats.sent[transport]++;
      },
      (e: unknown) => {
        stats.errors++;
        this.deps.log.warn(
          `send:${device.transport}`,
          { device: device.id, err: (e as Error).message },
          'demo: a device reading was not accepted',
        );
      },
    );
    const tracked = sent.finally(() => {
      this.inFlight[index] = false;
      this.pending.delete(tracked);
    });
    this.pending.add(tracked);
  }

  /** Send on the device's transport; resolves to the transport it went by. */
  private async send(
    device: DemoDevice,
    payload: Record<string, unknown>,
  ): Promise<'mqtt' | 'http' | 'lorawan'> {
    if (device.transport === 'lorawan') {
      await this.deps.forwarder.up(device, payload);
      return 'lorawan';
    }
    const connection = device.transport === 'mqtt' ? this.deps.mqtt.get(device.id) : undefined;
    if (connection !== undefined) {
      await connection.publish(payload);
      return 'mqtt';
    }
    const token = this.deps.tokens.get(device.id);
    if (token === undefined) throw new Error(`no token for ${device.id}`);
    await sendHttp(this.deps.client, token, payload);
    return 'http';
  }
}

/** Whether `incident` shows on `device`: the device it names, or its kind in the district it hits. */
function hits(incident: Incident, device: DemoDevice): boolean {
  if (incident.deviceId !== undefined) return incident.deviceId === device.id;
  return incident.districtId === device.districtId && HIT_KINDS[incident.kind] === device.kind;
}
