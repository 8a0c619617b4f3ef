/**
 * Principals and their API keys in PostgreSQL (tables `principals` and `api_keys`, migration 0002).
 * A key is found by the SHA-256 of its secret through the UNIQUE index on `hash`. Deleting a
 * principal and revoking its keys is one statement (a DELETE … RETURNING feeding an UPDATE), so no
 * key outlives its owner unrevoked, whichever replica deletes it.
 */
import type pg from 'pg';
import type { ApiKeyRecord, IdentityRepository, PrincipalRecord } from '../../governance-port.js';
import { rows, run, unique, rowsPrepared } from '../sql.js';
import { keyOwnerFrom, ownerRow, type OwnerColumns } from '../../shared/key-owner-join.js';
import { withPresent } from '../values.js';

interface PrincipalRow {
  tenant: string;
  id: string;
  kind: string;
  roles: string[];
  description: string | null;
  disabled: boolean;
  created_at: string;
}

interface KeyRow {
  id: string;
  principal_id: string;
  tenant: string;
  hash: string;
  prefix: string;
  scopes: string[];
  description: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  bootstrap: boolean;
}

const PRINCIPAL = 'tenant, id, kind, roles, description, disabled, created_at';
const KEY =
  'id, principal_id, tenant, hash, prefix, scopes, description, created_at, expires_at, revoked_at, last_used_at, bootstrap';

type JoinedRow = KeyRow & OwnerColumns<string[], boolean>;

function toPrincipal(r: PrincipalRow): PrincipalRecord {
  return withPresent<PrincipalRecord>(
    {
      id: r.id,
      tenant: r.tenant,
      kind: r.kind === 'service' ? 'service' : 'user',
      roles: r.roles,
      disabled: r.disabled,
      createdAt: r.created_at,
    },
    { description: r.description },
  );
}

function toKey(r: KeyRow): ApiKeyRecord {
  return withPresent<ApiKeyRecord>(
    {
      id: r.id,
      principalId: r.principal_id,
      tenant: r.tenant,
      hash: r.hash,
      prefix: r.prefix,
      scopes: r.scopes,
      createdAt: r.created_at,
      bootstrap: r.bootstrap,
    },
    {
      description: r.description,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      lastUsedAt: r.last_used_at,
    },
  );
}

/** $1 tenant, $2 id, $3 at: the principal deleted and its unrevoked keys revoked, in one statement. */
const DELETE_PRINCIPAL_SQL = `WITH gone AS (
    DELETE FROM principals WHERE tenant = $1 AND id = $2 RETURNING tenant, id
  ), revoked AS (
    UPDATE api_keys k SET revoked_at = $3 FROM gone
    WHERE k.tenant = gone.tenant AND k.principal_id = gone.id AND k.revoked_at IS NULL
  )
  SELECT count(*)::int AS n FROM gone`;

/** The identity repository over `pool`. */
export function postgresIdentity(pool: pg.Pool): IdentityRepository {
  return {
    putPrincipal: async (p) => {
      await run(
        pool,
        `INSERT INTO principals (${PRINCIPAL}) VALUES ($1, $2, $3, $4::text[], $5, $6, $7)
         ON CONFLICT (tenant, id) DO UPDATE SET kind = excluded.kind, roles = excluded.roles,
           description = excluded.description, disabled = excluded.disabled, created_at = excluded.created_at`,
        [p.tenant, p.id, p.kind, p.roles, p.description ?? null, p.disabled, p.createdAt],
      );
    },
    getPrincipal: async (tenant, id) => {
      // Prepared: every authenticated request asks this.
      const [r] = await rowsPrepared<PrincipalRow>(
        pool,
        `SELECT ${PRINCIPAL} FROM principals WHERE tenant = $1 AND id = $2`,
        [tenant, id],
      );
      return r && toPrincipal(r);
    },
    listPrincipals: async (tenant) =>
      (
        await rows<PrincipalRow>(pool, `SELECT ${PRINCIPAL} FROM principals WHERE tenant = $1 ORDER BY id`, [
          tenant,
        ])
      ).map(toPrincipal),
    deletePrincipal: async (tenant, id, at) => {
      const [r] = await rows<{ n: number }>(pool, DELETE_PRINCIPAL_SQL, [tenant, id, at]);
      return (r?.n ?? 0) > 0;
    },
    putKey: async (k) => {
      await unique(`an API key with id ${JSON.stringify(k.id)} or the same hash`, () =>
        run(
          pool,
          `INSERT INTO api_keys (${KEY}) VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10, $11, $12)`,
          [
            k.id,
            k.principalId,
            k.tenant,
            k.hash,
            k.prefix,
            k.scopes,
            k.description ?? null,
            k.createdAt,
            k.expiresAt ?? null,
            k.revokedAt ?? null,
            k.lastUsedAt ?? null,
            k.bootstrap,
          ],
        ),
      );
    },
    getKey: async (id) => {
      const [r] = await rows<KeyRow>(pool, `SELECT ${KEY} FROM api_keys WHERE id = $1`, [id]);
      return r && toKey(r);
    },
    keyAndPrincipal: async (hash) => {
      // Prepared and one round trip: every authenticated request asks this.
      const [r] = await rowsPrepared<JoinedRow>(pool, `SELECT ${keyOwnerFrom(KEY)} WHERE k.hash = $1`, [
        hash,
      ]);
      if (r === undefined) return undefined;
      const key = toKey(r);
      return r.p_id === null ? { key } : { key, principal: toPrincipal(ownerRow(r)) };
    },
    listKeys: async (tenant) =>
      (tenant === undefined
        ? await rows<KeyRow>(pool, `SELECT ${KEY} FROM api_keys ORDER BY created_at, id`)
        : await rows<KeyRow>(pool, `SELECT ${KEY} FROM api_keys WHERE tenant = $1 ORDER BY created_at, id`, [
            tenant,
          ])
      ).map(toKey),
    revokeKey: async (id, at) =>
      ((await run(pool, 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]))
        .rowCount ?? 0) > 0,
    touchKey: async (id, at) => {
      await run(pool, 'UPDATE api_keys SET last_used_at = $1 WHERE id = $2', [at, id]);
    },
  };
}
