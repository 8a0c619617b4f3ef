import { describe, expect, it } from 'vitest';
import type { Attribute, Entity } from '../model/entity.js';
import { compareCodePoints, compileQ, matchesQ } from './q-match.js';
import { parseQ } from './q-parser.js';

/** Parsed, unexpanded q against an entity keyed by the same short names (expansion is not at stake here). */
const q = (entity: Entity, text: string): boolean => matchesQ(entity, parseQ(text));

const prop = (value: unknown, extra: Partial<Attribute> = {}): Attribute => ({
  type: 'Property',
  value,
  ...extra,
});

function entity(attrs: Record<string, Attribute | Attribute[]>): Entity {
  return {
    id: 'urn:ngsi-ld:Test:1',
    type: ['T'],
    attrs: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
  };
}

const vehicle = entity({
  speed: prop(80, { observedAt: '2020-08-01T12:00:00Z', unitCode: 'KMH' }),
  brandName: prop('Mercedes'),
  isParked: {
    type: 'Relationship',
    value: 'urn:ngsi-ld:OffStreetParking:Downtown1',
    sub: { providedBy: { type: 'Relationship', value: 'urn:ngsi-ld:Person:Bob' } },
  },
  address: prop({ city: 'Berlin', street: 'Ulrich Strasse', zip: { code: '10115' } }),
  sensor: prop(40, { sub: { rawdata: prop({ airquality: { particulate: 40, PM20: 85 } }) } }),
  color: { type: 'LanguageProperty', value: { fr: 'rouge', en: 'red', de: ['rot', 'rote'] } },
  tags: prop(['blue', 'red', 'green']),
  levels: { type: 'ListProperty', value: [1, 2, 3] },
  friends: { type: 'ListRelationship', value: ['urn:ngsi-ld:Person:A', 'urn:ngsi-ld:Person:B'] },
  category: { type: 'VocabProperty', value: 'https://example.org/commercial' },
  parked: prop(true),
  nothing: prop(null),
  since: prop({ '@type': 'DateTime', '@value': '2018-01-01T00:00:00Z' }),
  opens: prop('08:30:00Z'),
  day: prop('2019-06-01'),
  ticket: { type: 'JsonProperty', value: { id: '85a6', value: 'Overstay 60 minutes' } },
});

describe('matchesQ — selection', () => {
  it('existence of attributes, sub-attributes, members and JSON members', () => {
    expect(q(vehicle, 'speed')).toBe(true);
    expect(q(vehicle, 'rpm')).toBe(false);
    expect(q(vehicle, '!rpm')).toBe(true);
    expect(q(vehicle, '!speed')).toBe(false);
    expect(q(vehicle, 'isParked.providedBy')).toBe(true);
    expect(q(vehicle, 'isParked.owner')).toBe(false);
    expect(q(vehicle, 'speed.observedAt')).toBe(true);
    expect(q(vehicle, 'brandName.observedAt')).toBe(false);
    expect(q(vehicle, 'address[city]')).toBe(true);
    expect(q(vehicle, 'address[postcode]')).toBe(false);
    expect(q(vehicle, 'nothing')).toBe(true);
  });

  it('never reaches the prototype through names or keys', () => {
    expect(q(vehicle, 'constructor')).toBe(false);
    expect(q(vehicle, 'address[constructor]')).toBe(false);
    expect(q(vehicle, 'speed.constructor')).toBe(false);
  });

  it('EXAMPLE 9/10: trailing paths into compound values', () => {
    expect(q(vehicle, 'address[city]=="Berlin"')).toBe(true);
    expect(q(vehicle, 'address[postcode]=="Berlin"')).toBe(false);
    expect(q(vehicle, 'address[zip.code]=="10115"')).toBe(true);
    expect(q(vehicle, 'sensor.rawdata[airquality.particulate]==40')).toBe(true);
    expect(q(vehicle, 'sensor.rawdata[airquality.PM20]<80')).toBe(false);
  });

  it('EXAMPLE 11: keys into a JsonProperty', () => {
    expect(q(vehicle, 'ticket[value]=="Overstay 60 minutes"')).toBe(true);
  });

  it('sub-attribute and member values', () => {
    expect(q(vehicle, 'speed.unitCode=="KMH"')).toBe(true);
    expect(q(vehicle, 'isParked.providedBy==urn:ngsi-ld:Person:Bob')).toBe(true);
    expect(q(vehicle, 'speed.observedAt>=2017-12-24T12:00:00Z')).toBe(true);
    expect(q(vehicle, 'speed.observedAt<2020-08-01')).toBe(false);
  });

  it('any instance (datasetId) may satisfy a comparison', () => {
    const e = entity({
      temperature: [prop(20), prop(30, { datasetId: 'urn:ngsi-ld:Dataset:b' })],
    });
    expect(q(e, 'temperature==30')).toBe(true);
    expect(q(e, 'temperature<25')).toBe(true);
    expect(q(e, 'temperature.datasetId==urn:ngsi-ld:Dataset:b')).toBe(true);
    expect(q(e, 'temperature!=20')).toBe(false);
  });
});

