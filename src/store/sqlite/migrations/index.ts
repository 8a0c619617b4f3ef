/** The SQLite migrations, in the order they apply. Append new ones; never edit or reorder released ones. */
import { sql as initial } from './0001-initial.js';
import { sql as typeIdOrder } from './0002-type-id-order.js';
import { sql as temporal } from './0003-temporal.js';
import { sql as subscriptionsOutbox } from './0004-subscriptions-outbox.js';
import { sql as temporalHourly } from './0005-temporal-hourly.js';
import { sql as governance } from './0006-governance.js';
import { sql as devices } from './0007-devices.js';
import { sql as commands } from './0008-commands.js';
import { sql as iota } from './0009-iota.js';

/** One numbered schema change. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, ascending by version. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'type-id-order', sql: typeIdOrder },
  { version: 3, name: 'temporal', sql: temporal },
  { version: 4, name: 'subscriptions-outbox', sql: subscriptionsOutbox },
  { version: 5, name: 'temporal-hourly', sql: temporalHourly },
  { version: 6, name: 'governance', sql: governance },
  { version: 7, name: 'devices', sql: devices },
  { version: 8, name: 'commands', sql: commands },
  { version: 9, name: 'iota', sql: iota },
];
