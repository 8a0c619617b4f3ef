/**
 * The behaviours against Urbis's own parsers: every profile document is accepted by the real profile
 * parser, every payload decodes through the real JSON codec and mapping into attributes the type's
 * governance entry declares (ingest drops the rest), and the default signal plan passes the real
 * signal-plan validator. The Smart Data Models @context URL cannot be fetched in a unit test, so the
 * TermMapper of a governed type is built from the inline context Urbis ships for that model
 * (smartDataModelContext, the same expansions its governance entry uses), after Device's, as the
 * simulator does; ungoverned types expand with Device's context and the core context.
 */
import { describe, expect, it } from 'vitest';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { decode } from '../../devices/codecs/decode.js';
import { validateSignalPlan, type SignalPlanRule } from '../../devices/commands/signal-plan.js';
import { toAttributes } from '../../devices/mapping.js';
import { parseProfile, type DeviceProfile } from '../../devices/registry/profile.js';
import { builtInGovernance, smartDataModelContext } from '../../governance/privacy/smart-data-models.js';
import { generateCity } from '../city/generate.js';
import { DEVICE_KINDS, type DeviceKind } from '../city/model.js';
import { localInstant } from './clock.js';
import { BEHAVIOURS, DEFAULT_SIGNAL_PLAN } from './index.js';
import type { Environment } from './types.js';

const resolver = new ContextResolver({
  load: async (url: string) => {
    throw new Error(`offline test: ${url}`);
  },
});
const governance = builtInGovernance();
const city = generateCity(7, { devices: 'small' });
const quiet: Environment = { incidents: [] };

function mapperFor(entityType: string): TermMapper {
  // As the simulator writes profiles (src/demo/sim/contexts.ts), minus the SDM URL: Device's names
  // (the registry writes the Device entity with this context too), then the fed type's, which win.
  const parts = [smartDataModelContext('Device'), smartDataModelContext(entityType)].filter(
    (c) => c !== undefined,
  );
  const mapper = resolver.resolveSync(parts.length === 0 ? null : parts);
  if (mapper === undefined) throw new Error('inline context needed loading');
  return mapper;
}

function parsed(kind: DeviceKind): DeviceProfile {
  const b = BEHAVIOURS[kind];
  return parseProfile(b.profile, mapperFor(b.profile.entityType as string));
}

/** The declared attribute IRIs of the type's governance entry, or undefined for an ungoverned type. */
function declared(profile: DeviceProfile): Set<string> | undefined {
  const entry = governance.find((g) => g.type === profile.entityType);
  return entry === undefined ? undefined : new Set(Object.keys(entry.attributes));
}

