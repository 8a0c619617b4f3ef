/**
 * `urbis keys <verb>`: API keys from the command line, on the embedded store of the data directory
 * (the server may be running: SQLite's WAL lets both work on the file). Whoever can run this can read
 * the data directory, so it acts as the platform administrator; every change is audited as `cli`.
 *
 *   create --tenant <t> --principal <id> [--roles a,b] [--kind user|service] [--scopes read,write]
 *          [--expires <ISO instant>] [--description <text>]   (the principal is made when missing;
 *          --platform instead of --tenant makes a key valid in every tenant)
 *   list [--tenant <t>]          keys without their secrets
 *   revoke <keyId>
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isNgsiError } from '../core/errors.js';
import { AuditTrail } from '../governance/audit/trail.js';
import { IdentityService } from '../governance/identity/identity-service.js';
import { ALL_TENANTS, type AuditRecord } from '../store/governance-port.js';
import { openSqliteStore } from '../store/sqlite/index.js';

const USAGE = `usage: urbis keys <verb> [flags]

verbs:
  create (--tenant <t> | --platform) --principal <id> [--roles a,b] [--kind user|service]
         [--scopes read,write,command,admin] [--expires <ISO instant>] [--description <text>]
  list [--tenant <t>]
  revoke <keyId>
`;

/** Run `urbis keys …`; resolves to the exit code (2: usage or bad input). */
export async function keysCommand(
  args: string[],
  dataDir: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'create' && verb !== 'list' && verb !== 'revoke') {
    (verb === undefined ? err : out).write(USAGE);
    return verb === undefined || !['help', '--help', '-h'].includes(verb) ? 2 : 0;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: {
        tenant: { type: 'string' },
        platform: { type: 'boolean' },
        principal: { type: 'string' },
        roles: { type: 'string' },
        kind: { type: 'string' },
        scopes: { type: 'string' },
        expires: { type: 'string' },
        description: { type: 'string' },
      },
      allowPositionals: verb === 'revoke',
      strict: true,
    }));
  } catch (e) {
    err.write(`urbis keys: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const file = join(dataDir, 'urbis.sqlite');
  if (!existsSync(file)) {
    err.write(`urbis keys: no store at ${file} (run urbis serve once, or pass --data-dir)\n`);
    return 2;
  }
  const store = openSqliteStore({ path: file, backgroundCheckpoint: false });
  await store.migrate();
  const identity = new IdentityService({ repo: store.governance.identity });
  const audit = new AuditTrail({ repo: store.governance.audit });
  const record = (r: Omit<AuditRecord, 'at' | 'principal' | 'outcome'>) =>
    audit.recordNow({ ...r, at: new Date().toISOString(), principal: 'cli', outcome: 'success' });
  const list = (v: unknown) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined;
  try {
    if (verb === 'list') {
      for (const k of await identity.listKeys(
        typeof values.tenant === 'string' ? values.tenant : undefined,
      )) {
        const { hash: _hash, ...shown } = k;
        out.write(`${JSON.stringify(shown)}\n`);
      }
      return 0;
    }
    if (verb === 'revoke') {
      const id = positionals[0];
      if (id === undefined || positionals.length !== 1) {
        err.write(`urbis keys: revoke takes one key id\n${USAGE}`);
        return 2;
      }
      const key = await identity.getKey(id);
      await identity.revokeKey(id);
      await record({ tenant: key.tenant, action: 'key.revoke', target: id });
      out.write(`revoked ${id}\n`);
      return 0;
    }
    const tenant = values.platform === true ? ALL_TENANTS : values.tenant;
    const principalId = values.principal;
    if (
      typeof tenant !== 'string' ||
      typeof principalId !== 'string' ||
      (values.platform === true && values.tenant !== undefined)
    ) {
      err.write(`urbis keys: create needs --principal and one of --tenant or --platform\n${USAGE}`);
      return 2;
    }
    if ((await store.governance.identity.getPrincipal(tenant, principalId)) === undefined) {
      const kind = values.kind ?? 'service';
      await identity.createPrincipal({
        tenant,
        id: principalId,
        kind: kind === 'user' ? 'user' : kind === 'service' ? 'service' : (kind as 'user'),
        roles: list(values.roles) ?? [],
      });
      await record({ tenant, action: 'principal.create', target: principalId });
    }
    const { key, secret } = await identity.createKey({
      tenant,
      principalId,
      ...(values.scopes !== undefined ? { scopes: list(values.scopes) ?? [] } : {}),
      ...(typeof values.expires === 'string' ? { expiresAt: values.expires } : {}),
      ...(typeof values.description === 'string' ? { description: values.description } : {}),
    });
    await record({ tenant, action: 'key.create', target: key.id, detail: { principal: principalId } });
    out.write(
      `key ${key.id} for ${principalId} in tenant ${JSON.stringify(tenant)} (shown once):\n${secret}\n`,
    );
    return 0;
  } catch (e) {
    if (!isNgsiError(e)) throw e;
    err.write(`urbis keys: ${e.detail}\n`);
    return 2;
  } finally {
    await audit.close();
    await store.close();
  }
}
