/**
 * The device repository of the SQLite store (src/store/devices-port.ts), built over the store's one
 * connection once the schema is migrated (0007 or later). As with governance, each call runs its
 * statements — and its IMMEDIATE transaction when it writes more than one row — to the end before
 * its promise resolves, so it never interleaves with the entity writer's group commit.
 */
import type Database from 'better-sqlite3';
import type { DeviceRepository } from '../../devices-port.js';
import { sqliteCredentials } from './credentials.js';
import { sqliteDeviceRows } from './devices.js';
import { sqliteProfiles } from './profiles.js';
import { sqliteDeviceState } from './state.js';

/** The device repository over `db`. */
export function sqliteDevices(db: Database.Database): DeviceRepository {
  return {
    ...sqliteProfiles(db),
    ...sqliteDeviceRows(db),
    ...sqliteCredentials(db),
    ...sqliteDeviceState(db),
  };
}
