/**
 * The checks every store makes on what a caller hands the TemporalRepository, before any SQL runs:
 * a selection, a page, an aggregation, names, a write, a patch, a prune, an erasure. Nonsense is a BadRequestData
 * (a 400) whether or not anything would match, and the same nonsense is refused with the same
 * words by every store (decision 0011). Values typed by the port are still tested at run time: they
 * may come from JSON.
 */
import { badRequest } from '../../../core/errors.js';
import type { Attribute } from '../../../core/model/entity.js';
import type { Aggregation, AggrMethod, InstanceSelect } from '../../../core/temporal/model.js';
import { AGGR_METHODS } from '../../../core/temporal/model.js';
import type { TemporalEntityQuery, TemporalWrite } from '../../port.js';
import { toMs } from './instance-codec.js';
import { checkPeriod } from './periods.js';
import { timeWindow } from './time-window.js';

/** A selection's time filter, instance limits and attribute names. */
export function checkSelect(select: InstanceSelect): void {
  if (typeof select !== 'object' || select === null) throw badRequest('an instance selection is needed');
  timeWindow(select.timeproperty, select.time);
  if (!Number.isSafeInteger(select.limit) || select.limit < 1) {
    throw badRequest('the instance limit must be a positive integer');
  }
  if (select.lastN !== undefined && (!Number.isSafeInteger(select.lastN) || select.lastN < 1)) {
    throw badRequest('lastN must be a positive integer');
  }
  checkNames('attrs', select.attrs);
}

/** A page must be a non-negative limit and offset. */
export function checkPaging(q: TemporalEntityQuery): void {
  if (typeof q !== 'object' || q === null) throw badRequest('an entity selection is needed');
  if (!Number.isSafeInteger(q.limit) || q.limit < 0) throw badRequest('limit must be a non-negative integer');
  if (!Number.isSafeInteger(q.offset) || q.offset < 0)
    throw badRequest('offset must be a non-negative integer');
}

/** An aggregation's period and methods; returns its methods without repeats. */
export function checkAggregation(aggregation: Aggregation): AggrMethod[] {
  if (typeof aggregation !== 'object' || aggregation === null) throw badRequest('an aggregation is needed');
  if (aggregation.period !== undefined) checkPeriod(aggregation.period);
  const methods = aggregation.methods;
  if (!Array.isArray(methods) || methods.length === 0)
    throw badRequest('aggregation needs at least one method');
  for (const m of methods) {
    if (!(AGGR_METHODS as readonly string[]).includes(m))
      throw badRequest(`unknown aggregation method ${String(m)}`);
  }
  return [...new Set(methods)];
}

/** A list of names given by a caller must be an array of strings (absent: no restriction). */
export function checkNames(what: string, names: unknown): void {
  if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string'))) {
    throw badRequest(`${what} must be a list of names`);
  }
}

/** A temporal write must name an entity, its types and lists of instances. */
export function checkWrite(write: TemporalWrite): void {
  const ok =
    typeof write === 'object' &&
    write !== null &&
    typeof write.id === 'string' &&
    Array.isArray(write.type) &&
    write.type.every((t) => typeof t === 'string') &&
    typeof write.attrs === 'object' &&
    write.attrs !== null &&
    Object.values(write.attrs).every(
      (l) => Array.isArray(l) && l.every((i) => typeof i === 'object' && i !== null),
    );
  if (!ok) throw badRequest('a temporal write needs an id, a list of types and lists of instances');
}

/** An instance patch must be an object. */
export function checkPatch(patch: Attribute): void {
  if (typeof patch !== 'object' || patch === null) throw badRequest('an instance patch must be an object');
}

/** What a prune asks for, checked. */
export interface PruneArgs {
  /** Epoch ms: instances last recorded before it go. */
  cutoff: number;
  types: string[] | undefined;
  attrs: string[] | undefined;
  dryRun: boolean;
}

/** Check a prune's instant and options. */
export function pruneArgs(
  before: string,
  options: { types?: string[]; attrs?: string[]; dryRun?: boolean } | undefined,
): PruneArgs {
  const cutoff = toMs(before);
  if (cutoff === undefined) throw badRequest(`prune needs an instant, got ${JSON.stringify(before)}`);
  const { types, attrs, dryRun = false } = options ?? {};
  checkNames('types', types);
  checkNames('attrs', attrs);
  return { cutoff, types, attrs, dryRun };
}

/** An erasure names its attributes and a string value. */
export function checkErase(attrs: string[], value: string): void {
  checkNames('attrs', attrs);
  if (attrs === undefined) throw badRequest('attrs must be a list of names');
  if (typeof value !== 'string') throw badRequest('the value to erase must be a string');
}
