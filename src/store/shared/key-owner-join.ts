/**
 * An API key read together with its principal (`keyAndPrincipal` of both stores): the SQL that joins
 * them and the principal's row taken back out of the joined one. Both tables have `id`,
 * `description` and `created_at`, so the principal's columns come prefixed `p_`. The stores differ
 * only in how roles and the disabled flag are stored (JSON text and 0/1 in SQLite; text[] and
 * boolean in PostgreSQL), hence the type parameters.
 */

/** The principal's columns beside a key's; `p_id` is null when the principal was deleted. */
export interface OwnerColumns<Roles, Flag> {
  p_id: string | null;
  p_kind: string;
  p_roles: Roles;
  p_description: string | null;
  p_disabled: Flag;
  p_created_at: string;
}

/** `SELECT` list and `FROM` clause of the join: `keyColumns` are api_keys' columns, comma-separated. */
export function keyOwnerFrom(keyColumns: string): string {
  const key = keyColumns
    .split(',')
    .map((c) => `k.${c.trim()}`)
    .join(', ');
  return (
    `${key}, p.id AS p_id, p.kind AS p_kind, p.roles AS p_roles, p.description AS p_description, ` +
    'p.disabled AS p_disabled, p.created_at AS p_created_at FROM api_keys k ' +
    'LEFT JOIN principals p ON p.tenant = k.tenant AND p.id = k.principal_id'
  );
}

/** The principal's row of a joined row whose `p_id` is set (a key's tenant is its principal's). */
export function ownerRow<Roles, Flag>(r: { tenant: string } & OwnerColumns<Roles, Flag>) {
  return {
    tenant: r.tenant,
    id: r.p_id!,
    kind: r.p_kind,
    roles: r.p_roles,
    description: r.p_description,
    disabled: r.p_disabled,
    created_at: r.p_created_at,
  };
}
