/**
 * The JSON-LD contexts the demo writes with. A type Urbis governs is written with the inline context
 * of its governance entry (src/governance/privacy/smart-data-models.ts, smartDataModelContext), so
 * that its attributes expand exactly to the IRIs its entry declares — one merged Smart Data Models
 * context cannot do that for every model at once (`refDevice`, `temperature`, `category`,
 * `serialNumber` mean different IRIs in different models), and an attribute that expands elsewhere is
 * dropped at the gate as undeclared. Other types (District, RoadSegment, WeatherObserved …) use the
 * NGSI-LD core context alone, which Urbis always has: nothing here needs a remote context.
 */
import { CORE_CONTEXT_URL } from '../../core/jsonld/core-context-v1-8.js';
import { smartDataModelContext } from '../../governance/privacy/smart-data-models.js';

/** The NGSI-LD core context, which every broker resolves offline. */
export const BASE_CONTEXT = CORE_CONTEXT_URL;

export type LdContext = string | Array<string | Record<string, string>>;

/** The context of an entity of `type` (and of anything that names its attributes). */
export function typeContext(type: string): LdContext {
  const own = smartDataModelContext(type);
  return own === undefined ? BASE_CONTEXT : [BASE_CONTEXT, own];
}

/**
 * The context of a device profile feeding `type`: the registry also writes the device's `Device`
 * entity (serialNumber, deviceCategory …) with it, so Device's names come first and the fed type's
 * last (its names win where the two differ).
 */
export function profileContext(type: string): LdContext {
  const device = smartDataModelContext('Device');
  const own = smartDataModelContext(type);
  return [BASE_CONTEXT, ...(device !== undefined ? [device] : []), ...(own !== undefined ? [own] : [])];
}

/** A context that names the given types only (for a policy: attribute names do not matter there). */
export function typesContext(types: readonly string[]): LdContext {
  const names: Record<string, string> = {};
  for (const t of types) {
    const iri = smartDataModelContext(t)?.[t];
    if (iri !== undefined) names[t] = iri;
  }
  return Object.keys(names).length === 0 ? BASE_CONTEXT : [BASE_CONTEXT, names];
}
