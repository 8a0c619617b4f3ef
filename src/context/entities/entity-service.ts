/**
 * The context broker's entity use cases (NGSI-LD clause 5.6 and 5.7): create, retrieve, query,
 * update, merge, replace, delete, and the batch operations. Inputs arrive parsed and expanded;
 * outputs are internal entities that the caller renders. Knows nothing of HTTP.
 *
 * Every use case runs in a Scope: the caller's access rules narrow reads and check each change inside
 * the write transaction (src/context/scope.ts), and incoming attributes pass the privacy gate first.
 */
import { isDeepStrictEqual } from 'node:util';
import { NgsiError, alreadyExists, badRequest, isNgsiError, notFound } from '../../core/errors.js';
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
import type { Mutation, MutationResult, Store } from '../../store/port.js';
import { NO_TREATMENT, type IngestGate, type IngestTreatment } from '../ingest-gate.js';
import { guardMutations, narrowQuery, readable, type Scope } from '../scope.js';
import { deleteMutation, existingMutation, putMutation } from './mutations.js';
import { treatMerged, treatPartial } from './treat-fragments.js';

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

/** Dependencies: the store, the privacy gate and a clock (injected so tests can fix time). */
export interface EntityServiceDeps {
  store: Store;
  /** Privacy treatments of incoming attributes (none when absent). */
  ingest?: IngestGate;
  now?: () => string;
}

export class EntityService {
  private readonly store: Store;
  private readonly ingest: IngestGate | undefined;
  private readonly now: () => string;

  constructor(deps: EntityServiceDeps) {
    this.store = deps.store;
    this.ingest = deps.ingest;
    this.now = deps.now ?? isoClock();
  }

  /** Reads require the tenant to exist (clause 6.3.14: NonexistentTenant). */
  async requireTenant(tenant: string): Promise<void> {
    if (!(await this.store.tenantExists(tenant))) {
      throw new NgsiError('NonexistentTenant', `tenant ${JSON.stringify(tenant)} does not exist`);
    }
  }

  async create(scope: Scope, entity: Entity): Promise<void> {
    const now = this.now();
    const gate = await this.treatment(scope);
    const [result] = await this.mutate(scope, [
      putMutation(entity.id, (current) => {
        if (current !== undefined) throw alreadyExists(`entity ${entity.id} already exists`);
        return stampNew(treated(gate, entity), now);
      }),
    ]);
    throwIfFailed(result);
  }

  /** The entity as the caller may read it; 404 when absent or when it may not read it. */
  async retrieve(scope: Scope, id: string): Promise<Entity> {
    await this.requireTenant(scope.tenant);
    const entity = await this.store.getEntity(scope.tenant, id);
    const visible = entity === undefined ? undefined : readable(scope, entity);
    if (visible === undefined) throw notFound(`entity ${id} not found`);
    return visible;
  }

  async query(scope: Scope, query: EntityQuery): Promise<{ entities: Entity[]; count?: number }> {
    await this.requireTenant(scope.tenant);
    const narrowed = narrowQuery(scope, query, 'read');
    if (narrowed === undefined) return { entities: [], ...(query.count ? { count: 0 } : {}) };
    const result = await this.store.queryEntities(scope.tenant, narrowed);
    if (scope.access === undefined) return result;
    const entities = result.entities.map((e) => readable(scope, e)).filter((e) => e !== undefined);
    return { ...result, entities };
  }

  async delete(scope: Scope, id: string): Promise<void> {
    await this.requireTenant(scope.tenant);
    const [result] = await this.mutate(scope, [deleteMutation(id)]);
    throwIfFailed(result);
  }

  async replace(scope: Scope, id: string, replacement: Entity): Promise<void> {
    const gate = await this.treatment(scope);
    await this.change(scope, id, (current, now) => replaceEntity(current, treated(gate, replacement), now));
  }

  async merge(scope: Scope, id: string, fragment: Entity, raw: Record<string, unknown>, mapper: TermMapper) {
    const gate = await this.treatment(scope);
    await this.change(scope, id, (current, now) =>
      treatMerged(gate, current, fragment, raw, mapper, (f, r) => mergeEntity(current, f, r, mapper, now)),
    );
  }

  async appendAttrs(
    scope: Scope,
    id: string,
    attrs: Record<string, Attribute[]>,
    noOverwrite: boolean,
    entityScope?: string[],
  ): Promise<AttrUpdateResult> {
    const gate = await this.treatment(scope);
    return this.changeReporting(scope, id, (current, now) =>
      appendAttributes(current, gate.attrs(current.type, attrs), now, noOverwrite, entityScope),
    );
  }

  async updateAttrs(
    scope: Scope,
    id: string,
    attrs: Record<string, Attribute[]>,
    entityScope?: string[],
  ): Promise<AttrUpdateResult> {
    const gate = await this.treatment(scope);
    return this.changeReporting(scope, id, (current, now) =>
      updateAttributes(current, gate.attrs(current.type, attrs), now, entityScope),
    );
  }

