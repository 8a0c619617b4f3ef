import { describe, expect, it } from 'vitest';
import { isNgsiError } from '../../core/errors.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { DEFAULT_POLICY_DOCUMENT } from './default-policy.js';
import { MAX_RULES, parsePolicy, policyContext } from './parse-policy.js';

/** Terms expand under a test namespace; IRIs stay. */
const mapper: TermMapper = {
  expandTerm: (t) => (t.includes(':') ? t : `https://t.example/${t}`),
  compactIri: (i) => i,
};

function refusal(doc: unknown): string {
  try {
    parsePolicy(doc, mapper, 1);
  } catch (e) {
    if (isNgsiError(e) && e.kind === 'BadRequestData') return e.detail;
    throw e;
  }
  throw new Error('accepted');
}

describe('parsePolicy', () => {
  it('compiles rules with names expanded and the id pattern compiled', () => {
    const p = parsePolicy(
      {
        rules: [
          {
            id: 'r',
            roles: ['analyst'],
            actions: ['read'],
            types: ['Parking'],
            attrs: ['status'],
            idPattern: '^urn:a:',
          },
          { effect: 'deny', principals: ['svc-1'], actions: ['write'], types: ['urn:x:T'] },
          { public: true, actions: ['read'], types: ['AirQualityObserved'] },
        ],
      },
      mapper,
      7,
    );
    expect(p.version).toBe(7);
    const [a, b, c] = p.rules;
    expect(a?.types).toEqual(new Set(['https://t.example/Parking']));
    expect(a?.attrs).toEqual(new Set(['https://t.example/status']));
    expect(a?.idPattern?.regex.test('urn:a:1')).toBe(true);
    expect(a?.idPattern?.regex.test('urn:b:1')).toBe(false);
    expect(b?.effect).toBe('deny');
    expect(b?.principals).toEqual(new Set(['svc-1']));
    expect(b?.types).toEqual(new Set(['urn:x:T']));
    expect(c?.public).toBe(true);
    expect(c?.attrs).toBeUndefined();
  });

  it('accepts the built-in default policy', () => {
    expect(parsePolicy(DEFAULT_POLICY_DOCUMENT, mapper, 0).rules).toHaveLength(4);
  });

  it('returns the @context member for the caller to resolve', () => {
    expect(policyContext({ '@context': 'https://c.example/ctx.jsonld', rules: [] })).toBe(
      'https://c.example/ctx.jsonld',
    );
    expect(policyContext({ rules: [] })).toBeUndefined();
  });

  it.each([
    [null, 'JSON object'],
    [[], 'JSON object'],
    [{ rules: {} }, 'policy.rules must be an array'],
    [{ rules: [], extra: 1 }, 'unknown member extra'],
    [{ rules: [42] }, 'policy.rules[0] must be an object'],
    [{ rules: [{ actions: ['read'] }] }, 'must name who it applies to'],
    [{ rules: [{ roles: ['a'] }] }, 'actions must list'],
    [{ rules: [{ roles: ['a'], actions: [] }] }, 'non-empty array'],
    [{ rules: [{ roles: ['a'], actions: ['fly'] }] }, '"fly" is not one of'],
    [{ rules: [{ roles: ['a'], actions: ['read'], effect: 'maybe' }] }, 'effect must be allow or deny'],
    [{ rules: [{ public: true, actions: ['write'] }] }, 'a public rule may only allow read'],
    [{ rules: [{ public: true, effect: 'deny', actions: ['read'] }] }, 'a public rule may only allow read'],
    [{ rules: [{ public: 'yes', actions: ['read'] }] }, 'public must be a boolean'],
    [{ rules: [{ roles: ['a'], actions: ['admin'], types: ['T'] }] }, 'admin is tenant-wide'],
    [{ rules: [{ roles: ['a'], actions: ['read'], idPattern: '(a+)+$' }] }, 'idPattern'],
    [{ rules: [{ roles: ['a'], actions: ['read'], idPattern: '' }] }, 'idPattern must be a non-empty string'],
    [{ rules: [{ roles: [''], actions: ['read'] }] }, 'non-empty strings'],
    [{ rules: [{ roles: ['a'], actions: ['read'], types: 'T' }] }, 'types must be a non-empty array'],
    [{ rules: [{ roles: ['a'], actions: ['read'], colour: 'red' }] }, 'unknown member colour'],
    [
      { rules: Array.from({ length: MAX_RULES + 1 }, () => ({ roles: ['a'], actions: ['read'] })) },
      'at most',
    ],
  ])('refuses %j (%s)', (doc, message) => {
    expect(refusal(doc)).toContain(message);
  });
});
