/**
 * The context broker's entity use cases (NGSI-LD clause 5.6 and 5.7): create, retrieve, query,
 * update, merge, replace, delete, and the batch operations. Inputs arrive parsed and expanded;
 * outputs are internal entities that the caller renders. Knows nothing of HTTP.
 */
import { NgsiError, alreadyExists, isNgsiError, notFound } from '../../core/errors.js';
import {
  appendAttributes,
  deleteAttribute,
  deleteScope,
  mergeEntity,
  partialUpdateAttribute,
  replaceAttribute,
  replaceEntity,
  stampNew,
  updateAttributes,
  type NotUpdated,
  type UpdateOutcome,
} from '../../core/entity/operations.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { EntityQuery } from '../../core/query/ast.js';
import type { MutationResult, Store } from '../../store/port.js';
import { deleteMutation, existingMutation, putMutation } from './mutations.js';

/** The outcome of a batch: ids that succeeded and per-entity errors (207 when both). */
export interface BatchResult {
  success: string[];
  errors: Array<{ entityId: string; error: NgsiError }>;
}

/** The outcome of an attribute update that may be partial (207 UpdateResult). */
export interface AttrUpdateResult {
  updated: string[];
  notUpdated: NotUpdated[];
}

/** Upsert flavours of clause 5.6.8: replace the entity, or update (append to) it. */
export type UpsertMode = 'replace' | 'update';

/** Dependencies: the store and a clock (injected so tests can fix time). */
export interface EntityServiceDeps {
  store: Store;
  now?: () => string;
}

export class EntityService {
  private readonly store: Store;
  private readonly now: () => string;

  constructor(deps: EntityServiceDeps) {
    this.store = deps.store;
    this.now = deps.now ?? isoClock();
  }

  /** Reads require the tenant to exist (clause 6.3.14: NonexistentTenant). */
  async requireTenant(tenant: string): Promise<void> {
    if (!(await this.store.tenantExists(tenant))) {
      throw new NgsiError('NonexistentTenant', `tenant ${JSON.stringify(tenant)} does not exist`);
    }
  }

  async create(tenant: string, entity: Entity): Promise<void> {
    const now = this.now();
    const [result] = await this.store.mutate(tenant, [
      putMutation(entity.id, (current) => {
        if (current !== undefined) throw alreadyExists(`entity ${entity.id} already exists`);
        return stampNew(entity, now);
      }),
    ]);
    throwIfFailed(result);
  }

  async retrieve(tenant: string, id: string): Promise<Entity> {
    await this.requireTenant(tenant);
    const entity = await this.store.getEntity(tenant, id);
    if (entity === undefined) throw notFound(`entity ${id} not found`);
    return entity;
  }

  async query(tenant: string, query: EntityQuery): Promise<{ entities: Entity[]; count?: number }> {
    await this.requireTenant(tenant);
    return this.store.queryEntities(tenant, query);
  }

  async delete(tenant: string, id: string): Promise<void> {
    await this.requireTenant(tenant);
    const [result] = await this.store.mutate(tenant, [deleteMutation(id)]);
    throwIfFailed(result);
  }

  async replace(tenant: string, id: string, replacement: Entity): Promise<void> {
    await this.change(tenant, id, (current, now) => replaceEntity(current, replacement, now));
  }

  async merge(
    tenant: string,
    id: string,
    fragment: Entity,
    raw: Record<string, unknown>,
    mapper: TermMapper,
  ) {
    await this.change(tenant, id, (current, now) => mergeEntity(current, fragment, raw, mapper, now));
  }

  async appendAttrs(
    tenant: string,
    id: string,
    attrs: Record<string, Attribute[]>,
    noOverwrite: boolean,
    scope?: string[],
  ): Promise<AttrUpdateResult> {
    return this.changeReporting(tenant, id, (current, now) =>
      appendAttributes(current, attrs, now, noOverwrite, scope),
    );
  }

  async updateAttrs(
    tenant: string,
    id: string,
    attrs: Record<string, Attribute[]>,
    scope?: string[],
  ): Promise<AttrUpdateResult> {
    return this.changeReporting(tenant, id, (current, now) => updateAttributes(current, attrs, now, scope));
  }

  async partialUpdateAttr(
    tenant: string,
    id: string,
    iri: string,
    fragment: Record<string, unknown>,
    mapper: TermMapper,
  ) {
    await this.change(tenant, id, (current, now) =>
      partialUpdateAttribute(current, iri, fragment, mapper, now),
    );
  }

  async replaceAttr(tenant: string, id: string, iri: string, attr: Attribute): Promise<void> {
    await this.change(tenant, id, (current, now) => replaceAttribute(current, iri, attr, now));
  }

  async deleteAttr(
    tenant: string,
    id: string,
    iri: string,
    datasetId: string | undefined,
    deleteAll: boolean,
  ) {
    await this.change(tenant, id, (current, now) => deleteAttribute(current, iri, datasetId, deleteAll, now));
  }

