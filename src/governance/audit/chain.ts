/**
 * How an audit entry is chained: its hash covers the previous entry's hash, its own sequence number
 * and its record, so that editing, removing or reordering any entry breaks every link after it.
 * This file is the specification an auditor re-implements; keep it byte-exact.
 *
 *   hash = lowercase hex( SHA-256( UTF-8( canonical({ prevHash, record, seq }) ) ) )
 *
 * where `record` holds only the members of AuditRecord — `at`, `tenant`, `principal`, `action`,
 * `target`, `requestId`, `outcome`, `status`, `detail` — and an optional member that is absent,
 * undefined or null is left out (a store may hand an empty column back as null). So the bytes are
 *
 *   {"prevHash":"<64 hex>","record":{"action":…,"at":…,…},"seq":<integer>}
 *
 * `canonical` is JSON with no whitespace in which every object's members are sorted by key (UTF-16
 * code units, i.e. JavaScript's default sort) at every depth, and members whose value is undefined,
 * a function or a symbol are left out. Everything else is what JSON.stringify writes: strings with
 * its escapes (lone surrogates as \udXXX), numbers in their shortest round-trip form (-0 as 0,
 * NaN and ±Infinity as null), toJSON() honoured (a Date becomes its ISO string), undefined in an
 * array as null. For the values an audit record holds this is RFC 8785 (JCS). It does not depend on
 * the order in which an object's members were written, so a record read back from any store hashes
 * as it did when it was appended.
 */
import { createHash } from 'node:crypto';
import type { AuditLink, AuditRecord } from '../../store/governance-port.js';

/** The members of an AuditRecord, the only ones a hash covers (an entry's seq/prevHash/hash are not). */
const RECORD_MEMBERS = [
  'at',
  'tenant',
  'principal',
  'action',
  'target',
  'requestId',
  'outcome',
  'status',
  'detail',
] as const satisfies ReadonlyArray<keyof AuditRecord>;

const OUTCOMES: ReadonlySet<string> = new Set(['success', 'failure', 'denied']);

/** Canonical JSON of a value (see the header). Throws a TypeError on a BigInt or a cycle. */
export function canonicalJson(value: unknown): string {
  const text = write(value, new Set());
  if (text === undefined) throw new TypeError(`audit: ${typeof value} has no JSON form`);
  return text;
}

function write(input: unknown, open: Set<object>): string | undefined {
  let value = input;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  // Boxed primitives serialise as their primitive, as in JSON.stringify.
  if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('audit: a BigInt has no JSON form; write it as a string');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (open.has(object)) throw new TypeError('audit: a record cannot contain a cycle');
  open.add(object);
  try {
    if (Array.isArray(object)) return `[${object.map((item) => write(item, open) ?? 'null').join(',')}]`;
    const members: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const text = write((object as Record<string, unknown>)[key], open);
      if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    open.delete(object);
  }
}

/**
 * The hashed part of a record or an entry: AuditRecord's members only, absent/null optional ones
 * left out. Lets the verifier hash an AuditEntry as read from a store.
 */
export function hashedRecord(record: AuditRecord): AuditRecord {
  const picked: Record<string, unknown> = {};
  for (const key of RECORD_MEMBERS) {
    const value = record[key];
    if (value !== undefined && value !== null) picked[key] = value;
  }
  return picked as unknown as AuditRecord;
}

/** The exact bytes that are hashed for an entry (see the header). */
export function auditLinkPayload(prevHash: string, seq: number, record: AuditRecord): string {
  return canonicalJson({ prevHash, record: hashedRecord(record), seq });
}

/** The entry hash: hex SHA-256 of auditLinkPayload. The AuditLink every adapter is given. */
export const auditLink: AuditLink = (prevHash, seq, record) =>
  createHash('sha256')
    .update(auditLinkPayload(prevHash, seq, record), 'utf8')
    .digest('hex');

/**
 * Check a record and return a private copy of it (hashed members only, `detail` deep-copied through
 * its JSON form), so that what is hashed is what a store keeps, and a caller that changes its object
 * afterwards changes nothing. Throws a TypeError naming the faulty member.
 */
export function toAuditRecord(input: AuditRecord): AuditRecord {
  if (input === null || typeof input !== 'object') throw new TypeError('audit: a record must be an object');
  for (const key of ['at', 'tenant', 'principal', 'action'] as const) {
    if (typeof input[key] !== 'string') throw new TypeError(`audit: record.${key} must be a string`);
  }
  if (input.action === '') throw new TypeError('audit: record.action must not be empty');
  if (!OUTCOMES.has(input.outcome)) {
    throw new TypeError(
      `audit: record.outcome must be success, failure or denied, not ${String(input.outcome)}`,
    );
  }
  for (const key of ['target', 'requestId'] as const) {
    const value = input[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new TypeError(`audit: record.${key} must be a string`);
    }
  }
  if (input.status !== undefined && input.status !== null && !Number.isSafeInteger(input.status)) {
    throw new TypeError('audit: record.status must be an integer');
  }
  const detail = input.detail;
  if (detail !== undefined && detail !== null && (typeof detail !== 'object' || Array.isArray(detail))) {
    throw new TypeError('audit: record.detail must be an object');
  }
  const record = hashedRecord(input);
  if (record.detail !== undefined) {
    record.detail = JSON.parse(canonicalJson(record.detail)) as Record<string, unknown>;
  }
  return record;
}
