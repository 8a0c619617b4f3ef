/**
 * Turns the parameters of the temporal endpoints (clause 6.18 – 6.24, 4.5.19) into what the
 * temporal service takes: which entities (`TemporalEntityQuery`), which instances (`InstanceSelect`:
 * timerel / timeAt / endTimeAt / timeproperty / lastN), whether and how to aggregate (aggrMethods,
 * aggrPeriodDuration) and how to render (options, attrs, pick, omit, lang). Every mistake is a 400
 * whose detail names the parameter.
 */
import { badRequest } from '../../core/errors.js';
import { isDateTime, isUri } from '../../core/entity/validate.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { parseTemporal } from '../../core/query/temporal-literal.js';
import { parseDuration } from '../../core/temporal/duration.js';
import {
  AGGR_METHODS,
  type AggrMethod,
  type Aggregation,
  type InstanceSelect,
  type TimeFilter,
  type TimeProperty,
} from '../../core/temporal/model.js';
import type { TemporalRenderOptions } from '../../core/temporal/render-temporal.js';
import type { TemporalEntityQuery } from '../../store/port.js';
import {
  booleanParam,
  list,
  paging,
  queryBodyParams,
  selection,
  single,
  type PagingLimits,
  type QueryString,
} from './query-params.js';

/** The three temporal representations (4.5.7, 4.5.9, 4.5.19). */
export type TemporalRepresentation = 'normalized' | 'temporalValues' | 'aggregatedValues';

/** Everything the temporal read endpoints need from their parameters. */
export interface TemporalParams {
  representation: TemporalRepresentation;
  select: InstanceSelect;
  /** Present exactly when the representation is aggregatedValues. */
  aggregation?: Aggregation;
  /** Rendering: projection, language and sysAttrs (the format follows `representation`). */
  render: Omit<TemporalRenderOptions, 'format'>;
}

const TIME_PROPERTIES: readonly TimeProperty[] = ['observedAt', 'modifiedAt', 'createdAt'];
const OPTIONS = ['normalized', 'temporalValues', 'aggregatedValues', 'sysAttrs'] as const;
const FORMATS: readonly TemporalRepresentation[] = ['normalized', 'temporalValues', 'aggregatedValues'];

/** Parse representation, instance selection and aggregation; `maxInstances` caps instances per attribute. */
export function temporalParams(qs: QueryString, mapper: TermMapper, maxInstances: number): TemporalParams {
  const representation = representationOf(qs);
  const sysAttrs = (list(qs, 'options') ?? []).includes('sysAttrs');
  const attrs = list(qs, 'attrs')?.map((a) => mapper.expandTerm(a));
  const select: InstanceSelect = {
    timeproperty: timeProperty(qs),
    limit: maxInstances,
  };
  if (attrs !== undefined) select.attrs = attrs;
  const time = timeFilter(single(qs, 'timerel'), single(qs, 'timeAt'), single(qs, 'endTimeAt'));
  if (time !== undefined) select.time = time;
  const lastN = lastNParam(qs);
  if (lastN !== undefined) select.lastN = lastN;
  const aggregation = aggregationOf(qs, representation === 'aggregatedValues');

  const render: TemporalParams['render'] = { timeproperty: select.timeproperty, sysAttrs };
  if (attrs !== undefined) render.attrs = new Set(attrs);
  const pick = list(qs, 'pick');
  const omit = list(qs, 'omit');
  if (pick !== undefined && omit !== undefined) throw badRequest('pick and omit cannot be used together');
  if (pick !== undefined && attrs !== undefined) throw badRequest('pick and attrs cannot be used together');
  const member = (m: string): string => (m === 'id' || m === 'type' ? m : mapper.expandTerm(m));
  if (pick !== undefined) render.pick = new Set(pick.map(member));
  if (omit !== undefined) render.omit = new Set(omit.map(member));
  const lang = single(qs, 'lang');
  if (lang !== undefined) render.lang = lang;

  const out: TemporalParams = { representation, select, render };
  if (aggregation !== undefined) out.aggregation = aggregation;
  return out;
}

/** `options` (normalized | temporalValues | aggregatedValues, plus sysAttrs) or `format`; one at most. */
function representationOf(qs: QueryString): TemporalRepresentation {
  const opts = list(qs, 'options') ?? [];
  for (const o of opts) {
    if (!(OPTIONS as readonly string[]).includes(o)) {
      throw badRequest(`unknown option ${JSON.stringify(o)} (temporal options: ${OPTIONS.join(', ')})`);
    }
  }
  const chosen = new Set(opts.filter((o) => o !== 'sysAttrs'));
  const format = single(qs, 'format');
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw badRequest(`unknown format ${JSON.stringify(format)} (one of ${FORMATS.join(', ')})`);
    }
    chosen.add(format);
  }
  if (chosen.size > 1) throw badRequest(`conflicting representations: ${[...chosen].join(' and ')}`);
  return ([...chosen][0] as TemporalRepresentation | undefined) ?? 'normalized';
}

