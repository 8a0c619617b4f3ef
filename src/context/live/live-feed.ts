/**
 * The live feed (issue #7): entity changes pushed to dashboards as they happen, instead of dashboards
 * polling the store. It is fed by the same change stream as subscriptions (the store's reactor: every
 * applied change, inside its transaction) and hands each change, after the commit, to the listeners
 * of its tenant whose types it matches, each seeing only what its caller may read (the scope's access
 * rules, as for a retrieve).
 *
 * Why not NGSI-LD subscriptions with an HTTP endpoint per browser: a browser is no HTTP server, and a
 * subscription per open tab would be stored, replicated and delivered with retries it does not need.
 * The feed is a view of the moment: a tab that reconnects reloads what it shows and then follows again.
 * Limits: a change that the reactor saw but whose transaction then failed (a rare batch rollback) may
 * be shown; the entity's next change corrects it. With replicas, a tab sees the changes written
 * through the replica it is connected to (docs/dashboard.md says so).
 */
import type { Entity } from '../../core/model/entity.js';
import type { Change } from '../../store/port.js';
import { readable, type Scope } from '../scope.js';

/** What a listener receives: the entity as its caller may read it, or the id and types of one deleted. */
export type LiveEvent = { kind: 'entity'; entity: Entity } | { kind: 'deleted'; id: string; type: string[] };

/** Which changes a listener wants: its scope (tenant and access) and, optionally, entity types (expanded). */
export interface LiveFilter {
  scope: Scope;
  /** Expanded type IRIs; undefined or empty: every type. */
  types?: ReadonlySet<string>;
}

interface Listener {
  filter: LiveFilter;
  deliver: (event: LiveEvent) => void;
}

export class LiveFeed {
  private readonly byTenant = new Map<string, Set<Listener>>();
  private pending: Change[] = [];
  private scheduled = false;

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  /** Listeners now open (for /metrics and tests). */
  get size(): number {
    let n = 0;
    for (const set of this.byTenant.values()) n += set.size;
    return n;
  }

  /** Follow the changes `filter` selects; the returned function stops following. */
  listen(filter: LiveFilter, deliver: (event: LiveEvent) => void): () => void {
    const listener: Listener = { filter, deliver };
    const tenant = filter.scope.tenant;
    let set = this.byTenant.get(tenant);
    if (set === undefined) this.byTenant.set(tenant, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byTenant.get(tenant) === set) this.byTenant.delete(tenant);
    };
  }

  /**
   * Store reactor hook: synchronous, no I/O, never throws. Changes of tenants nobody follows cost one
   * Map lookup; the others are handed out once the write transaction is over.
   */
  observe(change: Change): void {
    if (!this.byTenant.has(change.tenant)) return;
    this.pending.push(change);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const changes = this.pending;
    this.pending = [];
    for (const change of changes) {
      const listeners = this.byTenant.get(change.tenant);
      if (listeners === undefined) continue;
      for (const listener of listeners) {
        try {
          const event = eventFor(change, listener.filter);
          if (event !== undefined) listener.deliver(event);
        } catch (err) {
          this.onError(err);
        }
      }
    }
  }
}

/** The event `filter`'s caller may see for `change`, if any. */
function eventFor(change: Change, filter: LiveFilter): LiveEvent | undefined {
  const subject = change.after ?? change.before;
  if (subject === undefined) return undefined;
  const types = filter.types;
  if (types !== undefined && types.size > 0 && !subject.type.some((t) => types.has(t))) return undefined;
  const seen = readable(filter.scope, subject);
  if (seen === undefined) return undefined;
  if (change.after === undefined) return { kind: 'deleted', id: subject.id, type: subject.type };
  return { kind: 'entity', entity: seen };
}