  async partialUpdateAttr(
    scope: Scope,
    id: string,
    iri: string,
    fragment: Record<string, unknown>,
    mapper: TermMapper,
  ) {
    const gate = await this.treatment(scope);
    await this.change(scope, id, (current, now) =>
      treatPartial(gate, current, iri, fragment, partialUpdateAttribute(current, iri, fragment, mapper, now)),
    );
  }

  async replaceAttr(scope: Scope, id: string, iri: string, attr: Attribute): Promise<void> {
    const gate = await this.treatment(scope);
    await this.change(scope, id, (current, now) => {
      const list = gate.attrs(current.type, { [iri]: [attr] })[iri];
      if (list === undefined || list[0] === undefined)
        throw badRequest(`attribute ${iri} is not declared for this entity type`);
      return replaceAttribute(current, iri, list[0], now);
    });
  }

  async deleteAttr(scope: Scope, id: string, iri: string, datasetId: string | undefined, deleteAll: boolean) {
    await this.change(scope, id, (current, now) => deleteAttribute(current, iri, datasetId, deleteAll, now));
  }

  async deleteScope(scope: Scope, id: string): Promise<void> {
    await this.change(scope, id, (current, now) => deleteScope(current, now));
  }

  /** Batch create (5.6.7): each entity that exists already fails alone. */
  async batchCreate(scope: Scope, entities: Entity[]): Promise<BatchResult> {
    if (entities.length === 0) return { success: [], errors: [] };
    const now = this.now();
    const gate = await this.treatment(scope);
    return batchResult(
      await this.mutate(
        scope,
        entities.map((e) =>
          putMutation(e.id, (current) => {
            if (current !== undefined) throw alreadyExists(`entity ${e.id} already exists`);
            return stampNew(treated(gate, e), now);
          }),
        ),
      ),
    );
  }

  /** Batch upsert (5.6.8): create what is missing; replace or update what exists. */
  async batchUpsert(
    scope: Scope,
    entities: Entity[],
    mode: UpsertMode,
  ): Promise<BatchResult & { created: string[] }> {
    if (entities.length === 0) return { success: [], errors: [], created: [] };
    const now = this.now();
    const gate = await this.treatment(scope);
    const created = new Set<string>();
    const results = await this.mutate(
      scope,
      entities.map((e) =>
        putMutation(e.id, (current) => {
          if (current === undefined) {
            created.add(e.id);
            return stampNew(treated(gate, e), now);
          }
          created.delete(e.id);
          if (mode === 'replace') return replaceEntity(current, treated(gate, e), now);
          const types = [...new Set([...current.type, ...e.type])];
          const merged = appendAttributes(current, gate.attrs(types, e.attrs), now, false).entity;
          for (const t of e.type) if (!merged.type.includes(t)) merged.type = [...merged.type, t];
          return merged;
        }),
      ),
    );
    return { ...batchResult(results), created: [...created] };
  }

  /**
   * Device telemetry (issue #5): upserts (update mode) applied in order in one transaction, the same
   * entity as often as it comes (each message of a device its own write, so every reading reaches
   * history), with one result per input in input order. An incoming instance whose attribute already
   * holds one with the same datasetId, observedAt and value is a redelivery of what was stored — a
   * message committed just before a crash and sent again after the restart — and is dropped inside
   * the transaction; an entity left with nothing new is not written. When a write of an entity fails,
   * its later writes of the call fail too, so that its redelivered earlier reading cannot land after
   * a later one.
   */
  async recordObservations(
    scope: Scope,
    entities: Entity[],
  ): Promise<Array<{ ok: true } | { ok: false; error: NgsiError }>> {
    if (entities.length === 0) return [];
    const now = this.now();
    const gate = await this.treatment(scope);
    const failed = new Set<string>();
    const results = await this.mutate(
      scope,
      entities.map((e): Mutation => ({
        id: e.id,
        decide: (current) => {
          if (failed.has(e.id))
            return {
              action: 'fail',
              error: new NgsiError('BadRequestData', `an earlier message for entity ${e.id} was not stored`),
            };
          try {
            if (current === undefined) return { action: 'put', entity: stampNew(treated(gate, e), now) };
            const types = [...new Set([...current.type, ...e.type])];
            const fresh = unrecorded(current, gate.attrs(types, e.attrs));
            if (fresh === undefined && types.length === current.type.length) return { action: 'skip' };
            const merged = appendAttributes(current, fresh ?? {}, now, false).entity;
            if (types.length !== merged.type.length) merged.type = types;
            return { action: 'put', entity: merged };
          } catch (err) {
            if (!isNgsiError(err)) throw err;
            failed.add(e.id);
            return { action: 'fail', error: err };
          }
        },
      })),
    );
    return results.map((r) => {
      if (r.ok) return { ok: true };
      // A refusal by the caller's access rules (guardMutations) also stops the entity's later writes.
      failed.add(r.id);
      return {
        ok: false,
        error: isNgsiError(r.error) ? r.error : new NgsiError('InternalError', String(r.error)),
      };
    });
  }