describe('matchesQ — comparisons', () => {
  it('numbers compare numerically, never with strings', () => {
    expect(q(vehicle, 'speed==80')).toBe(true);
    expect(q(vehicle, 'speed==80.0')).toBe(true);
    expect(q(vehicle, 'speed>50')).toBe(true);
    expect(q(vehicle, 'speed>=80;speed<=80')).toBe(true);
    expect(q(vehicle, 'speed<80')).toBe(false);
    expect(q(vehicle, 'speed=="80"')).toBe(false);
    expect(q(vehicle, 'brandName>1')).toBe(false);
  });

  it('strings compare by code point', () => {
    expect(q(vehicle, 'brandName=="Mercedes"')).toBe(true);
    expect(q(vehicle, 'brandName>"BMW"')).toBe(true);
    expect(q(vehicle, 'brandName<"mercedes"')).toBe(true);
    expect(q(vehicle, 'brandName==Mercedes')).toBe(true);
    expect(compareCodePoints('\u{1F600}', '\uFFFF')).toBe(1);
    expect(compareCodePoints('a', 'ab')).toBe(-1);
    expect(compareCodePoints('b', 'a')).toBe(1);
    expect(compareCodePoints('x', 'x')).toBe(0);
  });

  it('date-times compare in time order with values that parse as dates', () => {
    expect(q(vehicle, 'since>2017-12-31T23:59:59Z')).toBe(true);
    expect(q(vehicle, 'since==2018-01-01T01:00:00+01:00')).toBe(true);
    expect(q(vehicle, 'since==2018-01-01')).toBe(true);
    expect(q(vehicle, 'day>=2019-06-01T00:00:00Z')).toBe(true);
    expect(q(vehicle, 'opens<09:00:00Z')).toBe(true);
    expect(q(vehicle, 'opens<2019-01-01')).toBe(false);
    expect(q(vehicle, 'brandName>2019-01-01')).toBe(false);
    expect(q(vehicle, 'speed>2019-01-01')).toBe(false);
  });

  it('booleans and null compare by equality only', () => {
    expect(q(vehicle, 'parked==true')).toBe(true);
    expect(q(vehicle, 'parked!=false')).toBe(true);
    expect(q(vehicle, 'parked==false')).toBe(false);
    expect(q(vehicle, 'nothing==null')).toBe(true);
    expect(q(vehicle, 'speed==null')).toBe(false);
    expect(q(vehicle, 'speed==true')).toBe(false);
  });

  it('relationships: ==/!=, lists and ranges only; ordering and patterns never match', () => {
    expect(q(vehicle, 'isParked==urn:ngsi-ld:OffStreetParking:Downtown1')).toBe(true);
    expect(q(vehicle, 'isParked=="urn:ngsi-ld:OffStreetParking:Downtown1"')).toBe(true);
    expect(q(vehicle, 'isParked!=urn:ngsi-ld:OffStreetParking:Other')).toBe(true);
    expect(q(vehicle, 'isParked==urn:x:1,urn:ngsi-ld:OffStreetParking:Downtown1')).toBe(true);
    expect(q(vehicle, 'isParked>"urn:a"')).toBe(false);
    expect(q(vehicle, 'isParked~=Downtown')).toBe(false);
    expect(q(vehicle, 'isParked!~=Nowhere')).toBe(false);
    expect(q(vehicle, 'friends==urn:ngsi-ld:Person:B')).toBe(true);
    expect(q(vehicle, 'friends!=urn:ngsi-ld:Person:B')).toBe(false);
  });

  it('VocabProperty values compare as their expanded IRIs', () => {
    expect(q(vehicle, 'category==commercial')).toBe(false);
    expect(q(vehicle, 'category==https://example.org/commercial')).toBe(true);
  });
});