  async deleteScope(tenant: string, id: string): Promise<void> {
    await this.change(tenant, id, (current, now) => deleteScope(current, now));
  }

  /** Batch create (5.6.7): each entity that exists already fails alone. */
  async batchCreate(tenant: string, entities: Entity[]): Promise<BatchResult> {
    if (entities.length === 0) return { success: [], errors: [] };
    const now = this.now();
    return batchResult(
      await this.store.mutate(
        tenant,
        entities.map((e) =>
          putMutation(e.id, (current) => {
            if (current !== undefined) throw alreadyExists(`entity ${e.id} already exists`);
            return stampNew(e, now);
          }),
        ),
      ),
    );
  }

  /** Batch upsert (5.6.8): create what is missing; replace or update what exists. */
  async batchUpsert(
    tenant: string,
    entities: Entity[],
    mode: UpsertMode,
  ): Promise<BatchResult & { created: string[] }> {
    if (entities.length === 0) return { success: [], errors: [], created: [] };
    const now = this.now();
    const created = new Set<string>();
    const results = await this.store.mutate(
      tenant,
      entities.map((e) =>
        putMutation(e.id, (current) => {
          if (current === undefined) {
            created.add(e.id);
            return stampNew(e, now);
          }
          created.delete(e.id);
          if (mode === 'replace') return replaceEntity(current, e, now);
          const merged = appendAttributes(current, e.attrs, now, false).entity;
          for (const t of e.type) if (!merged.type.includes(t)) merged.type = [...merged.type, t];
          return merged;
        }),
      ),
    );
    return { ...batchResult(results), created: [...created] };
  }

  /** Batch update (5.6.9): append attributes to existing entities (noOverwrite keeps existing ones). */
  async batchUpdate(tenant: string, entities: Entity[], noOverwrite: boolean): Promise<BatchResult> {
    await this.requireTenant(tenant);
    const now = this.now();
    return batchResult(
      await this.store.mutate(
        tenant,
        entities.map((e) =>
          existingMutation(e.id, (current) => appendAttributes(current, e.attrs, now, noOverwrite).entity),
        ),
      ),
    );
  }

  /** Batch merge (5.6.20). */
  async batchMerge(
    tenant: string,
    items: Array<{ entity: Entity; raw: Record<string, unknown> }>,
    mapper: TermMapper,
  ): Promise<BatchResult> {
    await this.requireTenant(tenant);
    const now = this.now();
    return batchResult(
      await this.store.mutate(
        tenant,
        items.map(({ entity, raw }) =>
          existingMutation(entity.id, (current) => mergeEntity(current, entity, raw, mapper, now)),
        ),
      ),
    );
  }

  /** Batch delete (5.6.10). */
  async batchDelete(tenant: string, ids: string[]): Promise<BatchResult> {
    await this.requireTenant(tenant);
    return batchResult(await this.store.mutate(tenant, ids.map(deleteMutation)));
  }

  /** Purge (DELETE /entities with type / q): deletes every match, returns how many. */
  async purge(tenant: string, query: Omit<EntityQuery, 'limit' | 'offset' | 'count'>): Promise<number> {
    await this.requireTenant(tenant);
    const ids = await this.store.queryIds(tenant, query);
    const results = await this.store.mutate(tenant, ids.map(deleteMutation));
    return results.filter((r) => r.ok).length;
  }

  /** Change one existing entity of an existing tenant, in one transaction. */
  private async change(
    tenant: string,
    id: string,
    fn: (current: Entity, now: string) => Entity,
  ): Promise<void> {
    await this.requireTenant(tenant);
    const now = this.now();
    const [result] = await this.store.mutate(tenant, [existingMutation(id, (current) => fn(current, now))]);
    throwIfFailed(result);
  }

  /** Like change, for operations that report which attributes they updated (207 UpdateResult). */
  private async changeReporting(
    tenant: string,
    id: string,
    fn: (current: Entity, now: string) => UpdateOutcome,
  ): Promise<AttrUpdateResult> {
    let outcome: AttrUpdateResult = { updated: [], notUpdated: [] };
    await this.change(tenant, id, (current, now) => {
      const r = fn(current, now);
      outcome = r;
      return r.entity;
    });
    return outcome;
  }
}

/**
 * The current time as an ISO string, formatted once per millisecond: under load many writes share a
 * millisecond, and formatting a Date costs more than the rest of stamping an entity.
 */
export function isoClock(): () => string {
  let lastMs = -1;
  let lastIso = '';
  return () => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
}

function throwIfFailed(result: MutationResult | undefined): void {
  if (result === undefined) throw new NgsiError('InternalError', 'store returned no result');
  if (!result.ok) throw result.error;
}

function batchResult(results: MutationResult[]): BatchResult {
  const out: BatchResult = { success: [], errors: [] };
  for (const r of results) {
    if (r.ok) out.success.push(r.id);
    else
      out.errors.push({
        entityId: r.id,
        error: isNgsiError(r.error) ? r.error : new NgsiError('InternalError', String(r.error)),
      });
  }
  return out;
}
