/**
 * The alert-rule form's values ⇄ a rule document (`/alerts/rules`). Pure and tested: the form only
 * collects strings; this decides what is sent, and says in words what is missing before Urbis does.
 */

export interface RuleFormValues {
  id: string;
  name: string;
  severity: string;
  scopeType: string;
  scopeDistrict: string;
  scopeEntity: string;
  kind: string;
  attribute: string;
  op: string;
  value: string;
  for: string;
  clear: string;
  change: string;
  within: string;
  /** rateOfChange: rising, falling or any ('' leaves Urbis's default). */
  direction: string;
  notify: string;
  enabled: boolean;
}

export const CONDITION_KINDS = ['threshold', 'rateOfChange', 'deviceOffline', 'noData'] as const;
export const OPS = ['>', '>=', '<', '<='] as const;
export const DIRECTIONS = ['any', 'rising', 'falling'] as const;
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type RuleResult = { ok: true; rule: Record<string, unknown> } | { ok: false; errors: string[] };

const num = (s: string): number | undefined =>
  s.trim() === '' || Number.isNaN(Number(s)) ? undefined : Number(s);

/** Build the document, or list what is wrong. */
/**
 * `term` turns a type or attribute name shown (an attribute with the scope's type, when there is one)
 * into the one to send (the dashboard's vocabulary gives back the full IRI it learnt; identity by default).
 */
export function ruleFromForm(
  v: RuleFormValues,
  term: (name: string, type?: string) => string = (n) => n,
): RuleResult {
  const errors: string[] = [];
  if (!ID.test(v.id)) errors.push('id: letters, digits, . _ - (up to 64), starting with a letter or digit');
  if (v.name.trim() === '') errors.push('name is required');
  const scope: Record<string, string> = {};
  if (v.scopeType.trim() !== '') scope.type = term(v.scopeType.trim());
  if (v.scopeDistrict.trim() !== '') scope.district = v.scopeDistrict.trim();
  if (v.scopeEntity.trim() !== '') scope.entity = v.scopeEntity.trim();
  if (Object.keys(scope).length === 0) errors.push('scope: give a type, a district or an entity');
  const condition: Record<string, unknown> = { kind: v.kind };
  const duration = (field: 'for' | 'within', required: boolean) => {
    const d = v[field].trim();
    if (d === '') {
      if (required) errors.push(`${field} is required (an ISO 8601 duration such as PT1H)`);
      return;
    }
    if (!DURATION.test(d)) errors.push(`${field} must be an ISO 8601 duration such as PT1H or PT30M`);
    else condition[field] = d;
  };
  switch (v.kind) {
    case 'threshold': {
      if (v.attribute.trim() === '') errors.push('attribute is required');
      condition.attribute = term(v.attribute.trim(), v.scopeType.trim() || undefined);
      if (!(OPS as readonly string[]).includes(v.op)) errors.push('op must be one of > >= < <=');
      condition.op = v.op;
      const value = num(v.value);
      if (value === undefined) errors.push('value must be a number');
      condition.value = value;
      duration('for', false);
      if (v.clear.trim() !== '') {
        const clear = num(v.clear);
        if (clear === undefined) errors.push('clear must be a number');
        else condition.clear = clear;
      }
      break;
    }
    case 'rateOfChange': {
      if (v.attribute.trim() === '') errors.push('attribute is required');
      condition.attribute = term(v.attribute.trim(), v.scopeType.trim() || undefined);
      const change = num(v.change);
      if (change === undefined || change <= 0) errors.push('change must be a positive number');
      condition.change = change;
      duration('within', true);
      if (v.direction !== '') {
        if (!(DIRECTIONS as readonly string[]).includes(v.direction))
          errors.push('direction must be rising, falling or any');
        else condition.direction = v.direction;
      }
      break;
    }
    case 'deviceOffline':
      break;
    case 'noData':
      duration('for', true);
      break;
    default:
      errors.push(`condition kind must be one of ${CONDITION_KINDS.join(', ')}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  const rule: Record<string, unknown> = {
    id: v.id,
    name: v.name.trim(),
    severity: v.severity,
    scope,
    condition,
    enabled: v.enabled,
  };
  if (v.notify.trim() !== '') rule.notify = { endpoint: v.notify.trim() };
  return { ok: true, rule };
}

/** The form's values for an existing rule (editing). */
/** `shown` turns a term of the stored rule into the name to show (identity by default). */
export function formFromRule(
  r: Record<string, unknown>,
  shown: (term: string) => string = (t) => t,
): RuleFormValues {
  const s = (x: unknown): string => (x === undefined || x === null ? '' : String(x));
  const scope = (r.scope ?? {}) as Record<string, unknown>;
  const c = (r.condition ?? {}) as Record<string, unknown>;
  const notify = (r.notify ?? {}) as Record<string, unknown>;
  return {
    id: s(r.id),
    name: s(r.name),
    severity: s(r.severity) || 'medium',
    scopeType: shown(s(scope.type)),
    scopeDistrict: s(scope.district),
    scopeEntity: s(scope.entity),
    kind: s(c.kind) || 'threshold',
    attribute: shown(s(c.attribute)),
    op: s(c.op) || '>',
    value: s(c.value),
    for: s(c.for),
    clear: s(c.clear),
    change: s(c.change),
    within: s(c.within),
    direction: s(c.direction),
    notify: s(notify.endpoint),
    enabled: r.enabled !== false,
  };
}
