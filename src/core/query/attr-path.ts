/**
 * Attribute paths of the q language (`attr.sub.observedAt`, `attr[key1.key2]`): the members a path
 * may name besides sub-attributes, and the text form of a path.
 */
import type { AttrPath } from './ast.js';

/**
 * Members of an attribute instance a path can select (`temperature.observedAt`). They are not terms:
 * expansion leaves them alone, and they end a path (nothing can follow them but JSON keys).
 */
export const PATH_MEMBERS: ReadonlySet<string> = new Set([
  'observedAt',
  'unitCode',
  'datasetId',
  'createdAt',
  'modifiedAt',
]);

/** True when `name` selects an instance member rather than a sub-attribute. */
export function isPathMember(
  name: string,
): name is 'observedAt' | 'unitCode' | 'datasetId' | 'createdAt' | 'modifiedAt' {
  return PATH_MEMBERS.has(name);
}

/** The q text of a path: `attr`, `.sub` for each sub name, `[k1.k2]` when there are JSON keys. */
export function printPath(path: AttrPath): string {
  const dotted = [path.attr, ...path.sub].join('.');
  return path.keys.length === 0 ? dotted : `${dotted}[${path.keys.join('.')}]`;
}
