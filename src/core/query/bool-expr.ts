/**
 * The and/or grammar shared by the type selection language (clause 4.17) and scope queries (4.19):
 *
 *   Or   = And *(("|" / ",") And)
 *   And  = Unit *(";" Unit)
 *   Unit = "(" Or ")" / Leaf
 *
 * Each language supplies its leaf parser; nested conjunctions and disjunctions are flattened.
 */
import type { Cursor } from './cursor.js';

/** Parse a whole and/or expression whose leaves `leaf` reads; fails on trailing input. */
export function parseBoolExpr<E extends { kind: string }>(c: Cursor, leaf: (c: Cursor) => E): E {
  const expr = parseOr(c, leaf);
  if (!c.atEnd) throw c.fail("',', '|', ';' or the end");
  return expr;
}

function parseOr<E extends { kind: string }>(c: Cursor, leaf: (c: Cursor) => E): E {
  const items = [parseAnd(c, leaf)];
  while (c.eat('|') || c.eat(',')) items.push(parseAnd(c, leaf));
  return combine('or', items);
}

function parseAnd<E extends { kind: string }>(c: Cursor, leaf: (c: Cursor) => E): E {
  const items = [parseUnit(c, leaf)];
  while (c.eat(';')) items.push(parseUnit(c, leaf));
  return combine('and', items);
}

function parseUnit<E extends { kind: string }>(c: Cursor, leaf: (c: Cursor) => E): E {
  c.skipSpace();
  let expr: E;
  if (c.eat('(')) {
    c.enter();
    expr = parseOr(c, leaf);
    c.expect(')', "',', '|', ';' or ')'");
    c.leave();
  } else {
    expr = leaf(c);
  }
  c.skipSpace();
  return expr;
}

function combine<E extends { kind: string }>(kind: 'and' | 'or', items: E[]): E {
  if (items.length === 1 && items[0] !== undefined) return items[0];
  const flat = items.flatMap((i) => (i.kind === kind ? (i as unknown as { items: E[] }).items : [i]));
  return { kind, items: flat } as unknown as E;
}
