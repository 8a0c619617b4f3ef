/**
 * JSON Schema pieces the admin route files share: the same member (an instant, a description, a
 * list of names, the principal that wrote something) is declared the same way in every answer and
 * body, and a path with one parameter or a list answer has one shape.
 */

/** A string, described. */
export const text = (description: string) => ({ type: 'string', description }) as const;

/** A yes/no query parameter: `true` or `false`. */
export const flag = (description: string) =>
  ({ type: 'string', enum: ['true', 'false'], description }) as const;

/** An ISO 8601 instant. */
export const instant = { type: 'string', format: 'date-time' } as const;

/** A list of strings (names, ids, scopes). */
export const strings = { type: 'array', items: { type: 'string' } } as const;

/** A human description given in a body: at most 500 characters. */
export const descriptionText = { type: 'string', maxLength: 500 } as const;

/** Who wrote a stored document (a policy version, a registry entry). */
export const writtenBy = text('Principal that wrote it');

/** An answer that is a list of `item`s. */
export const listOf = <T extends object>(items: T) => ({ type: 'array', items }) as const;

/** The params of a path with one parameter, `name`. */
export const pathParams = <N extends string, T extends object>(name: N, member: T) =>
  ({ type: 'object', properties: { [name]: member } as Record<N, T>, required: [name] }) as const;

/** The answer of a DELETE: 204, no body. */
export const deleted = { 204: { type: 'null', description: 'Deleted' } } as const;
