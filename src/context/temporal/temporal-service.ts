/**
 * The context broker's temporal use cases (NGSI-LD clause 5.6.11 – 5.6.18 and 5.7.3 – 5.7.4): query
 * and retrieve entities' history (instances, or aggregated in the store), create or extend it
 * through the temporal API, modify or delete single instances, an attribute's history or a whole
 * temporal representation. Inputs arrive parsed and expanded; outputs are internal temporal
 * entities that the caller renders. Knows nothing of HTTP.
 */
import { NgsiError, badRequest, forbidden, notFound } from '../../core/errors.js';
import { attrAllowed } from '../../governance/policy/access.js';
import { cutToPage, type InstancePage } from '../../core/temporal/instance-page.js';
import type {
  AggregatedEntity,
  Aggregation,
  InstanceSelect,
  TemporalEntity,
} from '../../core/temporal/model.js';
import type { TemporalInput } from '../../core/temporal/parse-temporal.js';
import type { Attribute } from '../../core/model/entity.js';
import type { Store, TemporalEntityQuery } from '../../store/port.js';
import type { IngestGate } from '../ingest-gate.js';
import { narrowQuery, readable, type Scope } from '../scope.js';

/** A page of a temporal query: the entities, the total when counted, and the time page when cut. */
export interface TemporalPage {
  entities: TemporalEntity[];
  count?: number;
  /** Set when some attribute had more instances than `select.limit` (answer 206, clause 6.3.10). */
  page?: InstancePage;
}

export interface TemporalServiceDeps {
  store: Store;
  /** Privacy treatments of instances written through the temporal API (none when absent). */
  ingest?: IngestGate;
}

export class TemporalService {
  private readonly store: Store;
  private readonly ingest: IngestGate | undefined;

  constructor(deps: TemporalServiceDeps) {
    this.store = deps.store;
    this.ingest = deps.ingest;
  }

  /** Query temporal evolution of entities (5.7.4); `select.limit` is the most instances per attribute. */
  async query(scope: Scope, entities: TemporalEntityQuery, select: InstanceSelect): Promise<TemporalPage> {
    requireSelective(entities);
    await this.requireTenant(scope.tenant);
    const narrowed = narrowQuery(scope, entities, 'read');
    if (narrowed === undefined) return { entities: [], ...(entities.count ? { count: 0 } : {}) };
    const result = await this.store.temporal.query(scope.tenant, narrowed, oneMore(select));
    const visible = result.entities.map((e) => readable(scope, e)).filter((e) => e !== undefined);
    const cut = cutToPage(visible, select, select.limit);
    return {
      entities: cut.entities,
      ...(result.count !== undefined ? { count: result.count } : {}),
      ...(cut.page !== undefined ? { page: cut.page } : {}),
    };
  }

  /** Query with options=aggregatedValues (4.5.19): computed in the store, per period. */
  async aggregate(
    scope: Scope,
    entities: TemporalEntityQuery,
    select: InstanceSelect,
    aggregation: Aggregation,
  ): Promise<{ entities: AggregatedEntity[]; count?: number }> {
    requireSelective(entities);
    await this.requireTenant(scope.tenant);
    const narrowed = narrowQuery(scope, entities, 'read');
    if (narrowed === undefined) return { entities: [], ...(entities.count ? { count: 0 } : {}) };
    const result = await this.store.temporal.aggregate(scope.tenant, narrowed, select, aggregation);
    if (scope.access === undefined) return result;
    return {
      ...result,
      entities: result.entities.map((e) => readable(scope, e)).filter((e) => e !== undefined),
    };
  }

