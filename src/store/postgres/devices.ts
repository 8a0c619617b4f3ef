/**
 * The device repository of the PostgreSQL store (src/store/devices-port.ts) over the pool, once the
 * schema is migrated: profiles, devices, credentials and state, each in its own file under devices/.
 */
import type pg from 'pg';
import type { DeviceRepository } from '../devices-port.js';
import { postgresCredentials } from './devices/credentials.js';
import { postgresProfiles } from './devices/profiles.js';
import { postgresDeviceRows } from './devices/rows.js';
import { postgresDeviceState } from './devices/state.js';

/** The device repository over `pool`. */
export function postgresDevices(pool: pg.Pool): DeviceRepository {
  return {
    ...postgresProfiles(pool),
    ...postgresDeviceRows(pool),
    ...postgresCredentials(pool),
    ...postgresDeviceState(pool),
  };
}
