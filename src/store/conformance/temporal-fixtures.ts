/** Shared helpers of the temporal conformance files: instants, selections, mutations, readers. */
import { stampNew, updateAttributes } from '../../core/entity/operations.js';
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { TypeExpr } from '../../core/query/ast.js';
import type { InstanceSelect, StoredInstance, TemporalEntity } from '../../core/temporal/model.js';
import type { Mutation, Store, TemporalEntityQuery } from '../port.js';
import { entity, iri, prop, put } from './fixtures.js';

/** An instant on 2026-01-01 plus `min` minutes, as the store writes instants back. */
export const at = (min: number): string => new Date(Date.UTC(2026, 0, 1, 0, min)).toISOString();
export const ms = (iso: string): number => Date.parse(iso);
export const T = (name: string): TypeExpr => ({ kind: 'type', name: iri(name) });
export const HOUR = 3_600_000;

/** An instance selection with defaults (observedAt, 1,000 instances per attribute). */
export const sel = (s: Partial<InstanceSelect> = {}): InstanceSelect => ({
  timeproperty: 'observedAt',
  limit: 1000,
  ...s,
});
/** An entity selection with defaults (100 entities, no count). */
export const tq = (q: Partial<TemporalEntityQuery> = {}): TemporalEntityQuery => ({
  limit: 100,
  offset: 0,
  count: false,
  ...q,
});

/** Create, stamped at `now`. */
export const create = (e: Entity, now: string): Mutation => put(stampNew(e, now));
/** Update existing attributes (PATCH /attrs), stamped at `now`. */
export const update = (id: string, attrs: Record<string, Attribute[]>, now: string): Mutation => ({
  id,
  decide: (cur) =>
    cur
      ? { action: 'put', entity: updateAttributes(cur, entity(id, 'X', attrs).attrs, now).entity }
      : { action: 'skip' },
});
/** The observed value of an attribute at minute `min`. */
export const obs = (value: unknown, min: number, extra: Partial<Attribute> = {}): Attribute[] =>
  prop(value, { observedAt: at(min), ...extra });

export async function ok(store: Store, tenant: string, mutations: Mutation[]): Promise<void> {
  const r = await store.mutate(tenant, mutations);
  const failed = r.find((x) => !x.ok);
  if (failed) throw new Error(`mutation failed for ${failed.id}`);
}

/** One entity's history (fails when it has none). */
export async function history(
  store: Store,
  id: string,
  s: Partial<InstanceSelect> = {},
  tenant = '',
): Promise<TemporalEntity> {
  const e = await store.temporal.get(tenant, id, sel(s));
  if (!e) throw new Error(`no history for ${id}`);
  return e;
}
export const values = (list: StoredInstance[] | undefined): unknown[] => (list ?? []).map((i) => i.value);
export const times = (list: StoredInstance[] | undefined): Array<string | undefined> =>
  (list ?? []).map((i) => i.observedAt);