  /** Retrieve temporal evolution of an entity (5.7.3); 404 when it has no temporal representation. */
  async retrieve(
    scope: Scope,
    id: string,
    select: InstanceSelect,
  ): Promise<{ entity: TemporalEntity; page?: InstancePage }> {
    await this.requireTenant(scope.tenant);
    const stored = await this.store.temporal.get(scope.tenant, id, oneMore(select));
    const entity = stored === undefined ? undefined : readable(scope, stored);
    if (entity === undefined) throw notFound(`temporal representation of entity ${id} not found`);
    const cut = cutToPage([entity], select, select.limit);
    return { entity: cut.entities[0]!, ...(cut.page !== undefined ? { page: cut.page } : {}) };
  }

  /** Retrieve one entity aggregated; an entity without instances in range has no attributes. */
  async retrieveAggregated(
    scope: Scope,
    id: string,
    select: InstanceSelect,
    aggregation: Aggregation,
  ): Promise<AggregatedEntity> {
    await this.requireTenant(scope.tenant);
    const existing = await this.existing(scope, id, 'read');
    const query: TemporalEntityQuery = { ids: [id], limit: 1, offset: 0, count: false };
    const result = await this.store.temporal.aggregate(scope.tenant, query, select, aggregation);
    const found = result.entities.find((e) => e.id === id);
    const visible = found === undefined ? undefined : readable(scope, found);
    return visible ?? { id, type: existing.type, attrs: {} };
  }

  /** Create or update temporal representation (5.6.11): 201 when created, 204 when appended to. */
  async upsert(scope: Scope, input: TemporalInput): Promise<{ created: boolean }> {
    const stored = await this.store.temporal.get(scope.tenant, input.id, {
      timeproperty: 'createdAt',
      limit: 1,
    });
    const types = [...new Set([...(stored?.type ?? []), ...input.type])];
    return this.store.temporal.append(scope.tenant, await this.admitted(scope, input, types));
  }

  /** Add attributes to a temporal representation (5.6.12); it must exist. */
  async addAttributes(scope: Scope, input: TemporalInput): Promise<void> {
    await this.requireTenant(scope.tenant);
    const existing = await this.existing(scope, input.id, 'write');
    const types = [...new Set([...existing.type, ...input.type])];
    await this.store.temporal.append(scope.tenant, await this.admitted(scope, input, types));
  }

  /** Modify one attribute instance (5.6.14). */
  async patchInstance(
    scope: Scope,
    id: string,
    attr: string,
    instanceId: string,
    instance: Attribute,
  ): Promise<void> {
    await this.requireTenant(scope.tenant);
    const existing = await this.writableAttr(scope, id, attr);
    const treated = await this.treated(scope, existing.type, { [attr]: [instance] });
    const patched = treated[attr]?.[0];
    if (patched === undefined) throw badRequest(`attribute ${attr} is not declared for this entity type`);
    if (!(await this.store.temporal.patchInstance(scope.tenant, id, attr, instanceId, patched))) {
      throw notFound(`instance ${instanceId} of attribute ${attr} of entity ${id} not found`);
    }
  }

  /** Delete one attribute instance (5.6.15). */
  async deleteInstance(scope: Scope, id: string, attr: string, instanceId: string): Promise<void> {
    await this.requireTenant(scope.tenant);
    await this.writableAttr(scope, id, attr);
    if (!(await this.store.temporal.deleteInstance(scope.tenant, id, attr, instanceId))) {
      throw notFound(`instance ${instanceId} of attribute ${attr} of entity ${id} not found`);
    }
  }

  /** Delete an attribute's history (5.6.13): the default instances, one datasetId, or all. */
  async deleteAttribute(
    scope: Scope,
    id: string,
    attr: string,
    datasetId: string | undefined,
    deleteAll: boolean,
  ): Promise<void> {
    await this.requireTenant(scope.tenant);
    if (datasetId !== undefined && deleteAll) {
      throw badRequest('datasetId and deleteAll=true cannot be used together');
    }
    await this.writableAttr(scope, id, attr);
    if (!(await this.store.temporal.deleteAttribute(scope.tenant, id, attr, datasetId, deleteAll))) {
      const which = deleteAll ? '' : datasetId === undefined ? ' (default instances)' : ` (${datasetId})`;
      throw notFound(`attribute ${attr}${which} of the temporal representation of ${id} not found`);
    }
  }