  /** Batch update (5.6.9): append attributes to existing entities (noOverwrite keeps existing ones). */
  async batchUpdate(scope: Scope, entities: Entity[], noOverwrite: boolean): Promise<BatchResult> {
    await this.requireTenant(scope.tenant);
    const now = this.now();
    const gate = await this.treatment(scope);
    return batchResult(
      await this.mutate(
        scope,
        entities.map((e) =>
          existingMutation(
            e.id,
            (current) =>
              appendAttributes(current, gate.attrs(current.type, e.attrs), now, noOverwrite).entity,
          ),
        ),
      ),
    );
  }

  /** Batch merge (5.6.20). */
  async batchMerge(
    scope: Scope,
    items: Array<{ entity: Entity; raw: Record<string, unknown> }>,
    mapper: TermMapper,
  ): Promise<BatchResult> {
    await this.requireTenant(scope.tenant);
    const now = this.now();
    const gate = await this.treatment(scope);
    return batchResult(
      await this.mutate(
        scope,
        items.map(({ entity, raw }) =>
          existingMutation(entity.id, (current) =>
            treatMerged(gate, current, entity, raw, mapper, (f, r) =>
              mergeEntity(current, f, r, mapper, now),
            ),
          ),
        ),
      ),
    );
  }

  /** Batch delete (5.6.10). */
  async batchDelete(scope: Scope, ids: string[]): Promise<BatchResult> {
    await this.requireTenant(scope.tenant);
    return batchResult(await this.mutate(scope, ids.map(deleteMutation)));
  }

  /** Purge (DELETE /entities with type / q): deletes every match the caller may delete, returns how many. */
  async purge(scope: Scope, query: Omit<EntityQuery, 'limit' | 'offset' | 'count'>): Promise<number> {
    await this.requireTenant(scope.tenant);
    const narrowed = narrowQuery(scope, query, 'write');
    if (narrowed === undefined) return 0;
    const ids = await this.store.queryIds(scope.tenant, narrowed);
    const results = await this.mutate(scope, ids.map(deleteMutation));
    return results.filter((r) => r.ok).length;
  }

  /** Apply mutations, each checked against the caller's write rules inside the transaction. */
  private mutate(scope: Scope, mutations: Mutation[]): Promise<MutationResult[]> {
    return this.store.mutate(scope.tenant, guardMutations(scope, mutations));
  }

  private treatment(scope: Scope): Promise<IngestTreatment> {
    return this.ingest === undefined ? Promise.resolve(NO_TREATMENT) : this.ingest.prepare(scope.tenant);
  }

  /** Change one existing entity of an existing tenant, in one transaction. */
  private async change(
    scope: Scope,
    id: string,
    fn: (current: Entity, now: string) => Entity,
  ): Promise<void> {
    await this.requireTenant(scope.tenant);
    const now = this.now();
    const [result] = await this.mutate(scope, [existingMutation(id, (current) => fn(current, now))]);
    throwIfFailed(result);
  }

  /** Like change, for operations that report which attributes they updated (207 UpdateResult). */
  private async changeReporting(
    scope: Scope,
    id: string,
    fn: (current: Entity, now: string) => UpdateOutcome,
  ): Promise<AttrUpdateResult> {
    let outcome: AttrUpdateResult = { updated: [], notUpdated: [] };
    await this.change(scope, id, (current, now) => {
      const r = fn(current, now);
      outcome = r;
      return r.entity;
    });
    return outcome;
  }
}

/**
 * The attributes whose instances are not already recorded on `current` (same datasetId, observedAt
 * and value); undefined when none is new.
 */
function unrecorded(
  current: Entity,
  attrs: Record<string, Attribute[]>,
): Record<string, Attribute[]> | undefined {
  let out: Record<string, Attribute[]> | undefined;
  for (const [name, incoming] of Object.entries(attrs)) {
    const held = current.attrs[name];
    const fresh = incoming.filter(
      (inst) =>
        inst.observedAt === undefined ||
        !held?.some(
          (h) =>
            h.datasetId === inst.datasetId &&
            h.observedAt === inst.observedAt &&
            isDeepStrictEqual(h.value, inst.value),
        ),
    );
    if (fresh.length > 0) (out ??= {})[name] = fresh;
  }
  return out;
}

/** The entity with its attributes through the privacy gate. */
function treated(gate: IngestTreatment, entity: Entity): Entity {
  const attrs = gate.attrs(entity.type, entity.attrs);
  return attrs === entity.attrs ? entity : { ...entity, attrs };
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
