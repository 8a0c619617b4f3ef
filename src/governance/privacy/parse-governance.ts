/**
 * Reads and writes a data-governance registry entry: the compact JSON document operators write (see
 * docs and the brief's ParkingSpot example) ⇄ the expanded TypeGovernance. Validation is strict, as
 * for any input that changes what the platform keeps about people: an unknown member, a wrong kind or
 * a value out of range is a BadRequestData whose message names the path (`attributes.plate.treatment.length`).
 *
 * An `@context` member is allowed and ignored here: as in NGSI-LD bodies, it is the caller that turns
 * it (or the Link header) into the TermMapper that expands the names.
 */
import { badRequest } from '../../core/errors.js';
import { describe, isValidName } from '../../core/entity/validate.js';
import { isAbsoluteIri } from '../../core/jsonld/iri.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { ENTITY_MEMBERS } from '../../core/model/entity.js';
import { parseDuration } from '../../core/temporal/duration.js';
import {
  CLASSIFICATIONS,
  LIMITS,
  type AttributeGovernance,
  type Classification,
  type Treatment,
  type TreatmentKind,
  type TypeGovernance,
  type UndeclaredPolicy,
} from './model.js';

const ENTRY_MEMBERS = new Set(['@context', 'type', 'purpose', 'undeclared', 'retention', 'attributes']);
const ATTRIBUTE_MEMBERS = new Set(['classification', 'purpose', 'retention', 'treatment']);
const TREATMENT_MEMBERS: Record<TreatmentKind, ReadonlySet<string>> = {
  keep: new Set(['kind']),
  drop: new Set(['kind']),
  pseudonymise: new Set(['kind', 'length']),
  coarsen: new Set(['kind', 'grid', 'h3']),
  roundTime: new Set(['kind', 'period']),
};
const KINDS = Object.keys(TREATMENT_MEMBERS) as TreatmentKind[];

/** The compact document of one registry entry (what parseGovernance reads and renderGovernance writes). */
export interface GovernanceDocument {
  type: string;
  purpose: string;
  undeclared: UndeclaredPolicy;
  retention?: string;
  attributes: Record<string, AttributeDocument>;
}

export interface AttributeDocument {
  classification: Classification;
  purpose?: string;
  retention?: string;
  treatment: 'keep' | 'drop' | Record<string, unknown>;
}

/** Parse and validate a compact entry; names are expanded with `mapper`. Throws BadRequestData. */
export function parseGovernance(raw: unknown, mapper: TermMapper): TypeGovernance {
  const doc = requireObject(raw, 'the document');
  unknownMembers(doc, ENTRY_MEMBERS, '');
  const type = expandName(doc.type, mapper, 'type');
  const purpose = requirePurpose(doc.purpose, 'purpose');
  const undeclared = parseUndeclared(doc.undeclared);
  const retention = optionalRetention(doc.retention, 'retention');
  const attributesRaw = requireObject(doc.attributes, 'attributes');
  const names = Object.keys(attributesRaw);
  if (names.length > LIMITS.attributes) {
    throw fail('attributes', `declares ${names.length} attributes; at most ${LIMITS.attributes}`);
  }
  const attributes: Record<string, AttributeGovernance> = {};
  const seen = new Map<string, string>();
  for (const name of names) {
    const path = `attributes.${name}`;
    if (ENTITY_MEMBERS.has(name)) throw fail(path, `"${name}" is an entity member, not an attribute`);
    const iri = expandName(name, mapper, path);
    const previous = seen.get(iri);
    if (previous !== undefined) throw fail(path, `expands to ${iri}, as "${previous}" does`);
    seen.set(iri, name);
    // An absolute IRI is never `__proto__`, so plain assignment is safe here.
    attributes[iri] = parseAttribute(attributesRaw[name], path);
  }
  return { type, purpose, undeclared, ...(retention === undefined ? {} : { retention }), attributes };
}

