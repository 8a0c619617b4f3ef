// Matching a change against a subscription (ETSI GS CIM 009 v1.8 clause 5.8.6, 5.2.12
// notificationTrigger, watchedAttributes, q, geoQ, scopeQ, expiresAt, isActive, showChanges,
// notification.attributes, datasetId).
import { describe, expect, it } from 'vitest';
import { ContextResolver } from '../jsonld/context-resolver.js';
import type { Attribute, Entity } from '../model/entity.js';
import { diffEntities } from './entity-diff.js';
import { NGSI_NULL, matchChange, type EntityChange } from './match-change.js';
import type { Subscription } from './model.js';
import { parseSubscription } from './parse-subscription.js';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const LOCATION = 'https://uri.etsi.org/ngsi-ld/location';
const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-01T00:01:00.000Z';
const mapper = new ContextResolver({ load: async () => ({}) }).core;

function sub(extra: Record<string, unknown> = {}, notification: Record<string, unknown> = {}): Subscription {
  return parseSubscription(
    {
      id: 'urn:ngsi-ld:Subscription:s',
      type: 'Subscription',
      entities: [{ type: 'Building' }],
      notification: { endpoint: { uri: 'http://r/n' }, ...notification },
      ...extra,
    },
    mapper,
    { now: '2029-01-01T00:00:00Z' },
  );
}

const prop = (value: unknown, at = T0, extra: Partial<Attribute> = {}): Attribute => ({
  type: 'Property',
  value,
  createdAt: T0,
  modifiedAt: at,
  ...extra,
});

function building(attrs: Record<string, Attribute[]>, extra: Partial<Entity> = {}): Entity {
  return {
    id: 'urn:ngsi-ld:Building:1',
    type: [`${D}Building`],
    attrs,
    createdAt: T0,
    modifiedAt: T0,
    ...extra,
  };
}

const v1 = building({ [`${D}name`]: [prop('Eiffel')], [`${D}height`]: [prop(300)] });
const created: EntityChange = { id: v1.id, after: v1, at: T0 };
const deleted: EntityChange = { id: v1.id, before: v1, at: T1 };
const update = (attrs: Record<string, Attribute[]>, extra: Partial<Entity> = {}): EntityChange => ({
  id: v1.id,
  before: v1,
  after: building(attrs, { modifiedAt: T1, ...extra }),
  at: T1,
});
const heightUpdated = update({ [`${D}name`]: [prop('Eiffel')], [`${D}height`]: [prop(330, T1)] });
const colorAdded = update({ ...v1.attrs, [`${D}color`]: [prop('brown', T1, { createdAt: T1 })] });
const nameDeleted = update({ [`${D}height`]: [prop(300)] });

