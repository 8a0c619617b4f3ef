/**
 * Discovery (types and attributes) from counters that every write keeps: how many entities of a
 * tenant have each shape (types + attribute kinds, see `EntityIndex.signature`). Listing costs the
 * number of distinct shapes, not of entities; a write that keeps an entity's shape (the usual
 * update) changes no counter, and a batch lands its net changes in one statement per shape. The
 * counters are SQLite's; turning them into types and attributes is shared with every store
 * (src/store/shared/discovery.ts).
 */
import type Database from 'better-sqlite3';
import type { AttributeInfo, TypeInfo } from '../port.js';
import { attributesOf, SignatureCache, typesOf, type ShapeCount } from '../shared/discovery.js';
import type { Dictionary } from './dictionary.js';
import type { EntityIndex } from './entity-index.js';

/** Net counter changes, keyed by tenant id and signature. */
export class StatsDelta {
  readonly changes = new Map<string, { tid: number; signature: string; n: number }>();

  /** Count (+1) or uncount (-1) an entity. */
  add(tid: number, ix: EntityIndex, sign: 1 | -1): void {
    const key = `${tid}:${ix.signature}`;
    const c = this.changes.get(key);
    if (c) c.n += sign;
    else this.changes.set(key, { tid, signature: ix.signature, n: sign });
  }
}

/** Reads and writes the discovery counters. */
export class Discovery {
  private readonly bump: Database.Statement;
  private readonly prune: Database.Statement;
  private readonly rows: Database.Statement<[number], { shape: number; entities: number }>;
  private readonly parsed = new SignatureCache();

  constructor(
    db: Database.Database,
    private readonly terms: Dictionary,
  ) {
    this.bump = db.prepare(
      `INSERT INTO shape_stats (tid, shape, entities) VALUES (?, ?, ?)
       ON CONFLICT (tid, shape) DO UPDATE SET entities = entities + excluded.entities`,
    );
    this.prune = db.prepare('DELETE FROM shape_stats WHERE tid = ? AND shape = ? AND entities <= 0');
    this.rows = db.prepare('SELECT shape, entities FROM shape_stats WHERE tid = ? AND entities > 0');
  }

  /** Apply net changes (inside the writing transaction). */
  apply(d: StatsDelta): void {
    for (const { tid, signature, n } of d.changes.values()) {
      if (n === 0) continue;
      const shape = this.terms.ensure(signature);
      this.bump.run(tid, shape, n);
      if (n < 0) this.prune.run(tid, shape);
    }
  }

  /** Types of a tenant (all, or those named) with entity counts and attributes. */
  listTypes(tid: number, only?: string[]): TypeInfo[] {
    return typesOf(this.shapes(tid), only);
  }

  /** Attributes of a tenant (all, or those named) with instance counts, attribute types and type names. */
  listAttributes(tid: number, only?: string[]): AttributeInfo[] {
    return attributesOf(this.shapes(tid), only);
  }

  private shapes(tid: number): ShapeCount[] {
    return this.rows
      .all(tid)
      .map((r) => ({ sig: this.parsed.parse(this.terms.nameOf(r.shape)), n: r.entities }));
  }
}
