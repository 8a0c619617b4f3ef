/**
 * The IoT Agent repository of the SQLite store (src/store/iota-port.ts), built over the store's one
 * connection once the schema is migrated (0009 or later). Each call runs to the end before its promise
 * resolves, so it never interleaves with the entity writer's group commit.
 */
import type Database from 'better-sqlite3';
import type { IotaRepository } from '../../iota-port.js';
import { sqliteIotaDevices } from './devices.js';
import { sqliteIotaGroups } from './groups.js';

/** The IoT Agent repository over `db`. */
export function sqliteIota(db: Database.Database): IotaRepository {
  return { ...sqliteIotaGroups(db), ...sqliteIotaDevices(db) };
}
