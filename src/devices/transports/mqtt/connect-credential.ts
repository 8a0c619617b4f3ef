/**
 * The credential in an MQTT CONNECT (issue #5), read without checking it. The forms, in order:
 * - a device token (`dev_…`) as the username, whatever the password: ThingsBoard devices connect so
 *   (access token as username, empty password), and so may any device;
 * - a device token as the password (with any username, or none): clients that insist on a username;
 *   when the username is a real one, the password is tried as that user's password too, since a
 *   migrated fleet's own password may happen to start with `dev_`;
 * - `{tenant}/{username}` or `{username}` (tenant '') with a password;
 * - nothing at all: anonymous, which only IoT Agent devices may be (their apikey is in each topic).
 * Pure; never throws.
 */
import { TOKEN_PREFIX } from '../../registry/credentials.js';
import { splitTenantUser } from '../device-auth.js';

export type ConnectCredential =
  | { kind: 'token'; secret: string; orPassword?: { tenant: string; username: string; password: string } }
  | { kind: 'password'; tenant: string; username: string; password: string }
  | { kind: 'anonymous' }
  | { kind: 'malformed'; detail: string };

/** Longer fields are no credential of ours; refusing early spares hashing them. */
const MAX_FIELD = 1024;

export function connectCredential(
  username: string | undefined,
  password: Buffer | undefined,
): ConnectCredential {
  const user = username ?? '';
  if (user.length > MAX_FIELD || (password?.length ?? 0) > MAX_FIELD)
    return { kind: 'malformed', detail: 'username or password too long' };
  let pass: string;
  try {
    pass = password === undefined ? '' : new TextDecoder('utf-8', { fatal: true }).decode(password);
  } catch {
    return { kind: 'malformed', detail: 'the password is not UTF-8' };
  }
  if (user.startsWith(TOKEN_PREFIX)) return { kind: 'token', secret: user };
  const named = user === '' ? undefined : splitTenantUser(user);
  const asPassword =
    named !== undefined && named.username !== '' && pass !== ''
      ? { tenant: named.tenant ?? '', username: named.username, password: pass }
      : undefined;
  if (pass.startsWith(TOKEN_PREFIX))
    return { kind: 'token', secret: pass, ...(asPassword !== undefined ? { orPassword: asPassword } : {}) };
  if (asPassword !== undefined) return { kind: 'password', ...asPassword };
  if (user === '' && pass === '') return { kind: 'anonymous' };
  return { kind: 'malformed', detail: user === '' ? 'a password without a username' : 'no password' };
}