describe.each(DEVICE_KINDS.map((k) => [k]))('%s', (kind) => {
  const behaviour = BEHAVIOURS[kind];
  const devices = city.devices.filter((d) => d.kind === kind);

  it('has a profile the real profile parser accepts, without @context', () => {
    expect(behaviour.kind).toBe(kind);
    expect(behaviour.profileId).toMatch(/^demo-[a-z-]+$/);
    expect(behaviour.profile.id).toBe(behaviour.profileId);
    expect(behaviour.profile).not.toHaveProperty('@context');
    const p = parsed(kind);
    expect(p.codec).toEqual({ kind: 'json' });
    expect(p.deviceTime).toBe('ts');
    expect(p.reportingIntervalMs).toBe(behaviour.intervalS * 1000);
    expect(p.offlineAfterMs).toBeGreaterThanOrEqual(behaviour.intervalS * 2000);
    // Generous: 600× speed still leaves headroom (intervals are ≥ 120 virtual s).
    expect(p.maxMessagesPerMinute).toBeGreaterThanOrEqual(600);
    for (const d of devices) expect(d.entityType).toBe(behaviour.profile.entityType);
  });

  it('maps only attributes its governance entry declares (where the type is governed)', () => {
    const p = parsed(kind);
    const allowed = declared(p);
    const governed = [
      'AirQualityObserved',
      'NoiseLevelObserved',
      'ParkingSpot',
      'Streetlight',
      'WasteContainer',
      'WaterConsumptionObserved',
      'TrafficFlowObserved',
    ];
    if (governed.includes(behaviour.profile.entityType as string)) expect(allowed).toBeDefined();
    if (allowed !== undefined)
      for (const rule of p.mapping) expect(allowed.has(rule.attribute), `${kind}: ${rule.field}`).toBe(true);
  });

  it('sends payloads that decode through the JSON codec and mapping into exactly its mapped attributes', () => {
    const p = parsed(kind);
    const allowed = declared(p);
    const start = localInstant(2025, 3, 10, 0, 0); // a Monday
    let sent = 0;
    for (const device of devices) {
      const state = behaviour.initialState(device, 7);
      for (let i = 0; i < 48; i++) {
        const t = start + i * 1800_000;
        const payload = behaviour.read(device, state, t, quiet);
        if (payload === undefined) continue;
        sent++;
        expect(payload.ts).toBe(Math.floor(t / 1000));
        const decoded = decode(p.codec, JSON.stringify(payload));
        const mapped = toAttributes(decoded, p, new Date(t + 1000).toISOString());
        expect(mapped.unmapped, `${device.id} sends fields its profile does not map`).toEqual([]);
        // Every mapped field is present, observed at the device's own clock.
        expect(Object.keys(mapped.attrs).sort()).toEqual(p.mapping.map((r) => r.attribute).sort());
        for (const [iri, [attr]] of Object.entries(mapped.attrs)) {
          expect(attr!.observedAt).toBe(new Date(Math.floor(t / 1000) * 1000).toISOString());
          if (allowed !== undefined) expect(allowed.has(iri)).toBe(true);
        }
        if (p.battery !== undefined) expect(mapped.battery).toBeGreaterThan(0);
      }
    }
    expect(sent).toBeGreaterThan(devices.length * 40);
  });

  it('names the transport its devices use when it must (actuators: MQTT, LoRaWAN kinds: LoRaWAN)', () => {
    const transports = new Set(devices.map((d) => d.transport));
    if (behaviour.command !== undefined || transports.has('lorawan')) {
      expect(transports.size).toBe(1);
      expect(behaviour.profile.transport).toBe([...transports][0]);
    }
    // Battery-powered LoRaWAN sensors report their battery.
    if (transports.has('lorawan')) expect(parsed(kind).battery).toBe('bat');
  });
});

describe('actuator profiles', () => {
  it('declare dim 0–100 %, setpoint 16–28 °C and a signal plan rule, and only actuators have commands', () => {
    const withCommands = DEVICE_KINDS.filter((k) => parsed(k).commands !== undefined);
    expect(withCommands.sort()).toEqual(['hvac', 'streetlight', 'trafficSignal']);
    for (const k of withCommands) expect(BEHAVIOURS[k].command).toBeTypeOf('function');
    expect(parsed('streetlight').commands![0]).toMatchObject({
      name: 'dim',
      rule: { kind: 'number', integer: true, min: 0, max: 100 },
    });
    expect(parsed('hvac').commands![0]).toMatchObject({
      name: 'setpoint',
      rule: { kind: 'number', min: 16, max: 28, unitCode: 'CEL' },
    });
  });

  it('ships a default signal plan that passes the real signal-plan validator, and refuses an unsafe one', () => {
    const rule = parsed('trafficSignal').commands![0]!.rule as SignalPlanRule;
    expect(rule.kind).toBe('signal-plan');
    expect(validateSignalPlan(rule, DEFAULT_SIGNAL_PLAN)).toEqual(DEFAULT_SIGNAL_PLAN);
    // The rule is a real safety rule: north and east green together is refused.
    expect(() =>
      validateSignalPlan(rule, { cycle: 60, phases: [{ green: ['N', 'E'], duration: 60 }] }),
    ).toThrow(/conflict/);
  });
});