  /** Delete the temporal representation of an entity (5.6.16). */
  async deleteEntity(scope: Scope, id: string): Promise<void> {
    await this.requireTenant(scope.tenant);
    const existing = await this.existing(scope, id, 'write');
    const filter = scope.access?.attrFilter('write', existing.type, id);
    if (filter !== undefined && (filter.only !== undefined || filter.hidden.size > 0))
      throw forbidden(`not allowed to delete every attribute of entity ${id}`);
    if (!(await this.store.temporal.deleteEntity(scope.tenant, id))) {
      throw notFound(`temporal representation of entity ${id} not found`);
    }
  }

  /** Reads require the tenant to exist (clause 6.3.14: NonexistentTenant). */
  private async requireTenant(tenant: string): Promise<void> {
    if (!(await this.store.tenantExists(tenant))) {
      throw new NgsiError('NonexistentTenant', `tenant ${JSON.stringify(tenant)} does not exist`);
    }
  }

  /**
   * The temporal entity (one instance per attribute at most: only its existence and types matter);
   * not found when absent or when the caller may not read it, forbidden when it may read but not act.
   */
  private async existing(scope: Scope, id: string, action: 'read' | 'write'): Promise<TemporalEntity> {
    const entity = await this.store.temporal.get(scope.tenant, id, { timeproperty: 'createdAt', limit: 1 });
    const access = scope.access;
    if (entity === undefined || (access !== undefined && !access.entityAllowed('read', entity.type, id)))
      throw notFound(`temporal representation of entity ${id} not found`);
    if (action === 'write' && access !== undefined && !access.entityAllowed('write', entity.type, id))
      throw forbidden(`not allowed to write entity ${id}`);
    return entity;
  }

  /** The existing temporal entity, when the caller may write this attribute of it. */
  private async writableAttr(scope: Scope, id: string, attr: string): Promise<TemporalEntity> {
    const existing = await this.existing(scope, id, 'write');
    const filter = scope.access?.attrFilter('write', existing.type, id);
    if (filter !== undefined && !attrAllowed(filter, attr))
      throw forbidden(`not allowed to write attribute ${attr} of entity ${id}`);
    return existing;
  }

  /** The input as it may be written: the caller's write rules checked, the privacy gate applied. */
  private async admitted(scope: Scope, input: TemporalInput, types: string[]): Promise<TemporalInput> {
    const access = scope.access;
    if (access !== undefined) {
      const filter = access.attrFilter('write', types, input.id);
      if (filter === undefined) throw forbidden(`not allowed to write entity ${input.id}`);
      for (const name of Object.keys(input.attrs))
        if (!attrAllowed(filter, name))
          throw forbidden(`not allowed to write attribute ${name} of entity ${input.id}`);
    }
    const attrs = await this.treated(scope, types, input.attrs);
    return attrs === input.attrs ? input : { ...input, attrs };
  }

  private async treated(
    scope: Scope,
    types: readonly string[],
    attrs: Record<string, Attribute[]>,
  ): Promise<Record<string, Attribute[]>> {
    if (this.ingest === undefined) return attrs;
    return (await this.ingest.prepare(scope.tenant)).attrs(types, attrs);
  }
}

/** Ask the store for one instance more than a page holds, so that a cut is known, not guessed. */
function oneMore(select: InstanceSelect): InstanceSelect {
  return { ...select, limit: select.limit + 1 };
}

/**
 * Clause 5.7.4 (as 5.7.2 for the current state): a query names entity types, attributes, a q or a
 * geo-query; ids or an id pattern alone do not select enough.
 */
function requireSelective(q: TemporalEntityQuery): void {
  if (q.type === undefined && q.attrs === undefined && q.q === undefined && q.geoQ === undefined) {
    throw badRequest('a temporal query needs at least one of type, attrs, q or geoQ');
  }
}
