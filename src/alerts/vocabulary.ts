/**
 * The names of Alert and AlertRule entities, expanded once with the core @context so that every
 * client — the dashboard, subscriptions, the open APIs — reads them as the compact Smart Data Models
 * names (`severity`, `alertSource`, `status` …) without a context of its own.
 */
import type { TermMapper } from '../core/jsonld/terms.js';

const TERMS = [
  'Alert',
  'AlertRule',
  'category',
  'subCategory',
  'severity',
  'alertSource',
  'dateIssued',
  'description',
  'location',
  'status',
  'rule',
  'value',
  'acknowledgedBy',
  'acknowledgedAt',
  'clearedAt',
  'clearedBy',
  'name',
  'enabled',
  'document',
] as const;
export type AlertTerm = (typeof TERMS)[number];

/** Expanded IRI of each term. */
export type AlertVocabulary = Readonly<Record<AlertTerm, string>>;

/** Alert entities are `urn:ngsi-ld:Alert:<rule id>:<source hash>:<fired at, epoch ms>`. */
export const ALERT_PREFIX = 'urn:ngsi-ld:Alert:';
/** Rules are stored as `urn:ngsi-ld:AlertRule:<rule id>`. */
export const RULE_PREFIX = 'urn:ngsi-ld:AlertRule:';

/** Expand every term with `core` (the core context: `severity` → default-context IRI). */
export function alertVocabulary(core: TermMapper): AlertVocabulary {
  const out = {} as Record<AlertTerm, string>;
  for (const t of TERMS) out[t] = core.expandTerm(t);
  return out;
}
