/**
 * The NGSI-LD update operations as pure functions over the internal entity: append, update,
 * partial update, replace and delete of attributes, and merge / replace of entities (clause 5.6).
 * Each returns a new entity (the input is never changed) with system timestamps set.
 */
import { notFound } from '../errors.js';
import type { TermMapper } from '../jsonld/terms.js';
import { ATTRIBUTE_MEMBERS, type Attribute, type Entity } from '../model/entity.js';
import { parseAttribute } from './parse-entity.js';
import { requireDateTime, requireUri } from './validate.js';

/** `urn:ngsi-ld:null` in a merge deletes what it stands for (clause 4.5.20). */
export const NGSI_NULL = 'urn:ngsi-ld:null';

/** Attributes an operation could not change, reported in 207 UpdateResult. */
export interface NotUpdated {
  attributeName: string;
  reason: string;
}

/** The outcome of an attribute-level operation. */
export interface UpdateOutcome {
  entity: Entity;
  updated: string[];
  notUpdated: NotUpdated[];
}

/** Copy an entity deeply enough that instances can be replaced without touching the input. */
function cloneShallow(e: Entity): Entity {
  const attrs: Record<string, Attribute[]> = {};
  for (const [k, v] of Object.entries(e.attrs)) attrs[k] = [...v];
  return { ...e, attrs };
}

/**
 * Set createdAt/modifiedAt on an instance (and its sub-attributes), keeping createdAt of what it replaces.
 * Copies member by member: on the write hot path this is ten times faster than an object spread.
 */
export function stamp(attr: Attribute, now: string, previous?: Attribute): Attribute {
  const out: Attribute = { type: attr.type, value: attr.value };
  if (attr.objectType !== undefined) out.objectType = attr.objectType;
  if (attr.datasetId !== undefined) out.datasetId = attr.datasetId;
  if (attr.observedAt !== undefined) out.observedAt = attr.observedAt;
  if (attr.unitCode !== undefined) out.unitCode = attr.unitCode;
  out.createdAt = previous?.createdAt ?? attr.createdAt ?? now;
  out.modifiedAt = now;
  if (attr.sub !== undefined) {
    const sub: Record<string, Attribute> = {};
    for (const k in attr.sub) sub[k] = stamp(attr.sub[k]!, now, previous?.sub?.[k]);
    out.sub = sub;
  }
  return out;
}

/** Stamp a new entity's timestamps (create). */
export function stampNew(entity: Entity, now: string): Entity {
  const attrs: Record<string, Attribute[]> = {};
  for (const k in entity.attrs) attrs[k] = entity.attrs[k]!.map((a) => stamp(a, now));
  return { ...entity, attrs, createdAt: now, modifiedAt: now };
}

function indexOfDataset(list: Attribute[] | undefined, datasetId: string | undefined): number {
  return list === undefined ? -1 : list.findIndex((a) => a.datasetId === datasetId);
}

/** Append (POST /entities/{id}/attrs): add attributes, overwriting same-datasetId instances unless noOverwrite. */
export function appendAttributes(
  current: Entity,
  fragment: Record<string, Attribute[]>,
  now: string,
  noOverwrite: boolean,
  scope?: string[],
): UpdateOutcome {
  const entity = cloneShallow(current);
  const updated: string[] = [];
  const notUpdated: NotUpdated[] = [];
  if (scope !== undefined) {
    if (noOverwrite && entity.scope !== undefined) {
      notUpdated.push({ attributeName: 'scope', reason: 'scope exists and noOverwrite was requested' });
    } else {
      entity.scope = scope;
      updated.push('scope');
    }
  }
  for (const [iri, instances] of Object.entries(fragment)) {
    const list = (entity.attrs[iri] ??= []);
    let changed = false;
    for (const inst of instances) {
      const at = indexOfDataset(list, inst.datasetId);
      if (at >= 0 && noOverwrite) {
        notUpdated.push({ attributeName: iri, reason: 'attribute exists and noOverwrite was requested' });
        continue;
      }
      if (at >= 0) list[at] = stamp(inst, now, list[at]);
      else list.push(stamp(inst, now));
      changed = true;
    }
    if (changed) updated.push(iri);
  }
  entity.modifiedAt = now;
  return { entity, updated, notUpdated };
}

