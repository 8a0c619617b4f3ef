/**
 * The governance repositories of the PostgreSQL store (src/store/governance-port.ts) over the pool,
 * once the schema is migrated to 0002: identity, policies, the audit chain, the registry and the
 * pseudonymisation keys, each in its own file. What each does to stay correct with several
 * replicas on one database is said in its file and in docs/decisions/0009-postgres-store.md.
 */
import type pg from 'pg';
import type { GovernanceRepositories } from '../../governance-port.js';
import { postgresAudit } from './audit.js';
import { postgresIdentity } from './identity.js';
import { postgresPolicies } from './policies.js';
import { postgresPseudonymKeys } from './pseudonym-keys.js';
import { postgresRegistry } from './registry.js';

/** Every governance repository over `pool`. */
export function postgresGovernance(pool: pg.Pool): GovernanceRepositories {
  return {
    identity: postgresIdentity(pool),
    policies: postgresPolicies(pool),
    audit: postgresAudit(pool),
    registry: postgresRegistry(pool),
    pseudonymKeys: postgresPseudonymKeys(pool),
  };
}
