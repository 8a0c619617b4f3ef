/**
 * The data-governance registry's model (issue #4, "Privacy by design"; OASC MIM4): for one entity
 * type, why the city holds it (purpose), how long (retention), whether attributes it does not declare
 * are dropped or refused, and per attribute a classification and the treatment applied at ingest.
 * Names are expanded IRIs, like the entity model's; parse-governance reads and writes the compact
 * JSON document that operators edit.
 */

/** How much harm a disclosure can do, least to most; the order is used to pick the strictest. */
export const CLASSIFICATIONS = ['public', 'internal', 'personal', 'sensitive'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/**
 * What ingest does with an attribute the entry does not declare: drop it (minimisation), refuse the
 * write (400), or keep it untreated — only for entities the platform itself manages whose attribute
 * names are not fixed (a Device entity carries each actuator's command attributes, named by its profile).
 */
export type UndeclaredPolicy = 'drop' | 'refuse' | 'keep';

/**
 * What ingest does to an attribute's values before they are stored.
 * - keep: nothing.
 * - drop: the attribute is never stored.
 * - pseudonymise: string values become a keyed HMAC-SHA-256, hex, truncated to `length` characters.
 * - coarsen: GeoProperty positions snap to the centre of a square grid cell of `grid` metres, or of
 *   the H3 cell of resolution `h3`.
 * - roundTime: instants (observedAt, DateTime values) are floored to a multiple of `period`.
 */
export type Treatment =
  | { kind: 'keep' }
  | { kind: 'drop' }
  | { kind: 'pseudonymise'; length: number }
  | CoarsenTreatment
  | { kind: 'roundTime'; period: string; periodMs: number };

/** Exactly one of a metric grid and an H3 resolution. */
export type CoarsenTreatment = { kind: 'coarsen'; grid: number } | { kind: 'coarsen'; h3: number };

export type TreatmentKind = Treatment['kind'];

/** Treatment kinds, least to most strict: combining entries keeps the strictest. */
export const TREATMENT_ORDER: readonly TreatmentKind[] = [
  'keep',
  'roundTime',
  'coarsen',
  'pseudonymise',
  'drop',
];

/** Governance of one attribute. */
export interface AttributeGovernance {
  classification: Classification;
  /** Why this attribute is held, when it differs from (or refines) the type's purpose. */
  purpose?: string;
  /** ISO 8601 duration; absent: the type's retention applies. */
  retention?: string;
  treatment: Treatment;
}

/** Governance of one entity type. */
export interface TypeGovernance {
  /** Expanded type IRI. For an entry combined from several types, the first of them. */
  type: string;
  purpose: string;
  undeclared: UndeclaredPolicy;
  /** ISO 8601 duration: how long history is kept by default; absent: kept until deleted. */
  retention?: string;
  /** Declared attributes, keyed by expanded IRI (own members only: look up with Object.hasOwn). */
  attributes: Record<string, AttributeGovernance>;
  /** Set on an entry combined from several types (combineGovernance): their IRIs. */
  combinedFrom?: string[];
}

/** Bounds of the parameters (validated when an entry is parsed). */
export const LIMITS = {
  pseudonymLength: { min: 8, max: 64, default: 16 },
  gridMetres: { min: 1, max: 100_000 },
  h3Resolution: { min: 0, max: 15 },
  /** Longest purpose text. */
  purposeLength: 500,
  /** Most attributes one entry declares. */
  attributes: 1000,
} as const;
