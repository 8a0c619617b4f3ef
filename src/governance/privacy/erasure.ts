/**
 * Erasure of one person's data (issue #4, EN 303 645 "easy deletion of personal data"; GDPR art. 17):
 * one call deletes what the tenant holds about a person, named in exactly one of three ways.
 *
 * - `identifier` (a licence plate, a MAC address): its pseudonym under the tenant's CURRENT key, per
 *   pseudonymised attribute of every governed type (with that attribute's length; a Relationship holds
 *   the URN form, PSEUDONYM_URN_PREFIX + pseudonym). Pseudonyms made under earlier keys cannot be found
 *   from the identifier any more: those keys are destroyed when they expire, by design, so that nobody —
 *   the operator included — can link the person to them. Data of earlier periods is reachable only
 *   by the pseudonym itself (the person may hold it, e.g. from a receipt) and retention deletes it anyway.
 * - `pseudonym`: that value, in either form, in every pseudonymised attribute.
 * - `reference` (an entity id: a person, a household): that entity, and every entity of a governed type
 *   whose personal or sensitive attribute (a Relationship, typically) points to it.
 *
 * What goes, for the values found: every entity of a governed type whose current state holds one of them
 * in the attribute that carries it (a q `==` on the expanded attribute, with a type filter), with its
 * whole temporal history; and every history instance of those attributes holding one of them in any
 * other entity (an earlier value of an entity that has moved on, or the history of an entity already
 * deleted). The rest of such other entities' history stays: it no longer names the person.
 *
 * Deletions go through the store directly, not the entity service: this is governance, authorised at
 * the gate (the admin action), and no per-attribute policy of the caller may keep data from being
 * erased. Current state is deleted with `store.mutate`, so the change is seen as any deletion is (the
 * subscriptions' notifications). A dry run deletes nothing and reports what a real run would.
 */
import { badRequest, NgsiError } from '../../core/errors.js';
import { isUri } from '../../core/entity/validate.js';
import type { AttrPath, QExpr } from '../../core/query/ast.js';
import type { InstanceSelect } from '../../core/temporal/model.js';
import type { Mutation, Store } from '../../store/port.js';
import { PSEUDONYM_URN_PREFIX } from './apply-governance.js';
import type { Classification, TypeGovernance } from './model.js';
import type { Pseudonymiser } from './pseudonymiser.js';
import type { GovernanceRegistry } from './registry.js';

/** Whom to erase: exactly one member. */
export interface ErasureSubject {
  identifier?: string;
  pseudonym?: string;
  reference?: string;
}

/** What was (or, in a dry run, would be) deleted. */
export interface ErasureReport {
  /** Ids of the entities deleted (current state, history or both), sorted. */
  entities: string[];
  /** History instances deleted: the whole history of those entities, and instances elsewhere holding the values. */
  instances: number;
}

export interface ErasureDeps {
  store: Store;
  registry: Pick<GovernanceRegistry, 'list'>;
  pseudonymiser: Pick<Pseudonymiser, 'forTenant'>;
}

/** Longest identifier or pseudonym accepted (identifiers are short; this only bounds hostile input). */
export const MAX_SUBJECT_LENGTH = 1024;

/** Classifications whose Relationships can point at a person. */
const PERSONAL: ReadonlySet<Classification> = new Set(['personal', 'sensitive']);

/** Entities per store.mutate call and per history count, to keep transactions and statements small. */
const CHUNK = 500;
/** Temporal entities read per page, and instances per attribute, when a dry run counts values. */
const PAGE = 100;
const INSTANCES_PER_READ = 10_000;
/** Instances per attribute when one entity's history is read alone (beyond it the count is refused). */
const INSTANCES_ALONE = 10_000_000;

/** In one governed type: the attributes to test and, per attribute, the values that name the subject. */
interface TypeTargets {
  type: string;
  attrs: Map<string, string[]>;
}

/** What to look for in a tenant: the subject's values per type, and the entity the reference names. */
interface Targets {
  types: TypeTargets[];
  reference?: string;
}

export class Erasure {
  private readonly store: Store;
  private readonly registry: Pick<GovernanceRegistry, 'list'>;
  private readonly pseudonymiser: Pick<Pseudonymiser, 'forTenant'>;

  constructor(deps: ErasureDeps) {
    this.store = deps.store;
    this.registry = deps.registry;
    this.pseudonymiser = deps.pseudonymiser;
  }