/** Update (PATCH /entities/{id}/attrs): replace existing instances only. */
export function updateAttributes(
  current: Entity,
  fragment: Record<string, Attribute[]>,
  now: string,
  scope?: string[],
): UpdateOutcome {
  const entity = cloneShallow(current);
  const updated: string[] = [];
  const notUpdated: NotUpdated[] = [];
  if (scope !== undefined) {
    entity.scope = scope;
    updated.push('scope');
  }
  for (const [iri, instances] of Object.entries(fragment)) {
    const list = entity.attrs[iri];
    let changed = false;
    for (const inst of instances) {
      const at = indexOfDataset(list, inst.datasetId);
      if (list === undefined || at < 0) {
        notUpdated.push({ attributeName: iri, reason: 'attribute (with that datasetId) does not exist' });
        continue;
      }
      list[at] = stamp(inst, now, list[at]);
      changed = true;
    }
    if (changed) updated.push(iri);
  }
  if (updated.length > 0) entity.modifiedAt = now;
  return { entity, updated, notUpdated };
}

/**
 * Partial attribute update (PATCH /entities/{id}/attrs/{attrId}): the members given replace those of
 * the existing instance (selected by the fragment's datasetId); sub-attributes given are set.
 */
export function partialUpdateAttribute(
  current: Entity,
  iri: string,
  fragment: Record<string, unknown>,
  mapper: TermMapper,
  now: string,
): Entity {
  const datasetId =
    fragment.datasetId === undefined ? undefined : requireUri(fragment.datasetId, 'datasetId');
  return replaceInstance(current, iri, datasetId, now, (old) => mergeInstance(old, fragment, iri, mapper));
}

/** Replace the instance of `iri` with this datasetId by `make(old)`, stamped; 404 when there is none. */
function replaceInstance(
  current: Entity,
  iri: string,
  datasetId: string | undefined,
  now: string,
  make: (old: Attribute) => Attribute,
): Entity {
  const list = current.attrs[iri];
  const at = indexOfDataset(list, datasetId);
  if (list === undefined || at < 0)
    throw notFound(`attribute ${iri} (datasetId ${datasetId ?? 'default'}) not found`);
  const entity = cloneShallow(current);
  entity.attrs[iri]![at] = stamp(make(list[at]!), now, list[at]);
  entity.modifiedAt = now;
  return entity;
}

/** Merge the members of a raw attribute fragment into an existing instance (type-aware). */
export function mergeInstance(
  existing: Attribute,
  fragment: Record<string, unknown>,
  name: string,
  mapper: TermMapper,
): Attribute {
  // Parse the fragment as a full attribute of the existing type, so values are validated the same way.
  const typed = fragment.type === undefined ? { ...fragment, type: existing.type } : fragment;
  const hasMain = ['value', 'object', 'languageMap', 'valueList', 'objectList', 'vocab', 'json'].some(
    (m) => m in fragment,
  );
  const parsed = parseAttribute(name, hasMain ? typed : { ...typed, ...mainOf(existing) }, mapper, 0);
  const out: Attribute = { ...existing, ...parsed, sub: { ...existing.sub, ...parsed.sub } };
  for (const [k, v] of Object.entries(fragment)) {
    if (!ATTRIBUTE_MEMBERS.has(k) && v === NGSI_NULL) delete out.sub![mapper.expandTerm(k)];
  }
  if (fragment.observedAt !== undefined) out.observedAt = requireDateTime(fragment.observedAt, 'observedAt');
  if (out.sub !== undefined && Object.keys(out.sub).length === 0) delete out.sub;
  return out;
}

/** The main member of an instance in normalized input form (to re-parse a fragment without one). */
function mainOf(a: Attribute): Record<string, unknown> {
  switch (a.type) {
    case 'Relationship':
      return { object: a.value };
    case 'LanguageProperty':
      return { languageMap: a.value };
    case 'ListProperty':
      return { valueList: a.value };
    case 'ListRelationship':
      return { objectList: a.value };
    case 'VocabProperty':
      return { vocab: a.value };
    case 'JsonProperty':
      return { json: a.value };
    default:
      return { value: a.value };
  }
}

