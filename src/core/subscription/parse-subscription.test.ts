// Subscription input (ETSI GS CIM 009 v1.8 clause 5.2.12, 5.2.14, 5.2.15, 5.2.22, 5.8.1, 5.8.2).
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { ContextResolver } from '../jsonld/context-resolver.js';
import { CORE_CONTEXT_URL } from '../jsonld/core-context-v1-8.js';
import { DEFAULT_TRIGGERS, parseSubscription, patchSubscription } from './parse-subscription.js';
import type { Subscription } from './model.js';

const DEFAULT = 'https://uri.etsi.org/ngsi-ld/default-context/';
const NOW = '2030-01-01T00:00:00.000Z';
const resolver = new ContextResolver({ load: async () => ({}) });
const mapper = resolver.resolveSync({
  ex: 'https://example.org/',
  Building: 'ex:Building',
  name: 'ex:name',
})!;
const core = resolver.core;

const base = (extra: Record<string, unknown> = {}, notification: Record<string, unknown> = {}) => ({
  id: 'urn:ngsi-ld:Subscription:1',
  type: 'Subscription',
  entities: [{ type: 'Building' }],
  notification: { endpoint: { uri: 'http://receiver.example/notify' }, ...notification },
  ...extra,
});

const parse = (body: unknown, m = mapper) => parseSubscription(body, m, { now: NOW });

function failure(f: () => unknown): NgsiError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NgsiError);
    return e as NgsiError;
  }
  throw new Error('expected a failure');
}

