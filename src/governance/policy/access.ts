/**
 * What one principal may do in one tenant, decided from the tenant's compiled policy. Deny by
 * default: nothing is allowed unless an allow rule that applies to the principal grants it, and a
 * matching deny rule always wins. Decisions come at three grains:
 * - the action at all (`may`): is there anything of this kind the principal can do here?
 * - an entity (`entityAllowed`, `visibility` for queries pushed into the store);
 * - its attributes (`attrFilter`, `filterEntity`, `hidesAttr`, `checkChange` for writes).
 * A platform administrator (principal of every tenant with role admin) is not bound by tenant rules.
 */
import { forbidden, type NgsiError } from '../../core/errors.js';
import { instancesOf, type Entity } from '../../core/model/entity.js';
import type { Visibility, VisibilityScope } from '../../core/query/ast.js';
import type { Action, CompiledPolicy, CompiledRule, Principal } from './model.js';

/** The platform tenant marker (same value as the store's ALL_TENANTS). */
const ALL_TENANTS = '*';

/** Anything shaped like an entity: current state, temporal or aggregated representation. */
export interface Filterable {
  id: string;
  type: string[];
  attrs: Record<string, unknown>;
}

/** Which attributes of an allowed entity the principal may use: `only` (all when undefined) minus `hidden`. */
export interface AttrFilter {
  only?: ReadonlySet<string>;
  hidden: ReadonlySet<string>;
}

export class Access {
  readonly principal: Principal;
  readonly tenant: string;
  /** Not bound by rules (platform administrator). */
  readonly unrestricted: boolean;
  /** The principal belongs to the tenant (or to every tenant); anonymous callers do not. */
  readonly member: boolean;
  private readonly allows: CompiledRule[];
  private readonly denies: CompiledRule[];

  constructor(policy: CompiledPolicy, principal: Principal, tenant: string) {
    this.principal = principal;
    this.tenant = tenant;
    this.member =
      principal.via !== 'anonymous' && (principal.tenant === tenant || principal.tenant === ALL_TENANTS);
    this.unrestricted = this.member && principal.tenant === ALL_TENANTS && principal.roles.includes('admin');
    const applies = (r: CompiledRule) =>
      r.public ||
      (this.member &&
        (r.principals.has(principal.id) ||
          [...r.roles].some((x) => x === '*' || principal.roles.includes(x))));
    this.allows = policy.rules.filter((r) => r.effect === 'allow' && applies(r));
    this.denies = policy.rules.filter((r) => r.effect === 'deny' && applies(r));
  }

  /** The credential's scopes permit this action. */
  private scoped(action: Action): boolean {
    const scopes = this.principal.scopes;
    return scopes === undefined || scopes.length === 0 || scopes.includes(action);
  }

  /** Anything of this kind is allowed (the gate before a route does any work). */
  may(action: Action): boolean {
    if (!this.scoped(action)) return false;
    return this.unrestricted || this.allows.some((r) => r.actions.has(action));
  }

  /** The entity (by its types and id) may be the object of the action, at least in part. */
  entityAllowed(action: Action, types: readonly string[], id: string): boolean {
    return this.attrFilter(action, types, id) !== undefined;
  }

  /** Attributes the action may touch on this entity; undefined when the entity is not allowed at all. */
  attrFilter(action: Action, types: readonly string[], id: string): AttrFilter | undefined {
    if (!this.scoped(action)) return undefined;
    if (this.unrestricted) return { hidden: EMPTY };
    let granted = false;
    let only: Set<string> | undefined = new Set();
    for (const r of this.allows) {
      if (!r.actions.has(action) || !matches(r, types, id)) continue;
      granted = true;
      if (r.attrs === undefined) only = undefined;
      else if (only !== undefined) for (const a of r.attrs) only.add(a);
    }
    if (!granted) return undefined;
    const hidden = new Set<string>();
    for (const r of this.denies) {
      if (!r.actions.has(action) || !matches(r, types, id)) continue;
      if (r.attrs === undefined) return undefined;
      for (const a of r.attrs) hidden.add(a);
    }
    return only === undefined ? { hidden } : { only, hidden };
  }

