import { describe, expect, it } from 'vitest';
import type { Entity } from '../../core/model/entity.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { Access, changedAttrs } from './access.js';
import { DEFAULT_POLICY_DOCUMENT } from './default-policy.js';
import { ANONYMOUS, type Principal } from './model.js';
import { parsePolicy } from './parse-policy.js';

const NS = 'https://t.example/';
const mapper: TermMapper = { expandTerm: (t) => (t.includes(':') ? t : NS + t), compactIri: (i) => i };
const iri = (t: string) => NS + t;

const policy = parsePolicy(
  {
    rules: [
      { roles: ['admin'], actions: ['read', 'write', 'command', 'admin'] },
      { roles: ['viewer'], actions: ['read'] },
      { roles: ['viewer'], effect: 'deny', actions: ['read'], types: ['Person'] },
      { roles: ['viewer'], effect: 'deny', actions: ['read'], types: ['Parking'], attrs: ['plate'] },
      { roles: ['analyst'], actions: ['read'], types: ['Parking'], attrs: ['status', 'location'] },
      {
        roles: ['district'],
        actions: ['read', 'write'],
        types: ['Streetlight'],
        idPattern: '^urn:light:d3:',
      },
      { roles: ['metering'], actions: ['write'], types: ['Meter'], attrs: ['reading'] },
      { roles: ['metering'], actions: ['read'], types: ['Meter'] },
      { public: true, actions: ['read'], types: ['AirQuality'] },
    ],
  },
  mapper,
  3,
);

const who = (roles: string[], extra: Partial<Principal> = {}): Principal => ({
  id: 'p1',
  kind: 'user',
  tenant: 'city',
  roles,
  via: 'key',
  ...extra,
});

const entity = (id: string, type: string, attrs: Record<string, unknown>): Entity => ({
  id,
  type: [iri(type)],
  attrs: Object.fromEntries(
    Object.entries(attrs).map(([k, v]) => [iri(k), [{ type: 'Property' as const, value: v }]]),
  ),
});

