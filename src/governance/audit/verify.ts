/**
 * The audit verifier: re-walks the chain from the first entry and names the FIRST entry where it
 * breaks. Entries are read in pages, so a log of any length is checked in constant memory.
 *
 * What the chain alone proves: no entry was edited, removed, inserted, duplicated or moved, from
 * the first entry up to the last one present. What it cannot prove: that entries were not cut off
 * the END (a truncated tail leaves a shorter chain that is perfectly valid), nor that the whole log
 * was not rewritten and re-hashed by someone with write access. Both are caught only against a head
 * recorded elsewhere — the server logs its head periodically, so shipped logs anchor the chain —
 * with `verifyHead` / `verifyAnchor`.
 *
 * Paging asks for the entries after the last seq seen, so two entries under the SAME seq are caught
 * only when they come in one page; stores keep seq unique (a key), which makes that case moot there.
 */
import { GENESIS_HASH, type AuditEntry, type AuditLink } from '../../store/governance-port.js';
import { auditLink } from './chain.js';

/** Where a chain ends: the last entry's seq and hash. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export type AuditVerdict =
  | { ok: true; entries: number; head?: AuditHead }
  /** `entries` = how many entries were found sound before the broken one. */
  | { ok: false; entries: number; broken: { seq: number; reason: string } };

/** Reads entries with seq > afterSeq, ascending, at most limit (the AuditRepository's read). */
export type AuditReader = (afterSeq: number, limit: number) => Promise<AuditEntry[]>;

export interface VerifyOptions {
  /** Entries per read (default 1,000). */
  pageSize?: number;
  /** The link to check against (default: auditLink). */
  link?: AuditLink;
}

/** Walk the whole log; the first broken entry, or the number of entries and the head. */
export async function verifyAudit(read: AuditReader, options: VerifyOptions = {}): Promise<AuditVerdict> {
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1)
    throw new RangeError('pageSize must be a positive integer');
  const link = options.link ?? auditLink;
  let prev: AuditHead | undefined;
  let entries = 0;
  const broken = (seq: number, reason: string): AuditVerdict => ({
    ok: false,
    entries,
    broken: { seq, reason },
  });

  for (;;) {
    const page = await read(prev?.seq ?? 0, pageSize);
    if (page.length === 0) break;
    for (const entry of page) {
      const seq = entry.seq;
      if (!Number.isSafeInteger(seq) || seq < 1) {
        return broken(prev ? prev.seq + 1 : 1, `an entry has an invalid seq ${JSON.stringify(seq)}`);
      }
      if (!prev) {
        // The first entry: must be #1 and chained to the genesis hash, or the log's beginning is gone or forged.
        if (seq !== 1) return broken(1, missing(1, seq));
        if (entry.prevHash !== GENESIS_HASH)
          return broken(1, 'the first entry is not chained to the genesis hash');
      } else {
        if (seq === prev.seq) return broken(seq, `entry #${seq} appears twice (duplicated)`);
        if (seq < prev.seq) return broken(seq, `entry #${seq} comes after #${prev.seq} (out of order)`);
        if (seq !== prev.seq + 1) return broken(prev.seq + 1, missing(prev.seq + 1, seq));
        if (entry.prevHash !== prev.hash) {
          return broken(
            seq,
            `prevHash does not match the hash of entry #${prev.seq} (entry removed, moved or replaced)`,
          );
        }
      }
      if (link(entry.prevHash, seq, entry) !== entry.hash) {
        return broken(seq, 'the stored hash does not match the entry content (entry edited)');
      }
      prev = { seq, hash: entry.hash };
      entries += 1;
    }
  }
  return prev ? { ok: true, entries, head: prev } : { ok: true, entries };
}

function missing(expected: number, found: number): string {
  const range = found - 1 > expected ? `entries #${expected}–#${found - 1} are` : `entry #${expected} is`;
  return `${range} missing (the next entry stored is #${found})`;
}

export type HeadVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Compare a head recorded elsewhere (a shipped log line, a printed receipt) with what the log holds
 * now. `actual` is the stored entry with seq = expected.seq — or, when there is none, the log's
 * current head (undefined when the log is empty). Run it on a log that verifyAudit found sound: then
 * a matching entry at expected.seq proves that nothing up to it was changed, and a missing one
 * proves that the tail was cut off, which the chain by itself cannot show.
 */
export function verifyHead(expected: AuditHead, actual: AuditHead | undefined): HeadVerdict {
  if (!actual)
    return { ok: false, reason: `the log is empty, but entry #${expected.seq} was recorded (truncated)` };
  if (actual.seq < expected.seq) {
    return {
      ok: false,
      reason: `the log ends at #${actual.seq}, but entry #${expected.seq} was recorded (tail truncated)`,
    };
  }
  if (actual.seq > expected.seq) {
    throw new RangeError(`verifyHead compares entry #${expected.seq}, not #${actual.seq}`);
  }
  if (actual.hash !== expected.hash) {
    return {
      ok: false,
      reason: `entry #${expected.seq} has a different hash than was recorded (the log was rewritten up to it)`,
    };
  }
  return { ok: true };
}

/** verifyHead against the log: reads the entry at expected.seq (or the head when the log is shorter). */
export async function verifyAnchor(
  read: AuditReader,
  head: () => Promise<AuditHead | undefined>,
  expected: AuditHead,
): Promise<HeadVerdict> {
  const [next] = await read(expected.seq - 1, 1);
  if (next?.seq === expected.seq) return verifyHead(expected, next);
  if (next)
    return { ok: false, reason: `entry #${expected.seq} is missing (the next entry stored is #${next.seq})` };
  return verifyHead(expected, await head());
}
