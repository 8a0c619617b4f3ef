/**
 * The context broker's temporal use cases (NGSI-LD clause 5.6.11 – 5.6.18 and 5.7.3 – 5.7.4): query
 * and retrieve entities' history (instances, or aggregated in the store), create or extend it
 * through the temporal API, modify or delete single instances, an attribute's history or a whole
 * temporal representation. Inputs arrive parsed and expanded; outputs are internal temporal
 * entities that the caller renders. Knows nothing of HTTP.
 */
import { NgsiError, badRequest, notFound } from '../../core/errors.js';
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

/** A page of a temporal query: the entities, the total when counted, and the time page when cut. */
export interface TemporalPage {
  entities: TemporalEntity[];
  count?: number;
  /** Set when some attribute had more instances than `select.limit` (answer 206, clause 6.3.10). */
  page?: InstancePage;
}

export interface TemporalServiceDeps {
  store: Store;
}

export class TemporalService {
  private readonly store: Store;

  constructor(deps: TemporalServiceDeps) {
    this.store = deps.store;
  }

  /** Query temporal evolution of entities (5.7.4); `select.limit` is the most instances per attribute. */
  async query(tenant: string, entities: TemporalEntityQuery, select: InstanceSelect): Promise<TemporalPage> {
    requireSelective(entities);
    await this.requireTenant(tenant);
    const result = await this.store.temporal.query(tenant, entities, oneMore(select));
    const cut = cutToPage(result.entities, select, select.limit);
    return {
      entities: cut.entities,
      ...(result.count !== undefined ? { count: result.count } : {}),
      ...(cut.page !== undefined ? { page: cut.page } : {}),
    };
  }

  /** Query with options=aggregatedValues (4.5.19): computed in the store, per period. */
  async aggregate(
    tenant: string,
    entities: TemporalEntityQuery,
    select: InstanceSelect,
    aggregation: Aggregation,
  ): Promise<{ entities: AggregatedEntity[]; count?: number }> {
    requireSelective(entities);
    await this.requireTenant(tenant);
    return this.store.temporal.aggregate(tenant, entities, select, aggregation);
  }

  /** Retrieve temporal evolution of an entity (5.7.3); 404 when it has no temporal representation. */
  async retrieve(
    tenant: string,
    id: string,
    select: InstanceSelect,
  ): Promise<{ entity: TemporalEntity; page?: InstancePage }> {
    await this.requireTenant(tenant);
    const entity = await this.store.temporal.get(tenant, id, oneMore(select));
    if (entity === undefined) throw notFound(`temporal representation of entity ${id} not found`);
    const cut = cutToPage([entity], select, select.limit);
    return { entity: cut.entities[0]!, ...(cut.page !== undefined ? { page: cut.page } : {}) };
  }

  /** Retrieve one entity aggregated; an entity without instances in range has no attributes. */
  async retrieveAggregated(
    tenant: string,
    id: string,
    select: InstanceSelect,
    aggregation: Aggregation,
  ): Promise<AggregatedEntity> {
    await this.requireTenant(tenant);
    const query: TemporalEntityQuery = { ids: [id], limit: 1, offset: 0, count: false };
    const result = await this.store.temporal.aggregate(tenant, query, select, aggregation);
    const found = result.entities.find((e) => e.id === id);
    if (found !== undefined) return found;
    const existing = await this.existing(tenant, id);
    return { id, type: existing.type, attrs: {} };
  }

  /** Create or update temporal representation (5.6.11): 201 when created, 204 when appended to. */
  async upsert(tenant: string, input: TemporalInput): Promise<{ created: boolean }> {
    return this.store.temporal.append(tenant, input);
  }

  /** Add attributes to a temporal representation (5.6.12); it must exist. */
  async addAttributes(tenant: string, input: TemporalInput): Promise<void> {
    await this.requireTenant(tenant);
    await this.existing(tenant, input.id);
    await this.store.temporal.append(tenant, input);
  }

  /** Modify one attribute instance (5.6.14). */
  async patchInstance(
    tenant: string,
    id: string,
    attr: string,
    instanceId: string,
    instance: Attribute,
  ): Promise<void> {
    await this.requireTenant(tenant);
    if (!(await this.store.temporal.patchInstance(tenant, id, attr, instanceId, instance))) {
      throw notFound(`instance ${instanceId} of attribute ${attr} of entity ${id} not found`);
    }
  }

  /** Delete one attribute instance (5.6.15). */
  async deleteInstance(tenant: string, id: string, attr: string, instanceId: string): Promise<void> {
    await this.requireTenant(tenant);
    if (!(await this.store.temporal.deleteInstance(tenant, id, attr, instanceId))) {
      throw notFound(`instance ${instanceId} of attribute ${attr} of entity ${id} not found`);
    }
  }

  /** Delete an attribute's history (5.6.13): the default instances, one datasetId, or all. */
  async deleteAttribute(
    tenant: string,
    id: string,
    attr: string,
    datasetId: string | undefined,
    deleteAll: boolean,
  ): Promise<void> {
    await this.requireTenant(tenant);
    if (datasetId !== undefined && deleteAll) {
      throw badRequest('datasetId and deleteAll=true cannot be used together');
    }
    if (!(await this.store.temporal.deleteAttribute(tenant, id, attr, datasetId, deleteAll))) {
      const which = deleteAll ? '' : datasetId === undefined ? ' (default instances)' : ` (${datasetId})`;
      throw notFound(`attribute ${attr}${which} of the temporal representation of ${id} not found`);
    }
  }

  /** Delete the temporal representation of an entity (5.6.16). */
  async deleteEntity(tenant: string, id: string): Promise<void> {
    await this.requireTenant(tenant);
    if (!(await this.store.temporal.deleteEntity(tenant, id))) {
      throw notFound(`temporal representation of entity ${id} not found`);
    }
  }

  /** Reads require the tenant to exist (clause 6.3.14: NonexistentTenant). */
  private async requireTenant(tenant: string): Promise<void> {
    if (!(await this.store.tenantExists(tenant))) {
      throw new NgsiError('NonexistentTenant', `tenant ${JSON.stringify(tenant)} does not exist`);
    }
  }

  /** The temporal entity (one instance per attribute at most: only its existence and types matter). */
  private async existing(tenant: string, id: string): Promise<TemporalEntity> {
    const entity = await this.store.temporal.get(tenant, id, { timeproperty: 'createdAt', limit: 1 });
    if (entity === undefined) throw notFound(`temporal representation of entity ${id} not found`);
    return entity;
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
