// The Notification body (ETSI GS CIM 009 v1.8 clause 5.3.1, 5.8.6): formats, sysAttrs, lang,
// pick/omit, showChanges (previousValue & co), deleted entities, GeoJSON.
import { describe, expect, it } from 'vitest';
import { ContextResolver } from '../jsonld/context-resolver.js';
import type { Attribute, Entity } from '../model/entity.js';
import { NGSI_NULL, matchChange } from './match-change.js';
import type { NoticePayload, Subscription } from './model.js';
import { parseSubscription } from './parse-subscription.js';
import { renderNotification } from './render-notification.js';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const LOCATION = 'https://uri.etsi.org/ngsi-ld/location';
const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-01T00:01:00.000Z';
const resolver = new ContextResolver({ load: async () => ({}) });
const ctx = resolver.resolveSync({ ex: 'https://example.org/', Building: 'ex:Building', name: 'ex:name' })!;

function sub(extra: Record<string, unknown> = {}, notification: Record<string, unknown> = {}): Subscription {
  return parseSubscription(
    {
      id: 'urn:ngsi-ld:Subscription:s',
      type: 'Subscription',
      entities: [{ type: 'Building' }],
      notification: { endpoint: { uri: 'http://r/n' }, ...notification },
      ...extra,
    },
    ctx,
    { now: '2029-01-01T00:00:00Z' },
  );
}

const stamped = (a: Attribute, at = T0): Attribute => ({ ...a, createdAt: T0, modifiedAt: at });
const entity = (attrs: Record<string, Attribute[]>, modifiedAt = T0): Entity => ({
  id: 'urn:ngsi-ld:Building:1',
  type: ['https://example.org/Building'],
  attrs,
  createdAt: T0,
  modifiedAt,
});
const v1 = entity({
  'https://example.org/name': [stamped({ type: 'Property', value: 'Eiffel Tower' })],
  [`${D}street`]: [stamped({ type: 'LanguageProperty', value: { fr: 'Champ de Mars', en: 'Mars Field' } })],
  [`${D}locatedAt`]: [stamped({ type: 'Relationship', value: 'urn:ngsi-ld:City:Paris' })],
  [LOCATION]: [stamped({ type: 'GeoProperty', value: { type: 'Point', coordinates: [2.29, 48.85] } })],
});
const payload = (e: Entity = v1, extra: Partial<NoticePayload> = {}): NoticePayload => ({
  trigger: 'attributeUpdated',
  entity: e,
  at: T1,
  ...extra,
});
const render = (s: Subscription, payloads: NoticePayload[]) =>
  renderNotification(s, 'urn:ngsi-ld:Notification:n1', payloads, T1, ctx) as {
    data: Array<Record<string, unknown>>;
  } & Record<string, unknown>;

