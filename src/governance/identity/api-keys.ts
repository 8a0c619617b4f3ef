/**
 * API key material. A key is `urbis_` + 32 random bytes in base64url (256 bits): the prefix lets
 * secret scanners and people recognise it, the randomness makes guessing hopeless. Only its SHA-256
 * is stored. A fast hash is the right one here (unlike for passwords): the secret has full entropy,
 * so there is nothing for a slow hash to protect against, and every request pays for the lookup.
 */
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'urbis_';

/** Characters of the secret kept to recognise a key in listings (prefix + 4). */
const SHOWN = KEY_PREFIX.length + 4;

/** A new key: the secret (shown once), its hash and its recognisable prefix. */
export function generateKey(): { secret: string; hash: string; prefix: string } {
  const secret = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { secret, hash: hashKey(secret), prefix: secret.slice(0, SHOWN) };
}

/** Hex SHA-256 of a secret. */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The recognisable prefix of a secret. */
export function keyPrefix(secret: string): string {
  return secret.slice(0, SHOWN);
}

/** A public id for a key or a generated principal: `<tag>_` + 16 base32-ish characters. */
export function newId(tag: string): string {
  return `${tag}_${randomBytes(10).toString('base64url').replace(/[-_]/g, 'x').slice(0, 14).toLowerCase()}`;
}

/** Smallest accepted length of an operator-chosen bootstrap key (URBIS_ADMIN_KEY). */
export const MIN_ADMIN_KEY_LENGTH = 32;
