/**
 * Safety validation of a command's value against its rule in the actuator profile, before the
 * command is stored or sent. A refusal is BadRequestData with a reason precise enough for an operator
 * to fix the value (the bound, the unit, the conflicting movements and the second).
 */
import { badRequest } from '../../core/errors.js';
import type { CommandSpec } from './command-spec.js';
import { validateSignalPlan } from './signal-plan.js';

/** The value as it will be sent (a signal plan normalised), or BadRequestData. */
export function validateCommandValue(spec: CommandSpec, value: unknown): unknown {
  const rule = spec.rule;
  const name = spec.name;
  switch (rule.kind) {
    case 'number': {
      const unit = rule.unitCode !== undefined ? ` ${rule.unitCode}` : '';
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw badRequest(`${name} must be a ${rule.integer ? 'whole ' : ''}number, not ${show(value)}`);
      if (rule.integer && !Number.isInteger(value))
        throw badRequest(`${name} must be a whole number, not ${value}`);
      if (rule.min !== undefined && value < rule.min)
        throw badRequest(`${name} must be at least ${rule.min}${unit}, not ${value}`);
      if (rule.max !== undefined && value > rule.max)
        throw badRequest(`${name} must be at most ${rule.max}${unit}, not ${value}`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw badRequest(`${name} must be true or false, not ${show(value)}`);
      return value;
    case 'string':
      if (typeof value !== 'string' || value.length > rule.maxLength)
        throw badRequest(`${name} must be a string of at most ${rule.maxLength} characters`);
      return value;
    case 'enum':
      if (!rule.values.some((v) => v === value))
        throw badRequest(`${name} must be one of ${rule.values.map(show).join(', ')}, not ${show(value)}`);
      return value;
    case 'signal-plan':
      return validateSignalPlan(rule, value, name);
    case 'json':
      // Its size is bounded by checkValueSize before this; JSON is all that can arrive here.
      if (value === undefined) throw badRequest(`${name} needs a value`);
      return value;
  }
}

/** A value for a message: short JSON. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
