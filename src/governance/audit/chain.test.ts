// The chain's link: the same record hashes the same whatever the order of its members, any change to
// a field, the seq or the previous hash changes the hash, and the bytes are the documented layout.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, type AuditRecord } from '../../store/governance-port.js';
import { auditLink, auditLinkPayload, canonicalJson, toAuditRecord } from './chain.js';

const RECORD: AuditRecord = {
  at: '2025-03-01T10:00:00.000Z',
  tenant: 'city',
  principal: 'alice',
  action: 'policy.put',
  target: 'urn:ngsi-ld:Policy:1',
  requestId: 'req-1',
  outcome: 'success',
  status: 201,
  detail: { version: 3, rules: [{ effect: 'allow', types: ['A', 'B'] }], note: 'x' },
};

/** The same members, written in another (random) order, at every depth. */
function shuffled<T>(value: T, rand: () => number): T {
  if (Array.isArray(value)) return value.map((v: unknown) => shuffled(v, rand)) as T;
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort(() => rand() - 0.5);
  return Object.fromEntries(keys.map((k) => [k, shuffled((value as Record<string, unknown>)[k], rand)])) as T;
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const recordArb: fc.Arbitrary<AuditRecord> = fc.record(
  {
    at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    tenant: fc.string(),
    principal: fc.string(),
    action: fc.string({ minLength: 1 }),
    target: fc.string(),
    requestId: fc.string(),
    outcome: fc.constantFrom('success', 'failure', 'denied' as const),
    status: fc.integer({ min: 100, max: 599 }),
    detail: fc.dictionary(fc.string(), jsonValue),
  },
  { requiredKeys: ['at', 'tenant', 'principal', 'action', 'outcome'] },
);

describe('canonicalJson', () => {
  it('sorts members recursively, drops undefined members and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, e: 'é' })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"e":"é"}',
    );
  });

  it('sorts by UTF-16 code units, integer-like keys included', () => {
    expect(canonicalJson({ b: 0, 10: 0, 2: 0, B: 0, é: 0 })).toBe('{"10":0,"2":0,"B":0,"b":0,"é":0}');
  });

  it('writes what JSON.stringify writes for the odd values', () => {
    const at = new Date('2025-01-01T00:00:00Z');
    expect(canonicalJson([undefined, NaN, -0, Infinity, at, 1e21, 'a"\n\ud800'])).toBe(
      JSON.stringify([undefined, NaN, -0, Infinity, at, 1e21, 'a"\n\ud800']),
    );
  });

  it('agrees with JSON.stringify up to member order (property)', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('refuses a BigInt and a cycle with a clear error', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(/BigInt/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/cycle/);
  });
});

