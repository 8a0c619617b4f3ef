/**
 * Building one parameterised PostgreSQL statement: values go into `Params` and the SQL text only
 * ever holds their `$n` placeholders (never a caller's value), and boolean fragments fold the
 * constants TRUE / FALSE away, so that an unknown attribute or type makes `WHERE false` (PostgreSQL
 * then answers without reading a row) instead of a probe that can never hold.
 */

/** SQL fragments that are constants; `and` / `or` / `not` fold them. */
export const TRUE = 'TRUE';
export const FALSE = 'FALSE';

/** The bound values of one statement, in placeholder order. Placeholder `$1` is always the tenant. */
export class Params {
  readonly values: unknown[] = [];

  constructor(tenant: string) {
    this.values.push(tenant);
  }

  /**
   * The placeholder of a new value, with an explicit cast so PostgreSQL never has to guess its type.
   * A placeholder left out of the final text costs nothing (see `statement`).
   */
  add(value: unknown, type: 'text' | 'text[]' | 'float8' | 'float8[]' | 'int' | 'int[]' | 'bigint'): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/** A statement ready to run: its text and the values of its placeholders. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * The statement of `text` over `params`, numbered afresh: folding (`and`, `or`) may drop fragments
 * whose values were already added, and one set of values serves several statements (page, count),
 * but PostgreSQL refuses a placeholder it cannot type and a value with no placeholder. So the
 * placeholders the text uses are renumbered in order of appearance and only their values are kept.
 * The text holds no `$` but placeholders (no dollar quoting, no caller text).
 */
export function statement(text: string, params: Params): Statement {
  const renumber = new Map<number, number>();
  const values: unknown[] = [];
  const out = text.replace(/\$(\d+)/g, (_, n: string) => {
    const old = Number(n);
    let now = renumber.get(old);
    if (now === undefined) {
      values.push(params.values[old - 1]);
      now = values.length;
      renumber.set(old, now);
    }
    return `$${now}`;
  });
  return { text: out, values };
}

/** The tenant's placeholder. */
export const TENANT = '$1';

/** All of the fragments hold. */
export function and(parts: string[]): string {
  if (parts.includes(FALSE)) return FALSE;
  const kept = parts.filter((p) => p !== TRUE);
  if (kept.length === 0) return TRUE;
  return kept.length === 1 ? kept[0]! : `(${kept.join(' AND ')})`;
}

/** Any of the fragments holds. */
export function or(parts: string[]): string {
  if (parts.includes(TRUE)) return TRUE;
  const kept = parts.filter((p) => p !== FALSE);
  if (kept.length === 0) return FALSE;
  return kept.length === 1 ? kept[0]! : `(${kept.join(' OR ')})`;
}

/** The fragment does not hold. */
export function not(part: string): string {
  if (part === TRUE) return FALSE;
  if (part === FALSE) return TRUE;
  return `NOT ${part}`;
}

/** PostgreSQL text cannot hold U+0000: a value containing it equals no stored string. */
export const hasNul = (s: string): boolean => s.includes('\u0000');