describe('notificationTrigger (5.2.12)', () => {
  it('default triggers (attributeCreated, attributeUpdated): creation and updates, not deletions', () => {
    const s = sub();
    expect(matchChange(s, created)?.trigger).toBe('attributeCreated');
    expect(matchChange(s, heightUpdated)?.trigger).toBe('attributeUpdated');
    expect(matchChange(s, colorAdded)?.trigger).toBe('attributeCreated');
    expect(matchChange(s, nameDeleted)).toBeUndefined();
    expect(matchChange(s, deleted)).toBeUndefined();
  });

  it('entityCreated fires on creation only', () => {
    const s = sub({ notificationTrigger: ['entityCreated'] });
    expect(matchChange(s, created)?.trigger).toBe('entityCreated');
    for (const c of [heightUpdated, colorAdded, nameDeleted, deleted])
      expect(matchChange(s, c)).toBeUndefined();
  });

  it('entityUpdated fires on any change of an existing entity, types and scopes included', () => {
    const s = sub({ notificationTrigger: ['entityUpdated'] });
    expect(matchChange(s, created)).toBeUndefined();
    expect(matchChange(s, deleted)).toBeUndefined();
    for (const c of [heightUpdated, colorAdded, nameDeleted])
      expect(matchChange(s, c)?.trigger).toBe('entityUpdated');
    expect(matchChange(s, update(v1.attrs, { scope: ['/Paris'] }))?.trigger).toBe('entityUpdated');
    expect(matchChange(s, update(v1.attrs))).toBeUndefined(); // nothing changed but modifiedAt
  });

  it('entityDeleted fires on deletion: id, type and no attributes', () => {
    const s = sub({ notificationTrigger: ['entityDeleted'] });
    const p = matchChange(s, deleted)!;
    expect(p).toEqual({
      trigger: 'entityDeleted',
      entity: { id: v1.id, type: v1.type, attrs: {}, createdAt: T0, modifiedAt: T0 },
      at: T1,
    });
    for (const c of [created, heightUpdated, colorAdded, nameDeleted])
      expect(matchChange(s, c)).toBeUndefined();
  });

  it('attributeCreated fires when an instance is added (and for the attributes of a new entity)', () => {
    const s = sub({ notificationTrigger: ['attributeCreated'] });
    expect(matchChange(s, colorAdded)?.trigger).toBe('attributeCreated');
    expect(matchChange(s, created)?.trigger).toBe('attributeCreated');
    const datasetAdded = update({
      ...v1.attrs,
      [`${D}name`]: [prop('Eiffel'), prop('Tour', T1, { datasetId: 'urn:d:fr' })],
    });
    expect(matchChange(s, datasetAdded)?.trigger).toBe('attributeCreated');
    expect(matchChange(s, heightUpdated)).toBeUndefined();
  });

  it('attributeUpdated fires when an instance is rewritten, even with the same value', () => {
    const s = sub({ notificationTrigger: ['attributeUpdated'] });
    expect(matchChange(s, heightUpdated)?.trigger).toBe('attributeUpdated');
    const sameValue = update({ [`${D}name`]: [prop('Eiffel', T1)], [`${D}height`]: [prop(300)] });
    expect(matchChange(s, sameValue)?.trigger).toBe('attributeUpdated');
    expect(matchChange(s, colorAdded)).toBeUndefined();
    expect(matchChange(s, created)).toBeUndefined();
  });

  it('attributeDeleted fires when an instance is removed, and reports it as an NGSI-LD Null', () => {
    const s = sub({ notificationTrigger: ['attributeDeleted'] });
    const p = matchChange(s, nameDeleted)!;
    expect(p.trigger).toBe('attributeDeleted');
    expect(p.entity.attrs[`${D}name`]).toEqual([
      { type: 'Property', value: NGSI_NULL, createdAt: T0, modifiedAt: T0 },
    ]);
    expect(p.entity.attrs[`${D}height`]).toEqual([prop(300)]);
    expect(matchChange(s, deleted)).toBeUndefined();
    expect(matchChange(s, heightUpdated)).toBeUndefined();
  });

  it('Null instances keep the kind: Relationship object, LanguageProperty languageMap, one datasetId', () => {
    const before = building({
      [`${D}locatedAt`]: [{ type: 'Relationship', value: 'urn:ngsi-ld:City:Paris' }],
      [`${D}street`]: [{ type: 'LanguageProperty', value: { fr: 'Grand Place' } }],
      [`${D}name`]: [prop('Eiffel'), prop('Tour Eiffel', T0, { datasetId: 'urn:d:fr' })],
    });
    const after = building({ [`${D}name`]: [prop('Eiffel')] });
    const p = matchChange(sub({ notificationTrigger: ['attributeDeleted'] }), {
      id: v1.id,
      before,
      after,
      at: T1,
    })!;
    expect(p.entity.attrs[`${D}locatedAt`]).toEqual([{ type: 'Relationship', value: NGSI_NULL }]);
    expect(p.entity.attrs[`${D}street`]).toEqual([
      { type: 'LanguageProperty', value: { '@none': NGSI_NULL } },
    ]);
    expect(p.entity.attrs[`${D}name`]).toEqual([
      prop('Eiffel'),
      { type: 'Property', value: NGSI_NULL, datasetId: 'urn:d:fr', createdAt: T0, modifiedAt: T0 },
    ]);
  });

  it('several triggers: one notice, named by the most specific trigger listened to', () => {
    const s = sub({ notificationTrigger: ['attributeUpdated', 'attributeDeleted'] });
    const both = update({ [`${D}height`]: [prop(330, T1)] }); // height updated, name deleted
    const p = matchChange(s, both)!;
    expect(p.trigger).toBe('attributeUpdated');
    expect(p.entity.attrs[`${D}name`]?.[0]?.value).toBe(NGSI_NULL);
  });
});

describe('watchedAttributes (5.2.12)', () => {
  const s = sub({
    watchedAttributes: ['height'],
    notificationTrigger: [
      'entityCreated',
      'attributeCreated',
      'attributeUpdated',
      'attributeDeleted',
      'entityDeleted',
      'entityUpdated',
    ],
  });

  it('counts only changes of watched attributes', () => {
    expect(matchChange(s, heightUpdated)).toBeDefined();
    expect(matchChange(s, colorAdded)).toBeUndefined();
    expect(matchChange(s, nameDeleted)).toBeUndefined();
    expect(matchChange(s, update(v1.attrs, { scope: ['/x'] }))).toBeUndefined();
  });

  it('creation and deletion count when the entity holds a watched attribute', () => {
    expect(matchChange(s, created)?.trigger).toBe('entityCreated');
    expect(matchChange(s, deleted)?.trigger).toBe('entityDeleted');
    const other = building({ [`${D}name`]: [prop('x')] });
    expect(matchChange(s, { id: other.id, after: other, at: T0 })).toBeUndefined();
    expect(matchChange(s, { id: other.id, before: other, at: T0 })).toBeUndefined();
  });

  it('a subscription without entities matches any type by its watched attributes', () => {
    const { entities: _e, ...rest } = sub({ watchedAttributes: ['height'] });
    const noEntities: Subscription = { ...rest };
    const other = {
      ...heightUpdated,
      before: { ...v1, type: [`${D}Tower`] },
      after: { ...heightUpdated.after!, type: [`${D}Tower`] },
    };
    expect(matchChange(noEntities, other)).toBeDefined();
  });
});

