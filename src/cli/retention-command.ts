/**
 * `urbis retention <verb>`: the retention job, run now by the operator on the embedded store
 * (`<dataDir>/urbis.sqlite`), for every tenant, with the registry the server uses (each tenant's
 * stored entries over the built-in Smart Data Models ones).
 *
 *   run [--dry-run]   delete the history past its retention (with --dry-run: delete nothing, show
 *                     what would go), one line per tenant, type and attributes, then the total;
 *                     a real run also destroys expired pseudonym keys and is audited as `cli`
 *
 * Exit codes: 0 done, 1 some tenant failed (the others were done), 2 usage error or no store.
 */
import { parseArgs } from 'node:util';
import { GovernanceRegistry } from '../governance/privacy/registry.js';
import { builtInGovernance } from '../governance/privacy/smart-data-models.js';
import { RetentionJob, type RetentionReport } from '../governance/retention/retention-job.js';
import { adminCommand, usageExit, withDataDirStore, type CliAudit } from './data-dir-store.js';

const USAGE = `usage: urbis retention <verb> [flags]

verbs:
  run [--dry-run]   delete history older than each type's retention (--dry-run: only show what would go)
`;

/** Run `urbis retention …`; resolves to the exit code. */
export const retentionCommand = adminCommand('retention', USAGE, async (call) => {
  const { verb, out, err } = call;
  let dryRun: boolean;
  try {
    if (verb !== 'run') throw new TypeError(`unknown verb ${JSON.stringify(verb)}`);
    const { values } = parseArgs({
      args: call.rest,
      options: { 'dry-run': { type: 'boolean' } },
      strict: true,
    });
    dryRun = values['dry-run'] === true;
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return usageExit(call, e.message);
  }
  return withDataDirStore(call, async (store, audit) => {
    const registry = new GovernanceRegistry({
      repo: store.governance.registry,
      builtIn: builtInGovernance(),
      cacheMs: 0,
    });
    const keys = store.governance.pseudonymKeys;
    const job = new RetentionJob({
      store,
      registry,
      intervalMs: 1000,
      pseudonymiser: { destroyExpired: () => keys.destroyExpired(new Date().toISOString()) },
      // Failures are in the report, printed below.
      onError: () => undefined,
    });
    const report = await job.runOnce(dryRun);
    printReport(report, out);
    if (!dryRun) await auditRun(audit, report);
    for (const f of report.failures)
      err.write(`urbis retention: tenant ${JSON.stringify(f.tenant)}: ${f.error}\n`);
    return report.failures.length > 0 ? 1 : 0;
  });
});

function printReport(report: RetentionReport, out: NodeJS.WritableStream): void {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  out.write(`retention ${report.dryRun ? 'dry run' : 'run'} at ${report.at}\n`);
  for (const o of report.outcomes) {
    const attrs = o.attrs === undefined ? 'all attributes' : o.attrs.join(', ');
    out.write(
      `tenant ${JSON.stringify(o.tenant)} type ${o.type} (${attrs}) before ${o.before}: ${verb} ${o.instances} instances\n`,
    );
  }
  out.write(`total: ${verb} ${report.instances} instances`);
  out.write(report.dryRun ? '\n' : `; destroyed ${report.keysDestroyed} expired pseudonym keys\n`);
}

/** One audit entry per tenant that a real run pruned in (counts only). */
async function auditRun(audit: CliAudit, report: RetentionReport): Promise<void> {
  const perTenant = new Map<string, { prunes: number; instances: number }>();
  for (const o of report.outcomes) {
    const t = perTenant.get(o.tenant) ?? { prunes: 0, instances: 0 };
    t.prunes += 1;
    t.instances += o.instances;
    perTenant.set(o.tenant, t);
  }
  for (const [tenant, counts] of perTenant) {
    await audit({ tenant, action: 'retention.run', detail: { dryRun: false, ...counts } });
  }
}
