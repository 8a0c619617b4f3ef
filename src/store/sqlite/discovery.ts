/**
 * Discovery (types and attributes) from counters that every write keeps: how many entities of a
 * tenant have each shape (types + attribute kinds, see `EntityIndex.signature`). Listing costs the
 * number of distinct shapes, not of entities; a write that keeps an entity's shape (the usual
 * update) changes no counter, and a batch lands its net changes in one statement per shape.
 */
import type Database from 'better-sqlite3';
import type { AttributeInfo, TypeInfo } from '../port.js';
import type { Dictionary } from './dictionary.js';
import type { EntityIndex, Signature } from './entity-index.js';

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

  /** Fold another delta into this one. */
  merge(other: StatsDelta): void {
    for (const [key, c] of other.changes) {
      const mine = this.changes.get(key);
      if (mine) mine.n += c.n;
      else this.changes.set(key, { ...c });
    }
  }
}

/** Reads and writes the discovery counters. */
export class Discovery {
  private readonly bump: Database.Statement;
  private readonly prune: Database.Statement;
  private readonly rows: Database.Statement<[number], { shape: number; entities: number }>;
  private readonly parsed = new Map<string, Signature>();

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
    const wanted = only ? new Set(only) : undefined;
    const byType = new Map<string, { count: number; attrs: Map<string, Set<string>> }>();
    for (const { sig, n } of this.shapes(tid)) {
      for (const type of sig[0]) {
        if (wanted && !wanted.has(type)) continue;
        const info = byType.get(type) ?? { count: 0, attrs: new Map<string, Set<string>>() };
        byType.set(type, info);
        info.count += n;
        for (const [attr, atype] of sig[1])
          info.attrs.set(attr, (info.attrs.get(attr) ?? new Set()).add(atype));
      }
    }
    return [...byType]
      .map(([type, info]) => ({
        type,
        entityCount: info.count,
        attributes: [...info.attrs]
          .map(([name, kinds]) => ({ name, attributeTypes: [...kinds].sort(cmp) }))
          .sort((a, b) => cmp(a.name, b.name)),
      }))
      .sort((a, b) => cmp(a.type, b.type));
  }

  /** Attributes of a tenant (all, or those named) with instance counts, attribute types and type names. */
  listAttributes(tid: number, only?: string[]): AttributeInfo[] {
    const wanted = only ? new Set(only) : undefined;
    const byName = new Map<string, { count: number; kinds: Set<string>; types: Set<string> }>();
    for (const { sig, n } of this.shapes(tid)) {
      for (const [attr, atype, instances] of sig[1]) {
        if (wanted && !wanted.has(attr)) continue;
        const info = byName.get(attr) ?? { count: 0, kinds: new Set<string>(), types: new Set<string>() };
        byName.set(attr, info);
        info.count += instances * n;
        info.kinds.add(atype);
        for (const t of sig[0]) info.types.add(t);
      }
    }
    return [...byName]
      .map(([name, i]) => ({
        name,
        attributeCount: i.count,
        attributeTypes: [...i.kinds].sort(cmp),
        typeNames: [...i.types].sort(cmp),
      }))
      .sort((a, b) => cmp(a.name, b.name));
  }

  private shapes(tid: number): Array<{ sig: Signature; n: number }> {
    return this.rows.all(tid).map((r) => {
      // Keyed by text, not id: ids of a rolled-back transaction can be handed out again.
      const text = this.terms.nameOf(r.shape);
      let sig = this.parsed.get(text);
      if (!sig) this.parsed.set(text, (sig = JSON.parse(text) as Signature));
      return { sig, n: r.entities };
    });
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
