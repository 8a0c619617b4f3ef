/**
 * AlertRule entities: a rule is stored as an NGSI-LD entity (`urn:ngsi-ld:AlertRule:<id>`) holding
 * the document as written (JsonProperty `document`, @context included, so it is re-read with the
 * same expansion after a restart), plus `name`, `severity` and `enabled` as plain properties for
 * clients that query rules as entities. No table of its own: rules live, replicate and are backed up
 * with the rest of the context.
 */
import type { Entity } from '../core/model/entity.js';
import { valueOf } from './alert-entity.js';
import type { AlertRule } from './rule.js';
import { RULE_PREFIX, type AlertVocabulary } from './vocabulary.js';

/** The entity that stores `rule`, written as `raw`. */
export function ruleEntity(v: AlertVocabulary, rule: AlertRule, raw: Record<string, unknown>): Entity {
  return {
    id: `${RULE_PREFIX}${rule.id}`,
    type: [v.AlertRule],
    attrs: {
      [v.name]: [{ type: 'Property', value: rule.name }],
      [v.severity]: [{ type: 'Property', value: rule.severity }],
      [v.enabled]: [{ type: 'Property', value: rule.enabled }],
      [v.document]: [{ type: 'JsonProperty', value: raw }],
    },
  };
}

/** The rule document an AlertRule entity holds; undefined when it holds none. */
export function documentOf(v: AlertVocabulary, entity: Entity): Record<string, unknown> | undefined {
  const doc = valueOf(entity, v.document);
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc)
    ? (doc as Record<string, unknown>)
    : undefined;
}
