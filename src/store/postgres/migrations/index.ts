/** The PostgreSQL migrations, in the order they apply. Append new ones; never edit or reorder released ones. */
import { sql as devicesCommandsIotaContexts } from './0001-devices-commands-iota-contexts.js';
import { sql as governance } from './0002-governance.js';
import { sql as entities } from './0003-entities.js';
import { sql as temporal } from './0004-temporal.js';
import { sql as subscriptionsOutbox } from './0005-subscriptions-outbox.js';

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
  { version: 3, name: 'entities', sql: entities },
  { version: 4, name: 'temporal', sql: temporal },
  { version: 5, name: 'subscriptions-outbox', sql: subscriptionsOutbox },
];
