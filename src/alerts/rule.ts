/**
 * Alert rules (issue #7): what an operator writes to be told when the city misbehaves — a threshold
 * held for a while, a sudden change, a device gone offline, an entity gone silent — and over which
 * entities (by type, district or one entity). This file reads a rule document into an AlertRule with
 * every attribute name expanded and every duration in milliseconds, so evaluation never re-reads it.
 * Strict, like device profiles: an unknown member or a doubtful value is a 400 naming the member,
 * because a rule that silently means something else is an alarm that never rings.
 *
 * ```json
 * { "@context": "https://…/context.jsonld",          // optional: how the names below expand
 *   "id": "pm25-high", "name": "PM2.5 above 35 µg/m³ for 1 h", "severity": "high",
 *   "scope": { "type": "AirQualityObserved", "district": "urn:ngsi-ld:District:old-town" },
 *   "condition": { "kind": "threshold", "attribute": "pm25", "op": ">", "value": 35,
 *                  "for": "PT1H", "clear": 30 },
 *   "notify": { "endpoint": "https://ops.example/hook" },
 *   "enabled": true }
 * ```
 * An empty scope (`{}`) is refused: a rule over every entity of the tenant would evaluate every
 * change of the city (and its own alerts); name a type at least.
 */
import { badRequest, isNgsiError } from '../core/errors.js';
import type { TermMapper } from '../core/jsonld/terms.js';
import { parseDuration } from '../core/temporal/duration.js';

