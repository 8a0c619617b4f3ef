/**
 * `urbis devices <verb>`: device profiles, devices and their credentials from the command line, on the
 * embedded store of the data directory, through the same DeviceRegistry the server uses (so a device
 * made here is also an NGSI-LD `Device` entity, written through the EntityService and the privacy
 * gate as the HTTP app writes it). Whoever can run this can read the data directory, so it acts as
 * the platform administrator; every change is audited as `cli`, never with a secret.
 *
 *   profiles put <file.json> [--tenant <t>]      create or replace a profile
 *   profiles list [--tenant <t>]                 one JSON line per profile, as written
 *   create <file.csv|file.json> [--credentials token|password|none] [--tenant <t>]
 *                                                one JSON line per created device with its credential
 *                                                (shown once) on stdout; refused rows on stderr
 *   list [--tenant <t>]                          one JSON line per device, with its state
 *   delete <deviceId> [--tenant <t>]
 *   credentials rotate <deviceId> <credentialId> [--tenant <t>]
 *
 * A server running on the same directory keeps the profiles it has read until it restarts (the
 * registry caches them per process).
 *
 * Exit codes: 0 done, 1 some rows of `create` were refused (the others were created), 2 usage error,
 * bad input, nothing created, or no store.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { EntityService } from '../context/entities/entity-service.js';
import { HostedContextService } from '../context/hosted-contexts.js';
import { RemoteContextLoader } from '../context/jsonld/remote-context-loader.js';
import { systemScope } from '../context/scope.js';
import { ContextResolver } from '../core/jsonld/context-resolver.js';
import { isNgsiError } from '../core/errors.js';
import {
  DeviceRegistry,
  type CreateDevicesOptions,
  type ProvisioningReport,
} from '../devices/registry/registry-service.js';
import { openGovernance } from '../governance/governance.js';
import { DEFAULT_TENANT } from '../store/port.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { SETTINGS } from './config.js';
import {
  adminCommand,
  usageExit,
  withDataDirStore,
  type AdminCall,
  type CliAudit,
} from './data-dir-store.js';
import { durationMs } from './durations.js';

const USAGE = `usage: urbis devices <verb> [flags]

verbs:
  profiles put <file.json> [--tenant <t>]
  profiles list [--tenant <t>]
  create <file.csv|file.json> [--credentials token|password|none] [--tenant <t>]
  list [--tenant <t>]
  delete <deviceId> [--tenant <t>]
  credentials rotate <deviceId> <credentialId> [--tenant <t>]

--tenant defaults to the default tenant (""). Credentials are printed once: keep the output safe.
`;

/** Same alphabet as the NGSILD-Tenant header accepts. */
const TENANT = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,127}$/;
/** Devices read per page by `list`. */
const LIST_PAGE = 1000;

/** What each verb takes: its sub-verb (if any) and how many positionals after it. */
const SHAPES: Record<string, { sub?: string[]; args: Record<string, number> }> = {
  profiles: { sub: ['put', 'list'], args: { put: 1, list: 0 } },
  create: { args: { '': 1 } },
  list: { args: { '': 0 } },
  delete: { args: { '': 1 } },
  credentials: { sub: ['rotate'], args: { rotate: 2 } },
};

type Credentials = NonNullable<CreateDevicesOptions['credentials']>;