  /**
   * Erase the subject's data in `tenant` (with `dryRun`, only report what would go). Throws
   * BadRequestData when the subject is not exactly one non-empty string member (messages never
   * repeat the value: it is personal data).
   */
  async erase(tenant: string, subject: ErasureSubject, dryRun = false): Promise<ErasureReport> {
    const named = checkSubject(subject);
    if (!(await this.store.tenantExists(tenant))) return { entities: [], instances: 0 };
    const targets = await this.targets(tenant, named);
    const matched = new Set<string>();
    for (const t of targets.types) {
      for (const id of await this.store.queryIds(tenant, {
        type: { kind: 'type', name: t.type },
        q: anyOf(t),
      }))
        matched.add(id);
    }
    if (targets.reference !== undefined && (await this.exists(tenant, targets.reference)))
      matched.add(targets.reference);
    const ids = [...matched].sort();
    const byValue = valueGroups(targets.types);
    if (dryRun) {
      const whole = await this.countHistory(tenant, ids);
      const elsewhere = await this.countValues(tenant, byValue, matched);
      return { entities: ids, instances: whole + elsewhere };
    }
    for (let i = 0; i < ids.length; i += CHUNK) {
      await this.store.mutate(tenant, ids.slice(i, i + CHUNK).map(eraseMutation));
    }
    let instances = 0;
    for (const [value, attrs] of byValue) {
      instances += await this.store.temporal.eraseValue(tenant, [...attrs].sort(), value);
    }
    // What is left of the matched entities' history (the erasures above took their value instances).
    instances += await this.countHistory(tenant, ids);
    for (const id of ids) await this.store.temporal.deleteEntity(tenant, id);
    return { entities: ids, instances };
  }

  /** The attributes and values to look for, per governed type of the tenant. */
  private async targets(
    tenant: string,
    named: { kind: keyof ErasureSubject; value: string },
  ): Promise<Targets> {
    const entries = (await this.registry.list(tenant)).map((e) => e.governance);
    if (named.kind === 'reference') {
      const types = perType(entries, (a) => (PERSONAL.has(a.classification) ? [named.value] : undefined));
      return { types, reference: named.value };
    }
    if (named.kind === 'pseudonym') {
      const forms = pseudonymForms(named.value);
      return { types: perType(entries, (a) => (a.treatment.kind === 'pseudonymise' ? forms : undefined)) };
    }
    const pseudonymised = perType(entries, (a) => (a.treatment.kind === 'pseudonymise' ? [] : undefined));
    if (pseudonymised.length === 0) return { types: [] };
    // Only now ask for the key (which creates one when the tenant has none): nothing else needs it.
    const tools = await this.pseudonymiser.forTenant(tenant);
    return {
      types: perType(entries, (a) => {
        if (a.treatment.kind !== 'pseudonymise') return undefined;
        const p = tools.pseudonymise(named.value, a.treatment.length);
        return [p, PSEUDONYM_URN_PREFIX + p];
      }),
    };
  }

  /** True when the entity has a current state or a history. */
  private async exists(tenant: string, id: string): Promise<boolean> {
    if ((await this.store.getEntity(tenant, id)) !== undefined) return true;
    return (await this.store.temporal.get(tenant, id, { timeproperty: 'createdAt', limit: 1 })) !== undefined;
  }

