/**
 * The IoT Agent repository of the PostgreSQL store (src/store/iota-port.ts) over the pool, once the
 * schema is migrated: service groups and device documents, each in its own file under iota/.
 */
import type pg from 'pg';
import type { IotaRepository } from '../iota-port.js';
import { postgresIotaDevices } from './iota/devices.js';
import { postgresIotaGroups } from './iota/groups.js';

/** The IoT Agent repository over `pool`. */
export function postgresIota(pool: pg.Pool): IotaRepository {
  return { ...postgresIotaGroups(pool), ...postgresIotaDevices(pool) };
}