/** Run `urbis devices …`; resolves to the exit code. */
export const devicesCommand = adminCommand('devices', USAGE, async (call) => {
  const shape = Object.hasOwn(SHAPES, call.verb) ? SHAPES[call.verb] : undefined;
  if (shape === undefined) return usageExit(call, `unknown verb ${JSON.stringify(call.verb)}`);
  let values: { tenant?: string; credentials?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: call.rest,
      options: { tenant: { type: 'string' }, credentials: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return usageExit(call, (e as Error).message);
  }
  const sub = shape.sub === undefined ? '' : positionals.shift();
  if (sub === undefined || !Object.hasOwn(shape.args, sub))
    return usageExit(call, `${call.verb} takes one of: ${(shape.sub ?? []).join(', ')}`);
  const wanted = shape.args[sub] as number;
  const what = `${call.verb}${sub === '' ? '' : ` ${sub}`}`;
  if (positionals.length !== wanted)
    return usageExit(call, `${what} takes ${wanted} argument${wanted === 1 ? '' : 's'}`);
  const tenant = values.tenant ?? DEFAULT_TENANT;
  if (tenant !== DEFAULT_TENANT && !TENANT.test(tenant))
    return usageExit(call, `--tenant ${JSON.stringify(tenant)} is not a valid tenant name`);
  const credentials = values.credentials ?? 'token';
  if (values.credentials !== undefined && what !== 'create')
    return usageExit(call, '--credentials is for create only');
  if (credentials !== 'token' && credentials !== 'password' && credentials !== 'none')
    return usageExit(call, '--credentials must be token, password or none');

  return withDataDirStore(call, async (store, audit) => {
    const { registry, close } = await openRegistry(store);
    try {
      const verb: Verb = { call, tenant, audit, registry, args: positionals };
      if (what === 'profiles put') return await putProfile(verb);
      if (what === 'profiles list') return await listProfiles(verb);
      if (what === 'create') return await createDevices(verb, credentials);
      if (what === 'list') return await listDevices(verb, store);
      if (what === 'delete') return await deleteDevice(verb);
      return await rotateCredential(verb);
    } catch (e) {
      if (!isNgsiError(e)) throw e;
      call.err.write(`urbis devices: ${e.detail}\n`);
      return 2;
    } finally {
      await close();
    }
  });
});

/** One verb's run: where it writes, the tenant, the audit, the registry and its positionals. */
interface Verb {
  call: AdminCall;
  tenant: string;
  audit: CliAudit;
  registry: DeviceRegistry;
  args: string[];
}

/**
 * The registry as the HTTP app builds it: @contexts resolved from the store's hosted contexts first,
 * then the network (through the default SSRF guard); entity writes through the privacy gate.
 */
async function openRegistry(
  store: SqliteStore,
): Promise<{ registry: DeviceRegistry; close: () => Promise<void> }> {
  const hosted = new HostedContextService(store);
  const contexts = new ContextResolver(new RemoteContextLoader({ lookup: (url) => hosted.lookup(url) }));
  const governance = await openGovernance({
    store,
    contexts,
    pseudonymRotationMs: durationMs(SETTINGS.pseudonymRotation.default),
  });
  const entities = new EntityService({ store, ingest: governance.privacy });
  return { registry: new DeviceRegistry({ store, entities, contexts }), close: () => governance.close() };
}

async function putProfile({ call, tenant, audit, registry, args }: Verb): Promise<number> {
  const document = await readJson(call, args[0] as string);
  if (document === undefined) return 2;
  const id = (document as { id?: unknown } | null)?.id;
  const existed = typeof id === 'string' && (await registry.profileEntry(tenant, id)) !== undefined;
  const entry = await registry.putProfile(systemScope(tenant), document);
  await audit({
    tenant,
    action: 'device-profile.put',
    target: entry.id,
    detail: { created: !existed, transport: entry.profile.transport },
  });
  call.out.write(
    `profile ${entry.id} ${existed ? 'replaced' : 'created'} in tenant ${JSON.stringify(tenant)}\n`,
  );
  return 0;
}

async function listProfiles({ call, tenant, registry }: Verb): Promise<number> {
  for (const entry of await registry.listProfiles(tenant)) {
    const raw = entry.raw !== null && typeof entry.raw === 'object' ? entry.raw : {};
    call.out.write(`${JSON.stringify({ ...raw, createdAt: entry.createdAt, updatedAt: entry.updatedAt })}\n`);
  }
  return 0;
}

async function createDevices(
  { call, tenant, audit, registry, args }: Verb,
  credentials: Credentials,
): Promise<number> {
  const file = args[0] as string;
  let input: unknown[] | string;
  if (extname(file).toLowerCase() === '.csv') {
    const text = await readText(call, file);
    if (text === undefined) return 2;
    input = text;
  } else {
    const parsed = await readJson(call, file);
    if (parsed === undefined) return 2;
    input = Array.isArray(parsed) ? parsed : [parsed];
  }
  const report = await registry.createDevices(systemScope(tenant), input, { credentials });
  if (report.created.length > 0)
    await audit({
      tenant,
      action: 'device.create',
      detail: {
        credentials,
        created: report.created.length,
        failed: report.failed.length,
        ...(report.created.length <= 100 ? { ids: report.created.map((c) => c.id) } : {}),
      },
    });
  printReport(call, report, credentials);
  if (report.created.length === 0) return 2;
  return report.failed.length > 0 ? 1 : 0;
}

/** Created devices on stdout (one JSON line each, with the credential), refused rows and totals on stderr. */
function printReport(call: AdminCall, report: ProvisioningReport, credentials: Credentials): void {
  for (const created of report.created) call.out.write(`${JSON.stringify(created)}\n`);
  for (const f of report.failed) {
    const where = 'line' in f ? `line ${f.line}` : `row ${f.row}`;
    call.err.write(`urbis devices: ${where}${f.id !== undefined ? ` (${f.id})` : ''}: ${f.error}\n`);
  }
  const shownOnce = credentials !== 'none' && report.created.length > 0 ? '; credentials are shown once' : '';
  call.err.write(
    `urbis devices: created ${report.created.length}, refused ${report.failed.length}${shownOnce}\n`,
  );
}

async function listDevices({ call, tenant, registry }: Verb, store: SqliteStore): Promise<number> {
  for (let offset = 0; ; offset += LIST_PAGE) {
    const page = await registry.listDevices(tenant, LIST_PAGE, offset);
    for (const device of page.items) {
      const state = await store.devices.getState(tenant, device.id);
      const { tenant: _t, ...shown } = device;
      const { tenant: _st, deviceId: _d, offlineAt: _o, ...health } = state ?? { online: false };
      call.out.write(`${JSON.stringify({ ...shown, state: health })}\n`);
    }
    if (page.items.length < LIST_PAGE) return 0;
  }
}

async function deleteDevice({ call, tenant, audit, registry, args }: Verb): Promise<number> {
  const id = args[0] as string;
  if (!(await registry.deleteDevice(systemScope(tenant), id))) {
    call.err.write(`urbis devices: no device ${id} in tenant ${JSON.stringify(tenant)}\n`);
    return 2;
  }
  await audit({ tenant, action: 'device.delete', target: id });
  call.out.write(`deleted ${id}\n`);
  return 0;
}

async function rotateCredential({ call, tenant, audit, registry, args }: Verb): Promise<number> {
  const [deviceId, credentialId] = args as [string, string];
  const issued = await registry.rotateCredential(tenant, deviceId, credentialId);
  await audit({
    tenant,
    action: 'device-credential.rotate',
    target: deviceId,
    detail: { revoked: credentialId, credential: issued.id, kind: issued.kind },
  });
  call.err.write(`urbis devices: ${credentialId} revoked; the new credential is shown once\n`);
  call.out.write(`${JSON.stringify(issued)}\n`);
  return 0;
}

async function readText(call: AdminCall, file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    call.err.write(`urbis devices: cannot read ${file}: ${(e as Error).message}\n`);
    return undefined;
  }
}

async function readJson(call: AdminCall, file: string): Promise<unknown> {
  const text = await readText(call, file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    call.err.write(`urbis devices: ${file} is not JSON: ${(e as Error).message}\n`);
    return undefined;
  }
}
