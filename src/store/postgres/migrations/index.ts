/** The PostgreSQL migrations, in the order they apply. Append new ones; never edit or reorder released ones. */
import { sql as devicesCommandsIotaContexts } from './0001-devices-commands-iota-contexts.js';
import { sql as governance } from './0002-governance.js';

/** One numbered schema change: SQL run in one transaction (so no CREATE INDEX CONCURRENTLY). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, ascending by version. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'devices-commands-iota-contexts', sql: devicesCommandsIotaContexts },
  { version: 2, name: 'governance', sql: governance },
];
