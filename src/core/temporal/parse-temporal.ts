/**
 * Input side of the temporal representation (clause 4.5.7, 5.6.11, 5.6.12, 5.6.14): an entity whose
 * attributes each hold one instance or an array of instances, turned into expanded attribute
 * instances. Unlike the current state, several instances may share a datasetId (they are the same
 * attribute at different times). Each instance is parsed and validated by `parseAttribute`.
 */
import { badRequest } from '../errors.js';
import { ENTITY_LIMITS } from '../entity/limits.js';
import { parseAttribute, parseTypes } from '../entity/parse-entity.js';
import { jsonDepthExceeds, requireName, requireUri } from '../entity/validate.js';
import type { TermMapper } from '../jsonld/terms.js';
import { ATTRIBUTE_TYPES, ENTITY_MEMBERS, instancesOf, type Attribute } from '../model/entity.js';

/** Most instances one request may carry, all attributes together (the body size limit bounds it too). */
export const MAX_INSTANCES_PER_WRITE = 100_000;

/** A parsed temporal entity (or fragment): new instances per expanded attribute name. */
export interface TemporalInput {
  id: string;
  /** Expanded types; empty for a fragment (POST …/attrs). */
  type: string[];
  attrs: Record<string, Attribute[]>;
}

/** Parse a temporal entity (POST /temporal/entities): id and type required, at least one instance. */
export function parseTemporalEntity(body: unknown, mapper: TermMapper): TemporalInput {
  const obj = requireObject(body, 'temporal entity');
  if (jsonDepthExceeds(obj, ENTITY_LIMITS.maxJsonDepth)) throw badRequest('entity is nested too deeply');
  if (obj['@id'] !== undefined || obj['@type'] !== undefined) {
    throw badRequest('use "id" and "type", not "@id" and "@type"');
  }
  const id = requireUri(obj.id, 'entity id');
  const type = parseTypes(obj.type, mapper);
  return { id, type, attrs: parseTemporalAttributes(obj, mapper) };
}

/**
 * Parse a temporal fragment (POST /temporal/entities/{id}/attrs): attributes only; an `id`, when
 * present, must name the entity of the URL; a `type` is added to the entity's types.
 */
export function parseTemporalFragment(body: unknown, id: string, mapper: TermMapper): TemporalInput {
  const obj = requireObject(body, 'temporal fragment');
  if (jsonDepthExceeds(obj, ENTITY_LIMITS.maxJsonDepth)) throw badRequest('fragment is nested too deeply');
  if (obj.id !== undefined && obj.id !== id) throw badRequest('the body id differs from the URL id');
  const type = obj.type === undefined ? [] : parseTypes(obj.type, mapper);
  const attrs = parseTemporalAttributes(obj, mapper);
  if (Object.keys(attrs).length === 0) throw badRequest('no attributes given');
  return { id, type, attrs };
}

/** Every attribute member of a temporal entity: each one instance or a non-empty array of instances. */
export function parseTemporalAttributes(
  obj: Record<string, unknown>,
  mapper: TermMapper,
): Record<string, Attribute[]> {
  const attrs: Record<string, Attribute[]> = {};
  let attributes = 0;
  let instances = 0;
  for (const key of Object.keys(obj)) {
    if (ENTITY_MEMBERS.has(key)) continue;
    if (++attributes > ENTITY_LIMITS.maxAttributes) throw badRequest('too many attributes');
    requireName(key, 'attribute name');
    const parsed = parseInstances(key, obj[key], mapper);
    instances += parsed.length;
    if (instances > MAX_INSTANCES_PER_WRITE) {
      throw badRequest(`too many attribute instances (${MAX_INSTANCES_PER_WRITE} at most per request)`);
    }
    const iri = mapper.expandTerm(key);
    attrs[iri] = [...(instancesOf(attrs, iri) ?? []), ...parsed];
  }
  return attrs;
}

/**
 * One attribute's instances. An array whose items all look like attribute instances is a list of
 * instances; any other value is one instance (so a concise Property with an array value stays one).
 */
export function parseInstances(name: string, raw: unknown, mapper: TermMapper): Attribute[] {
  if (Array.isArray(raw)) {
    if (raw.length === 0) throw badRequest(`attribute ${name} has no instances`);
    if (raw.every(isInstanceObject)) return raw.map((r) => parseAttribute(name, r, mapper, 0));
  }
  return [parseAttribute(name, raw, mapper, 0)];
}

/**
 * The body of PATCH /temporal/entities/{id}/attrs/{attr}/{instanceId}: the instance itself, or an
 * object naming the attribute (`{"speed": {…}}` or `{"speed": [{…}]}`) as the ETSI test suite sends.
 */
export function parseInstanceFragment(name: string, body: unknown, mapper: TermMapper): Attribute {
  const obj = requireObject(body, 'attribute instance');
  const { '@context': _ctx, ...rest } = obj;
  let raw: unknown = rest;
  if (Object.keys(rest).length === 1 && name in rest) {
    const inner = rest[name];
    raw = Array.isArray(inner) && inner.length === 1 ? inner[0] : inner;
  }
  const instances = parseInstances(name, raw, mapper);
  if (instances.length !== 1) throw badRequest('modify one attribute instance at a time');
  return instances[0]!;
}

function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

const INSTANCE_MEMBERS = ['value', 'object', 'languageMap', 'valueList', 'objectList', 'vocab', 'json'];
const INSTANCE_TYPES: ReadonlySet<string> = new Set(ATTRIBUTE_TYPES);

/** An object that is, in normalized or concise form, an attribute instance (not a plain JSON value). */
function isInstanceObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return INSTANCE_TYPES.has(o.type as string) || INSTANCE_MEMBERS.some((m) => m in o);
}
