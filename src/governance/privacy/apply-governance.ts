/**
 * Minimisation and treatments at the gate: the attributes of an incoming entity of a governed type,
 * as they will be stored. Undeclared attributes are dropped (or the write refused), attributes with
 * treatment `drop` removed, and values pseudonymised, coarsened or rounded. Pure and synchronous, so
 * that it can run inside a write; the pseudonym key comes in through `tools`.
 *
 * Error messages name attributes and kinds, never values: the values are the personal data this
 * module exists to protect, and errors end up in logs.
 *
 * Also `combineGovernance`, the effective entry of an entity with several governed types.
 */
import { getHexagonAreaAvg, UNITS } from 'h3-js';
import { badRequest, isNgsiError } from '../../core/errors.js';
import { isDateTime } from '../../core/entity/validate.js';
import type { Attribute } from '../../core/model/entity.js';
import { validateGeometry } from '../../core/query/geometry.js';
import { addDuration, parseDuration } from '../../core/temporal/duration.js';
import {
  CLASSIFICATIONS,
  TREATMENT_ORDER,
  type AttributeGovernance,
  type Treatment,
  type TypeGovernance,
} from './model.js';
import { coarsenGrid, coarsenH3, roundTime } from './treatments.js';

/** What governAttrs needs from outside: the tenant's current pseudonym function. */
export interface GovernTools {
  /** Keyed pseudonym of `value`, `length` hex characters. */
  pseudonymise(value: string, length: number): string;
}

export interface GovernResult {
  /** The attributes to store. */
  attrs: Record<string, Attribute[]>;
  /** Expanded names removed: undeclared ones and those with treatment `drop` (for the metrics). */
  dropped: string[];
}

/**
 * A pseudonymised Relationship must still point at a URI, so its object becomes this prefix + the
 * pseudonym (erasing by pseudonym then uses the whole URN).
 */
export const PSEUDONYM_URN_PREFIX = 'urn:urbis:pseudonym:';

const DATE_TIME_TYPES = new Set(['DateTime', 'https://uri.etsi.org/ngsi-ld/DateTime']);

/**
 * Apply `g` to `attrs` (expanded names → instances). The input is not modified. Throws BadRequestData
 * naming the attributes when undeclared attributes are present and `g.undeclared` is `refuse`, and
 * when a value cannot take its treatment (a non-string to pseudonymise, a non-GeoProperty to coarsen).
 */
export function governAttrs(
  attrs: Record<string, Attribute[]>,
  g: TypeGovernance,
  tools: GovernTools,
): GovernResult {
  const kept: Array<[string, Attribute[]]> = [];
  const dropped: string[] = [];
  const refused: string[] = [];
  for (const [name, instances] of Object.entries(attrs)) {
    const rule = Object.hasOwn(g.attributes, name) ? g.attributes[name] : undefined;
    if (rule === undefined) {
      if (g.undeclared === 'keep') kept.push([name, instances]);
      else (g.undeclared === 'refuse' ? refused : dropped).push(name);
    } else if (rule.treatment.kind === 'drop') {
      dropped.push(name);
    } else {
      const treatment = rule.treatment;
      kept.push([name, instances.map((instance) => treat(name, instance, treatment, tools))]);
    }
  }
  if (refused.length > 0) {
    throw badRequest(
      `The data-governance registry refuses attributes that type ${g.type} does not declare: ${refused.join(', ')}`,
    );
  }
  // fromEntries defines own properties, whatever the names.
  return { attrs: Object.fromEntries(kept), dropped };
}

function treat(name: string, instance: Attribute, t: Treatment, tools: GovernTools): Attribute {
  switch (t.kind) {
    case 'keep':
    case 'drop':
      return instance;
    case 'pseudonymise': {
      const { type, value } = instance;
      if (typeof value === 'string' && type === 'Property') {
        return { ...instance, value: tools.pseudonymise(value, t.length) };
      }
      if (typeof value === 'string' && type === 'Relationship') {
        return { ...instance, value: PSEUDONYM_URN_PREFIX + tools.pseudonymise(value, t.length) };
      }
      throw badRequest(
        `Attribute ${name} is pseudonymised, so its value must be a string (a Property value or a Relationship object); got a ${type} with ${kindOf(value)}`,
      );
    }
    case 'coarsen': {
      if (instance.type !== 'GeoProperty') {
        throw badRequest(
          `Attribute ${name} is coarsened, so it must be a GeoProperty; got a ${instance.type}`,
        );
      }
      let geometry;
      try {
        geometry = validateGeometry(instance.value);
      } catch (error) {
        if (!isNgsiError(error)) throw error;
        throw badRequest(`Attribute ${name}: ${error.detail}`);
      }
      return { ...instance, value: 'grid' in t ? coarsenGrid(geometry, t.grid) : coarsenH3(geometry, t.h3) };
    }
    case 'roundTime': {
      const out: Attribute = { ...instance };
      if (instance.observedAt !== undefined) out.observedAt = roundTime(instance.observedAt, t.periodMs);
      if (instance.type === 'Property') out.value = roundDateTimeValue(instance.value, t.periodMs);
      return out;
    }
  }
}