/** Smart Data Models Alert severities, least to most severe. */
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const THRESHOLD_OPS = ['>', '>=', '<', '<='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

export const DIRECTIONS = ['rising', 'falling', 'any'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** District entities are named `urn:ngsi-ld:District:<slug>` (the demo city and real ones alike). */
export const DISTRICT_PREFIX = 'urn:ngsi-ld:District:';

/** A value crosses `value` (held `forMs`) to fire; it must cross back past `clear` (held `clearForMs`) to clear. */
export interface ThresholdCondition {
  kind: 'threshold';
  /** Expanded attribute IRI. */
  attribute: string;
  op: ThresholdOp;
  value: number;
  forMs: number;
  /** Hysteresis level; equals `value` when the rule does not say. */
  clear: number;
  clearForMs: number;
}

/** The value moved by at least `change` within `withinMs` (in `direction`). */
export interface RateOfChangeCondition {
  kind: 'rateOfChange';
  attribute: string;
  change: number;
  withinMs: number;
  direction: Direction;
}

/** A Device entity's `deviceState` became `offline`; clears when it is `online` again. */
export interface DeviceOfflineCondition {
  kind: 'deviceOffline';
  /** Expanded IRI of `deviceState`. */
  attribute: string;
}

/** An entity in scope was not updated for `forMs`; clears on its next update. */
export interface NoDataCondition {
  kind: 'noData';
  forMs: number;
}

export type Condition = ThresholdCondition | RateOfChangeCondition | DeviceOfflineCondition | NoDataCondition;
export type ConditionKind = Condition['kind'];

/** Which entities a rule watches: all given members must hold. */
export interface RuleScope {
  /** Expanded entity type. */
  type?: string;
  /** District entity id: the entity's `location` (a Point) lies inside its polygon. */
  district?: string;
  /** One entity id. */
  entity?: string;
}

/** A validated, normalised rule. */
export interface AlertRule {
  id: string;
  name: string;
  description?: string;
  severity: Severity;
  /** Smart Data Models Alert category and subCategory of the alerts it raises. */
  category: string;
  subCategory: string;
  scope: RuleScope;
  condition: Condition;
  /** `http(s)://…` or `mqtt(s)://host/topic`: where the rule's alerts are notified. */
  notify?: { endpoint: string };
  enabled: boolean;
}

/** Rule ids: safe in URNs, URLs and MQTT topics. */
export const RULE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 1024;
const MAX_TERM_LENGTH = 1024;
const MAX_URI_LENGTH = 2048;
const CATEGORY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const DOC_MEMBERS = new Set([
  '@context',
  'id',
  'name',
  'description',
  'severity',
  'category',
  'subCategory',
  'scope',
  'condition',
  'notify',
  'enabled',
]);
const SCOPE_MEMBERS = new Set(['type', 'district', 'entity']);
const CONDITION_MEMBERS: Record<ConditionKind, Set<string>> = {
  threshold: new Set(['kind', 'attribute', 'op', 'value', 'for', 'clear', 'clearFor']),
  rateOfChange: new Set(['kind', 'attribute', 'change', 'within', 'direction']),
  deviceOffline: new Set(['kind']),
  noData: new Set(['kind', 'for']),
};
const DEFAULT_CATEGORY: Record<ConditionKind, string> = {
  threshold: 'environment',
  rateOfChange: 'environment',
  deviceOffline: 'device',
  noData: 'device',
};

/** The document's @context member (resolve it to a TermMapper before parsing). */
export function ruleContext(raw: unknown): unknown {
  return isObject(raw) ? raw['@context'] : undefined;
}

/** Parse and normalise a rule document; throws BadRequestData naming the first problem. */
export function parseRule(raw: unknown, mapper: TermMapper): AlertRule {
  if (!isObject(raw)) throw badRequest('an alert rule must be a JSON object');
  for (const k of Object.keys(raw)) if (!DOC_MEMBERS.has(k)) throw badRequest(`rule: unknown member ${k}`);
  if (typeof raw.id !== 'string' || !RULE_ID_PATTERN.test(raw.id))
    throw badRequest('rule.id must be 1–64 letters, digits, _ . or -');
  if (typeof raw.name !== 'string' || raw.name.trim() === '' || raw.name.length > MAX_NAME_LENGTH)
    throw badRequest(`rule.name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  if (
    raw.description !== undefined &&
    (typeof raw.description !== 'string' || raw.description.length > MAX_DESCRIPTION_LENGTH)
  )
    throw badRequest(`rule.description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`);
  if (typeof raw.severity !== 'string' || !(SEVERITIES as readonly string[]).includes(raw.severity))
    throw badRequest(`rule.severity must be one of ${SEVERITIES.join(', ')}`);
  const scope = parseScope(raw.scope, mapper);
  const condition = parseCondition(raw.condition, mapper);
  const category = optionalCategory(raw.category, 'rule.category') ?? DEFAULT_CATEGORY[condition.kind];
  const subCategory = optionalCategory(raw.subCategory, 'rule.subCategory') ?? condition.kind;
  const notify = raw.notify === undefined ? undefined : parseNotify(raw.notify);
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean')
    throw badRequest('rule.enabled must be true or false');
  return {
    id: raw.id,
    name: raw.name,
    ...(raw.description !== undefined ? { description: raw.description as string } : {}),
    severity: raw.severity as Severity,
    category,
    subCategory,
    scope,
    condition,
    ...(notify !== undefined ? { notify } : {}),
    enabled: raw.enabled ?? true,
  };
}

function parseScope(raw: unknown, mapper: TermMapper): RuleScope {
  if (!isObject(raw)) throw badRequest('rule.scope must be an object with type, district and/or entity');
  for (const k of Object.keys(raw))
    if (!SCOPE_MEMBERS.has(k)) throw badRequest(`rule.scope: unknown member ${k}`);
  const out: RuleScope = {};
  if (raw.type !== undefined) out.type = expand(mapper, term(raw.type, 'rule.scope.type'), 'rule.scope.type');
  if (raw.district !== undefined) {
    const d = uri(raw.district, 'rule.scope.district');
    if (!d.startsWith(DISTRICT_PREFIX) || d.length === DISTRICT_PREFIX.length)
      throw badRequest(`rule.scope.district must be a District entity id (${DISTRICT_PREFIX}…)`);
    out.district = d;
  }
  if (raw.entity !== undefined) out.entity = uri(raw.entity, 'rule.scope.entity');
  if (out.type === undefined && out.district === undefined && out.entity === undefined)
    // Every entity of the tenant, its own alerts included: too broad to be meant.
    throw badRequest('rule.scope must name at least one of type, district or entity');
  return out;
}

function parseCondition(raw: unknown, mapper: TermMapper): Condition {
  if (!isObject(raw)) throw badRequest('rule.condition must be an object with a kind');
  const kind = raw.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(CONDITION_MEMBERS, kind))
    throw badRequest(`rule.condition.kind must be one of ${Object.keys(CONDITION_MEMBERS).join(', ')}`);
  const members = CONDITION_MEMBERS[kind as ConditionKind];
  for (const k of Object.keys(raw))
    if (!members.has(k)) throw badRequest(`rule.condition: unknown member ${k} for kind ${kind}`);
  switch (kind as ConditionKind) {
    case 'threshold': {
      const attribute = attributeOf(raw.attribute, mapper);
      if (typeof raw.op !== 'string' || !(THRESHOLD_OPS as readonly string[]).includes(raw.op))
        throw badRequest(`rule.condition.op must be one of ${THRESHOLD_OPS.join(' ')}`);
      const op = raw.op as ThresholdOp;
      const value = finite(raw.value, 'rule.condition.value');
      const clear = raw.clear === undefined ? value : finite(raw.clear, 'rule.condition.clear');
      // The clearing level lies on the quiet side of the threshold, or the alert could never clear.
      if ((op === '>' || op === '>=') && clear > value)
        throw badRequest('rule.condition.clear must not be above rule.condition.value for > and >=');
      if ((op === '<' || op === '<=') && clear < value)
        throw badRequest('rule.condition.clear must not be below rule.condition.value for < and <=');
      return {
        kind: 'threshold',
        attribute,
        op,
        value,
        forMs: optionalMs(raw.for, 'rule.condition.for'),
        clear,
        clearForMs: optionalMs(raw.clearFor, 'rule.condition.clearFor'),
      };
    }
    case 'rateOfChange': {
      const attribute = attributeOf(raw.attribute, mapper);
      const change = finite(raw.change, 'rule.condition.change');
      if (change <= 0) throw badRequest('rule.condition.change must be greater than 0 (an absolute change)');
      if (raw.within === undefined) throw badRequest('rule.condition.within is required (e.g. PT10M)');
      const direction = raw.direction ?? 'any';
      if (typeof direction !== 'string' || !(DIRECTIONS as readonly string[]).includes(direction))
        throw badRequest(`rule.condition.direction must be one of ${DIRECTIONS.join(', ')}`);
      return {
        kind: 'rateOfChange',
        attribute,
        change,
        withinMs: optionalMs(raw.within, 'rule.condition.within'),
        direction: direction as Direction,
      };
    }
    case 'deviceOffline':
      return { kind: 'deviceOffline', attribute: expand(mapper, 'deviceState', 'rule.condition') };
    case 'noData':
      if (raw.for === undefined) throw badRequest('rule.condition.for is required (e.g. PT30M)');
      return { kind: 'noData', forMs: optionalMs(raw.for, 'rule.condition.for') };
  }
}

function parseNotify(raw: unknown): { endpoint: string } {
  if (!isObject(raw)) throw badRequest('rule.notify must be an object with an endpoint');
  for (const k of Object.keys(raw))
    if (k !== 'endpoint') throw badRequest(`rule.notify: unknown member ${k}`);
  const endpoint = uri(raw.endpoint, 'rule.notify.endpoint');
  let scheme: string;
  try {
    scheme = new URL(endpoint).protocol;
  } catch {
    throw badRequest('rule.notify.endpoint must be an absolute URL');
  }
  if (!['http:', 'https:', 'mqtt:', 'mqtts:'].includes(scheme))
    throw badRequest('rule.notify.endpoint must be an http(s):// or mqtt(s):// URL');
  return { endpoint };
}

function attributeOf(raw: unknown, mapper: TermMapper): string {
  const name = term(raw, 'rule.condition.attribute');
  if (['id', 'type', 'scope', 'createdAt', 'modifiedAt'].includes(name) || name.startsWith('@'))
    throw badRequest(`rule.condition.attribute: ${name} is not an attribute`);
  return expand(mapper, name, 'rule.condition.attribute');
}

function term(raw: unknown, at: string): string {
  if (typeof raw !== 'string' || raw === '' || raw.length > MAX_TERM_LENGTH)
    throw badRequest(`${at} must be a non-empty string (at most ${MAX_TERM_LENGTH} characters)`);
  return raw;
}

function uri(raw: unknown, at: string): string {
  if (typeof raw !== 'string' || raw.length > MAX_URI_LENGTH || !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(raw))
    throw badRequest(`${at} must be a URI (at most ${MAX_URI_LENGTH} characters)`);
  return raw;
}

function finite(raw: unknown, at: string): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw badRequest(`${at} must be a finite number`);
  return raw;
}

function optionalCategory(raw: unknown, at: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !CATEGORY.test(raw))
    throw badRequest(`${at} must be a word of 1–64 letters, digits, _ or -`);
  return raw;
}

/** An ISO 8601 duration in ms (0 when absent); months and years have no fixed length and are refused. */
function optionalMs(raw: unknown, at: string): number {
  if (raw === undefined) return 0;
  if (typeof raw !== 'string') throw badRequest(`${at} must be an ISO 8601 duration such as PT1H`);
  const d = parseDuration(raw, at);
  if (d.months !== 0) throw badRequest(`${at} must use weeks, days, hours, minutes or seconds`);
  return d.ms;
}

function expand(mapper: TermMapper, name: string, at: string): string {
  try {
    return mapper.expandTerm(name);
  } catch (e) {
    if (isNgsiError(e)) throw badRequest(`${at}: ${e.detail}`);
    throw e;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
