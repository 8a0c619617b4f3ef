// Tests of the gate suite's pure helpers (run with `node --test bench/`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DENIED_ATTR, auditRecord, gateEntity, gatePolicyDocument, rateOf, requireDist } from './gate.js';

describe('rateOf', () => {
  it('runs whole batches until the time is up and divides operations by seconds', async () => {
    let t = 0;
    const calls = [];
    const r = await rateOf(
      (n) => {
        calls.push(n);
        t += 40; // each batch "takes" 40 ms
      },
      { minMs: 100, batch: 10, now: () => t },
    );
    assert.deepEqual(calls, [10, 10, 10]);
    assert.equal(r.ops, 30);
    assert.equal(r.seconds, 0.12);
    assert.equal(r.perSec, 250);
  });

  it('awaits an asynchronous batch before reading the clock', async () => {
    let t = 0;
    const r = await rateOf(
      async (n) => {
        await new Promise((resolve) => setImmediate(resolve));
        t += n;
      },
      { minMs: 5, batch: 5, now: () => t },
    );
    assert.equal(r.ops, 5);
    assert.equal(r.perSec, 1000);
  });

  it('refuses a bad time or batch size', async () => {
    await assert.rejects(
      rateOf(() => {}, { minMs: 0 }),
      /minMs must be a positive number/,
    );
    await assert.rejects(
      rateOf(() => {}, { minMs: 1, batch: 1.5 }),
      /batch must be a positive integer/,
    );
  });
});

describe('requireDist', () => {
  it('passes when the built files are there and names the missing ones otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-gate-test-'));
    try {
      mkdirSync(join(dir, 'a'));
      writeFileSync(join(dir, 'a', 'x.js'), '');
      requireDist(dir, ['a/x.js']);
      assert.throws(
        () => requireDist(dir, ['a/x.js', 'b/y.js', 'c.js']),
        (e) => /lacks b\/y\.js, c\.js/.test(e.message) && /npm run build/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the measured policy and entity', () => {
  it('has six rules, exactly one of them a deny rule hiding one attribute', () => {
    const { rules } = gatePolicyDocument();
    assert.equal(rules.length, 6);
    const denies = rules.filter((r) => r.effect === 'deny');
    assert.equal(denies.length, 1);
    assert.deepEqual(denies[0].attrs, [DENIED_ATTR]);
    assert.ok(rules.some((r) => r.roles?.includes('analyst') && r.attrs === undefined));
  });

  it('builds a ten-attribute entity with every term expanded', () => {
    const e = gateEntity((t) => `https://example.org/${t}`);
    assert.deepEqual(e.type, ['https://example.org/AirQualityObserved']);
    const names = Object.keys(e.attrs);
    assert.equal(names.length, 10);
    assert.ok(names.every((n) => n.startsWith('https://example.org/')));
    assert.ok(names.includes(`https://example.org/${DENIED_ATTR}`));
    assert.ok(
      Object.values(e.attrs).every((instances) => Array.isArray(instances) && instances.length === 1),
    );
  });

  it('writes audit records as the gate does, unique by request id', () => {
    const a = auditRecord(1, 'k_1');
    const b = auditRecord(2, 'k_1');
    assert.equal(a.outcome, 'success');
    assert.equal(a.status, 201);
    assert.deepEqual(a.detail, { key: 'k_1' });
    assert.notEqual(a.requestId, b.requestId);
    assert.notEqual(a.target, b.target);
    assert.ok(Date.parse(b.at) > Date.parse(a.at));
  });
});
