/**
 * The governance repositories of the SQLite store, built over the store's one connection once the
 * schema is migrated. Each is synchronous underneath (better-sqlite3): a call runs its statements,
 * and its IMMEDIATE transaction when it has one, to the end before the promise resolves, so it
 * never interleaves with the entity writer's group commit, which runs in its own turn of the loop.
 */
import type Database from 'better-sqlite3';
import type { GovernanceRepositories } from '../../governance-port.js';
import { sqliteAudit } from './audit.js';
import { sqliteIdentity } from './identity.js';
import { sqlitePolicies } from './policies.js';
import { sqlitePseudonymKeys } from './pseudonym-keys.js';
import { sqliteRegistry } from './registry.js';

/** Every governance repository over `db` (migrated to 0006 or later). */
export function sqliteGovernance(db: Database.Database): GovernanceRepositories {
  return {
    identity: sqliteIdentity(db),
    policies: sqlitePolicies(db),
    audit: sqliteAudit(db),
    registry: sqliteRegistry(db),
    pseudonymKeys: sqlitePseudonymKeys(db),
  };
}
