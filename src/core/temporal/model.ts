/**
 * The temporal model (NGSI-LD clause 4.5.10 temporal representation, 5.7.3 temporal queries, 4.5.19
 * aggregated representation): attribute instances kept over time, the filters that select them and
 * the aggregations computed over them. Names are expanded IRIs; times are epoch milliseconds inside
 * the broker and ISO 8601 strings at the edges.
 */
import type { Attribute, AttributeType } from '../model/entity.js';

/** Which timestamp of an instance a time filter and aggregation periods use (default observedAt). */
export type TimeProperty = 'observedAt' | 'modifiedAt' | 'createdAt';

/** `timerel` with its instants (epoch ms): before timeAt, after timeAt, or between timeAt and endTimeAt. */
export type TimeFilter =
  | { timerel: 'before'; timeAt: number }
  | { timerel: 'after'; timeAt: number }
  | { timerel: 'between'; timeAt: number; endTimeAt: number };

/** One kept instance of an attribute: the attribute as it was, with its identity and timestamps. */
export interface StoredInstance extends Attribute {
  /** `urn:ngsi-ld:attribute:instance:…`, unique within the broker. */
  instanceId: string;
  /** When the instance was recorded (ISO). */
  createdAt: string;
  /** When the instance was last changed (ISO); equals createdAt unless the instance was patched. */
  modifiedAt: string;
}

/** An entity's temporal evolution: the instances of each attribute, oldest first. */
export interface TemporalEntity {
  id: string;
  type: string[];
  /** Instances per expanded attribute name, ascending by the query's time property. */
  attrs: Record<string, StoredInstance[]>;
  createdAt?: string;
  modifiedAt?: string;
}

/** An ISO 8601 duration reduced to what arithmetic on UTC instants needs: calendar months and milliseconds. */
export interface Duration {
  /** Years × 12 + months (calendar arithmetic). */
  months: number;
  /** Weeks, days (as 24 h), hours, minutes, seconds in milliseconds. */
  ms: number;
}

/** The aggregation functions of clause 4.5.19. */
export const AGGR_METHODS = [
  'totalCount',
  'distinctCount',
  'sum',
  'avg',
  'min',
  'max',
  'stddev',
  'sumsq',
] as const;
export type AggrMethod = (typeof AGGR_METHODS)[number];

/** `options=aggregatedValues`: which functions, over which period (whole time range when absent). */
export interface Aggregation {
  methods: AggrMethod[];
  period?: Duration;
}

/** Which instances to return for each selected entity. */
export interface InstanceSelect {
  /** Attributes to include (expanded); all when absent. */
  attrs?: string[];
  time?: TimeFilter;
  timeproperty: TimeProperty;
  /** Only the last N instances (by the time property) of each attribute. */
  lastN?: number;
  /** Most instances returned per attribute (the server's maximum or less); beyond it the answer is partial. */
  limit: number;
}

/** One period of an aggregation: its bounds (ISO) and the value of each requested function. */
export interface AggregateBucket {
  start: string;
  end: string;
  /** Numbers for numeric values; min/max also for strings and date-times; null when not computable. */
  values: Partial<Record<AggrMethod, number | string | null>>;
}

/** One attribute instance series (one datasetId) aggregated. */
export interface AggregatedAttribute {
  type: AttributeType;
  datasetId?: string;
  buckets: AggregateBucket[];
}

/** An entity's aggregated temporal representation. */
export interface AggregatedEntity {
  id: string;
  type: string[];
  attrs: Record<string, AggregatedAttribute[]>;
}
