/**
 * Output side of the entity model: renders an internal (expanded) entity in one of the NGSI-LD
 * representations (clause 4.5: normalized, concise, keyValues/simplified), compacted with the
 * caller's @context, projected by attrs/pick/omit, with sysAttrs and language selection (4.15).
 */
import type { TermMapper } from '../jsonld/terms.js';
import type { Attribute, Entity } from '../model/entity.js';

export type Format = 'normalized' | 'concise' | 'keyValues';

/** What the caller asked for. Attribute names in `attrs`/`pick`/`omit` are expanded IRIs. */
export interface RenderOptions {
  format: Format;
  sysAttrs?: boolean;
  /** Only these attributes (the `attrs` parameter). */
  attrs?: ReadonlySet<string>;
  /** Only these members: attribute IRIs and the members `id`, `type` (the `pick` parameter). */
  pick?: ReadonlySet<string>;
  /** Leave out these members (the `omit` parameter). */
  omit?: ReadonlySet<string>;
  /** Preferred language for LanguageProperties (`lang` parameter: tag, list, `*`). */
  lang?: string;
}

/** Render one entity as a JSON object (without @context; the caller adds it when JSON-LD is asked for). */
export function renderEntity(
  entity: Entity,
  mapper: TermMapper,
  options: RenderOptions,
): Record<string, unknown> {
  const out = renderHead(entity, mapper, options);
  if (entity.scope !== undefined && included('scope', options)) {
    out.scope = entity.scope.length === 1 ? entity.scope[0] : entity.scope;
  }
  if (options.sysAttrs && options.format !== 'keyValues') {
    if (entity.createdAt) out.createdAt = entity.createdAt;
    if (entity.modifiedAt) out.modifiedAt = entity.modifiedAt;
  }
  for (const [iri, instances] of Object.entries(entity.attrs)) {
    if (options.attrs !== undefined && !options.attrs.has(iri)) continue;
    if (!included(iri, options)) continue;
    const rendered = instances.map((a) => renderAttribute(a, mapper, options));
    out[mapper.compactIri(iri)] = rendered.length === 1 ? rendered[0] : rendered;
  }
  return out;
}

/** Projection members shared by every representation: which members `pick` and `omit` keep. */
export type Projection = Pick<RenderOptions, 'pick' | 'omit'>;

/** The `id` and `type` members of an entity's representation (compact types), as pick/omit allow. */
export function renderHead(
  entity: { id: string; type: string[] },
  mapper: TermMapper,
  options: Projection,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (included('id', options)) out.id = entity.id;
  if (included('type', options)) {
    const types = entity.type.map((t) => mapper.compactIri(t));
    out.type = types.length === 1 ? types[0] : types;
  }
  return out;
}

/** True when pick/omit keep `member`. */
export function included(member: string, options: Projection): boolean {
  if (options.pick !== undefined && !options.pick.has(member)) return false;
  return !(options.omit !== undefined && options.omit.has(member));
}

/** Render one attribute instance (recursively for its sub-attributes). */
export function renderAttribute(attr: Attribute, mapper: TermMapper, options: RenderOptions): unknown {
  if (options.format === 'keyValues') return keyValue(attr, mapper, options.lang);
  const out: Record<string, unknown> = {};
  const concise = options.format === 'concise';
  const langValue = attr.type === 'LanguageProperty' && options.lang !== undefined;
  if (!concise || langValue) out.type = langValue ? 'Property' : attr.type;
  Object.assign(out, mainMember(attr, mapper, options.lang));
  if (attr.type === 'Relationship' && attr.objectType !== undefined) {
    out.objectType = compactTypes(attr.objectType, mapper);
  }
  if (attr.datasetId !== undefined) out.datasetId = attr.datasetId;
  if (attr.observedAt !== undefined) out.observedAt = attr.observedAt;
  if (attr.unitCode !== undefined) out.unitCode = attr.unitCode;
  if (options.sysAttrs) {
    if (attr.createdAt !== undefined) out.createdAt = attr.createdAt;
    if (attr.modifiedAt !== undefined) out.modifiedAt = attr.modifiedAt;
  }
  if (attr.sub !== undefined) {
    for (const [iri, sub] of Object.entries(attr.sub))
      out[mapper.compactIri(iri)] = renderAttribute(sub, mapper, options);
  }
  // Concise: a Property (or GeoProperty) with nothing but its value is just the value.
  if (concise && (attr.type === 'Property' || attr.type === 'GeoProperty') && Object.keys(out).length === 1) {
    const v = out.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v) || attr.type === 'GeoProperty') return v;
  }
  return out;
}

function mainMember(attr: Attribute, mapper: TermMapper, lang: string | undefined): Record<string, unknown> {
  switch (attr.type) {
    case 'Property':
    case 'GeoProperty':
      return { value: attr.value };
    case 'Relationship':
      return { object: attr.value };
    case 'LanguageProperty': {
      if (lang === undefined) return { languageMap: attr.value };
      const [tag, text] = pickLanguage(attr.value as Record<string, string | string[]>, lang);
      return { value: text, lang: tag };
    }
    case 'ListProperty':
      return { valueList: attr.value };
    case 'ListRelationship':
      return { objectList: (attr.value as string[]).map((object) => ({ object })) };
    case 'VocabProperty':
      return { vocab: compactVocab(attr.value, mapper) };
    case 'JsonProperty':
      return { json: attr.value };
  }
}

function keyValue(attr: Attribute, mapper: TermMapper, lang: string | undefined): unknown {
  switch (attr.type) {
    case 'LanguageProperty':
      if (lang === undefined) return { languageMap: attr.value };
      return pickLanguage(attr.value as Record<string, string | string[]>, lang)[1];
    case 'VocabProperty':
      return compactVocab(attr.value, mapper);
    default:
      return attr.value;
  }
}

/**
 * Chooses the language for `lang` (clause 4.15): the first tag of the list present in the map,
 * `*` or no match → the `@none` entry, else the first entry.
 */
export function pickLanguage(
  map: Record<string, string | string[]>,
  lang: string,
): [string, string | string[]] {
  const wanted = lang
    .split(',')
    .map((t) => t.split(';')[0]!.trim())
    .filter((t) => t !== '');
  for (const tag of wanted) {
    if (tag !== '*' && map[tag] !== undefined) return [tag, map[tag]!];
  }
  if (map['@none'] !== undefined) return ['@none', map['@none']];
  const first = Object.entries(map)[0];
  return first === undefined ? ['@none', ''] : first;
}

function compactVocab(value: unknown, mapper: TermMapper): unknown {
  return Array.isArray(value)
    ? value.map((v) => mapper.compactIri(String(v)))
    : mapper.compactIri(String(value));
}

function compactTypes(value: string | string[], mapper: TermMapper): string | string[] {
  if (!Array.isArray(value)) return mapper.compactIri(value);
  return value.length === 1 ? mapper.compactIri(value[0]!) : value.map((v) => mapper.compactIri(v));
}