describe('entity selectors: type, type expression, id, idPattern', () => {
  it('matches the type, after the change (before it for a deletion)', () => {
    expect(matchChange(sub({ entities: [{ type: 'Tower' }] }), heightUpdated)).toBeUndefined();
    const retyped = update(heightUpdated.after!.attrs, { type: [`${D}Tower`] });
    expect(
      matchChange(sub({ entities: [{ type: 'Tower' }], notificationTrigger: ['entityUpdated'] }), retyped),
    ).toBeDefined();
    expect(matchChange(sub({ notificationTrigger: ['entityDeleted'] }), deleted)).toBeDefined();
  });

  it('evaluates type expressions', () => {
    expect(matchChange(sub({ entities: [{ type: '(Building|Tower)' }] }), heightUpdated)).toBeDefined();
    expect(matchChange(sub({ entities: [{ type: 'Building;Tower' }] }), heightUpdated)).toBeUndefined();
    const both = update(heightUpdated.after!.attrs, { type: [`${D}Building`, `${D}Tower`] });
    expect(matchChange(sub({ entities: [{ type: 'Building;Tower' }] }), both)).toBeDefined();
  });

  it('narrows by id and by idPattern (searched, as in queries)', () => {
    expect(matchChange(sub({ entities: [{ type: 'Building', id: v1.id }] }), heightUpdated)).toBeDefined();
    expect(
      matchChange(sub({ entities: [{ type: 'Building', id: 'urn:ngsi-ld:Building:2' }] }), heightUpdated),
    ).toBeUndefined();
    expect(
      matchChange(sub({ entities: [{ type: 'Building', idPattern: 'Building:[0-9]$' }] }), heightUpdated),
    ).toBeDefined();
    expect(
      matchChange(sub({ entities: [{ type: 'Building', idPattern: '^urn:x:' }] }), heightUpdated),
    ).toBeUndefined();
  });

  it('any selector of the list may match', () => {
    const s = sub({ entities: [{ type: 'Tower' }, { type: 'Building', id: v1.id }] });
    expect(matchChange(s, heightUpdated)).toBeDefined();
  });
});

describe('q, geoQ, scopeQ on the state after the change (before it for a deletion)', () => {
  it('q', () => {
    expect(matchChange(sub({ q: 'height>320' }), heightUpdated)).toBeDefined();
    expect(matchChange(sub({ q: 'height<320' }), heightUpdated)).toBeUndefined();
    expect(
      matchChange(sub({ q: 'height==300', notificationTrigger: ['entityDeleted'] }), deleted),
    ).toBeDefined();
    expect(
      matchChange(sub({ q: 'height==330', notificationTrigger: ['entityDeleted'] }), deleted),
    ).toBeUndefined();
  });

  it('geoQ on the geoproperty (default location)', () => {
    const at = (lon: number, lat: number) =>
      update({
        ...v1.attrs,
        [LOCATION]: [
          { type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] }, modifiedAt: T1 },
        ],
      });
    const near = sub({
      geoQ: { georel: 'near;maxDistance==1000', geometry: 'Point', coordinates: [2.2945, 48.8584] },
    });
    expect(matchChange(near, at(2.295, 48.858))).toBeDefined();
    expect(matchChange(near, at(2.35, 48.85))).toBeUndefined();
    expect(matchChange(near, heightUpdated)).toBeUndefined(); // no location at all
    const within = sub({
      geoQ: {
        georel: 'within',
        geometry: 'Polygon',
        coordinates: [
          [
            [2, 48],
            [3, 48],
            [3, 49],
            [2, 49],
            [2, 48],
          ],
        ],
      },
    });
    expect(matchChange(within, at(2.5, 48.5))).toBeDefined();
    expect(matchChange(within, at(4, 48.5))).toBeUndefined();
  });

  it('scopeQ', () => {
    const scoped = update(heightUpdated.after!.attrs, { scope: ['/Paris/7e'] });
    expect(matchChange(sub({ scopeQ: '/Paris/#' }), scoped)).toBeDefined();
    expect(matchChange(sub({ scopeQ: '/Lyon/#' }), scoped)).toBeUndefined();
    expect(matchChange(sub({ scopeQ: '/Paris/#' }), heightUpdated)).toBeUndefined();
  });
});

