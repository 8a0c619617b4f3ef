/**
 * Turns the query parameters of the entity endpoints into an expanded `EntityQuery` and the
 * `RenderOptions` of the response (clause 6.4.3.2 and 6.3.x: options, format, attrs, pick, omit …).
 */
import { NgsiError, badRequest } from '../../core/errors.js';
import type { Format, RenderOptions } from '../../core/entity/render-entity.js';
import { isUri } from '../../core/entity/validate.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { NGSI } from '../../core/model/entity.js';
import type { EntityQuery, OrderKey } from '../../core/query/ast.js';
import { expandGeoQuery, expandQExpr, expandTypeExpr } from '../../core/query/expand-query.js';
import { parseGeoQuery } from '../../core/query/geo-query.js';
import { parseQ } from '../../core/query/q-parser.js';
import { parseScopeQ } from '../../core/query/scope-query.js';
import { parseTypeExpr } from '../../core/query/type-expr.js';

/** Query string as Fastify hands it over (repeated keys become arrays). */
export type QueryString = Record<string, string | string[] | undefined>;

/** Paging limits from configuration. */
export interface PagingLimits {
  defaultLimit: number;
  maxLimit: number;
}

/** One value of a parameter; a repeated parameter is a client error. */
export function single(qs: QueryString, name: string): string | undefined {
  const v = qs[name];
  if (Array.isArray(v)) throw badRequest(`parameter ${name} given more than once`);
  return v;
}

/** A comma-separated list parameter (empty items refused). */
export function list(qs: QueryString, name: string): string[] | undefined {
  const v = single(qs, name);
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw badRequest(`parameter ${name} has an empty item`);
  return items;
}

/** The `options` parameter as a set of flags, each one of those the endpoint allows. */
export function options(qs: QueryString, allowed: readonly string[]): Set<string> {
  const items = list(qs, 'options') ?? [];
  for (const o of items) if (!allowed.includes(o)) throw badRequest(`unknown option ${JSON.stringify(o)}`);
  return new Set(items);
}

/** Render options for the entity read endpoints. */
export function renderOptions(qs: QueryString, mapper: TermMapper): RenderOptions {
  const opts = options(qs, ['keyValues', 'concise', 'normalized', 'sysAttrs', 'simplified']);
  let format: Format = 'normalized';
  const formats = [...opts].filter((o) => o !== 'sysAttrs');
  const formatParam = single(qs, 'format');
  if (formatParam !== undefined) {
    if (!['normalized', 'concise', 'keyValues', 'simplified'].includes(formatParam)) {
      throw badRequest(`unknown format ${JSON.stringify(formatParam)}`);
    }
    formats.push(formatParam);
  }
  const distinct = new Set(formats.map((f) => (f === 'simplified' ? 'keyValues' : f)));
  if (distinct.size > 1) throw badRequest('conflicting representation options');
  if (distinct.size === 1) format = [...distinct][0] as Format;
  const attrs = list(qs, 'attrs');
  const pick = list(qs, 'pick');
  const omit = list(qs, 'omit');
  if (pick !== undefined && omit !== undefined) throw badRequest('pick and omit cannot be used together');
  if (pick !== undefined && attrs !== undefined) throw badRequest('pick and attrs cannot be used together');
  const member = (m: string): string =>
    m === 'id' || m === 'type' || m === 'scope' ? m : mapper.expandTerm(m);
  const out: RenderOptions = { format, sysAttrs: opts.has('sysAttrs') };
  if (attrs !== undefined) out.attrs = new Set(attrs.map((a) => mapper.expandTerm(a)));
  if (pick !== undefined) out.pick = new Set(pick.map(member));
  if (omit !== undefined) out.omit = new Set(omit.map(member));
  const lang = single(qs, 'lang');
  if (lang !== undefined) out.lang = lang;
  return out;
}

/** The selection part of a query (no paging), from GET /entities or DELETE /entities parameters. */
export function selection(
  qs: QueryString,
  mapper: TermMapper,
): Omit<EntityQuery, 'limit' | 'offset' | 'count'> {
  const query: Omit<EntityQuery, 'limit' | 'offset' | 'count'> = {};
  const type = single(qs, 'type');
  if (type !== undefined) query.type = expandTypeExpr(parseTypeExpr(type), (t) => mapper.expandTerm(t));
  const ids = list(qs, 'id');
  if (ids !== undefined) {
    for (const id of ids) if (!isUri(id)) throw badRequest(`id ${JSON.stringify(id)} is not a URI`);
    query.ids = ids;
  }
  const idPattern = single(qs, 'idPattern');
  if (idPattern !== undefined) query.idPattern = checkPattern(idPattern);
  // In a query, attrs also selects: entities that have at least one of them (clause 5.7.2).
  const attrs = list(qs, 'attrs');
  if (attrs !== undefined) query.attrs = attrs.map((a) => mapper.expandTerm(a));
  const q = single(qs, 'q');
  if (q !== undefined) query.q = expandQExpr(parseQ(q), (t) => mapper.expandTerm(t));
  const georel = single(qs, 'georel');
  const geometry = single(qs, 'geometry');
  const coordinates = single(qs, 'coordinates');
  if (georel !== undefined || geometry !== undefined || coordinates !== undefined) {
    const geo = parseGeoQuery({ georel, geometry, coordinates, geoproperty: single(qs, 'geoproperty') });
    query.geoQ = expandGeoQuery(geo, (t) => mapper.expandTerm(t));
  } else if (single(qs, 'geoproperty') !== undefined) {
    throw badRequest('geoproperty needs georel, geometry and coordinates');
  }
  const scopeQ = single(qs, 'scopeQ');
  if (scopeQ !== undefined) query.scopeQ = parseScopeQ(scopeQ);
  const orderBy = list(qs, 'orderBy');
  if (orderBy !== undefined) query.orderBy = orderBy.map((k) => orderKey(k, mapper));
  return query;
}