describe('matchesQ — arrays, lists, ranges and negations (clause 4.9 Equal/Unequal)', () => {
  it('== holds when an array contains the value; != when it does not', () => {
    expect(q(vehicle, 'tags=="red"')).toBe(true);
    expect(q(vehicle, 'tags!="red"')).toBe(false);
    expect(q(vehicle, 'tags!="black"')).toBe(true);
    expect(q(vehicle, 'levels==2')).toBe(true);
    expect(q(vehicle, 'levels>2')).toBe(true);
    expect(q(vehicle, 'levels>3')).toBe(false);
  });

  it('!= holds for a mismatching type (unequal), never for a missing attribute', () => {
    expect(q(vehicle, 'speed!="fast"')).toBe(true);
    expect(q(vehicle, 'rpm!=1')).toBe(false);
    expect(q(vehicle, 'address[postcode]!="x"')).toBe(false);
  });

  it('value lists', () => {
    expect(q(vehicle, 'brandName=="BMW","Mercedes"')).toBe(true);
    expect(q(vehicle, 'brandName!="BMW","Mercedes"')).toBe(false);
    expect(q(vehicle, 'brandName!="BMW","Audi"')).toBe(true);
    expect(q(vehicle, 'tags=="black","red"')).toBe(true);
    expect(q(vehicle, 'tags!="yellow","red"')).toBe(false);
    expect(q(vehicle, 'tags!="yellow","black"')).toBe(true);
    expect(q(vehicle, 'rpm!=1,2')).toBe(false);
  });

  it('ranges are inclusive; the negated range holds outside', () => {
    expect(q(vehicle, 'speed==80..90')).toBe(true);
    expect(q(vehicle, 'speed==70..80')).toBe(true);
    expect(q(vehicle, 'speed==81..90')).toBe(false);
    expect(q(vehicle, 'speed!=81..90')).toBe(true);
    expect(q(vehicle, 'speed!=10..100')).toBe(false);
    expect(q(vehicle, 'brandName=="L".."N"')).toBe(true);
    expect(q(vehicle, 'since==2017-01-01..2018-06-01')).toBe(true);
    expect(q(vehicle, 'brandName==1..100')).toBe(false);
    expect(q(vehicle, 'rpm!=1..2')).toBe(false);
  });
});

describe('matchesQ — LanguageProperty', () => {
  it('color[en] addresses one language, color[*] or color any', () => {
    expect(q(vehicle, 'color[en]=="red"')).toBe(true);
    expect(q(vehicle, 'color[en]=="rouge"')).toBe(false);
    expect(q(vehicle, 'color[*]=="rouge"')).toBe(true);
    expect(q(vehicle, 'color=="rouge"')).toBe(true);
    expect(q(vehicle, 'color[de]=="rote"')).toBe(true);
    expect(q(vehicle, 'color[it]')).toBe(false);
    expect(q(vehicle, 'color[en]')).toBe(true);
  });

  it('color[*]!="red" holds only when no language has it', () => {
    expect(q(vehicle, 'color[*]!="red"')).toBe(false);
    expect(q(vehicle, 'color[*]!="black"')).toBe(true);
    expect(q(vehicle, 'color[en]!="red"')).toBe(false);
    expect(q(vehicle, 'color[fr]!="red"')).toBe(true);
  });
});

describe('matchesQ — patterns', () => {
  it('~= searches string values; !~= needs a string value that does not match', () => {
    expect(q(vehicle, 'brandName~=^Merc')).toBe(true);
    expect(q(vehicle, 'brandName~=cedes$')).toBe(true);
    expect(q(vehicle, 'brandName~=^merc')).toBe(false);
    expect(q(vehicle, 'brandName~=(?i)^merc')).toBe(true);
    expect(q(vehicle, 'brandName!~=^BMW')).toBe(true);
    expect(q(vehicle, 'brandName!~=Merc')).toBe(false);
    expect(q(vehicle, 'speed~=8')).toBe(false);
    expect(q(vehicle, 'speed!~=8')).toBe(false);
    expect(q(vehicle, 'rpm!~=x')).toBe(false);
    expect(q(vehicle, 'tags~=^gr')).toBe(true);
    expect(q(vehicle, 'tags!~=^gr')).toBe(false);
  });
});

describe('matchesQ — logic', () => {
  it('EXAMPLE 6/7', () => {
    expect(q(vehicle, '((speed>50|rpm>3000);brandName=="Mercedes")')).toBe(true);
    expect(q(vehicle, '((speed>90|rpm>3000);brandName=="Mercedes")')).toBe(false);
    expect(q(vehicle, '(speed>=20;speed<=25)|levels<=10')).toBe(true);
    expect(q(vehicle, 'speed>90|brandName=="Mercedes";parked==false')).toBe(false);
  });

  it('compileQ gives a reusable matcher', () => {
    const m = compileQ(parseQ('speed>50;brandName=="Mercedes"'));
    expect(m(vehicle)).toBe(true);
    expect(m(entity({ speed: prop(10) }))).toBe(false);
  });
});
