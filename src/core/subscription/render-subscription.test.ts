// Subscriptions rendered back (ETSI GS CIM 009 v1.8 clause 5.2.12, 5.8.3): the caller's context,
// the status members, and nothing the client did not give but what the spec always shows.
import { describe, expect, it } from 'vitest';
import { ContextResolver } from '../jsonld/context-resolver.js';
import type { DeliveryStatus, SubscriptionRecord } from './model.js';
import { parseSubscription } from './parse-subscription.js';
import { renderSubscription, subscriptionStatus } from './render-subscription.js';

const NOW = '2030-01-01T00:00:00.000Z';
const resolver = new ContextResolver({ load: async () => ({}) });
const ctx = resolver.resolveSync({ ex: 'https://example.org/', Building: 'ex:Building', name: 'ex:name' })!;
const core = resolver.core;
const fresh: DeliveryStatus = { timesSent: 0, timesFailed: 0, deadLetters: 0 };

function record(body: Record<string, unknown>, status: DeliveryStatus = fresh): SubscriptionRecord {
  const subscription = parseSubscription(
    {
      id: 'urn:ngsi-ld:Subscription:1',
      type: 'Subscription',
      notification: { endpoint: { uri: 'http://r/n' } },
      ...body,
    },
    ctx,
    { now: NOW, context: 'https://example.org/ctx.jsonld' },
  );
  return { subscription, status };
}

