/**
 * Input side of the entity model: turns a client's entity or fragment (normalized or concise, clause
 * 4.5.1 and 4.5.3) into the expanded internal form, validating as it goes. Every failure is a
 * BadRequestData naming the offending member.
 */
import { badRequest } from '../errors.js';
import type { TermMapper } from '../jsonld/terms.js';
import {
  ATTRIBUTE_MEMBERS,
  ENTITY_MEMBERS,
  type Attribute,
  ATTRIBUTE_TYPES,
  type AttributeType,
  type Entity,
} from '../model/entity.js';
import { validateGeometry } from '../query/geo-query.js';
import { GEOMETRY_TYPES } from '../query/geometry.js';
import { validateScope } from '../query/scope-query.js';
import { ENTITY_LIMITS } from './limits.js';
import { describe, isUri, jsonDepthExceeds, requireDateTime, requireName, requireUri } from './validate.js';

const ATTRIBUTE_TYPE_SET: ReadonlySet<string> = new Set(ATTRIBUTE_TYPES);
const GEOMETRY_TYPE_SET: ReadonlySet<string> = new Set(GEOMETRY_TYPES);
const GEO_CORE_TERMS = new Set(['location', 'observationSpace', 'operationSpace']);

/** How lenient parsing is: a fragment for a partial update may leave out the attribute type. */
export interface ParseOptions {
  /** Entity payloads need a type; fragments (append, update) need none. */
  requireType?: boolean;
  /** The entity needs an id (false for fragments; the id then comes from the URL). */
  requireId?: boolean;
}

/** Parse a whole entity (create, replace, upsert). */
export function parseEntity(body: unknown, mapper: TermMapper, options: ParseOptions = {}): Entity {
  const obj = requireObject(body, 'entity');
  if (jsonDepthExceeds(obj, ENTITY_LIMITS.maxJsonDepth)) throw badRequest('entity is nested too deeply');
  const requireId = options.requireId ?? true;
  const requireType = options.requireType ?? true;
  const id = obj.id === undefined && !requireId ? '' : requireUri(obj.id, 'entity id');
  if (obj['@id'] !== undefined || obj['@type'] !== undefined) {
    throw badRequest('use "id" and "type", not "@id" and "@type"');
  }
  const types = obj.type === undefined && !requireType ? [] : parseTypes(obj.type, mapper);
  const entity: Entity = { id, type: types, attrs: parseAttributes(obj, mapper) };
  if (obj.scope !== undefined) entity.scope = validateScope(obj.scope);
  return entity;
}

/** Entity type(s): a name or a non-empty list of names, expanded. */
export function parseTypes(value: unknown, mapper: TermMapper): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw badRequest('entity type must not be empty');
  const out: string[] = [];
  for (const t of list) {
    const iri = mapper.expandTerm(requireName(t, 'entity type'));
    if (!out.includes(iri)) out.push(iri);
  }
  return out;
}

/** The attributes of an entity or fragment (every member that is not an entity member). */
export function parseAttributes(
  obj: Record<string, unknown>,
  mapper: TermMapper,
): Record<string, Attribute[]> {
  const attrs: Record<string, Attribute[]> = {};
  let count = 0;
  for (const key of Object.keys(obj)) {
    if (ENTITY_MEMBERS.has(key)) continue;
    if (++count > ENTITY_LIMITS.maxAttributes) throw badRequest('too many attributes');
    requireName(key, 'attribute name');
    const iri = mapper.expandTerm(key);
    attrs[iri] = parseAttributeInstances(key, obj[key], mapper);
  }
  return attrs;
}

/** One attribute's instances: an array of attribute objects is a multi-attribute (distinct datasetIds). */
export function parseAttributeInstances(name: string, raw: unknown, mapper: TermMapper): Attribute[] {
  if (Array.isArray(raw) && raw.length > 0 && raw.every(isAttributeObject)) {
    const instances = raw.map((r) => parseAttribute(name, r, mapper, 0));
    const seen = new Set<string | undefined>();
    for (const inst of instances) {
      if (seen.has(inst.datasetId)) {
        throw badRequest(
          `attribute ${name} has two instances with datasetId ${inst.datasetId ?? '(default)'}`,
        );
      }
      seen.add(inst.datasetId);
    }
    return instances;
  }
  return [parseAttribute(name, raw, mapper, 0)];
}

