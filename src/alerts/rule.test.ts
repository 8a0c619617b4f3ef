// Rule documents: good ones normalise (names expanded with the document's context, durations in ms,
// defaults filled in); bad ones are refused with a 400 naming the member at fault.
import { describe, expect, it } from 'vitest';
import { ContextResolver } from '../core/jsonld/context-resolver.js';
import { NgsiError } from '../core/errors.js';
import { parseRule, ruleContext } from './rule.js';

const resolver = new ContextResolver({
  load: async (url) => {
    throw new Error(`offline: ${url}`);
  },
});
const DC = 'https://uri.etsi.org/ngsi-ld/default-context/';
const AQ = 'https://smartdatamodels.org/dataModel.Environment/AirQualityObserved';

const good = {
  id: 'pm25-high',
  name: 'PM2.5 above 35 µg/m³ for 1 h',
  severity: 'high',
  scope: { type: 'AirQualityObserved', district: 'urn:ngsi-ld:District:old-town' },
  condition: { kind: 'threshold', attribute: 'pm25', op: '>', value: 35, for: 'PT1H', clear: 30 },
  notify: { endpoint: 'https://ops.example/hook' },
  enabled: true,
};

async function parse(doc: unknown) {
  return parseRule(doc, await resolver.resolve(ruleContext(doc)));
}

async function refusal(doc: unknown): Promise<string> {
  try {
    await parse(doc);
  } catch (e) {
    expect(e).toBeInstanceOf(NgsiError);
    expect((e as NgsiError).status).toBe(400);
    return (e as NgsiError).detail;
  }
  throw new Error('accepted');
}

describe('parseRule', () => {
  it('normalises a threshold rule: expanded names, ms durations, defaults', async () => {
    expect(await parse(good)).toEqual({
      id: 'pm25-high',
      name: good.name,
      severity: 'high',
      category: 'environment',
      subCategory: 'threshold',
      scope: { type: `${DC}AirQualityObserved`, district: 'urn:ngsi-ld:District:old-town' },
      condition: {
        kind: 'threshold',
        attribute: `${DC}pm25`,
        op: '>',
        value: 35,
        forMs: 3_600_000,
        clear: 30,
        clearForMs: 0,
      },
      notify: { endpoint: 'https://ops.example/hook' },
      enabled: true,
    });
  });

  it('expands with the document @context; clear defaults to the threshold; enabled to true', async () => {
    const rule = await parse({
      '@context': { AirQualityObserved: AQ, pm25: 'https://example.org/pm25' },
      id: 'x',
      name: 'x',
      severity: 'low',
      scope: { type: 'AirQualityObserved' },
      condition: { kind: 'threshold', attribute: 'pm25', op: '<=', value: 3 },
    });
    expect(rule.scope.type).toBe(AQ);
    expect(rule.condition).toMatchObject({ attribute: 'https://example.org/pm25', clear: 3, forMs: 0 });
    expect(rule.enabled).toBe(true);
  });

  it('reads rateOfChange, deviceOffline and noData, with categories by kind', async () => {
    const base = { id: 'r', name: 'r', severity: 'medium', scope: { entity: 'urn:ngsi-ld:X:1' } };
    expect(
      (
        await parse({
          ...base,
          condition: {
            kind: 'rateOfChange',
            attribute: 'flow',
            change: 5,
            within: 'PT10M',
            direction: 'falling',
          },
        })
      ).condition,
    ).toEqual({
      kind: 'rateOfChange',
      attribute: `${DC}flow`,
      change: 5,
      withinMs: 600_000,
      direction: 'falling',
    });
    const offline = await parse({ ...base, condition: { kind: 'deviceOffline' }, category: 'security' });
    expect(offline).toMatchObject({
      category: 'security',
      subCategory: 'deviceOffline',
      condition: { attribute: `${DC}deviceState` },
    });
    const silent = await parse({ ...base, condition: { kind: 'noData', for: 'PT30M' } });
    expect(silent).toMatchObject({ category: 'device', condition: { kind: 'noData', forMs: 1_800_000 } });
  });

  it('refuses bad documents, naming the member', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [[good], /JSON object/],
      [{ ...good, colour: 'red' }, /unknown member colour/],
      [{ ...good, id: 'a b' }, /rule\.id/],
      [{ ...good, name: '' }, /rule\.name/],
      [
        { ...good, severity: 'urgent' },
        /rule\.severity must be one of informational, low, medium, high, critical/,
      ],
      [{ ...good, scope: {} }, /rule\.scope must name at least one/],
      [{ ...good, scope: { type: 'A', area: 'x' } }, /rule\.scope: unknown member area/],
      [{ ...good, scope: { district: 'urn:ngsi-ld:Park:1' } }, /rule\.scope\.district/],
      [{ ...good, scope: { entity: 'not a uri' } }, /rule\.scope\.entity/],
      [{ ...good, condition: { kind: 'magic' } }, /rule\.condition\.kind/],
      [
        { ...good, condition: { ...good.condition, within: 'PT1M' } },
        /unknown member within for kind threshold/,
      ],
      [{ ...good, condition: { ...good.condition, op: '==' } }, /rule\.condition\.op/],
      [
        { ...good, condition: { ...good.condition, value: '35' } },
        /rule\.condition\.value must be a finite number/,
      ],
      [{ ...good, condition: { ...good.condition, clear: 40 } }, /rule\.condition\.clear must not be above/],
      [
        { ...good, condition: { ...good.condition, op: '<', clear: 30 } },
        /rule\.condition\.clear must not be below/,
      ],
      [{ ...good, condition: { ...good.condition, for: 'an hour' } }, /rule\.condition\.for/],
      [{ ...good, condition: { ...good.condition, for: 'P1M' } }, /rule\.condition\.for must use weeks/],
      [{ ...good, condition: { ...good.condition, attribute: 'id' } }, /rule\.condition\.attribute/],
      [
        { ...good, condition: { kind: 'rateOfChange', attribute: 'x', change: -1, within: 'PT1M' } },
        /change must be greater than 0/,
      ],
      [{ ...good, condition: { kind: 'rateOfChange', attribute: 'x', change: 1 } }, /within is required/],
      [
        {
          ...good,
          condition: { kind: 'rateOfChange', attribute: 'x', change: 1, within: 'PT1M', direction: 'up' },
        },
        /direction/,
      ],
      [{ ...good, condition: { kind: 'noData' } }, /rule\.condition\.for is required/],
      [{ ...good, condition: { kind: 'deviceOffline', for: 'PT1M' } }, /unknown member for/],
      [{ ...good, notify: { endpoint: 'ftp://x/y' } }, /rule\.notify\.endpoint must be an http/],
      [{ ...good, notify: { url: 'https://x' } }, /rule\.notify: unknown member url/],
      [{ ...good, enabled: 'yes' }, /rule\.enabled/],
      [{ ...good, category: 'two words' }, /rule\.category/],
    ];
    for (const [doc, detail] of cases) expect(await refusal(doc), JSON.stringify(doc)).toMatch(detail);
  });
});