  /** Every history instance of these entities (counted in the store, not read). */
  private async countHistory(tenant: string, ids: readonly string[]): Promise<number> {
    let n = 0;
    const select: InstanceSelect = { timeproperty: 'createdAt', limit: 1 };
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const { entities } = await this.store.temporal.aggregate(
        tenant,
        { ids: chunk, limit: chunk.length, offset: 0, count: false },
        select,
        { methods: ['totalCount'] },
      );
      for (const e of entities)
        for (const series of Object.values(e.attrs))
          for (const s of series) for (const b of s.buckets) n += Number(b.values.totalCount ?? 0);
    }
    return n;
  }

  /**
   * Dry run: the instances of entities outside `skip` that eraseValue would delete. No index holds
   * values, so the history of the attributes concerned is read, a page of entities at a time.
   */
  private async countValues(
    tenant: string,
    byValue: ReadonlyMap<string, ReadonlySet<string>>,
    skip: ReadonlySet<string>,
  ): Promise<number> {
    const attrs = [...new Set([...byValue.values()].flatMap((s) => [...s]))].sort();
    if (attrs.length === 0) return 0;
    const holds = (attr: string, value: unknown) =>
      typeof value === 'string' && byValue.get(value)?.has(attr) === true;
    const count = (entity: { id: string; attrs: Record<string, Array<{ value: unknown }>> }) => {
      if (skip.has(entity.id)) return 0;
      let n = 0;
      for (const [attr, instances] of Object.entries(entity.attrs))
        for (const i of instances) if (holds(attr, i.value)) n++;
      return n;
    };
    let n = 0;
    for (let offset = 0; ; offset += PAGE) {
      const select: InstanceSelect = { attrs, timeproperty: 'createdAt', limit: INSTANCES_PER_READ };
      const page = await this.store.temporal.query(
        tenant,
        { attrs, limit: PAGE, offset, count: false },
        select,
      );
      if (page.partial === undefined) {
        for (const e of page.entities) n += count(e);
      } else {
        // Some attribute of the page has a long history: read its entities one at a time, whole.
        for (const e of page.entities) {
          if (skip.has(e.id)) continue;
          const alone = await this.store.temporal.query(
            tenant,
            { ids: [e.id], limit: 1, offset: 0, count: false },
            { ...select, limit: INSTANCES_ALONE },
          );
          if (alone.partial !== undefined) {
            throw new NgsiError(
              'InternalError',
              `the history of ${e.id} is too long to count in a dry run (over ${INSTANCES_ALONE} instances of an attribute)`,
            );
          }
          for (const one of alone.entities) n += count(one);
        }
      }
      if (page.entities.length < PAGE) return n;
    }
  }
}

/** The one member of the subject, checked. */
function checkSubject(subject: ErasureSubject): { kind: keyof ErasureSubject; value: string } {
  if (subject === null || typeof subject !== 'object' || Array.isArray(subject)) {
    throw badRequest('the erasure subject must be an object with one of identifier, pseudonym, reference');
  }
  const given = (['identifier', 'pseudonym', 'reference'] as const).filter((k) => subject[k] !== undefined);
  if (given.length !== 1) {
    throw badRequest(
      `name the person with exactly one of identifier, pseudonym, reference; got ${given.length === 0 ? 'none' : given.join(' and ')}`,
    );
  }
  const kind = given[0] as keyof ErasureSubject;
  const value = subject[kind];
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SUBJECT_LENGTH) {
    throw badRequest(`${kind} must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters`);
  }
  if (kind === 'reference' && !isUri(value))
    throw badRequest('reference must be an absolute URI (an entity id)');
  return { kind, value };
}

/** A pseudonym as a Property holds it and as a Relationship does (the URN form), whichever was given. */
function pseudonymForms(p: string): string[] {
  return p.startsWith(PSEUDONYM_URN_PREFIX) && p.length > PSEUDONYM_URN_PREFIX.length
    ? [p, p.slice(PSEUDONYM_URN_PREFIX.length)]
    : [p, PSEUDONYM_URN_PREFIX + p];
}

/** Per governed type, the attributes for which `values` gives values (undefined: not concerned). */
function perType(
  entries: readonly TypeGovernance[],
  values: (a: TypeGovernance['attributes'][string]) => string[] | undefined,
): TypeTargets[] {
  const out: TypeTargets[] = [];
  for (const g of entries) {
    const attrs = new Map<string, string[]>();
    for (const [name, a] of Object.entries(g.attributes)) {
      const v = values(a);
      if (v !== undefined) attrs.set(name, v);
    }
    if (attrs.size > 0) out.push({ type: g.type, attrs });
  }
  return out;
}

/** q: some attribute of the type holds one of its values. */
function anyOf(t: TypeTargets): QExpr {
  const items: QExpr[] = [...t.attrs].map(([attr, values]) => ({
    kind: 'in',
    path: { attr, sub: [], keys: [] } satisfies AttrPath,
    negate: false,
    values: values.map((value) => ({ kind: 'string', value })),
  }));
  return items.length === 1 ? (items[0] as QExpr) : { kind: 'or', items };
}

/** The attributes to erase each value from, over every type. */
function valueGroups(types: readonly TypeTargets[]): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>();
  for (const t of types)
    for (const [attr, values] of t.attrs)
      for (const value of values) {
        const attrs = groups.get(value) ?? new Set<string>();
        attrs.add(attr);
        groups.set(value, attrs);
      }
  return groups;
}

/** Delete the entity if it is (still) there; gone already is fine. */
function eraseMutation(id: string): Mutation {
  return { id, decide: (current) => (current === undefined ? { action: 'skip' } : { action: 'delete' }) };
}