describe('renderNotification (5.3.1)', () => {
  it('has id, type, subscriptionId, notifiedAt and data, normalized and compacted by default', () => {
    const n = render(sub(), [payload()]);
    expect(n).toEqual({
      id: 'urn:ngsi-ld:Notification:n1',
      type: 'Notification',
      subscriptionId: 'urn:ngsi-ld:Subscription:s',
      notifiedAt: T1,
      data: [
        {
          id: 'urn:ngsi-ld:Building:1',
          type: 'Building',
          name: { type: 'Property', value: 'Eiffel Tower' },
          street: { type: 'LanguageProperty', languageMap: { fr: 'Champ de Mars', en: 'Mars Field' } },
          locatedAt: { type: 'Relationship', object: 'urn:ngsi-ld:City:Paris' },
          location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.29, 48.85] } },
        },
      ],
    });
  });

  it('keyValues and concise', () => {
    const kv = render(sub({}, { format: 'keyValues' }), [payload()]).data[0]!;
    expect(kv).toMatchObject({ name: 'Eiffel Tower', locatedAt: 'urn:ngsi-ld:City:Paris' });
    const concise = render(sub({}, { format: 'concise' }), [payload()]).data[0]!;
    expect(concise).toMatchObject({ name: 'Eiffel Tower', locatedAt: { object: 'urn:ngsi-ld:City:Paris' } });
  });

  it('sysAttrs adds createdAt and modifiedAt; lang picks a language', () => {
    const n = render(sub({ lang: 'en' }, { sysAttrs: true }), [payload()]).data[0]!;
    expect(n).toMatchObject({ createdAt: T0, modifiedAt: T0 });
    expect(n.name).toMatchObject({ createdAt: T0, modifiedAt: T0 });
    expect(n.street).toMatchObject({ type: 'Property', value: 'Mars Field', lang: 'en' });
    expect(render(sub(), [payload()]).data[0]).not.toHaveProperty('createdAt');
  });

  it('pick and omit (clause 4.21)', () => {
    expect(Object.keys(render(sub({}, { pick: ['id', 'name'] }), [payload()]).data[0]!)).toEqual([
      'id',
      'name',
    ]);
    const omitted = render(sub({}, { omit: ['type', 'location'] }), [payload()]).data[0]!;
    expect(Object.keys(omitted)).toEqual(['id', 'name', 'street', 'locatedAt']);
  });

  it('several matches in one notification, in order', () => {
    const other = { ...v1, id: 'urn:ngsi-ld:Building:2' };
    expect(render(sub(), [payload(), payload(other)]).data.map((e) => e.id)).toEqual([
      'urn:ngsi-ld:Building:1',
      'urn:ngsi-ld:Building:2',
    ]);
  });

  it('showChanges: previousValue, previousObject, previousLanguageMap on what changed', () => {
    const v2 = entity(
      {
        'https://example.org/name': [stamped({ type: 'Property', value: 'Tour Eiffel' }, T1)],
        [`${D}street`]: [stamped({ type: 'LanguageProperty', value: { fr: 'Grand Place' } }, T1)],
        [`${D}locatedAt`]: [stamped({ type: 'Relationship', value: 'urn:ngsi-ld:City:Paris2' }, T1)],
        [LOCATION]: v1.attrs[LOCATION]!,
      },
      T1,
    );
    const s = sub({}, { showChanges: true });
    const p = matchChange(s, { id: v1.id, before: v1, after: v2, at: T1 })!;
    const out = render(s, [p]).data[0]!;
    expect(out.name).toEqual({ type: 'Property', value: 'Tour Eiffel', previousValue: 'Eiffel Tower' });
    expect(out.street).toEqual({
      type: 'LanguageProperty',
      languageMap: { fr: 'Grand Place' },
      previousLanguageMap: { fr: 'Champ de Mars', en: 'Mars Field' },
    });
    expect(out.locatedAt).toEqual({
      type: 'Relationship',
      object: 'urn:ngsi-ld:City:Paris2',
      previousObject: 'urn:ngsi-ld:City:Paris',
    });
    expect(out.location).toEqual({
      type: 'GeoProperty',
      value: { type: 'Point', coordinates: [2.29, 48.85] },
    });
    // Concise needs the object form to carry previousValue.
    const concise = render(sub({}, { showChanges: true, format: 'concise' }), [p]).data[0]!;
    expect(concise.name).toEqual({ value: 'Tour Eiffel', previousValue: 'Eiffel Tower' });
  });

  it('an attribute removed: an NGSI-LD Null with its previous value; deletedAt with sysAttrs', () => {
    const v2 = entity({ [LOCATION]: v1.attrs[LOCATION]! }, T1);
    const s = sub({ notificationTrigger: ['attributeDeleted'] }, { showChanges: true, sysAttrs: true });
    const p = matchChange(s, { id: v1.id, before: v1, after: v2, at: T1 })!;
    const out = render(s, [p]).data[0]!;
    expect(out.name).toEqual({
      type: 'Property',
      value: NGSI_NULL,
      previousValue: 'Eiffel Tower',
      createdAt: T0,
      modifiedAt: T0,
      deletedAt: T1,
    });
    expect(out.street).toMatchObject({
      languageMap: { '@none': NGSI_NULL },
      previousLanguageMap: { fr: 'Champ de Mars', en: 'Mars Field' },
    });
    expect(out.locatedAt).toMatchObject({ object: NGSI_NULL, previousObject: 'urn:ngsi-ld:City:Paris' });
  });

  it('a deleted entity: id, type and deletedAt (keyValues too)', () => {
    const s = sub({ notificationTrigger: ['entityDeleted'] }, { format: 'keyValues' });
    const p = matchChange(s, { id: v1.id, before: v1, at: T1 })!;
    expect(render(s, [p]).data[0]).toEqual({ id: v1.id, type: 'Building', deletedAt: T1 });
    const named = sub({ notificationTrigger: ['entityDeleted'] }, { attributes: ['name'] });
    expect(render(named, [matchChange(named, { id: v1.id, before: v1, at: T1 })!]).data[0]).toEqual({
      id: v1.id,
      type: 'Building',
      deletedAt: T1,
      name: { type: 'Property', value: NGSI_NULL },
    });
  });

  it('application/geo+json: data is a FeatureCollection with the location as geometry', () => {
    const s = sub(
      {},
      { endpoint: { uri: 'http://r/n', accept: 'application/geo+json' }, format: 'keyValues' },
    );
    const n = renderNotification(s, 'urn:n:1', [payload()], T1, ctx) as { data: unknown };
    expect(n.data).toEqual({
      type: 'FeatureCollection',
      features: [
        {
          id: 'urn:ngsi-ld:Building:1',
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [2.29, 48.85] },
          properties: {
            type: 'Building',
            name: 'Eiffel Tower',
            street: { languageMap: { fr: 'Champ de Mars', en: 'Mars Field' } },
            locatedAt: 'urn:ngsi-ld:City:Paris',
            location: { type: 'Point', coordinates: [2.29, 48.85] },
          },
        },
      ],
    });
  });

  it('a periodic notice renders like any other', () => {
    const n = render(sub({ timeInterval: 5 }), [payload(v1, { trigger: 'timeInterval' })]);
    expect(n.data[0]).toHaveProperty('name');
    expect(n.data[0]).not.toHaveProperty('deletedAt');
  });
});
