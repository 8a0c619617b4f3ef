/**
 * A device profile's `commands` as the dashboard's command form reads them: the rule of each
 * command's value (number with min/max/unit, integer, enum, boolean, string, JSON, signal plan) and
 * the client-side check of what an operator typed. The server validates again (and has the last word:
 * its 400 detail is shown); checking here first only spares a round trip and explains the limits.
 */

export type CommandRule =
  | { kind: 'number'; integer: boolean; min?: number; max?: number; unitCode?: string }
  | { kind: 'boolean' }
  | { kind: 'string'; maxLength?: number }
  | { kind: 'enum'; values: Array<string | number | boolean> }
  | { kind: 'json' };

export interface CommandField {
  name: string;
  rule: CommandRule;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The commands of a profile document (as GET /device-profiles/{id} answers), in document order. */
export function commandFields(profile: unknown): CommandField[] {
  if (!isObject(profile) || !isObject(profile.commands)) return [];
  return Object.entries(profile.commands).map(([name, raw]) => ({ name, rule: ruleOf(raw) }));
}

function ruleOf(raw: unknown): CommandRule {
  if (!isObject(raw)) return { kind: 'json' };
  if (Array.isArray(raw.enum)) return { kind: 'enum', values: raw.enum as Array<string | number | boolean> };
  if (raw.type === 'number' || raw.type === 'integer') {
    const r: CommandRule = { kind: 'number', integer: raw.type === 'integer' };
    if (typeof raw.min === 'number') r.min = raw.min;
    if (typeof raw.max === 'number') r.max = raw.max;
    if (typeof raw.unitCode === 'string') r.unitCode = raw.unitCode;
    return r;
  }
  if (raw.type === 'boolean') return { kind: 'boolean' };
  if (raw.type === 'string')
    return typeof raw.maxLength === 'number'
      ? { kind: 'string', maxLength: raw.maxLength }
      : { kind: 'string' };
  // json, signal plans and anything newer: typed as JSON, checked by the server.
  return { kind: 'json' };
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** Turn the form's text into the command's value, or say why it is refused. */
export function parseCommandValue(rule: CommandRule, text: string): Parsed {
  const t = text.trim();
  switch (rule.kind) {
    case 'number': {
      if (t === '' || !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t))
        return { ok: false, error: 'a number is required' };
      const n = Number(t);
      if (rule.integer && !Number.isInteger(n)) return { ok: false, error: 'a whole number is required' };
      if (rule.min !== undefined && n < rule.min) return { ok: false, error: `at least ${rule.min}` };
      if (rule.max !== undefined && n > rule.max) return { ok: false, error: `at most ${rule.max}` };
      return { ok: true, value: n };
    }
    case 'boolean':
      if (t === 'true') return { ok: true, value: true };
      if (t === 'false') return { ok: true, value: false };
      return { ok: false, error: 'true or false' };
    case 'enum': {
      const hit = rule.values.find((v) => String(v) === t);
      return hit === undefined
        ? { ok: false, error: `one of ${rule.values.join(', ')}` }
        : { ok: true, value: hit };
    }
    case 'string':
      if (rule.maxLength !== undefined && t.length > rule.maxLength)
        return { ok: false, error: `at most ${rule.maxLength} characters` };
      return { ok: true, value: text };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(t) as unknown };
      } catch {
        return { ok: false, error: 'valid JSON is required' };
      }
  }
}

/** A one-line description of the rule for the form's hint. */
export function describeRule(rule: CommandRule, unit = ''): string {
  switch (rule.kind) {
    case 'number': {
      const what = rule.integer ? 'whole number' : 'number';
      const range =
        rule.min !== undefined && rule.max !== undefined
          ? ` from ${rule.min} to ${rule.max}`
          : rule.min !== undefined
            ? ` ≥ ${rule.min}`
            : rule.max !== undefined
              ? ` ≤ ${rule.max}`
              : '';
      return `${what}${range}${unit !== '' ? ` ${unit}` : ''}`;
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${rule.values.join(', ')}`;
    case 'string':
      return rule.maxLength !== undefined ? `text, at most ${rule.maxLength} characters` : 'text';
    case 'json':
      return 'a JSON value';
  }
}

/** Statuses after which a command changes no more. */
export const FINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'EXPIRED'] as const;

export function isFinalStatus(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}
