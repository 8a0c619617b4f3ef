/** Structural limits on entity payloads, so that hostile input is refused before it costs much. */
export const ENTITY_LIMITS = {
  /** Nesting of sub-attributes (attribute → sub-attribute → …). */
  maxSubAttributeDepth: 8,
  /** Nesting of any JSON value. */
  maxJsonDepth: 64,
  /** Attributes per entity. */
  maxAttributes: 2000,
  /** Length of an id, a type or an attribute name. */
  maxNameLength: 1024,
} as const;