describe('expiresAt and isActive', () => {
  it('an expired subscription matches nothing', () => {
    const s = sub({ expiresAt: '2030-01-01T00:00:30Z' });
    expect(matchChange(s, created)).toBeDefined(); // T0 before expiry
    expect(matchChange(s, heightUpdated)).toBeUndefined(); // T1 after it
  });

  it('a paused subscription matches nothing', () => {
    expect(matchChange(sub({ isActive: false }), heightUpdated)).toBeUndefined();
  });

  it('a periodic subscription is never triggered by changes', () => {
    expect(matchChange(sub({ timeInterval: 10 }), heightUpdated)).toBeUndefined();
  });
});

describe('what the notice carries', () => {
  it('the entity reduced to notification.attributes, with its system timestamps', () => {
    const p = matchChange(sub({}, { attributes: ['name'] }), heightUpdated)!;
    expect(Object.keys(p.entity.attrs)).toEqual([`${D}name`]);
    expect(p.entity.modifiedAt).toBe(T1);
    expect(p.at).toBe(T1);
  });

  it('only the datasetId instances asked for', () => {
    const multi = update({ [`${D}name`]: [prop('Eiffel', T1), prop('Tour', T1, { datasetId: 'urn:d:fr' })] });
    const p = matchChange(sub({ datasetId: ['urn:d:fr'] }), multi)!;
    expect(p.entity.attrs).toEqual({ [`${D}name`]: [prop('Tour', T1, { datasetId: 'urn:d:fr' })] });
    expect(matchChange(sub({ datasetId: ['@none'] }), multi)!.entity.attrs[`${D}name`]).toEqual([
      prop('Eiffel', T1),
    ]);
  });

  it('showChanges: the previous instances of what was updated or removed', () => {
    const s = sub({ notificationTrigger: ['attributeUpdated', 'attributeDeleted'] }, { showChanges: true });
    const p = matchChange(s, update({ [`${D}height`]: [prop(330, T1)] }))!;
    expect(p.previous).toEqual({ [`${D}height`]: [prop(300)], [`${D}name`]: [prop('Eiffel')] });
    expect(matchChange(sub(), heightUpdated)!.previous).toBeUndefined();
    expect(matchChange(sub({}, { showChanges: true }), colorAdded)!.previous).toBeUndefined();
  });

  it('a deleted entity: Null instances of the attributes named, all of them with showChanges', () => {
    const named = matchChange(
      sub({ notificationTrigger: ['entityDeleted'] }, { attributes: ['name'] }),
      deleted,
    )!;
    expect(named.entity.attrs).toEqual({
      [`${D}name`]: [{ type: 'Property', value: NGSI_NULL, createdAt: T0, modifiedAt: T0 }],
    });
    expect(named.previous).toBeUndefined();
    const all = matchChange(sub({ notificationTrigger: ['entityDeleted'] }, { showChanges: true }), deleted)!;
    expect(Object.keys(all.entity.attrs).sort()).toEqual([`${D}height`, `${D}name`]);
    expect(all.previous).toEqual(v1.attrs);
  });

  it('never changes the entities of the change', () => {
    const c = structuredClone(nameDeleted);
    matchChange(sub({ notificationTrigger: ['attributeDeleted'] }, { showChanges: true }), c);
    expect(c).toEqual(nameDeleted);
  });
});

describe('diffEntities', () => {
  it('tells created, updated and deleted instances apart by datasetId', () => {
    const before = building({
      [`${D}a`]: [prop(1), prop(2, T0, { datasetId: 'urn:d:1' })],
      [`${D}b`]: [prop(1)],
    });
    const after = building({
      [`${D}a`]: [prop(1), prop(3, T1, { datasetId: 'urn:d:1' }), prop(4, T1, { datasetId: 'urn:d:2' })],
    });
    const d = diffEntities(before, after);
    expect([...d.created.keys()]).toEqual([`${D}a`]);
    expect(d.created.get(`${D}a`)).toEqual([prop(4, T1, { datasetId: 'urn:d:2' })]);
    expect(d.updated.get(`${D}a`)?.map((c) => c.after.value)).toEqual([3]);
    expect(d.deleted.get(`${D}b`)).toEqual([prop(1)]);
    expect(d.typeOrScopeChanged).toBe(false);
  });
});

describe('attribute names like inherited object members', () => {
  it('diffs and matches attributes named toString or constructor as any other', () => {
    const change = update({ toString: [prop(1, T1)] }, {});
    expect(() => diffEntities(change.before, change.after)).not.toThrow();
    const d = diffEntities(change.before, change.after);
    expect([...d.created.keys()]).toEqual(['toString']);
    expect(matchChange(sub(), change)?.trigger).toBe('attributeCreated');
  });
});
