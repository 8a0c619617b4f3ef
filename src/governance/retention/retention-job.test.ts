// The retention job on a real (in-memory SQLite) store: a round covers every tenant with its own
// registry entries, a dry run deletes nothing, expired pseudonym keys go in real rounds, one tenant's
// failure does not stop the others, and the schedule (first round one interval after start, stop
// waiting for a round under way) with fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stampNew } from '../../core/entity/operations.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { Store } from '../../store/port.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { TypeGovernance } from '../privacy/model.js';
import { GovernanceRegistry } from '../privacy/registry.js';
import { RetentionJob, retainTenants, type RetentionReport } from './retention-job.js';

const V = 'https://example.org/vocab/';
const READING = `${V}Reading`;
const LEVEL = `${V}level`;
const mapper: TermMapper = {
  expandTerm: (t) => (t.includes(':') ? t : V + t),
  compactIri: (i) => (i.startsWith(V) ? i.slice(V.length) : i),
};

/** Built in: readings are kept 30 days. */
const BUILT_IN: TypeGovernance[] = [
  {
    type: READING,
    purpose: 'water network monitoring',
    undeclared: 'drop',
    retention: 'P30D',
    attributes: { [LEVEL]: { classification: 'public', treatment: { kind: 'keep' } } },
  },
];

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1, 12);
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();

let store: Store;
let registry: GovernanceRegistry;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  registry = new GovernanceRegistry({ repo: store.governance.registry, builtIn: BUILT_IN });
});

afterEach(async () => {
  vi.useRealTimers();
  await store.close();
});

/** One reading entity per tenant with instances 60, 40 and 1 day(s) old. */
async function seed(tenant: string): Promise<void> {
  const id = `urn:reading:${tenant}`;
  for (const [i, days] of [60, 40, 1].entries()) {
    const entity = stampNew(
      { id, type: [READING], attrs: { [LEVEL]: [{ type: 'Property', value: i }] } },
      ago(days),
    );
    const [r] = await store.mutate(tenant, [{ id, decide: () => ({ action: 'put', entity }) }]);
    expect(r?.ok).toBe(true);
  }
}

async function levels(tenant: string): Promise<unknown[]> {
  const e = await store.temporal.get(tenant, `urn:reading:${tenant}`, {
    timeproperty: 'createdAt',
    limit: 100,
  });
  return (e?.attrs[LEVEL] ?? []).map((i) => i.value);
}

const job = (extra: Partial<ConstructorParameters<typeof RetentionJob>[0]> = {}) =>
  new RetentionJob({ store, registry, intervalMs: 60_000, now: () => NOW, ...extra });

describe('a round', () => {
  beforeEach(async () => {
    await seed('north');
    await seed('south');
    // South keeps its readings 90 days: its own entry replaces the built-in one.
    await registry.put(
      'south',
      {
        type: 'Reading',
        purpose: 'leak studies',
        retention: 'P90D',
        attributes: { level: { classification: 'public' } },
      },
      mapper,
      'admin',
      ago(0),
    );
  });

  it('prunes every tenant by its own entries', async () => {
    const destroyExpired = vi.fn(async () => 2);
    const report = await job({ pseudonymiser: { destroyExpired } }).runOnce(false);
    expect(await levels('north')).toEqual([2]);
    expect(await levels('south')).toEqual([0, 1, 2]);
    const north = report.outcomes.filter((o) => o.tenant === 'north');
    expect(north).toEqual([{ tenant: 'north', type: READING, before: ago(30), instances: 2 }]);
    expect(report.outcomes.find((o) => o.tenant === 'south')).toMatchObject({
      before: ago(90),
      instances: 0,
    });
    expect(report).toMatchObject({ at: ago(0), dryRun: false, instances: 2, keysDestroyed: 2, failures: [] });
    expect(destroyExpired).toHaveBeenCalledTimes(1);
  });

  it('deletes nothing and destroys no key in a dry run, and reports what a real run deletes', async () => {
    const destroyExpired = vi.fn(async () => 2);
    const j = job({ pseudonymiser: { destroyExpired } });
    const dry = await j.runOnce(true);
    expect(dry).toMatchObject({ dryRun: true, instances: 2, keysDestroyed: 0 });
    expect(destroyExpired).not.toHaveBeenCalled();
    expect(await levels('north')).toEqual([0, 1, 2]);
    const real = await j.runOnce(false);
    expect(real.outcomes).toEqual(dry.outcomes);
    expect(await j.runOnce(false)).toMatchObject({ instances: 0 });
  });

  it('goes on with the other tenants when one fails, and reports the failure', async () => {
    const errors: unknown[] = [];
    const failing = {
      list: async (tenant: string) => {
        if (tenant === 'north') throw new Error('unreadable entry');
        return registry.list(tenant);
      },
    };
    const report = await job({ registry: failing, onError: (e) => errors.push(e) }).runOnce(false);
    expect(report.failures).toEqual([{ tenant: 'north', error: 'unreadable entry' }]);
    expect(errors).toHaveLength(1);
    expect(await levels('north')).toEqual([0, 1, 2]);
    expect(report.outcomes.every((o) => o.tenant !== 'north')).toBe(true);
  });

  it('retainTenants runs the named tenants only', async () => {
    const outcomes = await retainTenants({ store, registry }, ['north'], NOW, false);
    expect(outcomes.map((o) => o.tenant)).toEqual(['north']);
    expect(await levels('north')).toEqual([2]);
    expect(await levels('south')).toEqual([0, 1, 2]);
  });
});

describe('the schedule', () => {
  it('runs the first round one interval after start, then every interval, until stop', async () => {
    vi.useFakeTimers();
    const reports: RetentionReport[] = [];
    const j = job({ onRun: (r) => reports.push(r) });
    j.start();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(reports).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.waitFor(() => expect(reports).toHaveLength(2));
    await j.stop();
    await vi.advanceTimersByTimeAsync(180_000);
    expect(reports).toHaveLength(2);
  });

  it('stop() waits for the round under way', async () => {
    await seed('north');
    vi.useFakeTimers();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const entered = vi.fn();
    const slow = {
      list: async (tenant: string) => {
        entered();
        await gate;
        return registry.list(tenant);
      },
    };
    const reports: RetentionReport[] = [];
    const j = job({ registry: slow, onRun: (r) => reports.push(r) });
    j.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.waitFor(() => expect(entered).toHaveBeenCalled());
    let stopped = false;
    const stopping = j.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(stopped).toBe(false);
    release();
    // The store's work is scheduled on (fake) timers too: let them run until stop() resolves.
    for (let i = 0; i < 100 && !stopped; i++) await vi.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(true);
    await stopping;
    expect(reports).toHaveLength(1);
    expect(await levels('north')).toEqual([2]);
  });

  it('refuses an interval under a second', () => {
    expect(() => job({ intervalMs: 10 })).toThrow(RangeError);
  });
});
