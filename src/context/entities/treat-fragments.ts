/**
 * The privacy gate for the two operations that merge raw members into stored instances (merge entity,
 * partial attribute update). They re-read the raw request members, so treating the parsed fragment is
 * not enough: the treated values are copied onto the instances the merge produced. A stored value is
 * never treated twice (a pseudonym of a pseudonym) because only members the request carried are
 * replaced.
 */
import { badRequest } from '../../core/errors.js';
import { NGSI_NULL } from '../../core/entity/operations.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { instancesOf, type Attribute, type Entity } from '../../core/model/entity.js';
import type { IngestTreatment } from '../ingest-gate.js';

/** Merge `fragment` (and its raw members) into `current` through the gate. */
export function treatMerged(
  gate: IngestTreatment,
  current: Entity,
  fragment: Entity,
  raw: Record<string, unknown>,
  mapper: TermMapper,
  merge: (fragment: Entity, raw: Record<string, unknown>) => Entity,
): Entity {
  const types = [...new Set([...current.type, ...fragment.type])];
  if (!gate.governed(types)) return merge(fragment, raw);
  // Deletions (urn:ngsi-ld:null) are not data: they pass untreated.
  const deletions: Entity['attrs'] = {};
  const data: Entity['attrs'] = {};
  for (const [iri, list] of Object.entries(fragment.attrs)) {
    const nulls = list.filter((a) => a.value === NGSI_NULL);
    const values = list.filter((a) => a.value !== NGSI_NULL);
    if (nulls.length > 0) deletions[iri] = nulls;
    if (values.length > 0) data[iri] = values;
  }
  const treated = gate.attrs(types, data);
  const attrs: Entity['attrs'] = { ...treated };
  for (const [iri, nulls] of Object.entries(deletions)) attrs[iri] = [...(attrs[iri] ?? []), ...nulls];
  const keptRaw = Object.fromEntries(
    Object.entries(raw).filter(([name]) => Object.hasOwn(attrs, mapper.expandTerm(name))),
  );
  const result = merge({ ...fragment, attrs }, keptRaw);
  for (const [iri, list] of Object.entries(treated)) {
    const given = data[iri] ?? [];
    list.forEach((inst, i) => copyTreated(result, iri, given[i], inst));
  }
  return result;
}

/** The result of a partial attribute update of `iri`, through the gate. */
export function treatPartial(
  gate: IngestTreatment,
  current: Entity,
  iri: string,
  fragment: Record<string, unknown>,
  result: Entity,
): Entity {
  if (!gate.governed(current.type)) return result;
  const datasetId = typeof fragment.datasetId === 'string' ? fragment.datasetId : undefined;
  const inst = instancesOf(result.attrs, iri)?.find((a) => a.datasetId === datasetId);
  if (inst === undefined) return result;
  const treated = gate.attrs(current.type, { [iri]: [inst] })[iri]?.[0];
  if (treated === undefined) throw badRequest(`attribute ${iri} is not declared for this entity type`);
  const carriesValue = ['value', 'object', 'languageMap', 'valueList', 'objectList', 'vocab', 'json'].some(
    (m) => m in fragment,
  );
  if (carriesValue) inst.value = treated.value;
  if (fragment.observedAt !== undefined && treated.observedAt !== undefined)
    inst.observedAt = treated.observedAt;
  return result;
}

/** Copy what the gate changed in an incoming instance onto the merged instance of the same datasetId. */
function copyTreated(result: Entity, iri: string, given: Attribute | undefined, treated: Attribute): void {
  const target = instancesOf(result.attrs, iri)?.find((a) => a.datasetId === treated.datasetId);
  if (target === undefined || given === undefined) return;
  if (JSON.stringify(given.value) !== JSON.stringify(treated.value)) target.value = treated.value;
  if (given.observedAt !== treated.observedAt && treated.observedAt !== undefined)
    target.observedAt = treated.observedAt;
}
