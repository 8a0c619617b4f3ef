// `urbis retention run` against a real store file: history written with old timestamps under the
// built-in Smart Data Models entries (ParkingSpot: 1 year; WasteContainer: 2 years, its licence
// plates 30 days) and a tenant's own entry; a dry run reports and deletes nothing, a real run deletes
// the old history only, in every tenant by its own entries, and is audited.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { retentionCommand } from '../../src/cli/retention-command.js';
import { stampNew } from '../../src/core/entity/operations.js';
import type { Attribute } from '../../src/core/model/entity.js';
import { GovernanceRegistry } from '../../src/governance/privacy/registry.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { runCommand } from '../support/cli-run.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SDM = 'https://smartdatamodels.org/';
const SPOT = `${SDM}dataModel.Parking/ParkingSpot`;
const CONTAINER = `${SDM}dataModel.WasteManagement/WasteContainer`;
const STATUS = 'https://uri.etsi.org/ngsi-ld/status';
const PLATE = `${SDM}dataModel.WasteManagement/license_plate`;
const FILLING = `${SDM}dataModel.WasteManagement/fillingLevel`;

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** Write `id` once per step, each step's attributes stamped `days` ago. */
async function history(
  store: SqliteStore,
  tenant: string,
  id: string,
  type: string,
  steps: Array<[number, Record<string, Attribute[]>]>,
): Promise<void> {
  let attrs: Record<string, Attribute[]> = {};
  for (const [days, changed] of steps) {
    const at = ago(days);
    // Attributes not changed in this step keep their instance (and time); changed ones are stamped now.
    attrs = { ...attrs, ...stampNew({ id, type: [type], attrs: changed }, at).attrs };
    const entity = { id, type: [type], attrs, createdAt: at, modifiedAt: at };
    const [r] = await store.mutate(tenant, [{ id, decide: () => ({ action: 'put', entity }) }]);
    expect(r?.ok).toBe(true);
  }
}

const p = (value: unknown): Attribute[] => [{ type: 'Property', value }];

/** A data dir whose store holds old and recent history in tenants north and south. */
async function dataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'urbis-retention-'));
  dirs.push(dir);
  const store = openSqliteStore({ path: join(dir, 'urbis.sqlite'), backgroundCheckpoint: false });
  await store.migrate();
  for (const tenant of ['north', 'south']) {
    await history(store, tenant, 'urn:spot:1', SPOT, [
      [730, { [STATUS]: p('free') }],
      [180, { [STATUS]: p('occupied') }],
      [1, { [STATUS]: p('free') }],
    ]);
  }
  await history(store, 'north', 'urn:container:1', CONTAINER, [
    [60, { [PLATE]: p('AB-123-CD'), [FILLING]: p(0.2) }],
    [10, { [PLATE]: p('XY-999-ZZ') }],
  ]);
  // South keeps its parking history three years.
  const registry = new GovernanceRegistry({ repo: store.governance.registry, builtIn: [] });
  const iri = { expandTerm: (t: string) => (t === 'ParkingSpot' ? SPOT : t), compactIri: (i: string) => i };
  await registry.put(
    'south',
    { type: 'ParkingSpot', purpose: 'occupancy studies', retention: 'P3Y', attributes: {} },
    iri,
    'test',
    ago(0),
  );
  await store.close();
  return dir;
}

const run = (args: string[], dir: string) => runCommand(retentionCommand, args, dir);

/** The stored values of one attribute's history, oldest first. */
async function values(dir: string, tenant: string, id: string, attr: string): Promise<unknown[]> {
  const store = openSqliteStore({ path: join(dir, 'urbis.sqlite'), backgroundCheckpoint: false });
  try {
    const e = await store.temporal.get(tenant, id, { timeproperty: 'createdAt', limit: 100 });
    return (e?.attrs[attr] ?? []).map((i) => i.value);
  } finally {
    await store.close();
  }
}

async function snapshot(dir: string): Promise<unknown[]> {
  return [
    await values(dir, 'north', 'urn:spot:1', STATUS),
    await values(dir, 'south', 'urn:spot:1', STATUS),
    await values(dir, 'north', 'urn:container:1', PLATE),
    await values(dir, 'north', 'urn:container:1', FILLING),
  ];
}

describe('urbis retention run', () => {
  it('--dry-run reports per tenant, type and attributes what would go, and deletes nothing', async () => {
    const dir = await dataDir();
    const before = await snapshot(dir);
    expect(before).toEqual([
      ['free', 'occupied', 'free'],
      ['free', 'occupied', 'free'],
      ['AB-123-CD', 'XY-999-ZZ'],
      [0.2],
    ]);
    const { code, out, err } = await run(['run', '--dry-run'], dir);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^retention dry run at /);
    expect(out).toMatch(
      new RegExp(`tenant "north" type ${SPOT} \\(all attributes\\) before \\S+: would delete 1 instances`),
    );
    expect(out).toMatch(
      new RegExp(`tenant "north" type ${CONTAINER} \\(${PLATE}\\) before \\S+: would delete 1 instances`),
    );
    expect(out).toMatch(
      new RegExp(
        `tenant "north" type ${CONTAINER} \\(all attributes\\) before \\S+: would delete 0 instances`,
      ),
    );
    expect(out).toMatch(
      new RegExp(`tenant "south" type ${SPOT} \\(all attributes\\) before \\S+: would delete 0 instances`),
    );
    expect(out).toMatch(/\ntotal: would delete 2 instances\n$/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('deletes the old history only, by each tenant’s entries, and audits the run', async () => {
    const dir = await dataDir();
    const { code, out } = await run(['run'], dir);
    expect(code).toBe(0);
    expect(out).toMatch(
      new RegExp(`tenant "north" type ${SPOT} \\(all attributes\\) before \\S+: deleted 1 instances`),
    );
    expect(out).toMatch(/\ntotal: deleted 2 instances; destroyed 0 expired pseudonym keys\n$/);
    expect(await snapshot(dir)).toEqual([
      ['occupied', 'free'],
      ['free', 'occupied', 'free'],
      ['XY-999-ZZ'],
      [0.2],
    ]);
    const store = openSqliteStore({ path: join(dir, 'urbis.sqlite'), backgroundCheckpoint: false });
    try {
      const runs = (await store.governance.audit.read({ limit: 100 })).filter(
        (e) => e.action === 'retention.run',
      );
      const north = runs.find((e) => e.tenant === 'north');
      expect(north).toMatchObject({
        principal: 'cli',
        outcome: 'success',
        detail: { dryRun: false, instances: 2 },
      });
      expect(runs.find((e) => e.tenant === 'south')).toMatchObject({ detail: { instances: 0 } });
    } finally {
      await store.close();
    }
    // A second run finds nothing more.
    expect((await run(['run'], dir)).out).toMatch(/\ntotal: deleted 0 instances/);
  });

  it('refuses a missing store, an unknown verb or flag (exit 2), and explains itself on help', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'urbis-retention-none-'));
    dirs.push(empty);
    const missing = await run(['run'], empty);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no store at');
    const dir = await dataDir();
    expect((await run(['prune'], dir)).code).toBe(2);
    const flag = await run(['run', '--dryrun'], dir);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('--dryrun');
    expect((await run([], dir)).code).toBe(2);
    const help = await run(['help'], dir);
    expect(help.code).toBe(0);
    expect(help.out).toContain('run [--dry-run]');
  });
});
