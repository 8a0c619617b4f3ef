/**
 * JSON Schemas of the alerts API: they check the URL (unknown query parameters are refused) and
 * describe bodies and answers in /openapi.json under the tag Alerts. Rule bodies are checked in depth
 * by src/alerts/rule.ts, whose 400s name the member at fault; the body schema here documents them.
 */
import type { FastifySchema } from 'fastify';
import { ALERT_STATUSES } from '../../alerts/alert-entity.js';
import { SEVERITIES } from '../../alerts/rule.js';
import { instant, text } from '../admin/schemas.js';

/** Largest page of GET /alerts. */
export const MAX_ALERT_PAGE = 1000;
/** Page size of GET /alerts without `limit`. */
export const DEFAULT_ALERT_PAGE = 100;

/** No query parameters. */
export const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

/** Route options: tagged Alerts, schema errors attached (audited, then a 400 naming the member). */
export function alertRoute(
  summary: string,
  schema: FastifySchema = {},
): { attachValidation: boolean; schema: FastifySchema } {
  return { attachValidation: true, schema: { tags: ['Alerts'], summary, querystring: noQuery, ...schema } };
}

export const ruleParams = {
  type: 'object',
  properties: { ruleId: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Rule id' } },
  required: ['ruleId'],
} as const;

export const alertParams = {
  type: 'object',
  properties: {
    alertId: {
      type: 'string',
      maxLength: 2048,
      description: 'Alert entity id (urn:ngsi-ld:Alert:…), URL-encoded',
    },
  },
  required: ['alertId'],
} as const;

const statusList = `^(${ALERT_STATUSES.join('|')})(,(${ALERT_STATUSES.join('|')}))*$`;

export const listAlertsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'string',
      pattern: statusList,
      description: 'Comma-separated statuses (active, acknowledged, cleared); all when absent',
    },
    limit: {
      type: 'string',
      pattern: '^[0-9]{1,4}$',
      description: `Page size (default ${DEFAULT_ALERT_PAGE}, at most ${MAX_ALERT_PAGE})`,
    },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$', description: 'Alerts to skip' },
  },
} as const;

const condition = {
  type: 'object',
  description:
    'kind threshold (attribute, op > >= < <=, value, for, clear, clearFor), rateOfChange (attribute, change, ' +
    'within, direction rising|falling|any), deviceOffline, or noData (for); durations are ISO 8601 (PT1H)',
  additionalProperties: true,
  properties: {
    kind: text('threshold, rateOfChange, deviceOffline or noData'),
    attribute: text('Attribute name (compact, expanded with @context)'),
    op: text('> >= < or <='),
    value: { type: 'number' },
    for: text('ISO 8601 duration the condition must hold before firing'),
    clear: { type: 'number', description: 'Hysteresis: the level the value must cross back before clearing' },
    clearFor: text('ISO 8601 duration the value must stay back before clearing'),
    change: { type: 'number', description: 'Absolute change (rateOfChange)' },
    within: text('ISO 8601 window of the change (rateOfChange)'),
    direction: text('rising, falling or any (default any)'),
  },
} as const;

/**
 * A rule document as the operator writes it. Documentation only (no enums): src/alerts/rule.ts checks
 * it and names the member at fault, so that every refusal reads the same.
 */
export const ruleBody = {
  type: 'object',
  description: 'An alert rule: what to watch (scope), when to fire (condition), how loud (severity)',
  additionalProperties: true,
  properties: {
    '@context': { description: 'How attribute and type names expand (optional)' },
    id: text('Rule id (1–64 letters, digits, _ . -)'),
    name: text('What the rule watches, for people'),
    description: text('More words'),
    severity: text(SEVERITIES.join(', ')),
    category: text('Smart Data Models Alert category of its alerts (default by kind)'),
    subCategory: text('Alert subCategory (default: the condition kind)'),
    scope: {
      type: 'object',
      description: 'At least one of: entity type, District entity id, entity id',
      properties: {
        type: text('Entity type'),
        district: text('urn:ngsi-ld:District:…'),
        entity: text('Entity id'),
      },
    },
    condition,
    notify: {
      type: 'object',
      properties: { endpoint: text('http(s):// or mqtt(s)://host/topic') },
    },
    enabled: { type: 'boolean' },
  },
} as const;

/** A rule as answered: the document as written, with its instants. */
export const ruleView = {
  ...ruleBody,
  properties: { ...ruleBody.properties, createdAt: instant, modifiedAt: instant },
} as const;

export const alertView = {
  type: 'object',
  description: 'An Alert entity (Smart Data Models Alert and its lifecycle), with compact names',
  properties: {
    id: text('urn:ngsi-ld:Alert:<rule>:<source hash>:<fired at, epoch ms>'),
    type: { type: 'string', enum: ['Alert'] },
    status: { type: 'string', enum: [...ALERT_STATUSES] },
    severity: { type: 'string', enum: [...SEVERITIES] },
    category: { type: 'string' },
    subCategory: { type: 'string' },
    description: { type: 'string' },
    alertSource: text('The entity the alert is about'),
    rule: text('urn:ngsi-ld:AlertRule:<rule id>'),
    value: { description: 'The triggering (or, once cleared, the clearing) value' },
    dateIssued: instant,
    location: { type: 'object', additionalProperties: true, description: "The source's GeoJSON location" },
    acknowledgedBy: { type: 'string' },
    acknowledgedAt: instant,
    clearedAt: instant,
    clearedBy: text('Who cleared it by hand, or urbis:rule-deleted / urbis:source-deleted'),
  },
  required: ['id', 'type', 'status', 'severity', 'alertSource', 'rule', 'dateIssued'],
} as const;