function timeProperty(qs: QueryString): TimeProperty {
  const v = single(qs, 'timeproperty');
  if (v === undefined) return 'observedAt';
  if (!(TIME_PROPERTIES as readonly string[]).includes(v)) {
    throw badRequest(`timeproperty must be one of ${TIME_PROPERTIES.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as TimeProperty;
}

/**
 * The temporal query of clause 4.11: timerel with timeAt (before, after), or between with
 * endTimeAt after timeAt. None of them: the whole history.
 */
export function timeFilter(
  timerel: string | undefined,
  timeAt: string | undefined,
  endTimeAt: string | undefined,
): TimeFilter | undefined {
  if (timerel === undefined) {
    if (timeAt !== undefined) throw badRequest('timeAt needs timerel (before, after or between)');
    if (endTimeAt !== undefined) throw badRequest('endTimeAt needs timerel=between');
    return undefined;
  }
  if (timerel !== 'before' && timerel !== 'after' && timerel !== 'between') {
    throw badRequest(`timerel must be before, after or between, got ${JSON.stringify(timerel)}`);
  }
  if (timeAt === undefined) throw badRequest(`timerel=${timerel} needs timeAt`);
  const at = instant(timeAt, 'timeAt');
  if (timerel !== 'between') {
    if (endTimeAt !== undefined) throw badRequest(`endTimeAt is only allowed with timerel=between`);
    return { timerel, timeAt: at };
  }
  if (endTimeAt === undefined) throw badRequest('timerel=between needs endTimeAt');
  const end = instant(endTimeAt, 'endTimeAt');
  if (end <= at) throw badRequest(`endTimeAt (${endTimeAt}) must be later than timeAt (${timeAt})`);
  return { timerel, timeAt: at, endTimeAt: end };
}

function instant(value: string, name: string): number {
  // The zone is required (an instant, not a local time); parseTemporal refuses days that do not exist.
  const parsed = isDateTime(value) ? parseTemporal(value) : undefined;
  if (parsed === undefined || parsed.shape !== 'instant') {
    throw badRequest(
      `${name} must be an ISO 8601 date-time with a zone (e.g. 2026-01-01T00:00:00Z), got ${JSON.stringify(value)}`,
    );
  }
  return parsed.epochMs;
}

function lastNParam(qs: QueryString): number | undefined {
  const v = single(qs, 'lastN');
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v) || Number(v) === 0) {
    throw badRequest(`lastN must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}

/** aggrMethods and aggrPeriodDuration: required / allowed only with options=aggregatedValues. */
function aggregationOf(qs: QueryString, aggregated: boolean): Aggregation | undefined {
  const methods = list(qs, 'aggrMethods');
  const period = single(qs, 'aggrPeriodDuration');
  if (!aggregated) {
    if (methods !== undefined) throw badRequest('aggrMethods needs options=aggregatedValues');
    if (period !== undefined) throw badRequest('aggrPeriodDuration needs options=aggregatedValues');
    return undefined;
  }
  if (methods === undefined) throw badRequest('options=aggregatedValues needs aggrMethods');
  const chosen: AggrMethod[] = [];
  for (const m of methods) {
    if (!(AGGR_METHODS as readonly string[]).includes(m)) {
      throw badRequest(`unknown aggrMethod ${JSON.stringify(m)} (one of ${AGGR_METHODS.join(', ')})`);
    }
    if (!chosen.includes(m as AggrMethod)) chosen.push(m as AggrMethod);
  }
  const out: Aggregation = { methods: chosen };
  if (period !== undefined) out.period = parseDuration(period, 'aggrPeriodDuration');
  return out;
}

/** Which entities a temporal query selects, with paging (limit/offset over entities) and count. */
export function temporalEntityQuery(
  qs: QueryString,
  mapper: TermMapper,
  limits: PagingLimits,
): TemporalEntityQuery {
  const { orderBy: _orderBy, ...sel } = selection(qs, mapper);
  return { ...sel, ...paging(qs, limits) };
}

/** `deleteAll` and `datasetId` of DELETE …/attrs/{attrId}. */
export function deleteAttrParams(qs: QueryString): { datasetId: string | undefined; deleteAll: boolean } {
  const datasetId = single(qs, 'datasetId');
  if (datasetId !== undefined && !isUri(datasetId)) throw badRequest('datasetId must be a URI');
  return { datasetId, deleteAll: booleanParam(qs, 'deleteAll') ?? false };
}

/**
 * The query-string equivalent of a temporal Query body (clause 5.2.23 with temporalQ, 6.24): the
 * same parsers then read it, so GET and POST agree on every rule.
 */
export function queryBodyAsParams(body: Record<string, unknown>): QueryString {
  const qs = queryBodyParams(body);
  // An empty attrs list in a temporal query means every attribute.
  if (Array.isArray(body.attrs) && body.attrs.length === 0) delete qs.attrs;
  if (typeof body.lang === 'string') qs.lang = body.lang;
  const t = body.temporalQ as Record<string, unknown> | undefined;
  if (t !== undefined) {
    for (const key of ['timerel', 'timeAt', 'endTimeAt', 'timeproperty', 'aggrPeriodDuration'] as const) {
      if (typeof t[key] === 'string') qs[key] = t[key];
    }
    if (t.lastN !== undefined) qs.lastN = String(t.lastN);
    if (Array.isArray(t.aggrMethods)) qs.aggrMethods = (t.aggrMethods as string[]).join(',');
    else if (typeof t.aggrMethods === 'string') qs.aggrMethods = t.aggrMethods;
  }
  return qs;
}
