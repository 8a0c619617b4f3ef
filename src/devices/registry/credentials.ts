/**
 * Device credentials: generated tokens, and passwords (generated, or a fleet's existing ones), of
 * which only hashes are kept.
 *
 * Why two hashes: a generated token carries 256 random bits, so no guessing attack on its hash can
 * succeed, and a single fast SHA-256 lets ingest look a token up by its hash (an index hit) on every
 * message. A password may be one a fleet already uses — short, reused, guessable — so it gets scrypt,
 * salted and deliberately slow, making a stolen store expensive to crack; it is checked once per
 * connection (MQTT CONNECT), where tens of milliseconds do not matter.
 */
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../../core/errors.js';

/** What a new token is: `secret` is shown once and never stored; `hash` and `prefix` are. */
export interface GeneratedToken {
  secret: string;
  hash: string;
  prefix: string;
}

export const TOKEN_PREFIX = 'dev_';
/** Characters of a token kept in clear to recognise it in lists: `dev_` and 8 random ones (48 bits). */
export const TOKEN_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;
export const PASSWORD_LENGTH = 24;
/** Longest password accepted: scrypt would take any length, but nobody types a longer one. */
export const MAX_PASSWORD_LENGTH = 1024;

const SCRYPT = { N: 16384, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;
// Letters and digits only: a generated password is safe in an MQTT client config, a URL or a shell.
const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new device token: `dev_` and 32 random bytes in base64url. */
export function generateDeviceToken(): GeneratedToken {
  const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { secret, hash: hashToken(secret), prefix: secret.slice(0, TOKEN_PREFIX_LENGTH) };
}

/** The stored form of a token (hex SHA-256): what ingest looks a presented token up by. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A random password of 24 letters and digits (about 143 bits), each drawn without modulo bias. */
export function generatePassword(): string {
  let out = '';
  for (let i = 0; i < PASSWORD_LENGTH; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/** `scrypt$16384$8$1$<salt base64>$<hash base64>` with a fresh random 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string' || password === '' || password.length > MAX_PASSWORD_LENGTH)
    throw badRequest(`a password must be 1–${MAX_PASSWORD_LENGTH} characters`);
  const salt = randomBytes(SCRYPT.saltBytes);
  const key = await derive(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyBytes);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * True when `password` matches `stored`, compared in constant time. A stored string that is not a
 * well-formed scrypt hash throws: that is a damaged store, not a wrong password, and must not be
 * mistaken for either outcome. Parameters are read from the string (so they can be raised later) but
 * only within bounds, so that a tampered row cannot make one check burn gigabytes or minutes.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (typeof password !== 'string' || password.length > MAX_PASSWORD_LENGTH) return false;
  const key = await derive(password, parsed.salt, parsed.N, parsed.r, parsed.p, parsed.hash.length);
  return timingSafeEqual(key, parsed.hash);
}

interface StoredPassword {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseStored(stored: string): StoredPassword {
  const malformed = (why: string) => new Error(`stored password hash is malformed: ${why}`);
  if (typeof stored !== 'string') throw malformed('not a string');
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw malformed('expected scrypt$N$r$p$salt$hash');
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const int = (s: string) => (/^[1-9]\d{0,7}$/.test(s) ? Number(s) : NaN);
  const N = int(n);
  const R = int(r);
  const P = int(p);
  // N a power of two from 2^10; memory (128·N·r bytes) at most 128 MiB and p at most 4: room to raise
  // our parameters later, but no tampered row can make one check exhaust the machine.
  if (!(N >= 1024 && (N & (N - 1)) === 0)) throw malformed('N must be a power of two ≥ 1024');
  if (!(R >= 1 && N * R <= 1 << 20) || !(P >= 1 && P <= 4)) throw malformed('N, r or p out of range');
  if (!B64.test(salt) || !B64.test(hash)) throw malformed('salt and hash must be base64');
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  if (saltBytes.length < 8 || saltBytes.length > 64) throw malformed('salt length');
  if (hashBytes.length < 16 || hashBytes.length > 64) throw malformed('hash length');
  return { N, r: R, p: P, salt: saltBytes, hash: hashBytes };
}

function derive(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  length: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs about 128·N·r bytes; Node's default cap (32 MiB) is below what parseStored allows.
    scrypt(password, salt, length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err === null ? resolve(key) : reject(err),
    );
  });
}
