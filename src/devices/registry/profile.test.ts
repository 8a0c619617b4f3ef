import { describe, expect, it } from 'vitest';
import { badRequest, isNgsiError } from '../../core/errors.js';
import { createCoreActiveContext } from '../../core/jsonld/context-processor.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import {
  DEFAULT_MAX_MESSAGES_PER_MINUTE,
  DEFAULT_OFFLINE_AFTER_MS,
  parseProfile,
  profileContext,
} from './profile.js';

/** Terms expand under a test namespace; IRIs stay. */
const mapper: TermMapper = {
  expandTerm: (t) => (t.includes(':') ? t : `https://t.example/${t}`),
  compactIri: (i) => i,
};

const base = () => ({
  id: 'aq-v2',
  transport: 'mqtt',
  codec: { kind: 'json' },
  entityType: 'AirQualityObserved',
  mapping: { pm25: { attribute: 'pm25', unitCode: 'GQ' } },
});

function refusal(doc: unknown): string {
  try {
    parseProfile(doc, mapper);
  } catch (e) {
    if (isNgsiError(e) && e.kind === 'BadRequestData') return e.detail;
    throw e;
  }
  throw new Error('accepted');
}

describe('parseProfile', () => {
  it('normalises the example profile: names expanded, durations in ms, mapping as rules', () => {
    const p = parseProfile(
      {
        '@context': 'https://ctx.example/c.jsonld',
        id: 'aq-v2',
        description: 'PM sensor',
        transport: 'mqtt',
        codec: { kind: 'layout', fields: [{ name: 'temp', type: 'int16', scale: 0.1 }] },
        entityType: 'AirQualityObserved',
        mapping: {
          pm25: { attribute: 'pm25', unitCode: 'GQ' },
          temperature_1: { attribute: 'temperature', unitCode: 'CEL', scale: 1 },
          gps_1: { attribute: 'location', type: 'GeoProperty' },
        },
        battery: 'bat',
        deviceTime: 'ts',
        reportingInterval: 'PT5M',
        offlineAfter: 'PT15M',
        maxMessagesPerMinute: 60,
      },
      mapper,
    );
    expect(p).toEqual({
      id: 'aq-v2',
      description: 'PM sensor',
      transport: 'mqtt',
      codec: { kind: 'layout', endian: 'big', fields: [{ name: 'temp', type: 'int16', scale: 0.1 }] },
      entityType: 'https://t.example/AirQualityObserved',
      mapping: [
        { field: 'pm25', attribute: 'https://t.example/pm25', type: 'Property', unitCode: 'GQ' },
        {
          field: 'temperature_1',
          attribute: 'https://t.example/temperature',
          type: 'Property',
          unitCode: 'CEL',
          scale: 1,
        },
        { field: 'gps_1', attribute: 'https://t.example/location', type: 'GeoProperty' },
      ],
      battery: 'bat',
      deviceTime: 'ts',
      reportingIntervalMs: 300_000,
      offlineAfterMs: 900_000,
      maxMessagesPerMinute: 60,
    });
    // The normalised profile is what the store keeps: plain JSON.
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('expands with the core context: location is the core IRI, others the default vocabulary', () => {
    const p = parseProfile(
      {
        ...base(),
        mapping: { gps: { attribute: 'location', type: 'GeoProperty' }, t: { attribute: 'temp' } },
      },
      createCoreActiveContext(),
    );
    expect(p.entityType).toBe('https://uri.etsi.org/ngsi-ld/default-context/AirQualityObserved');
    expect(p.mapping.map((r) => r.attribute)).toEqual([
      'https://uri.etsi.org/ngsi-ld/location',
      'https://uri.etsi.org/ngsi-ld/default-context/temp',
    ]);
  });

  it('fills defaults: offline after 3 missed reports, or a day; a default rate', () => {
    const a = parseProfile({ ...base(), reportingInterval: 'PT10M' }, mapper);
    expect(a.offlineAfterMs).toBe(1_800_000);
    expect(a.maxMessagesPerMinute).toBe(DEFAULT_MAX_MESSAGES_PER_MINUTE);
    const b = parseProfile(base(), mapper);
    expect(b.offlineAfterMs).toBe(DEFAULT_OFFLINE_AFTER_MS);
    expect(b).not.toHaveProperty('reportingIntervalMs');
    expect(b).not.toHaveProperty('battery');
  });

  it('keeps a field named like an Object.prototype member as a plain field', () => {
    const mapping = JSON.parse('{"__proto__": {"attribute": "a"}, "constructor": {"attribute": "b"}}');
    const p = parseProfile({ ...base(), mapping }, mapper);
    expect(p.mapping.map((r) => r.field)).toEqual(['__proto__', 'constructor']);
  });

  it.each([
    [null, 'must be a JSON object'],
    [{ ...base(), extra: 1 }, 'profile: unknown member extra'],
    [{ ...base(), id: 'a b' }, 'profile.id'],
    [{ ...base(), id: 'x'.repeat(129) }, 'profile.id'],
    [{ ...base(), description: 5 }, 'profile.description'],
    [{ ...base(), transport: 'zigbee' }, 'profile.transport must be one of mqtt, http'],
    [{ ...base(), transport: undefined }, 'profile.transport'],
    [{ ...base(), codec: undefined }, 'profile.codec must be an object'],
    [{ ...base(), codec: { kind: 'xml' } }, 'profile.codec.kind'],
    [{ ...base(), codec: { kind: 'json', x: 1 } }, 'profile.codec has an unknown member "x"'],
    [
      { ...base(), codec: { kind: 'layout', fields: [{ name: 'a', type: 'int64' }] } },
      'profile.codec.fields[0].type',
    ],
    [{ ...base(), entityType: '' }, 'profile.entityType'],
    [{ ...base(), mapping: {} }, 'profile.mapping must map at least one field'],
    [{ ...base(), mapping: [] }, 'profile.mapping must be an object'],
    [{ ...base(), mapping: { a: 'pm25' } }, 'profile.mapping["a"] must be an object'],
    [
      { ...base(), mapping: { a: { attribute: 'x', unit: 'GQ' } } },
      'profile.mapping["a"]: unknown member unit',
    ],
    [{ ...base(), mapping: { a: {} } }, 'profile.mapping["a"].attribute'],
    [{ ...base(), mapping: { a: { attribute: 'id' } } }, 'profile.mapping["a"].attribute: id is reserved'],
    [{ ...base(), mapping: { a: { attribute: '@id' } } }, 'is reserved'],
    [
      { ...base(), mapping: { a: { attribute: 'x' }, b: { attribute: 'x' } } },
      'profile.mapping["b"].attribute: x is already fed by field "a"',
    ],
    [{ ...base(), mapping: { a: { attribute: 'x', type: 'Relationship' } } }, 'profile.mapping["a"].type'],
    [
      { ...base(), mapping: { a: { attribute: 'x', type: 'GeoProperty', unitCode: 'MTR' } } },
      'a GeoProperty takes no unitCode or scale',
    ],
    [{ ...base(), mapping: { a: { attribute: 'x', unitCode: 'cel' } } }, 'profile.mapping["a"].unitCode'],
    [{ ...base(), mapping: { a: { attribute: 'x', unitCode: 'C' } } }, 'UN/CEFACT common code'],
    [{ ...base(), mapping: { a: { attribute: 'x', unitCode: 'CELS' } } }, 'UN/CEFACT common code'],
    [{ ...base(), mapping: { a: { attribute: 'x', unitCode: 12 } } }, 'UN/CEFACT common code'],
    [{ ...base(), mapping: { a: { attribute: 'x', scale: 0 } } }, 'profile.mapping["a"].scale'],
    [{ ...base(), mapping: { a: { attribute: 'x', scale: '2' } } }, 'profile.mapping["a"].scale'],
    [{ ...base(), mapping: { ['f'.repeat(129)]: { attribute: 'x' } } }, 'field names are 1–128'],
    [{ ...base(), battery: '' }, 'profile.battery'],
    [{ ...base(), deviceTime: 3 }, 'profile.deviceTime'],
    [{ ...base(), battery: 'b', deviceTime: 'b' }, 'different fields'],
    [
      { ...base(), reportingInterval: 'five minutes' },
      'profile.reportingInterval "five minutes" is not an ISO 8601',
    ],
    [{ ...base(), reportingInterval: 300 }, 'profile.reportingInterval must be an ISO 8601 duration'],
    [{ ...base(), offlineAfter: 'P1M' }, 'profile.offlineAfter must use weeks, days'],
    [{ ...base(), offlineAfter: 'PT0S' }, 'profile.offlineAfter "PT0S" must be longer than zero'],
    [
      { ...base(), reportingInterval: 'PT15M', offlineAfter: 'PT5M' },
      'profile.offlineAfter must not be shorter than profile.reportingInterval',
    ],
    [{ ...base(), maxMessagesPerMinute: 0 }, 'profile.maxMessagesPerMinute'],
    [{ ...base(), maxMessagesPerMinute: 100_001 }, 'profile.maxMessagesPerMinute'],
    [{ ...base(), maxMessagesPerMinute: 1.5 }, 'profile.maxMessagesPerMinute'],
    [{ ...base(), maxMessagesPerMinute: '60' }, 'profile.maxMessagesPerMinute'],
  ])('refuses %j naming the member', (doc, message) => {
    expect(refusal(doc)).toContain(message);
  });

  it('accepts the bounds of maxMessagesPerMinute', () => {
    expect(parseProfile({ ...base(), maxMessagesPerMinute: 1 }, mapper).maxMessagesPerMinute).toBe(1);
    expect(parseProfile({ ...base(), maxMessagesPerMinute: 100_000 }, mapper).maxMessagesPerMinute).toBe(
      100_000,
    );
  });

  it('names the member when the context refuses a term, and lets a mapper bug propagate', () => {
    const picky: TermMapper = {
      expandTerm: (t) => {
        if (t === 'bad') throw badRequest('term bad is not defined');
        if (t === 'bug') throw new TypeError('mapper bug');
        return `https://t.example/${t}`;
      },
      compactIri: (i) => i,
    };
    const refuse = (doc: unknown) => {
      try {
        parseProfile(doc, picky);
      } catch (e) {
        return isNgsiError(e) ? e.detail : e;
      }
      return 'accepted';
    };
    expect(refuse({ ...base(), entityType: 'bad' })).toBe('profile.entityType: term bad is not defined');
    expect(refuse({ ...base(), mapping: { a: { attribute: 'bad' } } })).toBe(
      'profile.mapping["a"].attribute: term bad is not defined',
    );
    expect(refuse({ ...base(), entityType: 'bug' })).toBeInstanceOf(TypeError);
  });
});

describe('profileContext', () => {
  it('returns the @context member, or undefined', () => {
    expect(profileContext({ '@context': ['https://a.example/c'] })).toEqual(['https://a.example/c']);
    expect(profileContext({ id: 'x' })).toBeUndefined();
    expect(profileContext('nope')).toBeUndefined();
    expect(profileContext([1])).toBeUndefined();
  });
});

describe('parseProfile: actuators', () => {
  const actuator = (extra: Record<string, unknown> = {}) => ({
    id: 'hvac-1',
    transport: 'mqtt',
    codec: { kind: 'json' },
    entityType: 'Building',
    commands: { setpoint: { type: 'number', min: 16, max: 28, unitCode: 'CEL' } },
    ...extra,
  });

  it('parses commands into specs, and lets a pure actuator leave mapping out', () => {
    const p = parseProfile(actuator(), mapper);
    expect(p.mapping).toEqual([]);
    expect(p.commands).toEqual([
      {
        name: 'setpoint',
        attribute: 'https://t.example/setpoint',
        rule: { kind: 'number', integer: false, min: 16, max: 28, unitCode: 'CEL' },
      },
    ]);
    // With telemetry as well, an empty mapping is fine for an actuator …
    expect(parseProfile(actuator({ mapping: {} }), mapper).mapping).toEqual([]);
    // … and a sensor has no commands member at all.
    expect(parseProfile(base(), mapper).commands).toBeUndefined();
  });

  it('refuses a doubtful command rule, naming it', () => {
    expect(refusal(actuator({ commands: { setpoint: { type: 'number', min: 30, max: 16 } } }))).toBe(
      'profile.commands["setpoint"]: min (30) is greater than max (16)',
    );
    expect(refusal(actuator({ commands: {} }))).toBe('profile.commands must name at least one command');
    expect(refusal({ ...base(), mapping: {} })).toBe('profile.mapping must map at least one field');
  });
});