/** One attribute (or sub-attribute) instance in normalized or concise form. */
export function parseAttribute(name: string, raw: unknown, mapper: TermMapper, depth: number): Attribute {
  if (depth > ENTITY_LIMITS.maxSubAttributeDepth)
    throw badRequest(`sub-attributes of ${name} nest too deeply`);
  if (raw === null || raw === undefined) throw badRequest(`attribute ${name} has no value`);
  if (typeof raw !== 'object' || Array.isArray(raw)) return { type: 'Property', value: raw };
  const obj = raw as Record<string, unknown>;
  const type = attributeTypeOf(name, obj);
  if (type === undefined) {
    // Concise form of a Property whose value is a JSON object, or of a GeoProperty's geometry.
    if (looksLikeGeometry(obj)) return { type: 'GeoProperty', value: validateGeometry(obj) };
    return { type: 'Property', value: obj };
  }
  const attr: Attribute = { type, value: mainValue(name, type, obj, mapper) };
  if (obj.datasetId !== undefined) attr.datasetId = requireUri(obj.datasetId, `datasetId of ${name}`);
  if (obj.observedAt !== undefined)
    attr.observedAt = requireDateTime(obj.observedAt, `observedAt of ${name}`);
  if (obj.unitCode !== undefined) {
    if (typeof obj.unitCode !== 'string' || obj.unitCode === '') {
      throw badRequest(`unitCode of ${name} must be a non-empty string`);
    }
    attr.unitCode = obj.unitCode;
  }
  if (type === 'Relationship' && obj.objectType !== undefined) {
    attr.objectType = parseTypes(obj.objectType, mapper);
  }
  for (const key of Object.keys(obj)) {
    if (ATTRIBUTE_MEMBERS.has(key)) continue;
    requireName(key, `sub-attribute of ${name}`);
    (attr.sub ??= {})[mapper.expandTerm(key)] = parseAttribute(key, obj[key], mapper, depth + 1);
  }
  return attr;
}

/** The attribute's type: declared, or inferred from its members (concise form); undefined for a bare JSON object. */
function attributeTypeOf(name: string, obj: Record<string, unknown>): AttributeType | undefined {
  if (obj.type !== undefined && ATTRIBUTE_TYPE_SET.has(obj.type as string)) return obj.type as AttributeType;
  if (obj.type !== undefined && !looksLikeGeometry(obj)) {
    throw badRequest(`attribute ${name} has an unknown type ${describe(obj.type)}`);
  }
  if ('value' in obj) {
    return GEO_CORE_TERMS.has(name) || looksLikeGeometry(obj.value) ? 'GeoProperty' : 'Property';
  }
  if ('object' in obj) return 'Relationship';
  if ('languageMap' in obj) return 'LanguageProperty';
  if ('valueList' in obj) return 'ListProperty';
  if ('objectList' in obj) return 'ListRelationship';
  if ('vocab' in obj) return 'VocabProperty';
  if ('json' in obj) return 'JsonProperty';
  return undefined;
}

function mainValue(
  name: string,
  type: AttributeType,
  obj: Record<string, unknown>,
  mapper: TermMapper,
): unknown {
  switch (type) {
    case 'Property':
      return requirePresent(name, 'value', obj.value);
    case 'GeoProperty': {
      const v = requirePresent(name, 'value', obj.value);
      return v === 'urn:ngsi-ld:null' ? v : validateGeometry(v);
    }
    case 'Relationship': {
      const o = requirePresent(name, 'object', obj.object);
      if (Array.isArray(o)) {
        if (o.length === 0 || !o.every(isUri)) throw badRequest(`object of ${name} must be URIs`);
        return o;
      }
      return requireUri(o, `object of ${name}`);
    }
    case 'LanguageProperty':
      return parseLanguageMap(name, requirePresent(name, 'languageMap', obj.languageMap));
    case 'ListProperty': {
      const list = requirePresent(name, 'valueList', obj.valueList);
      if (!Array.isArray(list)) throw badRequest(`valueList of ${name} must be an array`);
      return list;
    }
    case 'ListRelationship': {
      const list = requirePresent(name, 'objectList', obj.objectList);
      if (!Array.isArray(list)) throw badRequest(`objectList of ${name} must be an array`);
      return list.map((o) => {
        const target =
          o !== null && typeof o === 'object' && 'object' in o ? (o as { object: unknown }).object : o;
        return requireUri(target, `objectList of ${name}`);
      });
    }
    case 'VocabProperty': {
      const vocab = requirePresent(name, 'vocab', obj.vocab);
      const terms = Array.isArray(vocab) ? vocab : [vocab];
      const expanded = terms.map((t) => mapper.expandTerm(requireName(t, `vocab of ${name}`)));
      return Array.isArray(vocab) ? expanded : expanded[0];
    }
    case 'JsonProperty':
      return requirePresent(name, 'json', obj.json);
  }
}

function parseLanguageMap(name: string, value: unknown): Record<string, string | string[]> {
  const map = requireObject(value, `languageMap of ${name}`);
  for (const [lang, text] of Object.entries(map)) {
    const ok = typeof text === 'string' || (Array.isArray(text) && text.every((t) => typeof t === 'string'));
    if (!/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$|^@none$/.test(lang) || !ok) {
      throw badRequest(`languageMap of ${name} must map language tags to strings`);
    }
  }
  return map as Record<string, string | string[]>;
}

function requirePresent(name: string, member: string, v: unknown): unknown {
  if (v === undefined || v === null) throw badRequest(`attribute ${name} lacks "${member}"`);
  return v;
}

function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** An object that is, in normalized or concise form, an attribute (not a plain JSON value). */
function isAttributeObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return (
    ATTRIBUTE_TYPE_SET.has(o.type as string) ||
    'value' in o ||
    'object' in o ||
    'languageMap' in o ||
    'valueList' in o ||
    'objectList' in o ||
    'vocab' in o ||
    'json' in o
  );
}

function looksLikeGeometry(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.type === 'string' && GEOMETRY_TYPE_SET.has(o.type) && 'coordinates' in o;
}
