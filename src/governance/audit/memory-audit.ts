/**
 * An AuditRepository in memory: the reference behaviour of the port for tests of the audit library
 * (and of anything that writes audit entries) without a database. Its `entries` are public so that a
 * test can tamper with the log the way an intruder with write access to the store would.
 */
import {
  GENESIS_HASH,
  type AuditEntry,
  type AuditLink,
  type AuditRecord,
  type AuditRepository,
} from '../../store/governance-port.js';

export class MemoryAuditRepository implements AuditRepository {
  /** The log, in seq order while nobody tampers with it. */
  readonly entries: AuditEntry[] = [];
  /** How many times append was called (tests of batching count them). */
  appendCalls = 0;

  async append(records: AuditRecord[], link: AuditLink): Promise<AuditEntry[]> {
    this.appendCalls += 1;
    // Compute every entry before storing any, so that a failing link leaves the log as it was.
    const last = this.entries.at(-1);
    let prevHash = last?.hash ?? GENESIS_HASH;
    let seq = last?.seq ?? 0;
    const added = records.map((record) => {
      seq += 1;
      const entry: AuditEntry = {
        ...structuredClone(record),
        seq,
        prevHash,
        hash: link(prevHash, seq, record),
      };
      prevHash = entry.hash;
      return entry;
    });
    this.entries.push(...added);
    return added.map((entry) => structuredClone(entry));
  }

  async read(filter: { afterSeq?: number; tenant?: string; limit: number }): Promise<AuditEntry[]> {
    const after = filter.afterSeq ?? 0;
    const found: AuditEntry[] = [];
    for (const entry of [...this.entries].sort((a, b) => a.seq - b.seq)) {
      if (found.length >= filter.limit) break;
      if (entry.seq <= after || (filter.tenant !== undefined && entry.tenant !== filter.tenant)) continue;
      found.push(structuredClone(entry));
    }
    return found;
  }

  async head(): Promise<AuditEntry | undefined> {
    let head: AuditEntry | undefined;
    for (const entry of this.entries) if (!head || entry.seq > head.seq) head = entry;
    return head && structuredClone(head);
  }
}
