/**
 * Device credentials in PostgreSQL (table `device_credentials`, migration 0001): only hashes. A token
 * is found by one probe of the partial UNIQUE index on its hash (kind token), a password by the
 * partial UNIQUE index on (tenant, username) (kind password); the queries name the kind so that the
 * planner can use those partial indexes. A clash (same id, token hash or username) is AlreadyExists;
 * a credential of no device is refused by the foreign key, and said so.
 */
import type pg from 'pg';
import { NgsiError } from '../../../core/errors.js';
import { checkCredential, type DeviceCredentialRecord, type DeviceRepository } from '../../devices-port.js';
import { FOREIGN_KEY_VIOLATION, rows, run, sqlState, unique } from '../sql.js';
import { withPresent } from '../values.js';

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

/** The lookups' SQL, exported for a query-plan test. */
export const BY_TOKEN_SQL = `SELECT ${CREDENTIAL} FROM device_credentials WHERE kind = 'token' AND hash = $1`;
export const BY_USERNAME_SQL = `SELECT ${CREDENTIAL} FROM device_credentials
  WHERE kind = 'password' AND tenant = $1 AND username = $2`;

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

/** The credential methods of the device repository over the pool. */
export function postgresCredentials(
  pool: pg.Pool,
): Pick<
  DeviceRepository,
  'putCredential' | 'credentialByTokenHash' | 'credentialByUsername' | 'listCredentials' | 'revokeCredential'
> {
  return {
    putCredential: async (c) => {
      checkCredential(c);
      try {
        await unique(
          `a device credential with id ${JSON.stringify(c.id)}, the same token hash or username`,
          () =>
            run(
              pool,
              `INSERT INTO device_credentials (${CREDENTIAL}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
              [
                c.id,
                c.tenant,
                c.deviceId,
                c.kind,
                c.username ?? null,
                c.hash,
                c.prefix ?? null,
                c.createdAt,
                c.revokedAt ?? null,
              ],
            ),
        );
      } catch (e) {
        // A credential of no device would authenticate messages nothing can accept.
        if (sqlState(e) === FOREIGN_KEY_VIOLATION) {
          throw new NgsiError(
            'BadRequestData',
            `device credential ${JSON.stringify(c.id)}: unknown device ${JSON.stringify(c.deviceId)}`,
            { cause: e },
          );
        }
        throw e;
      }
    },
    credentialByTokenHash: async (hash) => {
      const [r] = await rows<CredentialRow>(pool, BY_TOKEN_SQL, [hash]);
      return r && toCredential(r);
    },
    credentialByUsername: async (tenant, username) => {
      const [r] = await rows<CredentialRow>(pool, BY_USERNAME_SQL, [tenant, username]);
      return r && toCredential(r);
    },
    listCredentials: async (tenant, deviceId) =>
      (
        await rows<CredentialRow>(
          pool,
          `SELECT ${CREDENTIAL} FROM device_credentials WHERE tenant = $1 AND device_id = $2
           ORDER BY created_at, id`,
          [tenant, deviceId],
        )
      ).map(toCredential),
    revokeCredential: async (id, at) =>
      ((
        await run(
          pool,
          'UPDATE device_credentials SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
          [at, id],
        )
      ).rowCount ?? 0) > 0,
  };
}
