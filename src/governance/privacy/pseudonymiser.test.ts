// Rotating pseudonym keys, with a fake clock and the in-memory key repository: one key per tenant
// and period, the same pseudonym within a period, another after rotation, expired keys destroyed,
// tenants never sharing a key.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Pseudonymiser } from './pseudonymiser.js';
import { MemoryPseudonymKeyRepository } from './testing.js';

const DAY = 86_400_000;
const T0 = Date.parse('2025-03-01T10:00:00Z');

function setup() {
  const keys = new MemoryPseudonymKeyRepository();
  let now = T0;
  const p = new Pseudonymiser({ keys, rotation: DAY, now: () => now });
  return { keys, p, advance: (ms: number) => (now += ms) };
}

describe('Pseudonymiser', () => {
  it('makes a random 32-byte key aligned to the rotation period, and pseudonymises with it', async () => {
    const { keys, p } = setup();
    const tools = await p.forTenant('city');
    expect(keys.keys).toHaveLength(1);
    const key = keys.keys[0]!;
    expect(key).toMatchObject({
      tenant: 'city',
      createdAt: '2025-03-01T10:00:00.000Z',
      notAfter: '2025-03-02T00:00:00.000Z',
    });
    expect(key.id).toMatch(/^pk_[A-Za-z0-9_-]{16}$/);
    expect(Buffer.from(key.secret, 'base64')).toHaveLength(32);
    expect(tools.keyId).toBe(key.id);
    expect(tools.notAfter).toBe(key.notAfter);
    const expected = createHmac('sha256', Buffer.from(key.secret, 'base64'))
      .update('AB-123-CD')
      .digest('hex');
    expect(tools.pseudonymise('AB-123-CD', 16)).toBe(expected.slice(0, 16));
  });

  it('gives the same pseudonym within a period, from the cache', async () => {
    const { keys, p, advance } = setup();
    const first = (await p.forTenant('city')).pseudonymise('AB-123-CD', 16);
    advance(13 * 3_600_000 - 1); // 23:59:59.999
    expect((await p.forTenant('city')).pseudonymise('AB-123-CD', 16)).toBe(first);
    expect(keys.calls).toBe(1);
  });

  it('rotates at the end of the period: new key, new pseudonym, the old key destroyed', async () => {
    const { keys, p, advance } = setup();
    const before = await p.forTenant('city');
    const old = before.pseudonymise('AB-123-CD', 16);
    advance(14 * 3_600_000); // midnight
    const after = await p.forTenant('city');
    expect(after.keyId).not.toBe(before.keyId);
    expect(after.pseudonymise('AB-123-CD', 16)).not.toBe(old);
    expect(keys.destroyed).toEqual([before.keyId]);
    expect(keys.keys.map((k) => k.id)).toEqual([after.keyId]);
    expect(after.notAfter).toBe('2025-03-03T00:00:00.000Z');
  });

  it('keeps one key per tenant', async () => {
    const { keys, p } = setup();
    const a = await p.forTenant('a');
    const b = await p.forTenant('b');
    expect(a.keyId).not.toBe(b.keyId);
    expect(a.pseudonymise('x', 64)).not.toBe(b.pseudonymise('x', 64));
    expect(keys.keys).toHaveLength(2);
  });

  it('asks the repository once for concurrent first requests', async () => {
    const { keys, p } = setup();
    const [a, b, c] = await Promise.all([p.forTenant('city'), p.forTenant('city'), p.forTenant('city')]);
    expect(keys.calls).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('uses the key another replica stored for the period', async () => {
    const { keys, p } = setup();
    const other = new Pseudonymiser({ keys, rotation: DAY, now: () => T0 + 1000 });
    const mine = await p.forTenant('city');
    const theirs = await other.forTenant('city');
    expect(theirs.keyId).toBe(mine.keyId);
    expect(theirs.pseudonymise('AB-123-CD', 16)).toBe(mine.pseudonymise('AB-123-CD', 16));
  });

  it('destroys expired keys of tenants that stopped sending', async () => {
    const { keys, p, advance } = setup();
    await p.forTenant('quiet');
    advance(DAY);
    expect(await p.destroyExpired()).toBe(1);
    expect(keys.keys).toHaveLength(0);
  });

  it('refuses a rotation shorter than a second, and a malformed stored key', async () => {
    const keys = new MemoryPseudonymKeyRepository();
    expect(() => new Pseudonymiser({ keys, rotation: 10 })).toThrow(RangeError);
    keys.keys.push({
      id: 'pk_bad',
      tenant: 'city',
      secret: 'c2hvcnQ=',
      createdAt: '2025-01-01T00:00:00.000Z',
      notAfter: '2099-01-01T00:00:00.000Z',
    });
    await expect(new Pseudonymiser({ keys, rotation: DAY }).forTenant('city')).rejects.toThrow(
      /pk_bad .* malformed/,
    );
  });
});
