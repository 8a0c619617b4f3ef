/**
 * How the PostgreSQL store reads attribute instances of `temporal_instances` (migration 0004): times
 * as epoch ms, row ids as decimal text (a bigint does not fit a JavaScript number), and the `ds`
 * column of a series ('' for the default instance). The row form itself (value split by JSON type,
 * kind codes, extra JSON, instance ids) is shared with every store:
 * src/store/shared/temporal/instance-codec.ts.
 */
import type { StoredInstance } from '../../../core/temporal/model.js';
import { decodeInstance, instanceDigits } from '../../shared/temporal/instance-codec.js';
import { msOf } from './params.js';

/** The columns of an instance as read back (instances aliased i), named as `InstanceRow`. */
export const INSTANCE_COLUMNS = [
  'i.iid::text AS iid',
  'i.kind',
  `${msOf('i.observed_at')} AS observed_ms`,
  `${msOf('i.created_at')} AS created_ms`,
  `${msOf('i.modified_at')} AS modified_ms`,
  'i.num',
  'i.str',
  'i.json',
  'i.unit',
  'i.extra',
].join(', ');

/** A row as read back. */
export interface InstanceRow {
  iid: string;
  kind: number;
  observed_ms: number | null;
  created_ms: number;
  modified_ms: number;
  num: number | null;
  str: string | null;
  json: string | null;
  unit: string | null;
  extra: string | null;
}

/** The stored instance of a row; `datasetId` comes from its series. */
export function decodeRow(r: InstanceRow, datasetId: string | undefined): StoredInstance {
  return decodeInstance(
    [r.iid, r.kind, r.observed_ms, r.created_ms, r.modified_ms, r.num, r.str, r.json, r.unit, r.extra],
    datasetId,
  );
}

/** The row id of an instanceId as decimal text (for a bigint parameter), or undefined when it is not one of ours. */
export const parseInstanceId = (id: string): string | undefined => instanceDigits(id);

/** The datasetId of a series' `ds` column ('' is the default instance). */
export const datasetOf = (ds: string): string | undefined => (ds === '' ? undefined : ds);
/** The `ds` column of a datasetId. */
export const dsOf = (datasetId: string | undefined): string => datasetId ?? '';