describe('auditLink', () => {
  it('is hex SHA-256 of the documented layout', () => {
    const record: AuditRecord = { at: 'T', tenant: 't', principal: 'p', action: 'a', outcome: 'denied' };
    const payload = `{"prevHash":"${GENESIS_HASH}","record":{"action":"a","at":"T","outcome":"denied","principal":"p","tenant":"t"},"seq":1}`;
    expect(auditLinkPayload(GENESIS_HASH, 1, record)).toBe(payload);
    expect(auditLink(GENESIS_HASH, 1, record)).toBe(
      createHash('sha256').update(payload, 'utf8').digest('hex'),
    );
    expect(auditLink(GENESIS_HASH, 1, record)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable under member order, at every depth (property)', () => {
    fc.assert(
      fc.property(
        recordArb,
        fc.integer({ min: 1 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1 })),
        (r, seq, s) => {
          const stream = s[Symbol.iterator]();
          const rand = () => stream.next().value as number;
          expect(auditLink(GENESIS_HASH, seq, shuffled(r, rand))).toBe(auditLink(GENESIS_HASH, seq, r));
        },
      ),
    );
  });

  it('ignores an entry’s own seq/prevHash/hash members and null optional members', () => {
    const entry = { ...RECORD, seq: 9, prevHash: 'x', hash: 'y' };
    expect(auditLink(GENESIS_HASH, 1, entry)).toBe(auditLink(GENESIS_HASH, 1, RECORD));
    const bare: AuditRecord = { at: 'T', tenant: 't', principal: 'p', action: 'a', outcome: 'success' };
    const nulls = {
      ...bare,
      target: null,
      requestId: null,
      status: null,
      detail: null,
    } as unknown as AuditRecord;
    expect(auditLink(GENESIS_HASH, 1, nulls)).toBe(auditLink(GENESIS_HASH, 1, bare));
  });

  it('changes when any field, the seq or the previous hash changes', () => {
    const base = auditLink(GENESIS_HASH, 7, RECORD);
    const changed: AuditRecord[] = [
      { ...RECORD, at: '2025-03-01T10:00:00.001Z' },
      { ...RECORD, tenant: 'other' },
      { ...RECORD, principal: 'mallory' },
      { ...RECORD, action: 'policy.delete' },
      { ...RECORD, target: 'urn:ngsi-ld:Policy:2' },
      { ...RECORD, target: undefined },
      { ...RECORD, requestId: 'req-2' },
      { ...RECORD, outcome: 'denied' },
      { ...RECORD, status: 200 },
      { ...RECORD, status: undefined },
      { ...RECORD, detail: { ...RECORD.detail, version: 4 } },
      { ...RECORD, detail: { ...RECORD.detail, extra: true } },
      { ...RECORD, detail: { ...RECORD.detail, rules: [{ effect: 'allow', types: ['B', 'A'] }] } },
      { ...RECORD, detail: undefined },
    ];
    const hashes = new Set([base, ...changed.map((r) => auditLink(GENESIS_HASH, 7, r))]);
    expect(hashes.size).toBe(changed.length + 1);
    expect(auditLink(GENESIS_HASH, 8, RECORD)).not.toBe(base);
    expect(auditLink('1'.repeat(64), 7, RECORD)).not.toBe(base);
  });

  it('differs when any one string field changes (property)', () => {
    const field = fc.constantFrom('at', 'tenant', 'principal', 'action', 'target', 'requestId' as const);
    fc.assert(
      fc.property(recordArb, field, fc.string(), (r, key, value) => {
        fc.pre(r[key] !== value);
        expect(auditLink(GENESIS_HASH, 1, { ...r, [key]: value })).not.toBe(auditLink(GENESIS_HASH, 1, r));
      }),
    );
  });
});

describe('toAuditRecord', () => {
  it('copies the record so that later changes to the caller’s object change nothing', () => {
    const detail = { count: 1 };
    const copy = toAuditRecord({ ...RECORD, detail });
    detail.count = 2;
    expect(copy.detail).toEqual({ count: 1 });
    expect(auditLink(GENESIS_HASH, 1, copy)).toBe(
      auditLink(GENESIS_HASH, 1, { ...RECORD, detail: { count: 1 } }),
    );
  });

  it('refuses malformed records, naming the member', () => {
    const bad = (patch: Record<string, unknown>) => () =>
      toAuditRecord({ ...RECORD, ...patch } as AuditRecord);
    expect(bad({ at: 5 })).toThrow(/record\.at/);
    expect(bad({ tenant: undefined })).toThrow(/record\.tenant/);
    expect(bad({ action: '' })).toThrow(/record\.action/);
    expect(bad({ outcome: 'ok' })).toThrow(/record\.outcome/);
    expect(bad({ target: 3 })).toThrow(/record\.target/);
    expect(bad({ status: 2.5 })).toThrow(/record\.status/);
    expect(bad({ detail: [1] })).toThrow(/record\.detail/);
    expect(bad({ detail: { n: 1n } })).toThrow(/BigInt/);
    expect(() => toAuditRecord(null as unknown as AuditRecord)).toThrow(/object/);
  });
});
