/**
 * JSON Schemas of the temporal endpoints (clause 6.18 – 6.24): Fastify validates requests with them
 * and /openapi.json is built from the same objects. Query strings forbid unknown parameters; the
 * values are checked in depth by temporal-params.ts, which gives precise 400s.
 *
 * Paging of long histories (clause 6.3.10): one answer holds at most 10,000 instances per attribute
 * (`MAX_INSTANCES` in app.ts). Beyond that the answer is a 206 with
 * `Content-Range: date-time <start>-<end>/<size>` covering one time range for every attribute:
 * the earliest instances (start = timeAt with after/between), or with lastN the most recent ones
 * (start = the latest instant, size = lastN). Ask for the next page by moving timeAt (or, with
 * lastN, the upper bound) past `end`.
 */
import { paging, queryBody, selection as entitySelection, str } from './schemas.js';

/** The temporal query (clause 4.11) and the instance paging of clause 6.3.10. */
const temporalQuery = {
  timerel: str('before | after | between (with timeAt; between also with endTimeAt)'),
  timeAt: str('ISO 8601 date-time the time relation refers to'),
  endTimeAt: str('ISO 8601 date-time ending a between range (later than timeAt)'),
  timeproperty: str('observedAt (default) | modifiedAt | createdAt: the timestamp the query uses'),
  lastN: str(
    'Only the last N instances (by the time property) of each attribute; beyond 10,000 per attribute, pages backwards (206)',
  ),
} as const;

/** Aggregation (clause 4.5.19), with options=aggregatedValues. */
const aggregation = {
  aggrMethods: str('Comma-separated: totalCount, distinctCount, sum, avg, min, max, stddev, sumsq'),
  aggrPeriodDuration: str('ISO 8601 duration of each period (e.g. PT1H, P1D, P1M); whole range when absent'),
} as const;

/** How the history is represented and projected. */
const representation = {
  options: str('Comma-separated: temporalValues | aggregatedValues | normalized, and sysAttrs'),
  format: str('normalized | temporalValues | aggregatedValues'),
  attrs: str('Comma-separated attribute names to return (in queries, entities must have one)'),
  pick: str('Comma-separated members to keep (id, type, attribute names)'),
  omit: str('Comma-separated members to leave out'),
  lang: str('Preferred language(s) for LanguageProperties, or *'),
} as const;

/** The entity selection of the current-state queries, with q and geoQ read on the current state. */
const selection = {
  type: entitySelection.type,
  id: entitySelection.id,
  idPattern: entitySelection.idPattern,
  q: str('NGSI-LD query language expression (clause 4.9), tested on the current state'),
  georel: str('Geo-query relation (clause 4.10), tested on the current state'),
  geometry: entitySelection.geometry,
  coordinates: entitySelection.coordinates,
  geoproperty: entitySelection.geoproperty,
  scopeQ: entitySelection.scopeQ,
} as const;

/** GET /temporal/entities */
export const queryTemporalQs = {
  type: 'object',
  additionalProperties: false,
  properties: { ...selection, ...temporalQuery, ...aggregation, ...representation, ...paging },
} as const;

/** GET /temporal/entities/{entityId} */
export const retrieveTemporalQs = {
  type: 'object',
  additionalProperties: false,
  properties: { ...temporalQuery, ...aggregation, ...representation },
} as const;

/** POST /temporal/entityOperations/query: paging and representation in the query string. */
export const postTemporalQueryQs = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...paging,
    options: representation.options,
    format: representation.format,
    pick: representation.pick,
    omit: representation.omit,
  },
} as const;

/** DELETE /temporal/entities/{entityId}/attrs/{attrId} */
export const deleteTemporalAttrQs = {
  type: 'object',
  additionalProperties: false,
  properties: {
    datasetId: str('Delete the history of this datasetId only (default: the instances without one)'),
    deleteAll: str('true: delete the history of every datasetId'),
  },
} as const;

export const instanceParams = {
  type: 'object',
  properties: {
    entityId: str('Entity id (a URI)'),
    attrId: str('Attribute name'),
    instanceId: str('Instance id (a URI, as returned in instanceId)'),
  },
  required: ['entityId', 'attrId', 'instanceId'],
} as const;

/** A temporal entity: attributes hold one instance or an array of instances (clause 4.5.7). */
export const temporalEntityBody = {
  type: 'object',
  description:
    'EntityTemporal (clause 5.2.20): id, type and attributes, each one instance or an array of instances',
  properties: {
    id: { type: 'string', description: 'absolute URI' },
    type: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    '@context': {},
  },
  additionalProperties: true,
} as const;

/** Attributes to add to a temporal entity. */
export const temporalFragmentBody = {
  type: 'object',
  description: 'EntityTemporal fragment: attributes, each one instance or an array of instances',
  additionalProperties: true,
} as const;

/** The instance members to change. */
export const instanceBody = {
  type: 'object',
  description: 'The attribute instance (or {"<attrId>": instance}) with the members to set',
  additionalProperties: true,
} as const;

/** The Query data type (clause 5.2.23) with its temporal query (5.2.21). */
export const temporalQueryBody = {
  ...queryBody,
  properties: {
    ...queryBody.properties,
    temporalQ: {
      type: 'object',
      properties: {
        timerel: { type: 'string' },
        timeAt: { type: 'string' },
        endTimeAt: { type: 'string' },
        timeproperty: { type: 'string' },
        lastN: { type: 'integer' },
        aggrMethods: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        aggrPeriodDuration: { type: 'string' },
      },
    },
  },
} as const;
