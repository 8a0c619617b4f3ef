/**
 * The `commands` member of an actuator profile: each command the device accepts and the safety rules
 * its value must pass before anything is stored or sent. Parsed strictly, like the rest of the profile:
 * a rule that silently meant something else would let an unsafe value through.
 *
 * ```json
 * "commands": {
 *   "setpoint":   { "type": "number", "min": 16, "max": 28, "unitCode": "CEL" },
 *   "dim":        { "type": "integer", "min": 0, "max": 100 },
 *   "mode":       { "enum": ["auto", "off"] },
 *   "reboot":     { "type": "boolean" },
 *   "message":    { "type": "string", "maxLength": 64 },
 *   "ring":       { "type": "json" },        // any JSON value (size-bounded): what a migrated fleet's
 *                                            // IoT Agent commands carry, with no range to check
 *   "signalPlan": { "kind": "signal-plan", "conflicts": [["N", "E"], ["N", "W"]], "minGreen": 5,
 *                   "intergreen": 3, "maxCycle": 180 }
 * }
 * ```
 * The command's name is also an attribute of the device's `Device` entity (expanded with the profile's
 * @context): updating that attribute is the NGSI-LD way of sending the command.
 */
import { badRequest, isNgsiError } from '../../core/errors.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { ENTITY_MEMBERS } from '../../core/model/entity.js';
import { parseSignalPlanRule, type SignalPlanRule } from './signal-plan.js';

/** What a command's value must be. */
export type ValueRule =
  | { kind: 'number'; integer: boolean; min?: number; max?: number; unitCode?: string }
  | { kind: 'boolean' }
  | { kind: 'string'; maxLength: number }
  | { kind: 'enum'; values: Array<string | number | boolean> }
  /** Any JSON value, bounded only by the command size limit (declare a stricter rule where one exists). */
  | { kind: 'json' }
  | SignalPlanRule;

/** One command an actuator accepts. */
export interface CommandSpec {
  /** As the profile names it (`setpoint`): the API's `name`, and what the device is sent. */
  name: string;
  /** Expanded attribute IRI on the Device entity (the NGSI-LD way, and `<name>_status` / `_info`). */
  attribute: string;
  rule: ValueRule;
}

export const MAX_COMMANDS = 100;
export const DEFAULT_MAX_STRING = 256;
export const MAX_STRING = 4096;
export const MAX_ENUM = 100;
/** Command names: safe in topics, URLs and as attribute names; `_status` / `_info` are ours. */
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const UNIT_CODE = /^[A-Z0-9]{2,3}$/;

/** Parse `profile.commands`; BadRequestData naming the member at fault. */
export function parseCommandSpecs(raw: unknown, mapper: TermMapper): CommandSpec[] {
  if (!isObject(raw)) throw badRequest('profile.commands must be an object of command name → rule');
  const names = Object.keys(raw);
  if (names.length === 0) throw badRequest('profile.commands must name at least one command');
  if (names.length > MAX_COMMANDS) throw badRequest(`profile.commands: at most ${MAX_COMMANDS} commands`);
  return names.map((name) => {
    const at = `profile.commands[${JSON.stringify(name)}]`;
    if (!NAME.test(name) || /_(status|info)$/.test(name) || ENTITY_MEMBERS.has(name))
      throw badRequest(
        `${at}: a command name is a letter then up to 63 letters, digits or _, not ending in _status or _info`,
      );
    const rule = raw[name];
    if (!isObject(rule)) throw badRequest(`${at} must be an object describing the value`);
    let attribute: string;
    try {
      attribute = mapper.expandTerm(name);
    } catch (e) {
      if (isNgsiError(e)) throw badRequest(`${at}: ${e.detail}`);
      throw e;
    }
    return { name, attribute, rule: parseRule(rule, at) };
  });
}

function parseRule(raw: Record<string, unknown>, at: string): ValueRule {
  if (raw.kind !== undefined) {
    if (raw.kind !== 'signal-plan') throw badRequest(`${at}.kind must be signal-plan (or leave it out)`);
    return parseSignalPlanRule(raw, at);
  }
  const only = (members: string[]) => {
    for (const k of Object.keys(raw))
      if (!members.includes(k)) throw badRequest(`${at}: unknown member ${k}`);
  };
  if (raw.enum !== undefined) {
    only(['enum', 'type']);
    if (!Array.isArray(raw.enum) || raw.enum.length === 0 || raw.enum.length > MAX_ENUM)
      throw badRequest(`${at}.enum must be an array of 1 to ${MAX_ENUM} values`);
    const values = raw.enum.map((v: unknown) => {
      if (
        typeof v === 'boolean' ||
        (typeof v === 'number' && Number.isFinite(v)) ||
        (typeof v === 'string' && v.length <= MAX_STRING)
      )
        return v;
      throw badRequest(`${at}.enum values must be strings, finite numbers or booleans`);
    });
    if (raw.type !== undefined && values.some((v) => typeof v !== raw.type))
      throw badRequest(`${at}.enum values must all be of type ${String(raw.type)}`);
    return { kind: 'enum', values };
  }
  switch (raw.type) {
    case 'number':
    case 'integer': {
      only(['type', 'min', 'max', 'unitCode']);
      const min = bound(raw.min, `${at}.min`);
      const max = bound(raw.max, `${at}.max`);
      if (min !== undefined && max !== undefined && min > max)
        throw badRequest(`${at}: min (${min}) is greater than max (${max})`);
      if (raw.unitCode !== undefined && (typeof raw.unitCode !== 'string' || !UNIT_CODE.test(raw.unitCode)))
        throw badRequest(`${at}.unitCode must be a UN/CEFACT common code (e.g. CEL, P1)`);
      return {
        kind: 'number',
        integer: raw.type === 'integer',
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        ...(raw.unitCode !== undefined ? { unitCode: raw.unitCode as string } : {}),
      };
    }
    case 'boolean':
      only(['type']);
      return { kind: 'boolean' };
    case 'json':
      only(['type']);
      return { kind: 'json' };
    case 'string': {
      only(['type', 'maxLength']);
      const m = raw.maxLength ?? DEFAULT_MAX_STRING;
      if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > MAX_STRING)
        throw badRequest(`${at}.maxLength must be an integer from 1 to ${MAX_STRING}`);
      return { kind: 'string', maxLength: m };
    }
    default:
      throw badRequest(
        `${at} must have a type (number, integer, boolean, string, json), an enum, or kind signal-plan`,
      );
  }
}

function bound(v: unknown, at: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${at} must be a finite number`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The profile's spec of a command, or BadRequestData listing the commands it has. */
export function specOf(
  found: { device: { id: string }; profile: { id: string; commands?: CommandSpec[] } },
  name: unknown,
): CommandSpec {
  const specs = found.profile.commands ?? [];
  if (typeof name !== 'string' || name === '') throw badRequest('a command needs a name');
  const spec = specs.find((s) => s.name === name);
  if (spec !== undefined) return spec;
  const profile = found.profile.id;
  throw badRequest(
    specs.length === 0
      ? `device ${found.device.id} (profile ${profile}) accepts no commands`
      : `device ${found.device.id} (profile ${profile}) has no command ${JSON.stringify(name)}; ` +
          `it accepts ${specs.map((s) => s.name).join(', ')}`,
  );
}
