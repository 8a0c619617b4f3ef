/**
 * The working set of one group commit: every entity its calls have read, as stored when the group
 * began and as the calls have left it so far. Mutations decide from the working copy, and the rows
 * are written once per entity when the group ends — a device that sends eight readings in one
 * group costs one read, one parse and one set of row writes instead of eight.
 *
 * Each call of the group runs in a savepoint; `begin` / `rollback` keep an undo log of the slots a
 * call changed, so that a call rolled back leaves the working set as the calls before it left it.
 *
 * Mutators must not change the entity they are given (port.ts): the working copy is handed to them,
 * and on as `before` of the next change. With `check` on (the test suites turn it on) every copy is
 * kept as JSON beside it and compared whenever it is superseded or written, so that a mutator or a
 * sink that changes one is caught rather than silently corrupting history. The changed object
 * stays in the working set (an earlier call's result may hold it too), so `touched` finds it again
 * as the group ends and the whole group fails: nothing of it is kept.
 */
import { NgsiError } from '../../core/errors.js';
import type { Entity } from '../../core/model/entity.js';
import { encodeDoc } from './entity-doc.js';

/** One entity id of one tenant, in the group. */
export interface Slot {
  readonly tenant: string;
  readonly id: string;
  /** Row id and entity as stored when the group began (both undefined: absent). */
  readonly eid: number | undefined;
  readonly stored: Entity | undefined;
  /** The entity as the group's calls have left it (undefined: absent). */
  now: Entity | undefined;
  /** Changed by a put or a delete since the group began. */
  touched: boolean;
  /** With `check`: the JSON of `now` when it was set (and of `stored`, as read). */
  nowDoc?: string;
  storedDoc?: string;
}

/** Reads one stored row: the tenant's entity `id`, or undefined. */
export type ReadRow = (
  tenant: string,
  id: string,
) => { eid: number; doc: string; entity: Entity } | undefined;

export class EntitySlots {
  private byTenant = new Map<string, Map<string, Slot>>();
  /** Slots a running call changed, with what they held before it: restored by `rollback`. */
  private undo: Array<{ slot: Slot; now: Entity | undefined; touched: boolean; nowDoc?: string }> = [];

  constructor(
    private readonly read: ReadRow,
    private readonly check: boolean,
  ) {}

  /** The slot of `id`, read from the store the first time the group names it. */
  get(tenant: string, id: string): Slot {
    let ids = this.byTenant.get(tenant);
    if (ids === undefined) this.byTenant.set(tenant, (ids = new Map()));
    let slot = ids.get(id);
    if (slot === undefined) {
      const row = this.read(tenant, id);
      slot = { tenant, id, eid: row?.eid, stored: row?.entity, now: row?.entity, touched: false };
      if (this.check && row) slot.storedDoc = slot.nowDoc = row.doc;
      ids.set(id, slot);
    }
    return slot;
  }

  /** Record a put (`entity`) or a delete (undefined) of the slot by the running call. */
  set(slot: Slot, entity: Entity | undefined): void {
    if (this.check) this.verify(slot.now, slot.nowDoc, slot.id);
    this.undo.push({ slot, now: slot.now, touched: slot.touched, nowDoc: slot.nowDoc });
    slot.now = entity;
    slot.touched = true;
    if (this.check) slot.nowDoc = entity && encodeDoc(entity);
  }

  /** A call begins: its changes can be undone until the next `begin`. */
  begin(): void {
    this.undo = [];
  }

  /** The running call was rolled back: its slots hold again what they held before it. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) {
      const u = this.undo[i]!;
      u.slot.now = u.now;
      u.slot.touched = u.touched;
      u.slot.nowDoc = u.nowDoc;
    }
    this.undo = [];
  }

  /** The slots changed since the group began; with `check`, proves none was changed in place. */
  touched(): Slot[] {
    const out: Slot[] = [];
    for (const ids of this.byTenant.values())
      for (const slot of ids.values()) {
        if (this.check) {
          this.verify(slot.stored, slot.storedDoc, slot.id);
          this.verify(slot.now, slot.nowDoc, slot.id);
        }
        if (slot.touched) out.push(slot);
      }
    return out;
  }

  /** The group ended (committed or not): the next one reads the store afresh. */
  clear(): void {
    this.byTenant = new Map();
    this.undo = [];
  }

  private verify(e: Entity | undefined, doc: string | undefined, id: string): void {
    if (e !== undefined && encodeDoc(e) !== doc)
      throw new NgsiError(
        'InternalError',
        `entity ${id} was changed in place during a write: mutators and sinks must not change the entities they are given`,
      );
  }
}
