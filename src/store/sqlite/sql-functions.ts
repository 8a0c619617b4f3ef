/**
 * JavaScript functions registered on the connection, for what SQL cannot say itself: regular
 * expressions (`~=`, idPattern; the q parser's `compilePattern`), exact geo tests after the R*Tree prefilter, scope wildcards, and
 * `q_select` — the values a q path selects from a stored document, for paths the index does not hold.
 * Parsed inputs (patterns, queries, the last document) are cached; every cache is per connection.
 */
import type Database from 'better-sqlite3';
import type { Entity } from '../../core/model/entity.js';
import type { AttrPath, GeoQuery } from '../../core/query/ast.js';
import { asGeometry, geoMatches } from '../../core/query/geo-match.js';
import { compilePattern } from '../../core/query/pattern.js';
import { pathRows } from './value-rows.js';

/** A bounded map that forgets its oldest entry when full. */
class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string, make: (key: string) => V): V {
    const hit = this.m.get(key);
    if (hit !== undefined) return hit;
    const v = make(key);
    if (this.m.size >= this.size) this.m.delete(this.m.keys().next().value as string);
    this.m.set(key, v);
    return v;
  }
}

/** Register the functions on a connection. */
export function registerFunctions(db: Database.Database): void {
  const regexps = new Lru<RegExp>(256);
  const geoQueries = new Lru<GeoQuery>(64);
  const paths = new Lru<AttrPath>(256);
  let lastDoc = '';
  let lastEntity: Pick<Entity, 'attrs'> = { attrs: {} };
  const parseDoc = (doc: string): Pick<Entity, 'attrs'> => {
    if (doc !== lastDoc) {
      lastEntity = JSON.parse(doc) as Pick<Entity, 'attrs'>;
      lastDoc = doc;
    }
    return lastEntity;
  };

  // SQLite rewrites `x REGEXP y` to regexp(y, x).
  db.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) =>
    typeof pattern === 'string' &&
    typeof value === 'string' &&
    regexps.get(pattern, compilePattern).test(value)
      ? 1
      : 0,
  );

  db.function('geo_match', { deterministic: true }, (geom: unknown, query: unknown) => {
    if (typeof geom !== 'string' || typeof query !== 'string') return 0;
    const g = asGeometry(JSON.parse(geom));
    return g &&
      geoMatches(
        g,
        geoQueries.get(query, (q) => JSON.parse(q) as GeoQuery),
      )
      ? 1
      : 0;
  });

  // True when any instance of the query's GeoProperty in a stored document matches.
  db.function('geo_doc_match', { deterministic: true }, (doc: unknown, query: unknown) => {
    if (typeof doc !== 'string' || typeof query !== 'string') return 0;
    const q = geoQueries.get(query, (s) => JSON.parse(s) as GeoQuery);
    const instances = parseDoc(doc).attrs[q.geoproperty] ?? [];
    return instances.some((inst) => {
      const g = inst.type === 'GeoProperty' ? asGeometry(inst.value) : undefined;
      return g !== undefined && geoMatches(g, q);
    })
      ? 1
      : 0;
  });

  // scope_match(pattern JSON {segments, descendants}, scope): `+` matches one segment.
  db.function('scope_match', { deterministic: true }, (pattern: unknown, scope: unknown) => {
    if (typeof pattern !== 'string' || typeof scope !== 'string') return 0;
    const { segments, descendants } = JSON.parse(pattern) as { segments: string[]; descendants: boolean };
    const have = scope.split('/').slice(1);
    if (have.length < segments.length || (!descendants && have.length !== segments.length)) return 0;
    return segments.every((s, i) => s === '+' || s === have[i]) ? 1 : 0;
  });

  db.table('q_select', {
    columns: ['k', 'v', 'd', 'ms'],
    parameters: ['doc', 'path'],
    *rows(doc: unknown, path: unknown) {
      if (typeof doc !== 'string' || typeof path !== 'string') return;
      const p = paths.get(path, (s) => JSON.parse(s) as AttrPath);
      for (const r of pathRows(parseDoc(doc), p)) yield [r.k, r.v, r.d, r.ms];
    },
  });
}