/** A DateTime value floored: an ISO instant string, or `{"@type":"DateTime","@value":…}`; others unchanged. */
function roundDateTimeValue(value: unknown, periodMs: number): unknown {
  if (isDateTime(value)) return roundTime(value, periodMs);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const typed = value as Record<string, unknown>;
    const at = typed['@value'];
    if (typeof typed['@type'] === 'string' && DATE_TIME_TYPES.has(typed['@type']) && isDateTime(at)) {
      return { ...typed, '@value': roundTime(at, periodMs) };
    }
  }
  return value;
}

function kindOf(value: unknown): string {
  if (value === null) return 'a null value';
  if (Array.isArray(value)) return 'an array value';
  return `a ${typeof value} value`;
}

/**
 * The effective entry of an entity with several governed types: the union of their declared
 * attributes; per attribute the strictest classification and treatment (drop > pseudonymise >
 * coarsen > roundTime > keep; within a kind the shorter pseudonym, the larger cell, the longer
 * period) and the shortest retention among the types declaring it; the type default the shortest of
 * the types' defaults; undeclared = refuse when any type says so. One entry is returned as it is.
 */
export function combineGovernance(list: readonly TypeGovernance[]): TypeGovernance {
  const [first] = list;
  if (first === undefined) throw new Error('combineGovernance needs at least one entry');
  if (list.length === 1) return first;
  const retention = shortest(list.map((g) => g.retention));
  const names = [...new Set(list.flatMap((g) => Object.keys(g.attributes)))];
  const attributes: Record<string, AttributeGovernance> = {};
  for (const name of names) {
    const declaring = list.filter((g) => Object.hasOwn(g.attributes, name));
    const rules = declaring.map((g) => g.attributes[name] as AttributeGovernance);
    const purpose = joinDistinct(rules.map((r) => r.purpose));
    // The shortest of the attribute's effective retentions in the types declaring it (a type that
    // does not declare it has no say about it, so a longer one stays). Equal to the combined default:
    // left to the default. None (kept forever by every declaring type): the combined default applies.
    let own = shortest(declaring.map((g, i) => rules[i]?.retention ?? g.retention));
    if (own !== undefined && retention !== undefined && compareDurations(own, retention) === 0)
      own = undefined;
    attributes[name] = {
      classification: rules
        .map((r) => r.classification)
        .reduce((a, b) => (CLASSIFICATIONS.indexOf(b) > CLASSIFICATIONS.indexOf(a) ? b : a)),
      ...(purpose === undefined ? {} : { purpose }),
      ...(own === undefined ? {} : { retention: own }),
      treatment: rules.map((r) => r.treatment).reduce((a, b) => (stricter(b, a) ? b : a)),
    };
  }
  return {
    type: first.type,
    purpose: joinDistinct(list.map((g) => g.purpose)) ?? first.purpose,
    // The strictest wins: refuse over drop over keep.
    undeclared: list.some((g) => g.undeclared === 'refuse')
      ? 'refuse'
      : list.some((g) => g.undeclared === 'drop')
        ? 'drop'
        : 'keep',
    ...(retention === undefined ? {} : { retention }),
    attributes,
    combinedFrom: list.map((g) => g.type),
  };
}

/** True when treatment `a` protects more than `b`. */
function stricter(a: Treatment, b: Treatment): boolean {
  const rank = TREATMENT_ORDER.indexOf(a.kind) - TREATMENT_ORDER.indexOf(b.kind);
  if (rank !== 0) return rank > 0;
  if (a.kind === 'pseudonymise' && b.kind === 'pseudonymise') return a.length < b.length;
  if (a.kind === 'roundTime' && b.kind === 'roundTime') return a.periodMs > b.periodMs;
  if (a.kind === 'coarsen' && b.kind === 'coarsen') return cellArea(a) > cellArea(b);
  return false;
}

/** Approximate area of a coarsening cell in m², to compare a grid with an H3 resolution. */
function cellArea(t: Treatment & { kind: 'coarsen' }): number {
  return 'grid' in t ? t.grid * t.grid : getHexagonAreaAvg(t.h3, UNITS.m2);
}

/** The shortest of some ISO durations; undefined (keep forever) only when all are undefined. */
function shortest(durations: ReadonlyArray<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const d of durations) {
    if (d !== undefined && (best === undefined || compareDurations(d, best) < 0)) best = d;
  }
  return best;
}

/**
 * Order two ISO durations. When one is no longer in both months and milliseconds the answer holds for
 * every start instant; otherwise (P1M against P30D) they are compared from a fixed instant (the Unix
 * epoch's January), which is the nominal length.
 */
export function compareDurations(a: string, b: string): number {
  const da = parseDuration(a);
  const db = parseDuration(b);
  if (da.months <= db.months && da.ms <= db.ms) return da.months === db.months && da.ms === db.ms ? 0 : -1;
  if (da.months >= db.months && da.ms >= db.ms) return 1;
  return Math.sign(addDuration(0, da) - addDuration(0, db));
}

function joinDistinct(texts: ReadonlyArray<string | undefined>): string | undefined {
  const distinct = [...new Set(texts.filter((t): t is string => t !== undefined))];
  return distinct.length === 0 ? undefined : distinct.join('; ');
}
