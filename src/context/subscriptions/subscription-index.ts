/**
 * The in-memory matching index of change-driven subscriptions, per tenant. A change is matched
 * against the few subscriptions that can concern it, found by key, never by a scan of all of them:
 * - a selector with an `id` is filed under that entity id;
 * - any other selector under each type name it mentions (a type expression under all of its names);
 * - a subscription without `entities` (watchedAttributes only) under each watched attribute.
 * `candidates` returns the union for one change (the entity's ids and types before and after, the
 * attributes it touched); the caller then evaluates each candidate in full (match-change.ts), so
 * filing a subscription under too many keys costs time, never correctness.
 *
 * Periodic subscriptions (timeInterval) are not filed: changes never trigger them.
 */
import type { Entity } from '../../core/model/entity.js';
import type { Subscription } from '../../core/subscription/model.js';
import { typeNames } from '../../core/query/type-expr.js';

/** A change as the index needs it (the store's Change fits). */
export interface IndexedChange {
  id: string;
  before?: Entity;
  after?: Entity;
}

class TenantIndex {
  readonly all = new Map<string, Subscription>();
  readonly byEntityId = new Map<string, Set<string>>();
  readonly byType = new Map<string, Set<string>>();
  readonly byAttribute = new Map<string, Set<string>>();
}

export class SubscriptionIndex {
  private readonly tenants = new Map<string, TenantIndex>();

  /** File a subscription (replacing the one with the same id). */
  put(tenant: string, sub: Subscription): void {
    this.remove(tenant, sub.id);
    let t = this.tenants.get(tenant);
    if (t === undefined) this.tenants.set(tenant, (t = new TenantIndex()));
    t.all.set(sub.id, sub);
    for (const [map, key] of keysOf(sub, t)) file(map, key, sub.id);
  }

  /** Forget a subscription. True when it was there. */
  remove(tenant: string, id: string): boolean {
    const t = this.tenants.get(tenant);
    const sub = t?.all.get(id);
    if (t === undefined || sub === undefined) return false;
    for (const [map, key] of keysOf(sub, t)) unfile(map, key, id);
    t.all.delete(id);
    if (t.all.size === 0) this.tenants.delete(tenant);
    return true;
  }

  get(tenant: string, id: string): Subscription | undefined {
    return this.tenants.get(tenant)?.all.get(id);
  }

  /** Every subscription of every tenant (periodic ones included). */
  *entries(): IterableIterator<{ tenant: string; subscription: Subscription }> {
    for (const [tenant, t] of this.tenants)
      for (const subscription of t.all.values()) yield { tenant, subscription };
  }

  /** Subscriptions held, over all tenants. */
  get size(): number {
    let n = 0;
    for (const t of this.tenants.values()) n += t.all.size;
    return n;
  }

  /** The subscriptions of `tenant` that may concern this change (each at most once). */
  candidates(tenant: string, change: IndexedChange): Subscription[] {
    const t = this.tenants.get(tenant);
    if (t === undefined) return [];
    const ids = new Set<string>();
    const add = (set: Set<string> | undefined): void => set?.forEach((id) => ids.add(id));
    add(t.byEntityId.get(change.id));
    for (const state of [change.before, change.after]) {
      if (state === undefined) continue;
      for (const type of state.type) add(t.byType.get(type));
    }
    if (t.byAttribute.size > 0) {
      for (const state of [change.before, change.after]) {
        if (state === undefined) continue;
        for (const name of Object.keys(state.attrs)) add(t.byAttribute.get(name));
      }
    }
    const out: Subscription[] = [];
    for (const id of ids) {
      const sub = t.all.get(id);
      if (sub !== undefined) out.push(sub);
    }
    return out;
  }
}

/** The (map, key) pairs a subscription is filed under. */
function keysOf(sub: Subscription, t: TenantIndex): Array<[Map<string, Set<string>>, string]> {
  if (sub.timeInterval !== undefined) return [];
  if (sub.entities === undefined) return (sub.watchedAttributes ?? []).map((a) => [t.byAttribute, a]);
  const out: Array<[Map<string, Set<string>>, string]> = [];
  for (const s of sub.entities) {
    if (s.id !== undefined) out.push([t.byEntityId, s.id]);
    else
      for (const type of s.typeExpr !== undefined ? typeNames(s.typeExpr) : [s.type])
        out.push([t.byType, type]);
  }
  return out;
}

function file(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(id);
}

function unfile(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}
