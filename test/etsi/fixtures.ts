/**
 * Entity payloads for the ETSI-derived suite, written for this suite (in the spirit of the ETSI data
 * files: a Building with simple properties, a relationship, a location). Builders take the id so that
 * every test uses fresh entities.
 */
import { TEST_TERMS } from './harness.js';

/** Inline user @context for application/ld+json bodies (no network needed). */
export const INLINE_CONTEXT = [TEST_TERMS];

/** A minimal entity: id and type only. */
export function minimal(id: string, type = 'Building'): Record<string, unknown> {
  return { id, type };
}

/** Values of the simple-attributes building; override any of them per entity. */
export interface BuildingValues {
  name?: string;
  almostFull?: boolean;
  airQualityLevel?: number;
  category?: string[];
  subCategory?: string;
  locatedIn?: string;
}

/** A Building with Properties and a Relationship (normalized form, terms not expanded). */
export function building(id: string, v: BuildingValues = {}, type = 'Building'): Record<string, unknown> {
  return {
    id,
    type,
    name: { type: 'Property', value: v.name ?? 'Tour Part-Dieu' },
    almostFull: { type: 'Property', value: v.almostFull ?? false },
    airQualityLevel: { type: 'Property', value: v.airQualityLevel ?? 4, unitCode: 'C62' },
    category: { type: 'Property', value: v.category ?? ['office', 'commercial'] },
    subCategory: { type: 'Property', value: v.subCategory ?? 'tower' },
    locatedIn: { type: 'Relationship', object: v.locatedIn ?? 'urn:ngsi-ld:City:Lyon' },
  };
}

/** The same building as an application/ld+json body carrying the inline user @context. */
export function buildingLd(id: string, v: BuildingValues = {}): Record<string, unknown> {
  return { ...building(id, v), '@context': INLINE_CONTEXT };
}

/** An entity with a location GeoProperty of any GeoJSON geometry. */
export function located(
  id: string,
  type: string,
  geometry: { type: string; coordinates: unknown },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { id, type, location: { type: 'GeoProperty', value: geometry }, ...extra };
}

/** Lyon-area points used by the geo tests; P1–P2 ≈ 1.9 km apart, P3 ≈ 32 km from P1. */
export const GEO = {
  P1: [4.8357, 45.764],
  P2: [4.85, 45.75],
  P3: [5.2, 45.9],
  /** A box around P1 and P2 but not P3. */
  BOX: [
    [
      [4.8, 45.74],
      [4.88, 45.74],
      [4.88, 45.78],
      [4.8, 45.78],
      [4.8, 45.74],
    ],
  ],
} as const;

/** A building with a LanguageProperty `name` (en, fr, de). */
export function languageBuilding(id: string): Record<string, unknown> {
  return {
    id,
    type: 'Building',
    street: {
      type: 'LanguageProperty',
      languageMap: { en: 'Grand Street', fr: 'Grande Rue', de: 'Große Straße' },
    },
  };
}
