/**
 * `urbis audit <verb>`: the operator's and the auditor's view of the hash-chained audit log in the
 * embedded store (`<dataDir>/urbis.sqlite`), read straight from the file — it works while the server
 * runs (WAL) and while it is down.
 *
 *   verify [--anchor <seq>:<hash>]   walk the chain; name the first broken entry (exit 1). With an
 *                                    anchor (a head logged earlier), also catch a truncated tail or
 *                                    a rewritten log, which the chain alone cannot show.
 *   head                             the last entry's seq and hash (what to keep as an anchor)
 *   list [--tenant t] [--after n] [--limit n]   entries as JSON lines, ascending
 *
 * Exit codes: 0 fine, 1 the log is broken, 2 usage error or no store.
 */
import { parseArgs } from 'node:util';
import { verifyAnchor, verifyAudit, type AuditHead, type AuditReader } from '../governance/audit/verify.js';
import type { AuditRepository } from '../store/governance-port.js';
import { adminCommand, usageExit, withDataDirStore } from './data-dir-store.js';

const USAGE = `usage: urbis audit <verb> [flags]

verbs:
  verify [--anchor <seq>:<hash>]              check the hash chain; exit 1 naming the first broken entry
  head                                        print the last entry's seq and hash
  list [--tenant t] [--after n] [--limit n]   print entries as JSON lines (default limit 100)
`;

/** A usage error: printed with the usage, exit code 2. */
class UsageError extends Error {}

/** The log could not be read past `afterSeq` (a corrupted row, say). */
class UnreadableEntry extends Error {
  constructor(
    readonly afterSeq: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Run `urbis audit …`; resolves to the exit code. */
export const auditCommand = adminCommand('audit', USAGE, async (call) => {
  let run: (audit: AuditRepository) => Promise<number>;
  try {
    run = plan(call.verb, call.rest, call.out);
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof TypeError)) throw e;
    return usageExit(call, e.message);
  }
  return withDataDirStore(call, async (store) => {
    try {
      return await run(store.governance.audit);
    } catch (e) {
      if (!(e instanceof UnreadableEntry)) throw e;
      call.out.write(
        `audit log BROKEN after entry #${e.afterSeq}: the next entry cannot be read (${e.reason})\n`,
      );
      return 1;
    }
  });
});

/** Parse the verb's flags (throwing a UsageError or parseArgs' TypeError) and return what it does. */
function plan(
  verb: string,
  rest: string[],
  out: NodeJS.WritableStream,
): (audit: AuditRepository) => Promise<number> {
  switch (verb) {
    case 'verify': {
      const { anchor } = parseArgs({
        args: rest,
        options: { anchor: { type: 'string' } },
        strict: true,
      }).values;
      const expected = anchor === undefined ? undefined : parseAnchor(anchor);
      return (audit) => verify(audit, out, expected);
    }
    case 'head':
      parseArgs({ args: rest, options: {}, strict: true });
      return async (audit) => {
        const head = await audit.head();
        out.write(head ? `#${head.seq} ${head.hash}\n` : 'audit log is empty\n');
        return 0;
      };
    case 'list': {
      const { values } = parseArgs({
        args: rest,
        options: { tenant: { type: 'string' }, after: { type: 'string' }, limit: { type: 'string' } },
        strict: true,
      });
      const after = values.after === undefined ? 0 : count(values.after, '--after', 0);
      const limit = values.limit === undefined ? 100 : count(values.limit, '--limit', 1);
      return (audit) => list(audit, out, { afterSeq: after, limit, tenant: values.tenant });
    }
    default:
      throw new UsageError(`unknown verb ${JSON.stringify(verb)}`);
  }
}

async function verify(
  audit: AuditRepository,
  out: NodeJS.WritableStream,
  anchor?: AuditHead,
): Promise<number> {
  const read = isolating((afterSeq, limit) => audit.read({ afterSeq, limit }));
  const verdict = await verifyAudit(read);
  if (!verdict.ok) {
    out.write(`audit log BROKEN at entry #${verdict.broken.seq}: ${verdict.broken.reason}\n`);
    return 1;
  }
  if (anchor) {
    const match = await verifyAnchor(read, () => audit.head(), anchor);
    if (!match.ok) {
      out.write(`audit log BROKEN at entry #${anchor.seq}: ${match.reason}\n`);
      return 1;
    }
  }
  const head = verdict.head ? `, head #${verdict.head.seq} ${verdict.head.hash}` : '';
  const anchored = anchor ? `; anchor #${anchor.seq} matches` : '';
  out.write(`audit log OK: ${verdict.entries} entries${head}${anchored}\n`);
  return 0;
}

/**
 * A reader that, when a page cannot be read, reads one entry at a time to find where it fails, so
 * that an unreadable row (an edited column that no longer parses) is located like any other break.
 */
function isolating(read: AuditReader): AuditReader {
  return async (afterSeq, limit) => {
    try {
      return await read(afterSeq, limit);
    } catch (e) {
      if (limit > 1) {
        const [next] = await isolating(read)(afterSeq, 1);
        if (next) return [next];
      }
      throw new UnreadableEntry(afterSeq, (e as Error).message);
    }
  };
}

async function list(
  audit: AuditRepository,
  out: NodeJS.WritableStream,
  filter: { afterSeq: number; limit: number; tenant?: string },
): Promise<number> {
  let after = filter.afterSeq;
  let left = filter.limit;
  while (left > 0) {
    const page = await audit.read({ afterSeq: after, limit: Math.min(left, 1000), tenant: filter.tenant });
    for (const entry of page) await write(out, `${JSON.stringify(entry)}\n`);
    const last = page.at(-1);
    if (!last) break;
    after = last.seq;
    left -= page.length;
  }
  return 0;
}

/** Write, waiting for the stream to drain when its buffer is full (a long listing piped to a pager). */
function write(out: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (!out.write(text)) return new Promise((resolve) => out.once('drain', () => resolve()));
}

function count(text: string, flag: string, min: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}, not ${JSON.stringify(text)}`);
  return n;
}

function parseAnchor(text: string): AuditHead {
  const m = /^#?(\d+):([0-9a-f]{64})$/.exec(text);
  const seq = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(seq) || seq < 1) {
    throw new UsageError(`--anchor must be <seq>:<64 hex digits of the hash>, not ${JSON.stringify(text)}`);
  }
  return { seq, hash: m[2] as string };
}
