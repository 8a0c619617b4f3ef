/**
 * JSON Schemas of the NGSI-LD endpoints' parameters and bodies. Fastify validates requests with
 * them and @fastify/swagger builds /openapi.json from the same objects, so docs never drift.
 * Query strings forbid unknown parameters (clause 6.3.x: unknown parameter → 400).
 */
/** A string parameter with its description (for the OpenAPI document). */
export const str = (description: string) => ({ type: 'string', description }) as const;

/** Parameters shared by every read of entities. */
const representation = {
  attrs: str('Comma-separated attribute names to return (and, in queries, to require one of)'),
  pick: str('Comma-separated members to keep (id, type, attribute names)'),
  omit: str('Comma-separated members to leave out'),
  options: str('Comma-separated: keyValues | concise | normalized | sysAttrs'),
  format: str('normalized | concise | keyValues | simplified'),
  lang: str('Preferred language(s) for LanguageProperties, or *'),
  geometryProperty: str('GeoProperty used as geometry with Accept: application/geo+json (default location)'),
  local: str('true: answer from this broker only (always so: no federation yet)'),
} as const;

/** Entity selection parameters shared by the query endpoints. */
export const selection = {
  type: str('Entity type expression: A,B (any) · A;B (all) · (A|B);C'),
  id: str('Comma-separated entity ids'),
  idPattern: str('Regular expression over entity ids'),
  q: str('NGSI-LD query language expression (clause 4.9)'),
  georel: str(
    'near;maxDistance==m | near;minDistance==m | within | contains | intersects | overlaps | disjoint | equals',
  ),
  geometry: str('Point | MultiPoint | LineString | MultiLineString | Polygon | MultiPolygon'),
  coordinates: str('GeoJSON coordinates of the query geometry, as JSON'),
  geoproperty: str('GeoProperty the geo-query tests (default location)'),
  scopeQ: str('Scope query (clause 4.19)'),
  csf: str('Context source filter (accepted; no registrations yet)'),
  orderBy: str(
    'Comma-separated sort keys: id, type, createdAt, modifiedAt or attribute paths; prefix - for descending',
  ),
} as const;

/** Paging over entities. */
export const paging = {
  limit: str('Page size (default 20, at most the configured maximum, 1000 by default)'),
  offset: str('Entities to skip'),
  count: str('true: return the total in NGSILD-Results-Count'),
} as const;

/** GET /entities */
export const queryEntitiesQs = {
  type: 'object',
  additionalProperties: false,
  properties: { ...selection, ...representation, ...paging },
} as const;

/** DELETE /entities (purge) */
export const purgeEntitiesQs = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: selection.type,
    id: selection.id,
    idPattern: selection.idPattern,
    q: selection.q,
    scopeQ: selection.scopeQ,
    attrs: representation.attrs,
    georel: selection.georel,
    geometry: selection.geometry,
    coordinates: selection.coordinates,
    geoproperty: selection.geoproperty,
  },
} as const;

/** GET /entities/{entityId} */
export const retrieveEntityQs = {
  type: 'object',
  additionalProperties: false,
  properties: { ...representation, type: selection.type },
} as const;

/** POST /entityOperations/query: paging and representation in the query string. */
export const postQueryQs = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...paging,
    options: representation.options,
    format: representation.format,
    lang: representation.lang,
    local: representation.local,
  },
} as const;

/** Endpoints that take only `options`. */
export const optionsQs = (description: string) =>
  ({ type: 'object', additionalProperties: false, properties: { options: str(description) } }) as const;

/** DELETE /entities/{entityId}/attrs/{attrId} */
export const deleteAttrQs = {
  type: 'object',
  additionalProperties: false,
  properties: {
    datasetId: str('Instance to delete'),
    deleteAll: str('true: delete every instance'),
    lang: representation.lang,
  },
} as const;

/** Endpoints without parameters. */
export const noQs = { type: 'object', additionalProperties: false, properties: {} } as const;

/** Discovery endpoints. */
export const detailsQs = {
  type: 'object',
  additionalProperties: false,
  properties: { details: str('true: full descriptions'), local: representation.local },
} as const;

export const entityIdParams = {
  type: 'object',
  properties: { entityId: str('Entity id (a URI)') },
  required: ['entityId'],
} as const;

export const attrParams = {
  type: 'object',
  properties: { entityId: str('Entity id (a URI)'), attrId: str('Attribute name') },
  required: ['entityId', 'attrId'],
} as const;

/** An NGSI-LD entity body (validated in depth by the entity parser; described here for the docs). */
export const entityBody = {
  type: 'object',
  description:
    'NGSI-LD entity, normalized or concise (clause 5.2.4); @context in the body with application/ld+json',
  properties: {
    // Checked by the entity parser, so that one bad id in a batch fails alone (207), not the request.
    id: { type: 'string', description: 'absolute URI' },
    type: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    scope: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    '@context': {},
  },
  additionalProperties: true,
} as const;

/** A batch of entities. */
export const entityArrayBody = { type: 'array', items: entityBody, minItems: 1 } as const;

/** A batch of entity ids (batch delete). */
export const idArrayBody = { type: 'array', items: { type: 'string' }, minItems: 1 } as const;

/** The GeoQuery data type (clause 5.2.13) inside Query and Subscription bodies. */
export const geoQBody = {
  type: 'object',
  properties: {
    geometry: { type: 'string' },
    coordinates: {},
    georel: { type: 'string' },
    geoproperty: { type: 'string' },
  },
} as const;

/** The Query data type of clause 5.2.23. */
export const queryBody = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { const: 'Query' },
    entities: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, idPattern: { type: 'string' }, type: { type: 'string' } },
      },
    },
    attrs: { type: 'array', items: { type: 'string' } },
    q: { type: 'string' },
    geoQ: geoQBody,
    scopeQ: { type: 'string' },
    lang: { type: 'string' },
    '@context': {},
  },
} as const;
