/**
 * Pseudonymisation keys in SQLite (table `pseudonym_keys`, migration 0006). A key past its
 * `notAfter` is destroyed: its secret is first overwritten in place (zeros of the same length) and
 * the row then deleted, on a connection with `secure_delete` on, so that neither the live cell nor
 * the freed space keeps the bytes; once those pages are checkpointed, the database file does not
 * hold the secret any more. (Frames written to the WAL before the destruction stay in the WAL file
 * until it is overwritten or truncated — at the latest by the TRUNCATE checkpoint on close.)
 *
 * Instants are compared as instants (Date.parse), not as text: '…00Z' and '…00.000Z' are the same
 * moment but sort differently. The table holds one key per tenant and rotation period, so reading a
 * tenant's keys (or all of them, for destroyExpired) and deciding in JavaScript costs nothing.
 * Both run in IMMEDIATE transactions: two processes sharing the file never both create a key.
 */
import type Database from 'better-sqlite3';
import { badRequest, NgsiError } from '../../../core/errors.js';
import type { PseudonymKey, PseudonymKeyRepository } from '../../governance-port.js';

interface Row {
  id: string;
  tenant: string;
  secret: string;
  created_at: string;
  not_after: string;
}

const COLUMNS = 'id, tenant, secret, created_at, not_after';

const toKey = (r: Row): PseudonymKey => ({
  id: r.id,
  tenant: r.tenant,
  secret: r.secret,
  createdAt: r.created_at,
  notAfter: r.not_after,
});

/** Epoch ms of an instant given by a caller; a clear 400 when it is not one. */
function instant(at: string): number {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw badRequest(`expected an ISO instant, got ${JSON.stringify(at)}`);
  return ms;
}

/** Expired at `now` (a notAfter that does not parse is treated as expired: it is destroyed). */
const expired = (r: Pick<Row, 'not_after'>, now: number): boolean => !(Date.parse(r.not_after) > now);

/** The pseudonym key repository over one connection (turns `secure_delete` on for it when off). */
export function sqlitePseudonymKeys(db: Database.Database): PseudonymKeyRepository {
  if (db.pragma('secure_delete', { simple: true }) !== 1) db.pragma('secure_delete = ON');
  const s = {
    ofTenant: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM pseudonym_keys WHERE tenant = ?`),
    all: db.prepare<[], Pick<Row, 'id' | 'not_after'>>('SELECT id, not_after FROM pseudonym_keys'),
    insert: db.prepare(`INSERT INTO pseudonym_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`),
    // Same length, so SQLite rewrites the cell where it is rather than moving it.
    overwrite: db.prepare<[string]>(
      'UPDATE pseudonym_keys SET secret = zeroblob(length(CAST(secret AS BLOB))) WHERE id = ?',
    ),
    delete: db.prepare<[string]>('DELETE FROM pseudonym_keys WHERE id = ?'),
  };
  const destroy = (id: string): void => {
    s.overwrite.run(id);
    s.delete.run(id);
  };
  const current = db.transaction((tenant: string, now: number, create: () => PseudonymKey): PseudonymKey => {
    const live: Row[] = [];
    for (const r of s.ofTenant.all(tenant)) {
      if (expired(r, now)) destroy(r.id);
      else live.push(r);
    }
    // Several live keys only when one was made ahead of time: the latest made is the current one.
    live.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || (a.id < b.id ? 1 : -1));
    if (live[0]) return toKey(live[0]);
    const key = create();
    if (key.tenant !== tenant) {
      throw new NgsiError('InternalError', `pseudonym key made for tenant ${key.tenant}, not ${tenant}`);
    }
    if (!(Date.parse(key.notAfter) > now) || Number.isNaN(Date.parse(key.createdAt)) || key.secret === '') {
      throw new NgsiError('InternalError', `pseudonym key ${key.id} is not valid at the instant asked`);
    }
    s.insert.run(key.id, key.tenant, key.secret, key.createdAt, key.notAfter);
    return { ...key };
  });
  const destroyExpired = db.transaction((now: number): number => {
    const doomed = s.all.all().filter((r) => expired(r, now));
    for (const r of doomed) destroy(r.id);
    return doomed.length;
  });
  return {
    current: async (tenant, at, create) => current.immediate(tenant, instant(at), create),
    destroyExpired: async (at) => destroyExpired.immediate(instant(at)),
  };
}
