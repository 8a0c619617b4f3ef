// Robustness of the subscription parser: whatever a client sends, parsing either gives a
// JSON-serialisable subscription or throws an NgsiError (never a TypeError, never a 5xx).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { ContextResolver } from '../jsonld/context-resolver.js';
import { parseSubscription, patchSubscription } from './parse-subscription.js';

const mapper = new ContextResolver({ load: async () => ({}) }).core;
const NOW = '2030-01-01T00:00:00.000Z';

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'Building',
    'urn:x:1',
    'http://r/n',
    'mqtt://b:1883/t',
    '(A|B);C',
    'a==1',
    '/a/#',
    '.*',
    '(a+)+',
  ),
);
const value = fc.oneof(text, fc.jsonValue({ maxDepth: 3 }), fc.array(text, { maxLength: 3 }));
const endpoint = fc.record(
  {
    uri: value,
    accept: fc.oneof(value, fc.constantFrom('application/json', 'application/geo+json')),
    timeout: value,
    receiverInfo: fc.oneof(
      value,
      fc.array(fc.record({ key: value, value }, { requiredKeys: [] }), { maxLength: 2 }),
    ),
    notifierInfo: fc.oneof(
      value,
      fc.array(fc.record({ key: fc.constant('MQTT-QoS'), value }), { maxLength: 2 }),
    ),
  },
  { requiredKeys: [] },
);
const notification = fc.record(
  {
    endpoint: fc.oneof(endpoint, value),
    attributes: value,
    pick: value,
    omit: value,
    format: fc.oneof(value, fc.constantFrom('normalized', 'keyValues', 'concise', 'simplified')),
    showChanges: fc.oneof(value, fc.boolean()),
    sysAttrs: fc.oneof(value, fc.boolean()),
    join: value,
  },
  { requiredKeys: [] },
);
const selector = fc.record({ type: value, id: value, idPattern: value }, { requiredKeys: [] });
const body = fc.record(
  {
    id: value,
    type: fc.oneof(fc.constant('Subscription'), value),
    entities: fc.oneof(value, fc.array(selector, { maxLength: 3 })),
    watchedAttributes: value,
    notificationTrigger: fc.oneof(value, fc.array(fc.constantFrom('entityCreated', 'attributeDeleted', 'x'))),
    q: value,
    geoQ: fc.oneof(
      value,
      fc.record({ georel: value, geometry: fc.oneof(value, fc.constant('Point')), coordinates: value }),
    ),
    scopeQ: value,
    csf: value,
    datasetId: value,
    notification: fc.oneof(notification, value),
    expiresAt: fc.oneof(value, fc.constantFrom('2031-01-01T00:00:00Z', '2001-01-01T00:00:00Z')),
    throttling: value,
    timeInterval: value,
    isActive: value,
    lang: value,
    jsonldContext: value,
    temporalQ: value,
    valueOf: value,
    constructor: value,
  },
  { requiredKeys: [] },
);

function check(run: () => unknown): void {
  try {
    const sub = run();
    expect(JSON.parse(JSON.stringify(sub))).toEqual(sub);
  } catch (e) {
    expect(e).toBeInstanceOf(NgsiError);
    expect((e as NgsiError).status).toBeLessThan(500);
  }
}

describe('parseSubscription robustness', () => {
  it('gives a serialisable subscription or an NgsiError for any structured body', () => {
    fc.assert(
      fc.property(body, (b) => check(() => parseSubscription(b, mapper, { now: NOW }))),
      { numRuns: 2000 },
    );
  });

  it('gives a serialisable subscription or an NgsiError for any JSON at all', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (b) =>
        check(() => parseSubscription(b, mapper, { now: NOW })),
      ),
      { numRuns: 500 },
    );
  });

  it('patches a valid subscription with any fragment without throwing anything else', () => {
    const current = parseSubscription(
      { type: 'Subscription', entities: [{ type: 'T' }], notification: { endpoint: { uri: 'http://r/n' } } },
      mapper,
      { now: NOW },
    );
    fc.assert(
      fc.property(fc.oneof(body, fc.jsonValue({ maxDepth: 3 })), (f) =>
        check(() => patchSubscription(current, f, mapper, { now: NOW })),
      ),
      { numRuns: 1500 },
    );
  });
});