describe('renderSubscription', () => {
  it('renders what was given, the defaults the spec shows, and the status members', () => {
    const r = record({
      entities: [{ type: 'Building' }],
      timeInterval: 5,
      notification: { format: 'keyValues', endpoint: { uri: 'http://r/n' } },
    });
    expect(renderSubscription(r, ctx, { now: NOW })).toEqual({
      id: 'urn:ngsi-ld:Subscription:1',
      type: 'Subscription',
      entities: [{ type: 'Building' }],
      notificationTrigger: ['attributeCreated', 'attributeUpdated'],
      timeInterval: 5,
      status: 'active',
      notification: {
        format: 'keyValues',
        endpoint: { uri: 'http://r/n', accept: 'application/json' },
        timesSent: 0,
        timesFailed: 0,
      },
      jsonldContext: 'https://example.org/ctx.jsonld',
    });
  });

  it('compacts with the reader context: another context shows the expanded names', () => {
    const r = record({
      entities: [{ type: 'Building', idPattern: '^urn:x' }, { type: '(Building|Tower)' }],
      watchedAttributes: ['name'],
      q: 'name=="x"',
      geoQ: { georel: 'near;minDistance==5', geometry: 'Point', coordinates: [1, 2], geoproperty: 'name' },
      notification: { attributes: ['name'], pick: undefined, endpoint: { uri: 'http://r/n' } },
    });
    const own = renderSubscription(r, ctx, { now: NOW });
    expect(own.entities).toEqual([{ idPattern: '^urn:x', type: 'Building' }, { type: 'Building|Tower' }]);
    expect(own.watchedAttributes).toEqual(['name']);
    expect(own.q).toBe('name=="x"');
    expect(own.geoQ).toEqual({
      geometry: 'Point',
      coordinates: [1, 2],
      georel: 'near;minDistance==5',
      geoproperty: 'name',
    });
    const other = renderSubscription(r, core, { now: NOW });
    expect(other.entities).toEqual([
      { idPattern: '^urn:x', type: 'https://example.org/Building' },
      { type: 'https://example.org/Building|Tower' },
    ]);
    expect(other.watchedAttributes).toEqual(['https://example.org/name']);
    expect((other.notification as { attributes: string[] }).attributes).toEqual(['https://example.org/name']);
  });

  it('status: paused when inactive (isActive shown), expired once expiresAt is past', () => {
    const paused = record({ entities: [{ type: 'Building' }], isActive: false });
    expect(renderSubscription(paused, ctx, { now: NOW })).toMatchObject({
      isActive: false,
      status: 'paused',
    });
    const expiring = record({ entities: [{ type: 'Building' }], expiresAt: '2030-01-01T00:00:10Z' });
    expect(renderSubscription(expiring, ctx, { now: NOW }).status).toBe('active');
    expect(renderSubscription(expiring, ctx, { now: '2030-01-01T00:00:11Z' }).status).toBe('expired');
    expect(subscriptionStatus({ ...expiring.subscription, isActive: false }, '2031-01-01T00:00:00Z')).toBe(
      'expired',
    );
  });

  it('delivery statistics: counts, instants, ok/failed, dead letters and the last error', () => {
    const r = record(
      { entities: [{ type: 'Building' }] },
      {
        timesSent: 3,
        timesFailed: 2,
        lastNotification: '2030-01-01T00:00:03Z',
        lastSuccess: '2030-01-01T00:00:01Z',
        lastFailure: '2030-01-01T00:00:03Z',
        deadLetters: 1,
        lastError: 'HTTP 503',
      },
    );
    expect(renderSubscription(r, ctx, { now: NOW }).notification).toMatchObject({
      status: 'failed',
      timesSent: 3,
      timesFailed: 2,
      lastNotification: '2030-01-01T00:00:03Z',
      lastSuccess: '2030-01-01T00:00:01Z',
      lastFailure: '2030-01-01T00:00:03Z',
      deadLetters: 1,
      lastError: 'HTTP 503',
    });
    const ok = record({ entities: [{ type: 'Building' }] }, { ...fresh, timesSent: 1, lastSuccess: NOW });
    expect((renderSubscription(ok, ctx, { now: NOW }).notification as { status: string }).status).toBe('ok');
  });

  it('shows every optional member, and createdAt/modifiedAt with sysAttrs only', () => {
    const r = record({
      entities: [{ type: 'Building', id: 'urn:b:1' }],
      subscriptionName: 'n',
      description: 'd',
      notificationTrigger: ['entityDeleted'],
      scopeQ: '/a',
      csf: 'x==1',
      datasetId: ['@none'],
      lang: 'fr',
      throttling: 2,
      expiresAt: '2031-01-01T00:00:00Z',
      notification: {
        pick: ['id', 'name'],
        format: 'concise',
        showChanges: true,
        sysAttrs: true,
        endpoint: {
          uri: 'mqtt://b:1883/t',
          accept: 'application/ld+json',
          timeout: 100,
          receiverInfo: [{ key: 'X-K', value: 'v' }],
          notifierInfo: [{ key: 'MQTT-QoS', value: '1' }],
        },
      },
    });
    const out = renderSubscription(r, ctx, { now: NOW, sysAttrs: true });
    expect(out).toMatchObject({
      entities: [{ id: 'urn:b:1', type: 'Building' }],
      subscriptionName: 'n',
      description: 'd',
      notificationTrigger: ['entityDeleted'],
      scopeQ: '/a',
      csf: 'x==1',
      datasetId: ['@none'],
      lang: 'fr',
      throttling: 2,
      expiresAt: '2031-01-01T00:00:00Z',
      createdAt: NOW,
      modifiedAt: NOW,
      notification: {
        pick: ['id', 'name'],
        format: 'concise',
        showChanges: true,
        sysAttrs: true,
        endpoint: {
          uri: 'mqtt://b:1883/t',
          accept: 'application/ld+json',
          timeout: 100,
          receiverInfo: [{ key: 'X-K', value: 'v' }],
          notifierInfo: [{ key: 'MQTT-QoS', value: '1' }],
        },
      },
    });
    expect(renderSubscription(r, ctx, { now: NOW })).not.toHaveProperty('createdAt');
  });

  it('leaves jsonldContext out when the context is not a single URL', () => {
    const subscription = {
      ...record({ entities: [{ type: 'Building' }] }).subscription,
      jsonldContext: [{ a: 'b' }],
    };
    expect(renderSubscription({ subscription, status: fresh }, ctx, { now: NOW })).not.toHaveProperty(
      'jsonldContext',
    );
  });
});
