/**
 * Privacy treatments at the gate: before anything reaches the store, attributes of a governed entity
 * type are minimised (undeclared ones dropped or refused), and identifiers, locations and times are
 * treated as the data-governance registry says. The context services call this port for every way
 * data comes in; src/governance/privacy implements it.
 */
import type { Attribute } from '../core/model/entity.js';

/** Treatments of one tenant, ready to apply synchronously (inside a write transaction). */
export interface IngestTreatment {
  /** True when any of the types is governed. */
  governed(types: readonly string[]): boolean;
  /**
   * Incoming attributes of an entity of these types, treated: dropped attributes removed (and
   * counted), values transformed. Throws BadRequestData when the registry refuses an attribute.
   * Returns the input unchanged when the types are not governed.
   */
  attrs(types: readonly string[], attrs: Record<string, Attribute[]>): Record<string, Attribute[]>;
}

export interface IngestGate {
  /** Load the tenant's registry entries and current pseudonym key. */
  prepare(tenant: string): Promise<IngestTreatment>;
}

/** No treatment (no registry configured). */
export const NO_TREATMENT: IngestTreatment = {
  governed: () => false,
  attrs: (_types, attrs) => attrs,
};
