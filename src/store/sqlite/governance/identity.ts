/**
 * Principals and their API keys in SQLite (tables `principals` and `api_keys`, migration 0006).
 * A key is found by the SHA-256 of its secret through the UNIQUE index on `hash`; deleting a
 * principal revokes its keys in the same transaction, so no key outlives its owner unrevoked.
 */
import type Database from 'better-sqlite3';
import type { ApiKeyRecord, IdentityRepository, PrincipalRecord } from '../../governance-port.js';
import { keyOwnerFrom, ownerRow, type OwnerColumns } from '../../shared/key-owner-join.js';
import { withPresent } from './present.js';
import { unique } from './unique.js';

interface PrincipalRow {
  tenant: string;
  id: string;
  kind: string;
  roles: string;
  description: string | null;
  disabled: number;
  created_at: string;
}

interface KeyRow {
  id: string;
  principal_id: string;
  tenant: string;
  hash: string;
  prefix: string;
  scopes: string;
  description: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  bootstrap: number;
}

const PRINCIPAL = 'tenant, id, kind, roles, description, disabled, created_at';
const KEY =
  'id, principal_id, tenant, hash, prefix, scopes, description, created_at, expires_at, revoked_at, last_used_at, bootstrap';

type JoinedRow = KeyRow & OwnerColumns<string, number>;

function toPrincipal(r: PrincipalRow): PrincipalRecord {
  return withPresent<PrincipalRecord>(
    {
      id: r.id,
      tenant: r.tenant,
      kind: r.kind === 'service' ? 'service' : 'user',
      roles: JSON.parse(r.roles) as string[],
      disabled: r.disabled !== 0,
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
      scopes: JSON.parse(r.scopes) as string[],
      createdAt: r.created_at,
      bootstrap: r.bootstrap !== 0,
    },
    {
      description: r.description,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      lastUsedAt: r.last_used_at,
    },
  );
}

/** The identity repository over one connection. */
export function sqliteIdentity(db: Database.Database): IdentityRepository {
  const s = {
    putPrincipal: db.prepare(
      `INSERT INTO principals (${PRINCIPAL}) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, id) DO UPDATE SET kind = excluded.kind, roles = excluded.roles,
         description = excluded.description, disabled = excluded.disabled, created_at = excluded.created_at`,
    ),
    getPrincipal: db.prepare<[string, string], PrincipalRow>(
      `SELECT ${PRINCIPAL} FROM principals WHERE tenant = ? AND id = ?`,
    ),
    listPrincipals: db.prepare<[string], PrincipalRow>(
      `SELECT ${PRINCIPAL} FROM principals WHERE tenant = ? ORDER BY id`,
    ),
    deletePrincipal: db.prepare<[string, string]>('DELETE FROM principals WHERE tenant = ? AND id = ?'),
    revokeOwned: db.prepare<[string, string, string]>(
      'UPDATE api_keys SET revoked_at = ? WHERE tenant = ? AND principal_id = ? AND revoked_at IS NULL',
    ),
    putKey: db.prepare(`INSERT INTO api_keys (${KEY}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    getKey: db.prepare<[string], KeyRow>(`SELECT ${KEY} FROM api_keys WHERE id = ?`),
    keyAndPrincipal: db.prepare<[string], JoinedRow>(`SELECT ${keyOwnerFrom(KEY)} WHERE k.hash = ?`),
    keysOf: db.prepare<[string], KeyRow>(
      `SELECT ${KEY} FROM api_keys WHERE tenant = ? ORDER BY created_at, id`,
    ),
    allKeys: db.prepare<[], KeyRow>(`SELECT ${KEY} FROM api_keys ORDER BY created_at, id`),
    revokeKey: db.prepare<[string, string]>(
      'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    ),
    touchKey: db.prepare<[string, string]>('UPDATE api_keys SET last_used_at = ? WHERE id = ?'),
  };
  const remove = db.transaction((tenant: string, id: string, at: string): boolean => {
    if (s.deletePrincipal.run(tenant, id).changes === 0) return false;
    s.revokeOwned.run(at, tenant, id);
    return true;
  });
  return {
    putPrincipal: async (p) => {
      s.putPrincipal.run(
        p.tenant,
        p.id,
        p.kind,
        JSON.stringify(p.roles),
        p.description ?? null,
        p.disabled ? 1 : 0,
        p.createdAt,
      );
    },
    getPrincipal: async (tenant, id) => {
      const r = s.getPrincipal.get(tenant, id);
      return r && toPrincipal(r);
    },
    listPrincipals: async (tenant) => s.listPrincipals.all(tenant).map(toPrincipal),
    deletePrincipal: async (tenant, id, at) => remove.immediate(tenant, id, at),
    putKey: async (k) => {
      unique(`an API key with id ${JSON.stringify(k.id)} or the same hash`, () =>
        s.putKey.run(
          k.id,
          k.principalId,
          k.tenant,
          k.hash,
          k.prefix,
          JSON.stringify(k.scopes),
          k.description ?? null,
          k.createdAt,
          k.expiresAt ?? null,
          k.revokedAt ?? null,
          k.lastUsedAt ?? null,
          k.bootstrap ? 1 : 0,
        ),
      );
    },
    getKey: async (id) => {
      const r = s.getKey.get(id);
      return r && toKey(r);
    },
    keyAndPrincipal: async (hash) => {
      const r = s.keyAndPrincipal.get(hash);
      if (r === undefined) return undefined;
      const key = toKey(r);
      return r.p_id === null ? { key } : { key, principal: toPrincipal(ownerRow(r)) };
    },
    listKeys: async (tenant) => (tenant === undefined ? s.allKeys.all() : s.keysOf.all(tenant)).map(toKey),
    revokeKey: async (id, at) => s.revokeKey.run(at, id).changes > 0,
    touchKey: async (id, at) => {
      s.touchKey.run(at, id);
    },
  };
}