describe('parseSubscription: a valid subscription (5.2.12)', () => {
  it('applies the defaults: triggers, format, accept, isActive, timestamps, core context', () => {
    const sub = parse(base(), core);
    expect(sub).toEqual({
      id: 'urn:ngsi-ld:Subscription:1',
      entities: [{ type: `${DEFAULT}Building` }],
      notificationTrigger: ['attributeCreated', 'attributeUpdated'],
      notification: {
        format: 'normalized',
        showChanges: false,
        sysAttrs: false,
        endpoint: { uri: 'http://receiver.example/notify', accept: 'application/json' },
      },
      isActive: true,
      jsonldContext: CORE_CONTEXT_URL,
      createdAt: NOW,
      modifiedAt: NOW,
    });
    expect(DEFAULT_TRIGGERS).toEqual(['attributeCreated', 'attributeUpdated']);
  });

  it('generates urn:ngsi-ld:Subscription:<uuid> when the id is absent', () => {
    const { id: _id, ...body } = base();
    const a = parse(body);
    const b = parse(body);
    expect(a.id).toMatch(/^urn:ngsi-ld:Subscription:[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(parseSubscription(body, mapper, { now: NOW, newId: () => 'urn:x:fixed' }).id).toBe('urn:x:fixed');
  });

  it('expands types, watched attributes, notified attributes, geoproperty and q paths with the context', () => {
    const sub = parse(
      base(
        {
          watchedAttributes: ['name', 'height'],
          q: 'name=="Eiffel";height>300',
          geoQ: { georel: 'near;maxDistance==2000', geometry: 'Point', coordinates: [2.29, 48.85] },
          scopeQ: '/Paris/#',
        },
        { attributes: ['name'], format: 'concise' },
      ),
    );
    expect(sub.entities).toEqual([{ type: 'https://example.org/Building' }]);
    expect(sub.watchedAttributes).toEqual(['https://example.org/name', `${DEFAULT}height`]);
    expect(sub.notification.attributes).toEqual(['https://example.org/name']);
    expect(sub.notification.format).toBe('concise');
    expect(sub.q?.text).toBe('name=="Eiffel";height>300');
    expect(JSON.stringify(sub.q?.expr)).toContain('https://example.org/name');
    expect(sub.geoQ).toMatchObject({
      georel: 'near',
      maxDistance: 2000,
      geoproperty: 'https://uri.etsi.org/ngsi-ld/location',
    });
    expect(sub.scopeQ?.text).toBe('/Paris/#');
  });

  it('keeps a type expression in entities, expanded, with its printed form', () => {
    const sub = parse(base({ entities: [{ type: '(Building|Tower);Monument' }] }));
    const selector = sub.entities![0]!;
    expect(selector.typeExpr).toBeDefined();
    expect(selector.type).toBe(`(https://example.org/Building|${DEFAULT}Tower);${DEFAULT}Monument`);
  });

  it('keeps id or idPattern, the request context, and every optional member', () => {
    const sub = parseSubscription(
      base({
        entities: [
          { type: 'Building', id: 'urn:ngsi-ld:Building:1' },
          { type: 'Building', idPattern: '^urn:x:.*' },
        ],
        subscriptionName: 'n',
        description: 'd',
        notificationTrigger: ['entityCreated', 'entityDeleted', 'entityCreated'],
        expiresAt: '2031-01-01T00:00:00Z',
        throttling: 5,
        isActive: false,
        lang: 'fr,en;q=0.5',
        csf: 'p==1',
        datasetId: ['urn:ngsi-ld:Dataset:a', '@none'],
      }),
      mapper,
      { now: NOW, context: 'https://example.org/ctx.jsonld' },
    );
    expect(sub.entities).toEqual([
      { type: 'https://example.org/Building', id: 'urn:ngsi-ld:Building:1' },
      { type: 'https://example.org/Building', idPattern: '^urn:x:.*' },
    ]);
    expect(sub).toMatchObject({
      subscriptionName: 'n',
      description: 'd',
      notificationTrigger: ['entityCreated', 'entityDeleted'],
      expiresAt: '2031-01-01T00:00:00Z',
      throttling: 5,
      isActive: false,
      lang: 'fr,en;q=0.5',
      csf: 'p==1',
      datasetId: ['urn:ngsi-ld:Dataset:a', '@none'],
      jsonldContext: 'https://example.org/ctx.jsonld',
    });
  });

  it('uses an explicit jsonldContext for notifications over the request context', () => {
    const sub = parseSubscription(base({ jsonldContext: 'https://example.org/notify.jsonld' }), mapper, {
      now: NOW,
      context: 'https://example.org/ctx.jsonld',
    });
    expect(sub.jsonldContext).toBe('https://example.org/notify.jsonld');
  });

  it('reads the endpoint: accept, timeout, receiverInfo, notifierInfo, MQTT', () => {
    const full = parse(
      base(
        {},
        {
          endpoint: {
            uri: 'mqtt://broker.example:1883/city/notify',
            accept: 'application/ld+json',
            timeout: 2500,
            receiverInfo: [{ key: 'Authorization', value: 'Bearer x' }],
            notifierInfo: [{ key: 'MQTT-QoS', value: '2' }],
          },
          sysAttrs: true,
          format: 'simplified',
        },
      ),
    );
    expect(full.notification).toEqual({
      format: 'keyValues',
      showChanges: false,
      sysAttrs: true,
      endpoint: {
        uri: 'mqtt://broker.example:1883/city/notify',
        accept: 'application/ld+json',
        timeout: 2500,
        receiverInfo: [{ key: 'Authorization', value: 'Bearer x' }],
        notifierInfo: [{ key: 'MQTT-QoS', value: '2' }],
      },
    });
  });

  it('accepts pick and omit (clause 4.21), keeping id and type as members', () => {
    const sub = parse(base({}, { pick: ['id', 'name'], omit: ['type'] }));
    expect(sub.notification.pick).toEqual(['id', 'https://example.org/name']);
    expect(sub.notification.omit).toEqual(['type']);
  });

  it('ignores read-only members and members it does not know', () => {
    const sub = parse(
      base(
        { status: 'expired', createdAt: '2000-01-01T00:00:00Z', __context: 'http://evil/', '@context': 'x' },
        { timesSent: 42, lastSuccess: '2000-01-01T00:00:00Z', status: 'failed' },
      ),
    );
    expect(JSON.stringify(sub)).not.toContain('evil');
    expect(sub.createdAt).toBe(NOW);
    expect(sub.notification).not.toHaveProperty('timesSent');
  });
});

describe('parseSubscription: every invalid member is a 400 naming it (5.8.1)', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a non-object body', [base()], /subscription must be a JSON object/],
    ['an empty body', {}, /type is mandatory/],
    ['no type', { ...base(), type: undefined }, /type is mandatory/],
    ['a wrong type', base({ type: 'Subscriptions' }), /type must be "Subscription"/],
    ['an id that is not a URI', base({ id: 'invalidId' }), /subscription id must be an absolute URI/],
    ['an empty id', base({ id: '' }), /subscription id must be an absolute URI/],
    ['no notification', { ...base(), notification: undefined }, /notification is mandatory/],
    ['no endpoint', base({ notification: {} }), /notification.endpoint is mandatory/],
    [
      'neither entities nor watchedAttributes',
      { ...base(), entities: undefined },
      /entities or watchedAttributes/,
    ],
    ['empty entities', base({ entities: [] }), /entities must be a non-empty array/],
    ['a selector without type', base({ entities: [{ id: 'urn:x:1' }] }), /entities\[0\]\.type is mandatory/],
    [
      'a selector with a bad type',
      base({ entities: [{ type: 'a b' }] }),
      /entities\[0\]\.type is not a valid/,
    ],
    ['a bad type expression', base({ entities: [{ type: '(A|' }] }), /entities\[0\]\.type/],
    [
      'a selector id that is not a URI',
      base({ entities: [{ type: 'T', id: 'x' }] }),
      /entities\[0\]\.id must be/,
    ],
    [
      'both id and idPattern',
      base({ entities: [{ type: 'T', id: 'urn:x:1', idPattern: '.*' }] }),
      /both id and idPattern/,
    ],
    [
      'an invalid idPattern',
      base({ entities: [{ type: 'T', idPattern: '([' }] }),
      /entities\[0\]\.idPattern/,
    ],
    ['a ReDoS idPattern', base({ entities: [{ type: 'T', idPattern: '(a+)+$' }] }), /idPattern.*repeats/],
    ['empty watchedAttributes', base({ watchedAttributes: [] }), /watchedAttributes must be a non-empty/],
    [
      'a bad watched attribute',
      base({ watchedAttributes: ['a;b'] }),
      /watchedAttributes holds an invalid name/,
    ],
    [
      'an unknown trigger',
      base({ notificationTrigger: ['entityChanged'] }),
      /notificationTrigger "entityChanged"/,
    ],
    ['empty triggers', base({ notificationTrigger: [] }), /notificationTrigger must be a non-empty/],
    ['a q that does not parse', base({ q: 'a==' }), /^q: /],
    ['a q that is not a string', base({ q: 5 }), /q must be a non-empty query string/],
    [
      'a geoQ without coordinates',
      base({ geoQ: { georel: 'within', geometry: 'Point' } }),
      /^geoQ: .*coordinates/,
    ],
    [
      'a bad georel',
      base({ geoQ: { georel: 'near', geometry: 'Point', coordinates: [1, 2] } }),
      /^geoQ: georel/,
    ],
    ['a bad scopeQ', base({ scopeQ: 'nope' }), /^scopeQ: /],
    ['a bad csf', base({ csf: '((' }), /^csf: /],
    ['a bad datasetId', base({ datasetId: ['not a uri'] }), /datasetId "not a uri" is not a URI/],
    ['a date that is not one', base({ expiresAt: 'tomorrow' }), /expiresAt must be an ISO 8601 date-time/],
    [
      'expiresAt in the past',
      base({ expiresAt: '2000-01-01T00:00:00Z' }),
      /expiresAt .* is not in the future/,
    ],
    ['zero throttling', base({ throttling: 0 }), /throttling \(seconds\) must be a positive number/],
    ['negative throttling', base({ throttling: -5 }), /throttling/],
    ['a string timeInterval', base({ timeInterval: '5' }), /timeInterval \(seconds\) must be a positive/],
    [
      'timeInterval with watchedAttributes',
      base({ timeInterval: 5, watchedAttributes: ['name'] }),
      /timeInterval and watchedAttributes/,
    ],
    ['timeInterval with throttling', base({ timeInterval: 5, throttling: 5 }), /timeInterval and throttling/],
    ['isActive not a boolean', base({ isActive: 'yes' }), /isActive must be true or false/],
    ['a bad lang', base({ lang: 'en;q=nope' }), /lang must be a language tag/],
    ['a jsonldContext that is not a URL', base({ jsonldContext: 'ctx' }), /jsonldContext must be an http/],
    [
      'a subscriptionName that is not a string',
      base({ subscriptionName: 3 }),
      /subscriptionName must be a string/,
    ],
    [
      'a notification that is not an object',
      base({ notification: 'x' }),
      /notification must be a JSON object/,
    ],
    ['an unknown format', base({}, { format: 'x-ngsiv2' }), /notification.format must be/],
    ['format "constructor"', base({}, { format: 'constructor' }), /notification.format must be/],
    ['showChanges with keyValues', base({}, { format: 'keyValues', showChanges: true }), /showChanges/],
    ['showChanges with simplified', base({}, { format: 'simplified', showChanges: true }), /showChanges/],
    ['empty attributes', base({}, { attributes: [] }), /notification.attributes must be a non-empty/],
    ['empty pick', base({}, { pick: [] }), /notification.pick must be a non-empty/],
    ['empty omit', base({}, { omit: [] }), /notification.omit must be a non-empty/],
    ['pick with attributes', base({}, { pick: ['name'], attributes: ['name'] }), /attributes cannot be used/],
    ['omit with attributes', base({}, { omit: ['name'], attributes: ['name'] }), /attributes cannot be used/],
    ['a member in pick and omit', base({}, { pick: ['name'], omit: ['name'] }), /both in notification.pick/],
    ['sysAttrs not a boolean', base({}, { sysAttrs: 'true' }), /notification.sysAttrs must be true or false/],
    [
      'an endpoint that is not an object',
      base({}, { endpoint: 'http://x' }),
      /endpoint must be a JSON object/,
    ],
    ['an endpoint without uri', base({}, { endpoint: {} }), /endpoint.uri must be an absolute URI/],
    ['a relative uri', base({}, { endpoint: { uri: '/notify' } }), /endpoint.uri must be an absolute http/],
    [
      'a file: uri',
      base({}, { endpoint: { uri: 'file:///etc/passwd' } }),
      /endpoint.uri must be an absolute http/,
    ],
    ['a uri with spaces', base({}, { endpoint: { uri: 'http://a b/' } }), /endpoint.uri/],
    [
      'an MQTT uri without topic',
      base({}, { endpoint: { uri: 'mqtt://broker:1883' } }),
      /names no MQTT topic/,
    ],
    [
      'an unknown accept',
      base({}, { endpoint: { uri: 'http://r/', accept: 'text/plain' } }),
      /endpoint.accept must be/,
    ],
    ['a zero timeout', base({}, { endpoint: { uri: 'http://r/', timeout: 0 } }), /endpoint.timeout/],
    [
      'receiverInfo not an array',
      base({}, { endpoint: { uri: 'http://r/', receiverInfo: { key: 'a' } } }),
      /receiverInfo must be an array/,
    ],
    [
      'a numeric receiverInfo value',
      base({}, { endpoint: { uri: 'http://r/', receiverInfo: [{ key: 'K', value: 42 }] } }),
      /receiverInfo\[0\]\.value must be a string/,
    ],
    [
      'a receiverInfo pair without value',
      base({}, { endpoint: { uri: 'http://r/', receiverInfo: [{ key: 'K' }] } }),
      /receiverInfo\[0\]\.value/,
    ],
    [
      'a numeric receiverInfo key',
      base({}, { endpoint: { uri: 'http://r/', receiverInfo: [{ key: 5, value: 'v' }] } }),
      /receiverInfo\[0\]\.key must be a non-empty string/,
    ],
    [
      'a header value with CR LF',
      base({}, { endpoint: { uri: 'http://r/', receiverInfo: [{ key: 'K', value: 'a\r\nX-Evil: 1' }] } }),
      /receiverInfo\[0\]\.value must be a string without control/,
    ],
    [
      'a receiverInfo key that is no header name',
      base({}, { endpoint: { uri: 'http://r/', receiverInfo: [{ key: 'a b', value: 'v' }] } }),
      /not usable as a header name/,
    ],
    [
      'a framing header in receiverInfo',
      base({}, { endpoint: { uri: 'http://r/', receiverInfo: [{ key: 'Content-Length', value: '1' }] } }),
      /not usable as a header name/,
    ],
    [
      'an object notifierInfo value',
      base({}, { endpoint: { uri: 'http://r/', notifierInfo: [{ key: 'K', value: { a: 1 } }] } }),
      /notifierInfo\[0\]\.value must be a string/,
    ],
    [
      'MQTT-QoS 3',
      base({}, { endpoint: { uri: 'mqtt://b/t', notifierInfo: [{ key: 'MQTT-QoS', value: '3' }] } }),
      /MQTT-QoS must be 0, 1 or 2/,
    ],
    [
      'an unknown MQTT-Version',
      base({}, { endpoint: { uri: 'mqtt://b/t', notifierInfo: [{ key: 'MQTT-Version', value: '4' }] } }),
      /MQTT-Version must be/,
    ],
    ['a body nested too deeply', base({ description: undefined, x: deep(40) }), /nested too deeply/],
  ];

  it.each(cases)('refuses %s', (_name, body, detail) => {
    const e = failure(() => parse(body));
    expect(e.kind).toBe('BadRequestData');
    expect(e.status).toBe(400);
    expect(e.detail).toMatch(detail);
  });

  it('refuses join and temporalQ as not supported (422), rather than ignoring them', () => {
    expect(failure(() => parse(base({}, { join: 'flat' }))).kind).toBe('OperationNotSupported');
    expect(failure(() => parse(base({ temporalQ: { timerel: 'after' } }))).kind).toBe(
      'OperationNotSupported',
    );
    expect(parse(base({}, { join: 'none' })).notification).not.toHaveProperty('join');
  });

  it('accepts a subscription with watchedAttributes and no entities', () => {
    const { entities: _e, ...body } = base({ watchedAttributes: ['name'] });
    expect(parse(body).entities).toBeUndefined();
  });
});