  /** The entity reduced to what the principal may read; undefined when it may not read it at all. */
  filterEntity<E extends Filterable>(entity: E, action: Action = 'read'): E | undefined {
    const filter = this.attrFilter(action, entity.type, entity.id);
    if (filter === undefined) return undefined;
    if (filter.only === undefined && filter.hidden.size === 0) return entity;
    const attrs: Record<string, unknown> = {};
    for (const [name, instances] of Object.entries(entity.attrs))
      if (attrAllowed(filter, name)) attrs[name] = instances;
    return { ...entity, attrs };
  }

  /**
   * Entities the action may reach, as a filter the store applies inside the query (so that paging
   * and counts stay exact); undefined when nothing is restricted.
   */
  visibility(action: Action): Visibility | undefined {
    if (!this.scoped(action)) return { allow: [], deny: [] };
    if (this.unrestricted) return undefined;
    const allow: VisibilityScope[] = [];
    let everything = false;
    for (const r of this.allows) {
      if (!r.actions.has(action)) continue;
      if (r.types === undefined && r.idPattern === undefined) everything = true;
      else allow.push(scopeOf(r));
    }
    const deny = this.denies.filter((r) => r.actions.has(action) && r.attrs === undefined).map(scopeOf);
    if (everything && deny.length === 0) return undefined;
    return { allow: everything ? [{}] : allow, deny };
  }

  /**
   * True when the attribute may be hidden from the principal on some entity it can otherwise reach
   * (of `types`, or of any type): queries must not filter or sort on it, or their answers would leak
   * its values. Conservative: any rule that could hide it counts.
   */
  hidesAttr(action: Action, attr: string, types?: readonly string[]): boolean {
    if (this.unrestricted) return false;
    const overlaps = (r: CompiledRule) =>
      r.types === undefined || types === undefined || types.some((t) => r.types?.has(t));
    for (const r of this.allows)
      if (r.actions.has(action) && overlaps(r) && r.attrs !== undefined && !r.attrs.has(attr)) return true;
    for (const r of this.denies)
      if (r.actions.has(action) && overlaps(r) && r.attrs?.has(attr) === true) return true;
    return false;
  }

  /**
   * May the principal make this change (create: no before; delete: no after)? Both states must be
   * writable entities, and every attribute whose instances differ must be writable. Returns the
   * error to report, or undefined.
   */
  checkChange(before: Entity | undefined, after: Entity | undefined): NgsiError | undefined {
    const subject = (after ?? before) as Entity;
    for (const state of [before, after]) {
      if (state !== undefined && !this.entityAllowed('write', state.type, state.id))
        return forbidden(`not allowed to write entity ${subject.id}`);
    }
    if (this.unrestricted) return undefined;
    const filters = [before, after]
      .filter((s): s is Entity => s !== undefined)
      .map((s) => this.attrFilter('write', s.type, s.id) as AttrFilter);
    if (filters.every((f) => f.only === undefined && f.hidden.size === 0)) return undefined;
    for (const name of changedAttrs(before, after)) {
      if (!filters.every((f) => attrAllowed(f, name)))
        return forbidden(`not allowed to write attribute ${name} of entity ${subject.id}`);
    }
    return undefined;
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** The attribute passes the filter. */
export function attrAllowed(filter: AttrFilter, name: string): boolean {
  return (filter.only === undefined || filter.only.has(name)) && !filter.hidden.has(name);
}

function matches(r: CompiledRule, types: readonly string[], id: string): boolean {
  if (r.types !== undefined && !types.some((t) => r.types?.has(t))) return false;
  return r.idPattern === undefined || r.idPattern.regex.test(id);
}

function scopeOf(r: CompiledRule): VisibilityScope {
  return {
    ...(r.types !== undefined ? { types: [...r.types] } : {}),
    ...(r.idPattern !== undefined ? { idPattern: r.idPattern.source } : {}),
  };
}

/** Names of attributes whose instances differ between two states of an entity. */
export function changedAttrs(before: Entity | undefined, after: Entity | undefined): string[] {
  const names = new Set([...Object.keys(before?.attrs ?? {}), ...Object.keys(after?.attrs ?? {})]);
  const out: string[] = [];
  for (const n of names) {
    const a = instancesOf(before?.attrs, n);
    const b = instancesOf(after?.attrs, n);
    if (a === b) continue;
    if (a === undefined || b === undefined || JSON.stringify(a) !== JSON.stringify(b)) out.push(n);
  }
  return out;
}
