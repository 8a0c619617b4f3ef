/**
 * The hash-chained audit log in PostgreSQL (table `audit_log`, migration 0002). The chain is ONE
 * chain for the whole platform (seq and head() are global; a verifier walks every tenant's entries
 * together), so appends are serialised globally, not per tenant: a per-tenant lock would let two
 * tenants' appends read the same head and fork it.
 *
 * `append` runs in one transaction that first takes `LOCK TABLE audit_log IN EXCLUSIVE MODE`. That
 * mode conflicts with itself and with every write, but not with plain SELECTs: replicas append one
 * after the other while readers (the audit API, a verifier) are never blocked. Under READ COMMITTED
 * the head is read by the NEXT statement, whose snapshot is taken after the lock was granted, so it
 * sees the previous holder's committed entries. The lock is released by COMMIT or ROLLBACK (a
 * replica that dies mid-append holds it at most until idle_in_transaction_session_timeout), and the
 * wait for it is bounded by the statement timeout. The primary key on seq is the backstop: anything
 * that bypassed the lock would fail with a duplicate seq rather than fork the chain.
 *
 * Hashes are computed in JavaScript between reading the head and one multi-row INSERT (unnest), so
 * the lock is held for two round trips whatever the batch size. The record given to `link` is the
 * one stored (detail through a JSON round trip), as in SQLite, so re-hashing what `read` returns
 * gives the same values.
 */
import type pg from 'pg';
import { NgsiError } from '../../../core/errors.js';
import {
  GENESIS_HASH,
  type AuditEntry,
  type AuditLink,
  type AuditRecord,
  type AuditRepository,
} from '../../governance-port.js';
import { rows, run, transaction, type Sql } from '../sql.js';
import { bound, withPresent } from '../values.js';

interface Row {
  /** bigint: node-pg hands int8 back as a string. */
  seq: string;
  at: string;
  tenant: string;
  principal: string;
  action: string;
  target: string | null;
  request_id: string | null;
  outcome: string;
  status: number | null;
  detail: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
}

const COLUMNS =
  'seq, at, tenant, principal, action, target, request_id, outcome, status, detail, prev_hash, hash';

/** The statement that serialises appenders (exported for the concurrency test's explanation). */
export const AUDIT_LOCK_SQL = 'LOCK TABLE audit_log IN EXCLUSIVE MODE';

const HEAD_SQL = `SELECT ${COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1`;

/** One INSERT for the whole batch: each parameter is one column's array. */
const INSERT_SQL = `INSERT INTO audit_log (${COLUMNS})
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::integer[], $10::json[], $11::text[], $12::text[])`;

const OUTCOMES: ReadonlySet<string> = new Set(['success', 'failure', 'denied']);

/** The record as it is stored and read back: only the members it has, detail as JSON makes it. */
function normalise(r: AuditRecord): AuditRecord {
  for (const k of ['at', 'tenant', 'principal', 'action'] as const) {
    if (typeof r[k] !== 'string') throw new NgsiError('InternalError', `audit record without ${k}`);
  }
  if (!OUTCOMES.has(r.outcome)) {
    throw new NgsiError('InternalError', `audit record with outcome ${JSON.stringify(r.outcome)}`);
  }
  return withPresent<AuditRecord>(
    { at: r.at, tenant: r.tenant, principal: r.principal, action: r.action, outcome: r.outcome },
    {
      target: r.target,
      requestId: r.requestId,
      status: r.status,
      detail:
        r.detail === undefined
          ? undefined
          : (JSON.parse(JSON.stringify(r.detail)) as Record<string, unknown>),
    },
  );
}

function toEntry(r: Row): AuditEntry {
  return withPresent<AuditEntry>(
    {
      seq: Number(r.seq),
      at: r.at,
      tenant: r.tenant,
      principal: r.principal,
      action: r.action,
      outcome: r.outcome as AuditRecord['outcome'],
      prevHash: r.prev_hash,
      hash: r.hash,
    },
    { target: r.target, requestId: r.request_id, status: r.status, detail: r.detail },
  );
}

/** Under the lock: chain `records` onto the head and insert them. */
async function appendLocked(db: Sql, records: AuditRecord[], link: AuditLink): Promise<AuditEntry[]> {
  await db.query(AUDIT_LOCK_SQL);
  const [head] = await rows<Row>(db, HEAD_SQL);
  let [seq, prevHash] = head ? [Number(head.seq), head.hash] : [0, GENESIS_HASH];
  const entries = records.map((given): AuditEntry => {
    const record = normalise(given);
    seq += 1;
    const hash = link(prevHash, seq, record);
    const entry: AuditEntry = { ...record, seq, prevHash, hash };
    prevHash = hash;
    return entry;
  });
  const column = <T>(f: (e: AuditEntry) => T): T[] => entries.map(f);
  await run(db, INSERT_SQL, [
    column((e) => e.seq),
    column((e) => e.at),
    column((e) => e.tenant),
    column((e) => e.principal),
    column((e) => e.action),
    column((e) => e.target ?? null),
    column((e) => e.requestId ?? null),
    column((e) => e.outcome),
    column((e) => e.status ?? null),
    column((e) => (e.detail === undefined ? null : JSON.stringify(e.detail))),
    column((e) => e.prevHash),
    column((e) => e.hash),
  ]);
  return entries;
}

/** The audit repository over `pool`. */
export function postgresAudit(pool: pg.Pool): AuditRepository {
  return {
    append: async (records, link) =>
      records.length === 0 ? [] : transaction(pool, (db) => appendLocked(db, records, link)),
    read: async ({ afterSeq = 0, tenant, limit }) => {
      bound('limit', limit);
      if (!Number.isSafeInteger(afterSeq)) {
        throw new NgsiError('BadRequestData', `afterSeq must be an integer, not ${String(afterSeq)}`);
      }
      const found =
        tenant === undefined
          ? await rows<Row>(pool, `SELECT ${COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [
              afterSeq,
              limit,
            ])
          : await rows<Row>(
              pool,
              `SELECT ${COLUMNS} FROM audit_log WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
              [tenant, afterSeq, limit],
            );
      return found.map(toEntry);
    },
    head: async () => {
      const [r] = await rows<Row>(pool, HEAD_SQL);
      return r && toEntry(r);
    },
  };
}
