import { describe, expect, it } from 'vitest';
import { isNgsiError } from '../../core/errors.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { parseCommandSpecs, type CommandSpec } from './command-spec.js';
import { validateCommandValue } from './validate-value.js';

const mapper: TermMapper = {
  expandTerm: (t) => (t.includes(':') ? t : `https://t.example/${t}`),
  compactIri: (i) => i,
};

const detail = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (isNgsiError(e) && e.kind === 'BadRequestData') return e.detail;
    throw e;
  }
  return 'accepted';
};

const specs = parseCommandSpecs(
  {
    setpoint: { type: 'number', min: 16, max: 28, unitCode: 'CEL' },
    dim: { type: 'integer', min: 0, max: 100 },
    mode: { enum: ['auto', 'off'] },
    reboot: { type: 'boolean' },
    message: { type: 'string', maxLength: 8 },
    ring: { type: 'json' },
    signalPlan: { kind: 'signal-plan', conflicts: [['N', 'E']], minGreen: 5, intergreen: 3, maxCycle: 120 },
  },
  mapper,
);
const spec = (name: string) => specs.find((s) => s.name === name) as CommandSpec;

describe('profile.commands', () => {
  it('parses each rule, in order, with the attribute expanded', () => {
    expect(specs.map((s) => [s.name, s.attribute, s.rule.kind])).toEqual([
      ['setpoint', 'https://t.example/setpoint', 'number'],
      ['dim', 'https://t.example/dim', 'number'],
      ['mode', 'https://t.example/mode', 'enum'],
      ['reboot', 'https://t.example/reboot', 'boolean'],
      ['message', 'https://t.example/message', 'string'],
      ['ring', 'https://t.example/ring', 'json'],
      ['signalPlan', 'https://t.example/signalPlan', 'signal-plan'],
    ]);
    expect(spec('setpoint').rule).toEqual({
      kind: 'number',
      integer: false,
      min: 16,
      max: 28,
      unitCode: 'CEL',
    });
  });

  it('refuses doubtful rules naming the member', () => {
    const bad = (raw: unknown) => detail(() => parseCommandSpecs(raw, mapper));
    expect(bad([])).toMatch(/profile.commands must be an object/);
    expect(bad({})).toMatch(/at least one command/);
    expect(bad({ light_status: { type: 'boolean' } })).toMatch(/not ending in _status or _info/);
    expect(bad({ id: { type: 'boolean' } })).toMatch(/profile.commands\["id"\]: a command name/);
    expect(bad({ '1x': { type: 'boolean' } })).toMatch(/a command name is a letter/);
    expect(bad({ x: { type: 'number', min: 5, max: 1 } })).toBe(
      'profile.commands["x"]: min (5) is greater than max (1)',
    );
    expect(bad({ x: { type: 'number', step: 1 } })).toBe('profile.commands["x"]: unknown member step');
    expect(bad({ x: { type: 'number', unitCode: 'celsius' } })).toMatch(/unitCode must be a UN\/CEFACT/);
    expect(bad({ x: { type: 'date' } })).toMatch(
      /must have a type \(number, integer, boolean, string, json\), an enum/,
    );
    expect(bad({ x: { enum: [] } })).toMatch(/enum must be an array of 1 to 100/);
    expect(bad({ x: { enum: [{}] } })).toMatch(/enum values must be strings/);
    expect(bad({ x: { kind: 'script' } })).toMatch(/kind must be signal-plan/);
    expect(bad({ x: 3 })).toMatch(/must be an object describing the value/);
  });
});

describe('validateCommandValue', () => {
  it('checks ranges with the unit, whole numbers, enums, booleans and strings', () => {
    const v = (name: string, value: unknown) => detail(() => validateCommandValue(spec(name), value));
    expect(v('setpoint', 21.5)).toBe('accepted');
    expect(v('setpoint', 16)).toBe('accepted');
    expect(v('setpoint', 28)).toBe('accepted');
    expect(v('setpoint', 30)).toBe('setpoint must be at most 28 CEL, not 30');
    expect(v('setpoint', 15.9)).toBe('setpoint must be at least 16 CEL, not 15.9');
    expect(v('setpoint', '21')).toBe('setpoint must be a number, not "21"');
    expect(v('setpoint', Number.NaN)).toBe('setpoint must be a number, not null');
    expect(v('dim', 50.5)).toBe('dim must be a whole number, not 50.5');
    expect(v('dim', 101)).toBe('dim must be at most 100, not 101');
    expect(v('mode', 'auto')).toBe('accepted');
    expect(v('mode', 'on')).toBe('mode must be one of "auto", "off", not "on"');
    expect(v('reboot', 1)).toBe('reboot must be true or false, not 1');
    expect(v('message', 'too long now')).toBe('message must be a string of at most 8 characters');
    expect(v('ring', { times: 3 })).toBe('accepted');
    expect(v('ring', '')).toBe('accepted');
    expect(v('ring', undefined)).toBe('ring needs a value');
    expect(v('signalPlan', { cycle: 10, phases: [{ green: ['N', 'E'], duration: 10 }] })).toMatch(
      /^signalPlan: movements N and E conflict/,
    );
  });
});
