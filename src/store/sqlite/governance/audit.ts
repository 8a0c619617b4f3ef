/**
 * The hash-chained audit log in SQLite (table `audit_log`, migration 0006). `append` reads the head
 * and inserts the new entries in one IMMEDIATE transaction: the write lock is taken before the head
 * is read, so two processes sharing the file append one after the other and never fork the chain.
 * The record given to `link` is the one stored (detail through a JSON round trip), so a verifier
 * recomputing hashes from what `read` returns gets the same values.
 */
import type Database from 'better-sqlite3';
import { badRequest, NgsiError } from '../../../core/errors.js';
import {
  GENESIS_HASH,
  type AuditEntry,
  type AuditLink,
  type AuditRecord,
  type AuditRepository,
} from '../../governance-port.js';
import { withPresent } from './present.js';

interface Row {
  seq: number;
  at: string;
  tenant: string;
  principal: string;
  action: string;
  target: string | null;
  request_id: string | null;
  outcome: string;
  status: number | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

const COLUMNS =
  'seq, at, tenant, principal, action, target, request_id, outcome, status, detail, prev_hash, hash';

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
      seq: r.seq,
      at: r.at,
      tenant: r.tenant,
      principal: r.principal,
      action: r.action,
      outcome: r.outcome as AuditRecord['outcome'],
      prevHash: r.prev_hash,
      hash: r.hash,
    },
    {
      target: r.target,
      requestId: r.request_id,
      status: r.status,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
    },
  );
}

/** The audit repository over one connection. */
export function sqliteAudit(db: Database.Database): AuditRepository {
  const s = {
    head: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1`),
    insert: db.prepare(`INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    read: db.prepare<[number, number], Row>(
      `SELECT ${COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`,
    ),
    readTenant: db.prepare<[string, number, number], Row>(
      `SELECT ${COLUMNS} FROM audit_log WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
  };
  const append = db.transaction((records: AuditRecord[], link: AuditLink): AuditEntry[] => {
    const head = s.head.get();
    let [seq, prevHash] = head ? [head.seq, head.hash] : [0, GENESIS_HASH];
    return records.map((given) => {
      const record = normalise(given);
      seq += 1;
      const hash = link(prevHash, seq, record);
      s.insert.run(
        seq,
        record.at,
        record.tenant,
        record.principal,
        record.action,
        record.target ?? null,
        record.requestId ?? null,
        record.outcome,
        record.status ?? null,
        record.detail === undefined ? null : JSON.stringify(record.detail),
        prevHash,
        hash,
      );
      const entry: AuditEntry = { ...record, seq, prevHash, hash };
      prevHash = hash;
      return entry;
    });
  });
  return {
    append: async (records, link) => (records.length === 0 ? [] : append.immediate(records, link)),
    read: async ({ afterSeq = 0, tenant, limit }) => {
      if (!Number.isSafeInteger(limit) || limit < 0) throw badRequest('limit must be a non-negative integer');
      if (!Number.isSafeInteger(afterSeq)) throw badRequest('afterSeq must be an integer');
      const rows =
        tenant === undefined ? s.read.all(afterSeq, limit) : s.readTenant.all(tenant, afterSeq, limit);
      return rows.map(toEntry);
    },
    head: async () => {
      const r = s.head.get();
      return r && toEntry(r);
    },
  };
}
