/**
 * The broker's internal entity model: an NGSI-LD entity with every term (types, attribute names,
 * sub-attribute names) expanded to its full IRI. Values stay as the client sent them. Rendering to
 * normalized / concise / keyValues with a caller's @context happens in `core/entity/render`.
 */

/** The attribute kinds of NGSI-LD v1.8 (clause 4.5), in a fixed order (stores may code them by index). */
export const ATTRIBUTE_TYPES = [
  'Property',
  'Relationship',
  'GeoProperty',
  'LanguageProperty',
  'ListProperty',
  'ListRelationship',
  'VocabProperty',
  'JsonProperty',
] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/**
 * One instance of an attribute (or a sub-attribute). `value` holds the kind's main member:
 * Property/GeoProperty `value`, Relationship `object`, LanguageProperty `languageMap`,
 * ListProperty `valueList`, ListRelationship `objectList`, VocabProperty `vocab` (expanded),
 * JsonProperty `json`.
 */
export interface Attribute {
  type: AttributeType;
  value: unknown;
  /** Relationship: the expanded type(s) of the target entity. */
  objectType?: string | string[];
  datasetId?: string;
  observedAt?: string;
  unitCode?: string;
  createdAt?: string;
  modifiedAt?: string;
  /** Sub-attributes, keyed by expanded name. */
  sub?: Record<string, Attribute>;
}

/** An entity: id, expanded type(s), optional scopes, and its attributes keyed by expanded name. */
export interface Entity {
  id: string;
  type: string[];
  scope?: string[];
  /** Each attribute name maps to its instances: at most one without datasetId, others each with a distinct one. */
  attrs: Record<string, Attribute[]>;
  createdAt?: string;
  modifiedAt?: string;
}

/** Expanded IRIs of the core terms the broker treats specially. */
export const NGSI = {
  ns: 'https://uri.etsi.org/ngsi-ld/',
  location: 'https://uri.etsi.org/ngsi-ld/location',
  observationSpace: 'https://uri.etsi.org/ngsi-ld/observationSpace',
  operationSpace: 'https://uri.etsi.org/ngsi-ld/operationSpace',
  default: 'https://uri.etsi.org/ngsi-ld/default-context/',
  defaultDatasetId: 'urn:ngsi-ld:default',
} as const;

/** Members of an attribute that are not sub-attributes (clause 4.5, 5.2.5 – 5.2.37). */
export const ATTRIBUTE_MEMBERS = new Set([
  'type',
  'value',
  'object',
  'objectType',
  'languageMap',
  'valueList',
  'objectList',
  'vocab',
  'json',
  'datasetId',
  'observedAt',
  'unitCode',
  'createdAt',
  'modifiedAt',
  'deletedAt',
  'instanceId',
  'previousValue',
  'previousObject',
  'previousLanguageMap',
  'lang',
]);

/** Members of an entity that are not attributes. */
export const ENTITY_MEMBERS = new Set([
  'id',
  'type',
  'scope',
  '@context',
  'createdAt',
  'modifiedAt',
  'deletedAt',
]);

/**
 * The instances of attribute `name`, or undefined: own members only, so that a name such as
 * `toString` or `constructor` never reads what every object inherits.
 */
export function instancesOf(attrs: Entity['attrs'] | undefined, name: string): Attribute[] | undefined {
  if (attrs === undefined || !Object.hasOwn(attrs, name)) return undefined;
  const list = attrs[name];
  return Array.isArray(list) ? list : undefined;
}