describe('Access', () => {
  it('denies by default: no role, no rule', () => {
    const a = new Access(policy, who([]), 'city');
    expect(a.may('read')).toBe(true); // the public data, nothing else
    expect(a.may('write')).toBe(false);
    expect(a.entityAllowed('read', [iri('AirQuality')], 'urn:aq:1')).toBe(true); // public
    expect(a.entityAllowed('read', [iri('Parking')], 'urn:p:1')).toBe(false);
    expect(a.visibility('write')).toEqual({ allow: [], deny: [] });
  });

  it('lets anonymous callers read only what is public', () => {
    const a = new Access(policy, ANONYMOUS, 'city');
    expect(a.member).toBe(false);
    expect(a.may('read')).toBe(true);
    expect(a.may('write')).toBe(false);
    expect(a.entityAllowed('read', [iri('AirQuality')], 'urn:aq:1')).toBe(true);
    expect(a.entityAllowed('read', [iri('Parking')], 'urn:p:1')).toBe(false);
    expect(a.visibility('read')).toEqual({ allow: [{ types: [iri('AirQuality')] }], deny: [] });
  });

  it('gives a principal of another tenant nothing but what is public', () => {
    const a = new Access(policy, who(['admin'], { tenant: 'other' }), 'city');
    expect(a.member).toBe(false);
    expect(a.may('admin')).toBe(false);
    expect(a.entityAllowed('read', [iri('Parking')], 'urn:p:1')).toBe(false);
  });

  it('lets a platform administrator do everything, bound by no rule', () => {
    const a = new Access(policy, who(['admin'], { tenant: '*' }), 'city');
    expect(a.unrestricted).toBe(true);
    expect(a.visibility('read')).toBeUndefined();
    expect(a.filterEntity(entity('urn:x', 'Person', { name: 'n' }))?.attrs).toHaveProperty(iri('name'));
  });

  it('makes deny rules win: a type withheld, an attribute hidden', () => {
    const a = new Access(policy, who(['viewer']), 'city');
    expect(a.entityAllowed('read', [iri('Person')], 'urn:person:1')).toBe(false);
    const parking = entity('urn:p:1', 'Parking', { status: 'free', plate: 'AB-123' });
    expect(Object.keys(a.filterEntity(parking)?.attrs ?? {})).toEqual([iri('status')]);
    expect(a.visibility('read')).toEqual({ allow: [{}], deny: [{ types: [iri('Person')] }] });
    expect(a.hidesAttr('read', iri('plate'), [iri('Parking')])).toBe(true);
    expect(a.hidesAttr('read', iri('plate'), [iri('Meter')])).toBe(false);
    expect(a.hidesAttr('read', iri('plate'))).toBe(true);
  });

  it('grants only the attributes an allow rule lists', () => {
    const a = new Access(policy, who(['analyst']), 'city');
    const parking = entity('urn:p:1', 'Parking', { status: 'free', plate: 'AB-123', location: 1 });
    expect(Object.keys(a.filterEntity(parking)?.attrs ?? {}).sort()).toEqual([
      iri('location'),
      iri('status'),
    ]);
    expect(a.hidesAttr('read', iri('status'), [iri('Parking')])).toBe(false);
    expect(a.hidesAttr('read', iri('plate'), [iri('Parking')])).toBe(true);
  });

  it('narrows by id pattern, in decisions and in the query filter', () => {
    const a = new Access(policy, who(['district']), 'city');
    expect(a.entityAllowed('write', [iri('Streetlight')], 'urn:light:d3:7')).toBe(true);
    expect(a.entityAllowed('write', [iri('Streetlight')], 'urn:light:d4:7')).toBe(false);
    expect(a.visibility('read')).toEqual({
      allow: [{ types: [iri('Streetlight')], idPattern: '^urn:light:d3:' }, { types: [iri('AirQuality')] }],
      deny: [],
    });
  });

  it('checks every changed attribute of a write', () => {
    const a = new Access(policy, who(['metering']), 'city');
    const before = entity('urn:m:1', 'Meter', { reading: 1, owner: 'x' });
    const reading = entity('urn:m:1', 'Meter', { reading: 2, owner: 'x' });
    const owner = entity('urn:m:1', 'Meter', { reading: 1, owner: 'y' });
    expect(a.checkChange(before, reading)).toBeUndefined();
    expect(a.checkChange(before, owner)?.status).toBe(403);
    expect(a.checkChange(before, undefined)?.detail).toContain('owner'); // deleting takes every attribute
    expect(a.checkChange(undefined, entity('urn:m:2', 'Meter', { reading: 1 }))).toBeUndefined();
    expect(a.checkChange(undefined, entity('urn:s:2', 'Street', { reading: 1 }))?.status).toBe(403);
  });

  it('limits a key to its scopes', () => {
    const a = new Access(policy, who(['admin'], { scopes: ['read'] }), 'city');
    expect(a.may('read')).toBe(true);
    expect(a.may('write')).toBe(false);
    expect(a.entityAllowed('write', [iri('Meter')], 'urn:m:1')).toBe(false);
    expect(a.visibility('write')).toEqual({ allow: [], deny: [] });
  });

  it('under the built-in policy, viewers read and editors write, nothing is public', () => {
    const builtIn = parsePolicy(DEFAULT_POLICY_DOCUMENT, mapper, 0);
    expect(new Access(builtIn, who(['viewer']), 'city').may('write')).toBe(false);
    expect(new Access(builtIn, who(['editor']), 'city').may('write')).toBe(true);
    expect(new Access(builtIn, who(['operator']), 'city').may('command')).toBe(true);
    expect(new Access(builtIn, who(['operator']), 'city').may('admin')).toBe(false);
    expect(new Access(builtIn, ANONYMOUS, 'city').may('read')).toBe(false);
  });
});

describe('changedAttrs', () => {
  it('names the attributes whose instances differ, including prototype names', () => {
    const a = entity('urn:x', 'T', { same: 1, changed: 1, toString: 1 });
    const b = entity('urn:x', 'T', { same: 1, changed: 2, added: 3 });
    expect(changedAttrs(a, b).sort()).toEqual([iri('added'), iri('changed'), iri('toString')].sort());
  });
});