/** The compact document of `g`, names compacted with `mapper`, defaults written out (canonical form). */
export function renderGovernance(g: TypeGovernance, mapper: TermMapper): GovernanceDocument {
  const attributes: Record<string, AttributeDocument> = {};
  for (const [iri, a] of Object.entries(g.attributes)) {
    // defineProperty: a client's context may well compact an IRI to the term `__proto__`.
    Object.defineProperty(attributes, mapper.compactIri(iri), {
      value: {
        classification: a.classification,
        ...(a.purpose === undefined ? {} : { purpose: a.purpose }),
        ...(a.retention === undefined ? {} : { retention: a.retention }),
        treatment: renderTreatment(a.treatment),
      },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    type: mapper.compactIri(g.type),
    purpose: g.purpose,
    undeclared: g.undeclared,
    ...(g.retention === undefined ? {} : { retention: g.retention }),
    attributes,
  };
}

/** A treatment in the document's form: `keep` and `drop` as strings, the others as objects. */
export function renderTreatment(t: Treatment): AttributeDocument['treatment'] {
  switch (t.kind) {
    case 'keep':
    case 'drop':
      return t.kind;
    case 'pseudonymise':
      return { kind: t.kind, length: t.length };
    case 'coarsen':
      return 'grid' in t ? { kind: t.kind, grid: t.grid } : { kind: t.kind, h3: t.h3 };
    case 'roundTime':
      return { kind: t.kind, period: t.period };
  }
}

function parseAttribute(raw: unknown, path: string): AttributeGovernance {
  const a = requireObject(raw, path);
  unknownMembers(a, ATTRIBUTE_MEMBERS, `${path}.`);
  if (a.classification === undefined) {
    throw fail(`${path}.classification`, `is required (one of ${CLASSIFICATIONS.join(', ')})`);
  }
  if (!(CLASSIFICATIONS as readonly unknown[]).includes(a.classification)) {
    throw fail(
      `${path}.classification`,
      `must be one of ${CLASSIFICATIONS.join(', ')}, got ${describe(a.classification)}`,
    );
  }
  const purpose = a.purpose === undefined ? undefined : requirePurpose(a.purpose, `${path}.purpose`);
  const retention = optionalRetention(a.retention, `${path}.retention`);
  return {
    classification: a.classification as Classification,
    ...(purpose === undefined ? {} : { purpose }),
    ...(retention === undefined ? {} : { retention }),
    treatment:
      a.treatment === undefined ? { kind: 'keep' } : parseTreatment(a.treatment, `${path}.treatment`),
  };
}

function parseTreatment(raw: unknown, path: string): Treatment {
  if (typeof raw === 'string') {
    switch (raw) {
      case 'keep':
      case 'drop':
        return { kind: raw };
      case 'pseudonymise':
        return { kind: raw, length: LIMITS.pseudonymLength.default };
      case 'coarsen':
        throw fail(
          path,
          'coarsen needs a cell: {"kind":"coarsen","grid":<metres>} or {"kind":"coarsen","h3":<resolution>}',
        );
      case 'roundTime':
        throw fail(path, 'roundTime needs a period: {"kind":"roundTime","period":"PT15M"}');
      default:
        throw fail(path, `must be one of ${KINDS.join(', ')} or an object with "kind", got ${describe(raw)}`);
    }
  }
  const t = requireObject(raw, path);
  const kind = t.kind;
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    throw fail(`${path}.kind`, `must be one of ${KINDS.join(', ')}, got ${describe(kind)}`);
  }
  unknownMembers(t, TREATMENT_MEMBERS[kind as TreatmentKind], `${path}.`);
  switch (kind as TreatmentKind) {
    case 'keep':
    case 'drop':
      return { kind: kind as 'keep' | 'drop' };
    case 'pseudonymise': {
      const { min, max } = LIMITS.pseudonymLength;
      const length =
        t.length === undefined
          ? LIMITS.pseudonymLength.default
          : requireInteger(t.length, min, max, `${path}.length`, 'hex characters');
      return { kind: 'pseudonymise', length };
    }
    case 'coarsen': {
      if ((t.grid === undefined) === (t.h3 === undefined)) {
        throw fail(path, 'coarsen needs exactly one of "grid" (metres) and "h3" (resolution)');
      }
      if (t.grid !== undefined) {
        const { min, max } = LIMITS.gridMetres;
        if (typeof t.grid !== 'number' || !Number.isFinite(t.grid) || t.grid < min || t.grid > max) {
          throw fail(
            `${path}.grid`,
            `must be a number of metres from ${min} to ${max}, got ${describe(t.grid)}`,
          );
        }
        return { kind: 'coarsen', grid: t.grid };
      }
      const { min, max } = LIMITS.h3Resolution;
      return { kind: 'coarsen', h3: requireInteger(t.h3, min, max, `${path}.h3`, 'an H3 resolution') };
    }
    case 'roundTime': {
      if (typeof t.period !== 'string') {
        throw fail(
          `${path}.period`,
          `must be an ISO 8601 duration such as "PT15M", got ${describe(t.period)}`,
        );
      }
      const duration = parseDuration(t.period, `Invalid governance entry: ${path}.period`);
      // Flooring needs a fixed length; years and months are calendar units of varying length.
      if (duration.months !== 0) {
        throw fail(
          `${path}.period`,
          `must have a fixed length (weeks, days, hours, minutes, seconds), not years or months: ${describe(t.period)}`,
        );
      }
      return { kind: 'roundTime', period: t.period, periodMs: duration.ms };
    }
  }
}

function expandName(raw: unknown, mapper: TermMapper, path: string): string {
  if (raw === undefined) throw fail(path, 'is required');
  if (!isValidName(raw)) throw fail(path, `is not a valid name: ${describe(raw)}`);
  const iri = mapper.expandTerm(raw);
  if (!isAbsoluteIri(iri)) throw fail(path, `${describe(raw)} does not expand to an IRI`);
  return iri;
}

function requirePurpose(raw: unknown, path: string): string {
  if (raw === undefined) throw fail(path, 'is required: say why the data is held');
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw fail(path, `must be a non-empty text, got ${describe(raw)}`);
  }
  if (raw.length > LIMITS.purposeLength)
    throw fail(path, `is longer than ${LIMITS.purposeLength} characters`);
  return raw;
}