/** Delete the entity's scope (DELETE /entities/{id}/attrs/scope; clause 4.18). */
export function deleteScope(current: Entity, now: string): Entity {
  if (current.scope === undefined) throw notFound(`entity ${current.id} has no scope`);
  const { scope: _scope, ...rest } = current;
  return { ...rest, modifiedAt: now };
}

/** Replace attribute (PUT /entities/{id}/attrs/{attrId}): the instance with the same datasetId, whole. */
export function replaceAttribute(current: Entity, iri: string, attr: Attribute, now: string): Entity {
  return replaceInstance(current, iri, attr.datasetId, now, () => attr);
}

/** Delete attribute (DELETE /entities/{id}/attrs/{attrId}): one instance, or all with deleteAll. */
export function deleteAttribute(
  current: Entity,
  iri: string,
  datasetId: string | undefined,
  deleteAll: boolean,
  now: string,
): Entity {
  const list = current.attrs[iri];
  if (list === undefined) throw notFound(`attribute ${iri} not found`);
  const entity = cloneShallow(current);
  if (deleteAll) {
    delete entity.attrs[iri];
  } else {
    const at = indexOfDataset(list, datasetId);
    if (at < 0) throw notFound(`attribute ${iri} has no instance with datasetId ${datasetId ?? 'default'}`);
    const rest = list.filter((_, i) => i !== at);
    if (rest.length === 0) delete entity.attrs[iri];
    else entity.attrs[iri] = rest;
  }
  entity.modifiedAt = now;
  return entity;
}

/**
 * Merge entity (PATCH /entities/{id}, batch merge; clause 5.6.17): attributes given are merged member by
 * member into existing instances or added; `urn:ngsi-ld:null` deletes; types given are added.
 */
export function mergeEntity(
  current: Entity,
  fragment: Entity,
  rawAttrs: Record<string, unknown>,
  mapper: TermMapper,
  now: string,
): Entity {
  const entity = cloneShallow(current);
  for (const t of fragment.type) if (!entity.type.includes(t)) entity.type = [...entity.type, t];
  if (fragment.scope !== undefined) entity.scope = fragment.scope;
  for (const [name, raw] of Object.entries(rawAttrs)) {
    const iri = mapper.expandTerm(name);
    const incoming = fragment.attrs[iri];
    if (incoming === undefined) continue;
    const list = entity.attrs[iri];
    for (const inst of incoming) {
      const at = indexOfDataset(list, inst.datasetId);
      if (inst.value === NGSI_NULL) {
        if (list !== undefined && at >= 0) list.splice(at, 1);
        continue;
      }
      if (list === undefined || at < 0) {
        (entity.attrs[iri] ??= []).push(stamp(inst, now));
        continue;
      }
      const rawInst = Array.isArray(raw) ? raw.find((r) => datasetOf(r) === inst.datasetId) : raw;
      // A concise scalar stands for {value}: merging it keeps the instance's sub-attributes.
      const members =
        rawInst !== null && typeof rawInst === 'object' && !Array.isArray(rawInst)
          ? (rawInst as Record<string, unknown>)
          : { value: rawInst };
      const merged = mergeInstance(list[at]!, members, name, mapper);
      list[at] = stamp(merged, now, list[at]);
    }
    if (entity.attrs[iri]?.length === 0) delete entity.attrs[iri];
  }
  entity.modifiedAt = now;
  return entity;
}

function datasetOf(raw: unknown): string | undefined {
  return raw !== null && typeof raw === 'object' && 'datasetId' in raw
    ? String((raw as { datasetId: unknown }).datasetId)
    : undefined;
}

/** Replace entity (PUT /entities/{id}): all attributes replaced, createdAt kept. */
export function replaceEntity(current: Entity, replacement: Entity, now: string): Entity {
  const fresh = stampNew({ ...replacement, id: current.id }, now);
  return { ...fresh, createdAt: current.createdAt ?? now };
}