describe('patchSubscription: merge of a fragment (5.8.2)', () => {
  const current: Subscription = parse(
    base(
      { watchedAttributes: ['name'], q: 'height>10', throttling: 5 },
      {
        attributes: ['name'],
        format: 'keyValues',
        endpoint: { uri: 'http://a/notify', accept: 'application/json' },
      },
    ),
  );
  const later = '2030-01-02T00:00:00.000Z';
  const patch = (fragment: unknown) => patchSubscription(current, fragment, mapper, { now: later });

  it('replaces the members given and keeps the others, stamping modifiedAt', () => {
    const next = patch({ type: 'Subscription', entities: [{ type: 'Vehicle' }], q: 'speed>3' });
    expect(next.entities).toEqual([{ type: `${DEFAULT}Vehicle` }]);
    expect(next.q?.text).toBe('speed>3');
    expect(next.watchedAttributes).toEqual(current.watchedAttributes);
    expect(next.throttling).toBe(5);
    expect(next.createdAt).toBe(NOW);
    expect(next.modifiedAt).toBe(later);
  });

  it('merges notification member by member, the endpoint as a whole', () => {
    const next = patch({ notification: { format: 'normalized', endpoint: { uri: 'https://b/notify' } } });
    expect(next.notification).toEqual({
      attributes: ['https://example.org/name'],
      format: 'normalized',
      showChanges: false,
      sysAttrs: false,
      endpoint: { uri: 'https://b/notify', accept: 'application/json' },
    });
  });

  it('removes optional members given as null (or urn:ngsi-ld:null), restores defaults', () => {
    const next = patch({
      q: null,
      throttling: 'urn:ngsi-ld:null',
      notificationTrigger: null,
      isActive: null,
      notification: { attributes: null, format: null },
    });
    expect(next.q).toBeUndefined();
    expect(next.throttling).toBeUndefined();
    expect(next.notificationTrigger).toEqual(['attributeCreated', 'attributeUpdated']);
    expect(next.isActive).toBe(true);
    expect(next.notification.attributes).toBeUndefined();
    expect(next.notification.format).toBe('normalized');
  });

  it('never changes the subscription it is given', () => {
    const before = JSON.stringify(current);
    patch({ notification: { format: 'normalized' }, entities: [{ type: 'X' }] });
    expect(JSON.stringify(current)).toBe(before);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'removing the endpoint',
      { notification: { format: 'keyValues', endpoint: null } },
      /endpoint is mandatory/,
    ],
    ['removing notification', { notification: null }, /notification is mandatory and cannot be removed/],
    ['another id', { id: 'urn:x:other' }, /differs from the subscription's/],
    ['an empty fragment', {}, /changes nothing/],
    ['a fragment of only @context', { '@context': 'x' }, /changes nothing/],
    ['a wrong type', { type: 'Entity' }, /type must be "Subscription"/],
    ['an invalid member', { throttling: -1 }, /throttling/],
    ['expiresAt in the past', { expiresAt: '2001-01-01T00:00:00Z' }, /not in the future/],
    ['a rule broken by the merge', { timeInterval: 10 }, /timeInterval and watchedAttributes/],
    [
      'removing both entities and watched attributes',
      { entities: null, watchedAttributes: null },
      /entities or/,
    ],
    ['showChanges with keyValues', { notification: { showChanges: true } }, /showChanges/],
  ])('refuses %s', (_name, fragment, detail) => {
    const e = failure(() => patch(fragment));
    expect(e.kind).toBe('BadRequestData');
    expect(e.detail).toMatch(detail);
  });

  it('ignores members named like those of Object.prototype, with or without null', () => {
    for (const key of ['valueOf', 'toString', 'constructor', 'hasOwnProperty']) {
      for (const v of [null, 1]) {
        const next = patch({ [key]: v, description: 'x' });
        expect(Object.hasOwn(next, key)).toBe(false);
        expect(Object.hasOwn(next.notification, key)).toBe(false);
        const viaNotification = patch({ notification: { [key]: v } });
        expect(Object.hasOwn(viaNotification.notification, key)).toBe(false);
      }
    }
    expect(
      Object.hasOwn(parse(JSON.parse('{"__proto__": {"x": 1}, ' + JSON.stringify(base()).slice(1))), 'x'),
    ).toBe(false);
  });

  it('accepts the same id, and an expiresAt in the future', () => {
    const next = patch({ id: current.id, expiresAt: '2030-06-01T00:00:00Z' });
    expect(next.expiresAt).toBe('2030-06-01T00:00:00Z');
  });
});

function deep(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}
