/**
 * Alert entities (Smart Data Models dataModel.Alert, plus the lifecycle): how an episode becomes an
 * NGSI-LD entity, how its status changes are written, and the flat view the alerts API answers.
 * Pure; the engine writes what this builds through the EntityService.
 *
 * The id names the rule, a short hash of the source entity and the instant the episode fired
 * (`urn:ngsi-ld:Alert:pm25-high:3f9a0c1b2d4e:1764770400000`): the same firing, decided twice (a
 * redelivered change, a second replica), creates the same id, and the second create fails with
 * AlreadyExists instead of making a duplicate.
 */
import { createHash } from 'node:crypto';
import { instancesOf, NGSI, type Attribute, type Entity } from '../core/model/entity.js';
import type { Transition } from './evaluator.js';
import type { AlertRule } from './rule.js';
import { ALERT_PREFIX, RULE_PREFIX, type AlertVocabulary } from './vocabulary.js';

export const ALERT_STATUSES = ['active', 'acknowledged', 'cleared'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** What the alerts API answers for one alert (keyValues-like, compact names). */
export interface AlertView {
  id: string;
  type: 'Alert';
  status: AlertStatus;
  severity: string;
  category: string;
  subCategory: string;
  description: string;
  /** The entity the alert is about. */
  alertSource: string;
  /** The AlertRule entity id (`urn:ngsi-ld:AlertRule:<rule id>`). */
  rule: string;
  /** The triggering value (a number, `offline`, or for noData the instant last heard of). */
  value?: unknown;
  dateIssued: string;
  location?: unknown;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  clearedAt?: string;
  clearedBy?: string;
}

/** A short, stable hash of a source entity id (ids can be long and hold any character). */
export function sourceHash(sourceId: string): string {
  return createHash('sha256').update(sourceId).digest('hex').slice(0, 12);
}

/** The id of the alert that `rule` raised about `sourceId` at `firedAt` (epoch ms). */
export function alertIdOf(ruleId: string, sourceId: string, firedAt: number): string {
  return `${ALERT_PREFIX}${ruleId}:${sourceHash(sourceId)}:${firedAt}`;
}

/** The new Alert entity of an episode that just fired. */
export function newAlertEntity(
  v: AlertVocabulary,
  rule: AlertRule,
  source: Entity,
  fired: Transition,
  attributeName?: string,
): Entity {
  const at = new Date(fired.at).toISOString();
  const prop = (value: unknown): Attribute[] => [{ type: 'Property', value }];
  const attrs: Record<string, Attribute[]> = {
    [v.category]: prop(rule.category),
    [v.subCategory]: prop(rule.subCategory),
    [v.severity]: prop(rule.severity),
    [v.status]: prop('active'),
    [v.description]: prop(describe(rule, fired, attributeName)),
    [v.dateIssued]: prop(at),
    [v.alertSource]: [{ type: 'Relationship', value: source.id }],
    [v.rule]: [{ type: 'Relationship', value: `${RULE_PREFIX}${rule.id}`, objectType: v.AlertRule }],
  };
  if (fired.value !== undefined && fired.value !== null)
    attrs[v.value] = [{ type: 'Property', value: fired.value, observedAt: at }];
  const location = instancesOf(source.attrs, NGSI.location)?.find((a) => a.type === 'GeoProperty');
  if (location !== undefined) attrs[v.location] = [{ type: 'GeoProperty', value: location.value }];
  return { id: alertIdOf(rule.id, source.id, fired.at), type: [v.Alert], attrs };
}

/** The attributes an acknowledgement writes. */
export function acknowledgement(v: AlertVocabulary, by: string, at: string): Record<string, Attribute[]> {
  return {
    [v.status]: [{ type: 'Property', value: 'acknowledged' }],
    [v.acknowledgedBy]: [{ type: 'Property', value: by }],
    [v.acknowledgedAt]: [{ type: 'Property', value: at }],
  };
}

/** The attributes a clearing writes; `by` is absent when the condition cleared. */
export function clearance(
  v: AlertVocabulary,
  at: string,
  by?: string,
  value?: unknown,
): Record<string, Attribute[]> {
  return {
    [v.status]: [{ type: 'Property', value: 'cleared' }],
    [v.clearedAt]: [{ type: 'Property', value: at }],
    ...(by !== undefined ? { [v.clearedBy]: [{ type: 'Property', value: by }] } : {}),
    ...(value !== undefined && value !== null
      ? { [v.value]: [{ type: 'Property', value, observedAt: at }] }
      : {}),
  };
}

/** The main value of an attribute's default instance. */
export function valueOf(entity: Entity, iri: string): unknown {
  const list = instancesOf(entity.attrs, iri);
  return (list?.find((a) => a.datasetId === undefined) ?? list?.[0])?.value;
}

/** The alert's status; undefined when the entity is not an alert this module made. */
export function statusOf(v: AlertVocabulary, entity: Entity): AlertStatus | undefined {
  const s = valueOf(entity, v.status);
  return typeof s === 'string' && (ALERT_STATUSES as readonly string[]).includes(s)
    ? (s as AlertStatus)
    : undefined;
}

/** The rule id and source entity id of an alert entity; undefined when it lacks them. */
export function episodeOf(
  v: AlertVocabulary,
  entity: Entity,
): { ruleId: string; sourceId: string } | undefined {
  const rule = valueOf(entity, v.rule);
  const source = valueOf(entity, v.alertSource);
  if (typeof rule !== 'string' || !rule.startsWith(RULE_PREFIX) || typeof source !== 'string')
    return undefined;
  return { ruleId: rule.slice(RULE_PREFIX.length), sourceId: source };
}

/** The API's view of an Alert entity; undefined when it is not one this module made. */
export function alertView(v: AlertVocabulary, entity: Entity): AlertView | undefined {
  const status = statusOf(v, entity);
  const episode = episodeOf(v, entity);
  if (status === undefined || episode === undefined) return undefined;
  const str = (iri: string): string | undefined => {
    const x = valueOf(entity, iri);
    return typeof x === 'string' ? x : undefined;
  };
  const optional = (key: keyof AlertView, iri: string) => {
    const x = valueOf(entity, iri);
    return x !== undefined ? { [key]: x } : {};
  };
  return {
    id: entity.id,
    type: 'Alert',
    status,
    severity: str(v.severity) ?? 'informational',
    category: str(v.category) ?? '',
    subCategory: str(v.subCategory) ?? '',
    description: str(v.description) ?? '',
    alertSource: episode.sourceId,
    rule: `${RULE_PREFIX}${episode.ruleId}`,
    dateIssued: str(v.dateIssued) ?? entity.createdAt ?? '',
    ...optional('value', v.value),
    ...optional('location', v.location),
    ...optional('acknowledgedBy', v.acknowledgedBy),
    ...optional('acknowledgedAt', v.acknowledgedAt),
    ...optional('clearedAt', v.clearedAt),
    ...optional('clearedBy', v.clearedBy),
  };
}

function describe(rule: AlertRule, fired: Transition, attributeName?: string): string {
  const c = rule.condition;
  const what =
    c.kind === 'deviceOffline'
      ? 'the device went offline'
      : c.kind === 'noData'
        ? `no data since ${String(fired.value)}`
        : `${localName(attributeName ?? 'value')} = ${String(fired.value)}`;
  return `${rule.name}: ${what}`.slice(0, 1024);
}

/** An attribute IRI's last segment (`…/dataModel.WasteManagement/fillingLevel` → `fillingLevel`), for people. */
function localName(iri: string): string {
  return iri.slice(Math.max(iri.lastIndexOf('/'), iri.lastIndexOf('#')) + 1) || iri;
}
