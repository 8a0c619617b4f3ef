import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isNgsiError } from '../../core/errors.js';
import {
  generateDeviceToken,
  generatePassword,
  hashPassword,
  hashToken,
  PASSWORD_LENGTH,
  TOKEN_PREFIX_LENGTH,
  verifyPassword,
} from './credentials.js';

describe('generateDeviceToken', () => {
  it('makes dev_ + 32 random bytes in base64url, its sha256 hex and a short prefix', () => {
    const t = generateDeviceToken();
    expect(t.secret).toMatch(/^dev_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(t.secret.slice(4), 'base64url')).toHaveLength(32);
    expect(t.hash).toBe(createHash('sha256').update(t.secret).digest('hex'));
    expect(t.hash).toBe(hashToken(t.secret));
    expect(t.prefix).toBe(t.secret.slice(0, TOKEN_PREFIX_LENGTH));
    expect(t.prefix).toHaveLength(12);
  });

  it('never repeats', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateDeviceToken().secret));
    expect(secrets.size).toBe(1000);
  });
});

describe('generatePassword', () => {
  it('makes 24 letters and digits, different each time', () => {
    const pw = Array.from({ length: 200 }, generatePassword);
    for (const p of pw) expect(p).toMatch(new RegExp(`^[A-Za-z0-9]{${PASSWORD_LENGTH}}$`));
    expect(new Set(pw).size).toBe(200);
    // Every character of the alphabet turns up across 4,800 draws (a biased or truncated alphabet would not).
    expect(new Set(pw.join('')).size).toBe(62);
  });
});

describe('hashPassword / verifyPassword', () => {
  it('stores scrypt$16384$8$1$salt$hash and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse');
    const parts = stored.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4] as string, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5] as string, 'base64')).toHaveLength(32);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horsf', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
    expect(await verifyPassword('x'.repeat(5000), stored)).toBe(false);
  });

  it('salts: the same password hashes differently each time, and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('pw'), hashPassword('pw')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('pw', a)).toBe(true);
    expect(await verifyPassword('pw', b)).toBe(true);
  });

  it('handles non-ASCII passwords', async () => {
    const stored = await hashPassword('пароль-ü-🔑');
    expect(await verifyPassword('пароль-ü-🔑', stored)).toBe(true);
    expect(await verifyPassword('пароль-u-🔑', stored)).toBe(false);
  });

  it('refuses an empty or overlong password with BadRequestData', async () => {
    for (const pw of ['', 'x'.repeat(1025)]) {
      const e: unknown = await hashPassword(pw).catch((err: unknown) => err);
      expect(isNgsiError(e) && e.kind === 'BadRequestData').toBe(true);
    }
  });

  it('refuses malformed or dangerous stored strings instead of answering', async () => {
    const good = await hashPassword('pw');
    const [, , , , salt, hash] = good.split('$') as string[];
    const bad = [
      '',
      'plain',
      `bcrypt$16384$8$1$${salt}$${hash}`,
      `scrypt$16384$8$1$${salt}`,
      `scrypt$16384$8$1$${salt}$${hash}$x`,
      `scrypt$16383$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$512$8$1$${salt}$${hash}`, // N too small
      `scrypt$1048576$8$1$${salt}$${hash}`, // 1 GiB of memory
      `scrypt$16384$0$1$${salt}$${hash}`,
      `scrypt$16384$8$9$${salt}$${hash}`,
      `scrypt$016384$8$1$${salt}$${hash}`,
      `scrypt$16384$8$1$not*base64$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      `scrypt$16384$8$1$AAAA$${hash}`, // 3-byte salt
      `scrypt$16384$8$1$${salt}$AAAA`, // 3-byte hash
    ];
    for (const stored of bad) await expect(verifyPassword('pw', stored), stored).rejects.toThrow(/malformed/);
  });
});