function parseUndeclared(raw: unknown): UndeclaredPolicy {
  if (raw === undefined) return 'drop';
  if (raw === 'drop' || raw === 'refuse' || raw === 'keep') return raw;
  throw fail('undeclared', `must be "drop", "refuse" or "keep", got ${describe(raw)}`);
}

function optionalRetention(raw: unknown, path: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string')
    throw fail(path, `must be an ISO 8601 duration such as "P1Y", got ${describe(raw)}`);
  parseDuration(raw, `Invalid governance entry: ${path}`);
  return raw;
}

function requireInteger(raw: unknown, min: number, max: number, path: string, what: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    throw fail(path, `must be an integer from ${min} to ${max} (${what}), got ${describe(raw)}`);
  }
  return raw;
}

function requireObject(raw: unknown, path: string): Record<string, unknown> {
  if (raw === undefined) throw fail(path, 'is required');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw fail(path, `must be a JSON object, got ${describe(raw)}`);
  }
  return raw as Record<string, unknown>;
}

function unknownMembers(obj: Record<string, unknown>, allowed: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) {
      throw fail(
        `${prefix}${key}`,
        `is not a member of a governance entry here (allowed: ${[...allowed].join(', ')})`,
      );
    }
  }
}

function fail(path: string, detail: string) {
  return badRequest(`Invalid governance entry: ${path} ${detail}`);
}
