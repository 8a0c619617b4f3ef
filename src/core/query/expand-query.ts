/**
 * Term expansion of parsed queries: the parsers keep names as the client wrote them, the store and
 * the evaluator work on IRIs. The caller supplies `expandTerm` (its @context), so this stays pure.
 */
import type { AttrPath, GeoQuery, QExpr, QValue, TypeExpr } from './ast.js';
import { isPathMember } from './attr-path.js';

/** Expands one term to an IRI with the request's @context. */
export type ExpandTerm = (term: string) => string;

/** Options of `expandQExpr`. */
export interface ExpandQOptions {
  /**
   * `expandValues` (clause 4.9): compact names of attributes whose string and URI literals are
   * terms to expand too (for VocabProperty and similar values stored expanded).
   */
  expandValues?: readonly string[];
}

/**
 * Expand the attribute and sub-attribute names of a q expression. The instance members
 * (`observedAt`, `unitCode`, `datasetId`, `createdAt`, `modifiedAt`) and JSON keys stay as they are.
 */
export function expandQExpr(expr: QExpr, expandTerm: ExpandTerm, options: ExpandQOptions = {}): QExpr {
  const valuesOf = new Set(options.expandValues ?? []);
  const walk = (e: QExpr): QExpr => {
    switch (e.kind) {
      case 'and':
      case 'or':
        return { kind: e.kind, items: e.items.map(walk) };
      case 'exists':
      case 'notExists':
        return { kind: e.kind, path: expandPath(e.path, expandTerm) };
      case 'compare': {
        const expandValue = valuesOf.has(e.path.attr) && (e.op === '==' || e.op === '!=');
        const value = expandValue ? expandLiteral(e.value, expandTerm) : e.value;
        return { kind: 'compare', path: expandPath(e.path, expandTerm), op: e.op, value };
      }
      case 'in': {
        const values = valuesOf.has(e.path.attr)
          ? e.values.map((v) => expandLiteral(v, expandTerm))
          : e.values;
        return { kind: 'in', path: expandPath(e.path, expandTerm), negate: e.negate, values };
      }
      case 'range':
        return { ...e, path: expandPath(e.path, expandTerm) };
    }
  };
  return walk(expr);
}

/** Expand a path's attribute and sub-attribute names (members and JSON keys stay). */
export function expandPath(path: AttrPath, expandTerm: ExpandTerm): AttrPath {
  return {
    attr: expandTerm(path.attr),
    sub: path.sub.map((s) => (isPathMember(s) ? s : expandTerm(s))),
    keys: [...path.keys],
  };
}

function expandLiteral(value: QValue, expandTerm: ExpandTerm): QValue {
  return value.kind === 'string' || value.kind === 'uri'
    ? { kind: 'uri', value: expandTerm(value.value) }
    : value;
}

/** Expand the type names of a type expression. */
export function expandTypeExpr(expr: TypeExpr, expandTerm: ExpandTerm): TypeExpr {
  switch (expr.kind) {
    case 'type':
      return { kind: 'type', name: expandTerm(expr.name) };
    case 'and':
    case 'or':
      return { kind: expr.kind, items: expr.items.map((i) => expandTypeExpr(i, expandTerm)) };
  }
}

/** Expand the GeoProperty name of a geo-query. */
export function expandGeoQuery(geo: GeoQuery, expandTerm: ExpandTerm): GeoQuery {
  return { ...geo, geoproperty: expandTerm(geo.geoproperty) };
}
