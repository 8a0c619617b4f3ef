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
import { parseArgs } from 'node:util';
import { isNgsiError } from '../core/errors.js';
import { IdentityService } from '../governance/identity/identity-service.js';
import { ALL_TENANTS } from '../store/governance-port.js';
import { adminCommand, usageExit, withDataDirStore } from './data-dir-store.js';

const USAGE = `usage: urbis keys <verb> [flags]

verbs:
  create (--tenant <t> | --platform) --principal <id> [--roles a,b] [--kind user|service]
         [--scopes read,write,command,admin] [--expires <ISO instant>] [--description <text>]
  list [--tenant <t>]
  revoke <keyId>
`;

/** Run `urbis keys …`; resolves to the exit code (2: usage or bad input). */
export const keysCommand = adminCommand('keys', USAGE, async (call) => {
  const { verb, out, err } = call;
  if (verb !== 'create' && verb !== 'list' && verb !== 'revoke')
    return usageExit(call, `unknown verb ${JSON.stringify(verb)}`);
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: call.rest,
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
    return usageExit(call, (e as Error).message);
  }
  const list = (v: unknown) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined;
  return withDataDirStore(call, async (store, record) => {
    const identity = new IdentityService({ repo: store.governance.identity });
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
        if (id === undefined || positionals.length !== 1) return usageExit(call, 'revoke takes one key id');
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
      )
        return usageExit(call, 'create needs --principal and one of --tenant or --platform');
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
    }
  });
});
