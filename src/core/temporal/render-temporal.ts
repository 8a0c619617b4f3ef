/**
 * Output side of the temporal model: an entity's history in the temporal representations of
 * NGSI-LD — normalized (clause 4.5.7: every instance in full, with its instanceId), simplified
 * `temporalValues` (clause 4.5.9: `[value, time]` pairs under a member named for the attribute type)
 * and aggregated (clause 4.5.19: `[value, start, end]` triples per aggregation function) — compacted
 * with the caller's @context and projected by attrs / pick / omit like the current-state renderers.
 */
import { included, pickLanguage, renderAttribute, renderHead } from '../entity/render-entity.js';
import type { TermMapper } from '../jsonld/terms.js';
import type { AttributeType } from '../model/entity.js';
import type { AggrMethod, AggregatedEntity, StoredInstance, TemporalEntity, TimeProperty } from './model.js';

/** The temporal representation asked for (options=temporalValues, or the default). */
export type TemporalFormat = 'normalized' | 'temporalValues';

/** What the caller asked for. Names in `attrs`/`pick`/`omit` are expanded IRIs (or id / type). */
export interface TemporalRenderOptions {
  format: TemporalFormat;
  /** Which timestamp pairs `temporalValues` and is always shown on normalized instances. */
  timeproperty: TimeProperty;
  sysAttrs?: boolean;
  attrs?: ReadonlySet<string>;
  pick?: ReadonlySet<string>;
  omit?: ReadonlySet<string>;
  lang?: string;
}

/** The member of a simplified temporal attribute that holds its pairs, per attribute type (4.5.9). */
export const TEMPORAL_VALUES_MEMBER: Record<AttributeType, string> = {
  Property: 'values',
  GeoProperty: 'values',
  Relationship: 'objects',
  LanguageProperty: 'languageMaps',
  ListProperty: 'valueLists',
  ListRelationship: 'objectLists',
  VocabProperty: 'vocabs',
  JsonProperty: 'jsons',
};

/** Render one entity's history (without @context: the caller adds it for JSON-LD). */
export function renderTemporalEntity(
  entity: TemporalEntity,
  mapper: TermMapper,
  options: TemporalRenderOptions,
): Record<string, unknown> {
  const out = renderHead(entity, mapper, options);
  if (options.sysAttrs) {
    if (entity.createdAt !== undefined) out.createdAt = entity.createdAt;
    if (entity.modifiedAt !== undefined) out.modifiedAt = entity.modifiedAt;
  }
  for (const [iri, instances] of Object.entries(entity.attrs)) {
    if (!attributeWanted(iri, options)) continue;
    if (instances.length === 0) continue;
    out[mapper.compactIri(iri)] =
      options.format === 'temporalValues'
        ? oneOrMany(simplified(instances, mapper, options))
        : instances.map((i) => normalizedInstance(i, mapper, options));
  }
  return out;
}

/** What the aggregated representation needs: the functions asked for, and the projection. */
export interface AggregatedRenderOptions {
  methods: readonly AggrMethod[];
  attrs?: ReadonlySet<string>;
  pick?: ReadonlySet<string>;
  omit?: ReadonlySet<string>;
}

/**
 * Render an aggregated entity (4.5.19): per attribute and datasetId, one object with the attribute
 * type and, for each requested function, `[[value, start, end], …]` over the non-empty periods.
 */
export function renderAggregatedEntity(
  entity: AggregatedEntity,
  mapper: TermMapper,
  options: AggregatedRenderOptions,
): Record<string, unknown> {
  const out = renderHead(entity, mapper, options);
  for (const [iri, series] of Object.entries(entity.attrs)) {
    if (!attributeWanted(iri, options)) continue;
    if (series.length === 0) continue;
    const rendered = series.map((s) => {
      const attr: Record<string, unknown> = { type: s.type };
      if (s.datasetId !== undefined) attr.datasetId = s.datasetId;
      for (const m of options.methods) {
        attr[m] = s.buckets.map((b) => [b.values[m] ?? null, b.start, b.end]);
      }
      return attr;
    });
    out[mapper.compactIri(iri)] = oneOrMany(rendered);
  }
  return out;
}

type Projection = Pick<TemporalRenderOptions, 'attrs' | 'pick' | 'omit'>;

function attributeWanted(iri: string, options: Projection): boolean {
  if (options.attrs !== undefined && !options.attrs.has(iri)) return false;
  return included(iri, options);
}

function oneOrMany<T>(items: T[]): T | T[] {
  return items.length === 1 ? items[0]! : items;
}

/** A normalized instance: the attribute as it was, its instanceId, and the time property asked for. */
function normalizedInstance(
  instance: StoredInstance,
  mapper: TermMapper,
  options: TemporalRenderOptions,
): Record<string, unknown> {
  const rendered = renderAttribute(instance, mapper, {
    format: 'normalized',
    sysAttrs: options.sysAttrs ?? false,
    ...(options.lang !== undefined ? { lang: options.lang } : {}),
  }) as Record<string, unknown>;
  rendered.instanceId = instance.instanceId;
  // The timestamp the query ran on is part of the answer even without sysAttrs.
  if (options.timeproperty !== 'observedAt') rendered[options.timeproperty] = instance[options.timeproperty];
  return rendered;
}

/**
 * The simplified representation of one attribute: one object per (datasetId, attribute type) series,
 * in order of first appearance, each holding its `[value, time]` pairs.
 */
function simplified(
  instances: StoredInstance[],
  mapper: TermMapper,
  options: TemporalRenderOptions,
): Array<Record<string, unknown>> {
  const series = new Map<string, Record<string, unknown> & { pairs: unknown[] }>();
  for (const instance of instances) {
    const langValue = instance.type === 'LanguageProperty' && options.lang !== undefined;
    const type: AttributeType = langValue ? 'Property' : instance.type;
    const key = `${instance.datasetId ?? ''}\u0000${type}`;
    let s = series.get(key);
    if (s === undefined) {
      s = { type, pairs: [] };
      if (instance.datasetId !== undefined) s.datasetId = instance.datasetId;
      series.set(key, s);
    }
    s.pairs.push([pairValue(instance, mapper, options.lang), timeOf(instance, options.timeproperty)]);
  }
  return [...series.values()].map(({ pairs, ...head }) => ({
    ...head,
    [TEMPORAL_VALUES_MEMBER[head.type as AttributeType]]: pairs,
  }));
}

/** The first element of a simplified pair, per attribute type (clause 4.5.9). */
function pairValue(instance: StoredInstance, mapper: TermMapper, lang: string | undefined): unknown {
  switch (instance.type) {
    case 'LanguageProperty':
      if (lang !== undefined) {
        return pickLanguage(instance.value as Record<string, string | string[]>, lang)[1];
      }
      return { languageMap: instance.value };
    case 'VocabProperty':
      return {
        vocab: Array.isArray(instance.value)
          ? instance.value.map((v) => mapper.compactIri(String(v)))
          : mapper.compactIri(String(instance.value)),
      };
    case 'JsonProperty':
      return { json: instance.value };
    default:
      return instance.value;
  }
}

function timeOf(instance: StoredInstance, property: TimeProperty): string {
  // An instance without observedAt can only be here when no time filter applied: its
  // modifiedAt is then the best statement of when it held.
  return instance[property] ?? instance.modifiedAt;
}
