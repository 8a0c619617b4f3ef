/**
 * JSON Schemas of the subscription endpoints (clause 6.10, 6.11), for request validation of the
 * query string and for the OpenAPI document. Bodies are validated in depth by the subscription
 * parser (precise 400 details); the body schemas here describe them for the docs.
 */
import { geoQBody, str } from './schemas.js';

/** GET /subscriptions */
export const listSubscriptionsQs = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: str('Page size (default 20, at most the configured maximum)'),
    offset: str('Subscriptions to skip'),
    count: str('true: return the total in NGSILD-Results-Count'),
    options: str('sysAttrs: include createdAt and modifiedAt'),
  },
} as const;

/** GET /subscriptions/{subscriptionId} */
export const retrieveSubscriptionQs = {
  type: 'object',
  additionalProperties: false,
  properties: { options: str('sysAttrs: include createdAt and modifiedAt') },
} as const;

export const subscriptionIdParams = {
  type: 'object',
  properties: { subscriptionId: str('Subscription id (a URI)') },
  required: ['subscriptionId'],
} as const;

const keyValues = {
  type: 'array',
  items: {
    type: 'object',
    properties: { key: { type: 'string' }, value: { type: 'string' } },
  },
} as const;

/** Clause 5.2.12 Subscription, as documentation (the parser checks every rule). */
const subscriptionProperties = {
  id: { type: 'string', description: 'URI; generated (urn:ngsi-ld:Subscription:<uuid>) when absent' },
  // Not `const`: the parser's detail ('type must be "Subscription"') is clearer than Ajv's.
  type: { type: 'string', description: 'Subscription' },
  subscriptionName: { type: 'string' },
  description: { type: 'string' },
  entities: {
    type: 'array',
    description: 'Entity selectors: type (a name or a type expression) and id or idPattern',
    items: {
      type: 'object',
      properties: { id: { type: 'string' }, idPattern: { type: 'string' }, type: { type: 'string' } },
    },
  },
  watchedAttributes: { type: 'array', items: { type: 'string' } },
  notificationTrigger: {
    type: 'array',
    description:
      'entityCreated, entityUpdated, entityDeleted, attributeCreated, attributeUpdated, attributeDeleted (default attributeCreated, attributeUpdated)',
    items: { type: 'string' },
  },
  q: { type: 'string', description: 'NGSI-LD query (clause 4.9)' },
  geoQ: geoQBody,
  scopeQ: { type: 'string' },
  csf: { type: 'string' },
  datasetId: { type: 'array', items: { type: 'string' } },
  notification: {
    type: 'object',
    properties: {
      attributes: { type: 'array', items: { type: 'string' } },
      pick: { type: 'array', items: { type: 'string' } },
      omit: { type: 'array', items: { type: 'string' } },
      format: { type: 'string', description: 'normalized (default), keyValues (or simplified), concise' },
      showChanges: { type: 'boolean' },
      sysAttrs: { type: 'boolean' },
      endpoint: {
        type: 'object',
        properties: {
          uri: { type: 'string', description: 'http(s)://… or mqtt(s)://host:port/topic' },
          accept: {
            type: 'string',
            description: 'application/json, application/ld+json, application/geo+json',
          },
          timeout: { type: 'number', description: 'milliseconds' },
          receiverInfo: keyValues,
          notifierInfo: {
            ...keyValues,
            description: 'MQTT-QoS (0, 1, 2), MQTT-Version (mqtt3.1.1, mqtt5.0)',
          },
        },
      },
    },
  },
  expiresAt: { type: 'string', description: 'ISO 8601 instant in the future' },
  throttling: { type: 'number', description: 'Seconds between two notifications' },
  timeInterval: { type: 'number', description: 'Seconds between periodic notifications' },
  isActive: { type: 'boolean' },
  lang: { type: 'string' },
  jsonldContext: { type: 'string', description: 'URL of the @context used in notifications' },
  '@context': {},
} as const;

/** POST /subscriptions */
export const subscriptionBody = {
  type: 'object',
  description: 'NGSI-LD Subscription (clause 5.2.12); @context in the body with application/ld+json',
  properties: subscriptionProperties,
  additionalProperties: true,
} as const;

/** PATCH /subscriptions/{subscriptionId}: a fragment; null removes an optional member. */
export const subscriptionFragmentBody = {
  type: 'object',
  description:
    'Subscription fragment (clause 5.8.2): members given replace the current ones; null removes one',
  additionalProperties: true,
} as const;
