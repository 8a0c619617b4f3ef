import { describe, expect, it } from 'vitest';
import { formFromRule, ruleFromForm, type RuleFormValues } from '../../web/src/lib/rule-doc.js';

const base: RuleFormValues = {
  id: 'pm25-high',
  name: 'PM2.5 above 35',
  severity: 'high',
  scopeType: 'AirQualityObserved',
  scopeDistrict: '',
  scopeEntity: '',
  kind: 'threshold',
  attribute: 'pm25',
  op: '>',
  value: '35',
  for: 'PT1H',
  clear: '30',
  change: '',
  within: '',
  direction: '',
  notify: '',
  enabled: true,
};

describe('alert rule form ⇄ document', () => {
  it('builds a threshold rule with duration and hysteresis', () => {
    expect(ruleFromForm(base)).toEqual({
      ok: true,
      rule: {
        id: 'pm25-high',
        name: 'PM2.5 above 35',
        severity: 'high',
        scope: { type: 'AirQualityObserved' },
        condition: { kind: 'threshold', attribute: 'pm25', op: '>', value: 35, for: 'PT1H', clear: 30 },
        enabled: true,
      },
    });
  });

  it('builds the other kinds with only their members, and a notify endpoint', () => {
    const roc = ruleFromForm({
      ...base,
      kind: 'rateOfChange',
      change: '20',
      within: 'PT10M',
      direction: 'rising',
    });
    expect(roc.ok && roc.rule.condition).toEqual({
      kind: 'rateOfChange',
      attribute: 'pm25',
      change: 20,
      within: 'PT10M',
      direction: 'rising',
    });
    const off = ruleFromForm({
      ...base,
      kind: 'deviceOffline',
      scopeType: 'Device',
      notify: 'mqtt://127.0.0.1/alerts',
    });
    expect(off.ok && off.rule).toMatchObject({
      condition: { kind: 'deviceOffline' },
      notify: { endpoint: 'mqtt://127.0.0.1/alerts' },
    });
    const nd = ruleFromForm({ ...base, kind: 'noData', for: 'PT30M' });
    expect(nd.ok && nd.rule.condition).toEqual({ kind: 'noData', for: 'PT30M' });
  });

  it('lists every mistake in words', () => {
    const r = ruleFromForm({ ...base, id: '', name: ' ', scopeType: '', value: 'lots', for: '1 hour' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      'id: letters, digits, . _ - (up to 64), starting with a letter or digit',
      'name is required',
      'scope: give a type, a district or an entity',
      'value must be a number',
      'for must be an ISO 8601 duration such as PT1H or PT30M',
    ]);
    const nd = ruleFromForm({ ...base, kind: 'noData', for: '' });
    expect(!nd.ok && nd.errors).toEqual(['for is required (an ISO 8601 duration such as PT1H)']);
  });

  it('reads an existing rule back into the form unchanged', () => {
    const r = ruleFromForm(base);
    expect(r.ok && formFromRule(r.rule)).toEqual(base);
  });
});
