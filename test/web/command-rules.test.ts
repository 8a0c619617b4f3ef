import { describe, expect, it } from 'vitest';
import {
  commandFields,
  describeRule,
  isFinalStatus,
  parseCommandValue,
} from '../../web/src/lib/command-rules.js';

const profile = {
  id: 'actuator',
  commands: {
    setpoint: { type: 'number', min: 16, max: 28, unitCode: 'CEL' },
    dim: { type: 'integer', min: 0, max: 100 },
    mode: { enum: ['auto', 'off'] },
    reboot: { type: 'boolean' },
    message: { type: 'string', maxLength: 5 },
    signalPlan: { kind: 'signal-plan', minGreen: 5 },
  },
};

describe('command rules from a profile', () => {
  const fields = commandFields(profile);
  const rule = (name: string) => fields.find((f) => f.name === name)!.rule;

  it('reads every command with its rule, in document order', () => {
    expect(fields.map((f) => [f.name, f.rule.kind])).toEqual([
      ['setpoint', 'number'],
      ['dim', 'number'],
      ['mode', 'enum'],
      ['reboot', 'boolean'],
      ['message', 'string'],
      ['signalPlan', 'json'],
    ]);
    expect(commandFields({ id: 'sensor' })).toEqual([]);
  });

  it('checks numbers against min, max and integrality', () => {
    expect(parseCommandValue(rule('dim'), '40')).toEqual({ ok: true, value: 40 });
    expect(parseCommandValue(rule('dim'), '150')).toEqual({ ok: false, error: 'at most 100' });
    expect(parseCommandValue(rule('dim'), '-1')).toEqual({ ok: false, error: 'at least 0' });
    expect(parseCommandValue(rule('dim'), '4.5')).toEqual({ ok: false, error: 'a whole number is required' });
    expect(parseCommandValue(rule('setpoint'), '21.5')).toEqual({ ok: true, value: 21.5 });
    expect(parseCommandValue(rule('setpoint'), 'warm').ok).toBe(false);
    expect(parseCommandValue(rule('setpoint'), '').ok).toBe(false);
  });

  it('checks enums, booleans, string length and JSON', () => {
    expect(parseCommandValue(rule('mode'), 'auto')).toEqual({ ok: true, value: 'auto' });
    expect(parseCommandValue(rule('mode'), 'on').ok).toBe(false);
    expect(parseCommandValue(rule('reboot'), 'true')).toEqual({ ok: true, value: true });
    expect(parseCommandValue(rule('reboot'), 'yes').ok).toBe(false);
    expect(parseCommandValue(rule('message'), 'hello!').ok).toBe(false);
    expect(parseCommandValue(rule('signalPlan'), '{"cycle":60}')).toEqual({ ok: true, value: { cycle: 60 } });
    expect(parseCommandValue(rule('signalPlan'), '{').ok).toBe(false);
  });

  it('describes rules for the form, and knows final statuses', () => {
    expect(describeRule(rule('setpoint'), '°C')).toBe('number from 16 to 28 °C');
    expect(describeRule(rule('mode'))).toBe('one of auto, off');
    expect(['SUCCEEDED', 'FAILED', 'EXPIRED', 'SENT', 'QUEUED'].map(isFinalStatus)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
