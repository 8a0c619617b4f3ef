/** The PostgreSQL (+ PostGIS) store for replicas: open it with `openPostgresStore({ url })`, then `migrate()`. */
export { PostgresStore, openPostgresStore, type PostgresStoreOptions } from './postgres-store.js';