/** A full entity query: selection, paging and counting, checked against the limits. */
export function entityQuery(qs: QueryString, mapper: TermMapper, limits: PagingLimits): EntityQuery {
  const sel = selection(qs, mapper);
  // Clause 5.7.2 (and ETSI 019_03_05): a query names a type, attrs, q or geoQ — ids alone do not do.
  if (
    sel.type === undefined &&
    sel.attrs === undefined &&
    sel.q === undefined &&
    sel.geoQ === undefined &&
    single(qs, 'local') !== 'true'
  ) {
    throw badRequest('a query needs at least one of type, attrs, q or geoQ');
  }
  return { ...sel, ...paging(qs, limits) };
}

/** limit, offset and count (clause 5.5.9 and 6.3.10). */
export function paging(
  qs: QueryString,
  limits: PagingLimits,
): { limit: number; offset: number; count: boolean } {
  const count = booleanParam(qs, 'count') ?? false;
  const limit = intParam(qs, 'limit') ?? limits.defaultLimit;
  const offset = intParam(qs, 'offset') ?? 0;
  if (limit > limits.maxLimit) {
    throw new NgsiError('TooManyResults', `limit ${limit} exceeds the maximum of ${limits.maxLimit}`);
  }
  if (limit === 0 && !count) throw badRequest('limit=0 is only allowed with count=true');
  return { limit, offset, count };
}

function intParam(qs: QueryString, name: string): number | undefined {
  const v = single(qs, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw badRequest(`${name} must be a non-negative integer`);
  return Number(v);
}

/** A boolean parameter: true or false. */
export function booleanParam(qs: QueryString, name: string): boolean | undefined {
  const v = single(qs, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw badRequest(`${name} must be true or false`);
  return v === 'true';
}

function orderKey(raw: string, mapper: TermMapper): OrderKey {
  const descending = raw.startsWith('-');
  const name = descending ? raw.slice(1) : raw;
  if (name === 'id' || name === 'type' || name === 'createdAt' || name === 'modifiedAt') {
    return { key: name, descending };
  }
  const [attr, ...sub] = name.split('.');
  if (attr === undefined || attr === '') throw badRequest(`bad orderBy key ${JSON.stringify(raw)}`);
  return {
    key: {
      attr: mapper.expandTerm(attr),
      sub: sub.map((s) => (isMember(s) ? s : mapper.expandTerm(s))),
      keys: [],
    },
    descending,
  };
}

function isMember(s: string): boolean {
  return ['observedAt', 'unitCode', 'datasetId', 'createdAt', 'modifiedAt'].includes(s);
}

/** An idPattern must compile as a regular expression; long ones are refused to bound matching cost. */
function checkPattern(pattern: string): string {
  if (pattern.length > 256) throw badRequest('idPattern is too long (256 characters at most)');
  try {
    new RegExp(pattern);
  } catch (e) {
    throw badRequest(`idPattern is not a valid regular expression: ${(e as Error).message}`);
  }
  return pattern;
}

/** The GeoProperty to put in GeoJSON `geometry` (default location). */
export function geometryProperty(qs: QueryString, mapper: TermMapper): string {
  const name = single(qs, 'geometryProperty');
  return name === undefined ? NGSI.location : mapper.expandTerm(name);
}

/**
 * The query-string equivalent of the selection members of a Query body (clause 5.2.23: entities,
 * attrs, q, scopeQ, geoQ), so that POST queries are read by the same parsers as GET ones and agree
 * on every rule. Several `entities` selectors are an OR in the spec: they may only name types here.
 */
export function queryBodyParams(body: Record<string, unknown>): QueryString {
  const qs: QueryString = {};
  const selectors =
    (body.entities as Array<{ id?: string; idPattern?: string; type?: string }> | undefined) ?? [];
  if (selectors.length > 1) {
    if (selectors.some((s) => s.id !== undefined || s.idPattern !== undefined || s.type === undefined)) {
      throw badRequest('several entity selectors may only name types');
    }
    qs.type = selectors.map((s) => s.type).join(',');
  } else if (selectors.length === 1) {
    const s = selectors[0]!;
    if (s.type !== undefined) qs.type = s.type;
    if (s.id !== undefined) {
      if (!isUri(s.id)) throw badRequest('entities[].id must be a URI');
      qs.id = s.id;
    }
    if (s.idPattern !== undefined) qs.idPattern = s.idPattern;
  }
  if (Array.isArray(body.attrs)) qs.attrs = (body.attrs as string[]).join(',');
  if (typeof body.q === 'string') qs.q = body.q;
  if (typeof body.scopeQ === 'string') qs.scopeQ = body.scopeQ;
  const geoQ = body.geoQ as Record<string, unknown> | undefined;
  if (geoQ !== undefined) {
    qs.georel = String(geoQ.georel ?? '');
    qs.geometry = String(geoQ.geometry ?? '');
    qs.coordinates =
      typeof geoQ.coordinates === 'string' ? geoQ.coordinates : JSON.stringify(geoQ.coordinates ?? null);
    if (geoQ.geoproperty !== undefined) qs.geoproperty = String(geoQ.geoproperty);
  }
  return qs;
}
