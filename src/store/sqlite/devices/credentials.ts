/**
 * Device credentials in SQLite (table `device_credentials`, migration 0007): only hashes are kept.
 * Lookups name the credential's kind in their WHERE clause so that SQLite can use the partial UNIQUE
 * indexes (a token by its hash, a password by tenant and username): authenticating a device at
 * CONNECT is one index probe. A clash (same id, token hash or username) is AlreadyExists.
 */
import type Database from 'better-sqlite3';
import { NgsiError } from '../../../core/errors.js';
import { checkCredential, type DeviceCredentialRecord, type DeviceRepository } from '../../devices-port.js';
import { withPresent } from '../governance/present.js';
import { unique } from '../governance/unique.js';

interface CredentialRow {
  id: string;
  tenant: string;
  device_id: string;
  kind: string;
  username: string | null;
  hash: string;
  prefix: string | null;
  created_at: string;
  revoked_at: string | null;
}

const CREDENTIAL = 'id, tenant, device_id, kind, username, hash, prefix, created_at, revoked_at';

/** The statements' SQL, exported for the query-plan test. */
export const BY_TOKEN_SQL = `SELECT ${CREDENTIAL} FROM device_credentials WHERE kind = 'token' AND hash = ?`;
export const BY_USERNAME_SQL = `SELECT ${CREDENTIAL} FROM device_credentials
  WHERE kind = 'password' AND tenant = ? AND username = ?`;

const toCredential = (r: CredentialRow): DeviceCredentialRecord =>
  withPresent<DeviceCredentialRecord>(
    {
      id: r.id,
      tenant: r.tenant,
      deviceId: r.device_id,
      kind: r.kind === 'password' ? 'password' : 'token',
      hash: r.hash,
      createdAt: r.created_at,
    },
    { username: r.username, prefix: r.prefix, revokedAt: r.revoked_at },
  );

/** The credential methods of the device repository over one connection. */
export function sqliteCredentials(
  db: Database.Database,
): Pick<
  DeviceRepository,
  'putCredential' | 'credentialByTokenHash' | 'credentialByUsername' | 'listCredentials' | 'revokeCredential'
> {
  const s = {
    deviceExists: db.prepare<[string, string], { one: number }>(
      'SELECT 1 AS one FROM devices WHERE tenant = ? AND id = ?',
    ),
    put: db.prepare(`INSERT INTO device_credentials (${CREDENTIAL}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    byToken: db.prepare<[string], CredentialRow>(BY_TOKEN_SQL),
    byUsername: db.prepare<[string, string], CredentialRow>(BY_USERNAME_SQL),
    list: db.prepare<[string, string], CredentialRow>(
      `SELECT ${CREDENTIAL} FROM device_credentials WHERE tenant = ? AND device_id = ? ORDER BY created_at, id`,
    ),
    revoke: db.prepare<[string, string]>(
      'UPDATE device_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    ),
  };
  const put = db.transaction((c: DeviceCredentialRecord): void => {
    // A credential of no device would authenticate messages nothing can accept.
    if (s.deviceExists.get(c.tenant, c.deviceId) === undefined) {
      throw new NgsiError(
        'BadRequestData',
        `device credential ${JSON.stringify(c.id)}: unknown device ${JSON.stringify(c.deviceId)}`,
      );
    }
    unique(`a device credential with id ${JSON.stringify(c.id)}, the same token hash or username`, () =>
      s.put.run(
        c.id,
        c.tenant,
        c.deviceId,
        c.kind,
        c.username ?? null,
        c.hash,
        c.prefix ?? null,
        c.createdAt,
        c.revokedAt ?? null,
      ),
    );
  });
  return {
    putCredential: async (c) => {
      checkCredential(c);
      put.immediate(c);
    },
    credentialByTokenHash: async (hash) => {
      const r = s.byToken.get(hash);
      return r && toCredential(r);
    },
    credentialByUsername: async (tenant, username) => {
      const r = s.byUsername.get(tenant, username);
      return r && toCredential(r);
    },
    listCredentials: async (tenant, deviceId) => s.list.all(tenant, deviceId).map(toCredential),
    revokeCredential: async (id, at) => s.revoke.run(at, id).changes > 0,
  };
}
