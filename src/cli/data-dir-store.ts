/**
 * What the administration commands (`urbis audit`, `keys`, `retention`) share: the answer to a
 * missing or help verb, the usage error, and the embedded store of the data directory
 * (`<dataDir>/urbis.sqlite`), opened migrated — and refused when it is not there, rather than
 * creating an empty store that the operator would then mistake for theirs — with the audit trail
 * of the changes a command makes there. Whoever can run these commands can read the data
 * directory, so they act as the platform administrator, audited as `cli`.
 *
 * Exit codes: 0 help asked, 2 usage error or no store.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuditTrail } from '../governance/audit/trail.js';
import type { AuditRecord } from '../store/governance-port.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';

/** How main.ts runs an administration command: its arguments after the verb `urbis <name>`. */
export type AdminCommandFn = (
  args: string[],
  dataDir: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
) => Promise<number>;

/** One run of an administration command, once it has a verb that is not a help verb. */
export interface AdminCall {
  /** As in `urbis <name>`. */
  name: string;
  usage: string;
  verb: string;
  /** The arguments after the verb. */
  rest: string[];
  dataDir: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/**
 * The administration command `urbis <name>`: without a verb it prints `usage` on stderr (exit code
 * 2), with a help verb on stdout (0); any other verb is `run`'s.
 */
export function adminCommand(
  name: string,
  usage: string,
  run: (call: AdminCall) => Promise<number>,
): AdminCommandFn {
  return async (args, dataDir, out, err) => {
    const [verb, ...rest] = args;
    if (verb === undefined) {
      err.write(usage);
      return 2;
    }
    if (verb === 'help' || verb === '--help' || verb === '-h') {
      out.write(usage);
      return 0;
    }
    return run({ name, usage, verb, rest, dataDir, out, err });
  };
}

/** Say what is wrong with the command line, then the usage, on stderr: exit code 2. */
export function usageExit(call: AdminCall, message: string): number {
  call.err.write(`urbis ${call.name}: ${message}\n${call.usage}`);
  return 2;
}

/** Audit a change the command made (now, by `cli`, a success); resolves once the entry is stored. */
export type CliAudit = (record: Omit<AuditRecord, 'at' | 'principal' | 'outcome'>) => Promise<void>;

/**
 * Run `use` on the migrated store of the data directory, then close the audit trail (when `use`
 * audited anything) and the store; exit code 2, saying so on stderr, when the directory holds no store.
 */
export async function withDataDirStore(
  call: AdminCall,
  use: (store: SqliteStore, audit: CliAudit) => Promise<number>,
): Promise<number> {
  const path = join(call.dataDir, 'urbis.sqlite');
  if (!existsSync(path)) {
    call.err.write(
      `urbis ${call.name}: no store at ${path} (run urbis serve once, or set --data-dir or URBIS_DATA_DIR)\n`,
    );
    return 2;
  }
  const store = openSqliteStore({ path, migrate: true, backgroundCheckpoint: false });
  let trail: AuditTrail | undefined;
  const audit: CliAudit = async (record) => {
    trail ??= new AuditTrail({ repo: store.governance.audit });
    await trail.recordNow({ ...record, at: new Date().toISOString(), principal: 'cli', outcome: 'success' });
  };
  try {
    return await use(store, audit);
  } finally {
    try {
      await trail?.close();
    } finally {
      await store.close();
    }
  }
}
