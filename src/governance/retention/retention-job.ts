/**
 * The scheduled retention job (issue #4): every `intervalMs`, for every tenant of the store, the
 * prunes its registry entries call for (planRetention: history older than each type's or attribute's
 * retention), and the destruction of pseudonym keys that have expired — also for tenants that stopped
 * sending data, whose keys no write would otherwise replace.
 *
 * One round at a time: a round that outlasts the interval delays the next one, and `stop()` waits
 * for a round under way, so that a process closing its store never cuts a prune short. A tenant that
 * fails (an unreadable registry entry) is reported to `onError` and the round goes on with the
 * others: one tenant's broken entry must not keep every other tenant's data past its time.
 *
 * `retainTenants` is the round's work for a given list of tenants, shared with the admin route (one
 * tenant) and `urbis retention run`.
 */
import type { ExclusiveRunner } from '../../core/jobs/exclusive.js';
import type { Store } from '../../store/port.js';
import type { Pseudonymiser } from '../privacy/pseudonymiser.js';
import type { GovernanceRegistry } from '../privacy/registry.js';
import { planRetention, runRetention, type RetentionOutcome } from './retention-plan.js';

/** What one round did (or, in a dry run, would do). */
export interface RetentionReport {
  /** ISO instant the round's cutoffs were computed from. */
  at: string;
  dryRun: boolean;
  /** One per prune, in the order run: tenant, type, attributes (absent: all), cutoff, instances. */
  outcomes: RetentionOutcome[];
  /** Instances deleted in total (or that would be). */
  instances: number;
  /** Expired pseudonym keys destroyed (0 in a dry run, which destroys nothing). */
  keysDestroyed: number;
  /** Tenants whose round failed, with why (the error went to onError too); tenant `*`: the key clean-up. */
  failures: Array<{ tenant: string; error: string }>;
}

export interface RetentionJobOptions {
  store: Store;
  registry: Pick<GovernanceRegistry, 'list'>;
  /** Time between rounds, ms (the first round runs one interval after start()). */
  intervalMs: number;
  /** Destroys expired pseudonym keys each round; absent: keys are left to the pseudonymiser's own clean-up. */
  pseudonymiser?: Pick<Pseudonymiser, 'destroyExpired'>;
  /** Told of each finished round. */
  onRun?: (report: RetentionReport) => void;
  /** Told of each failure (a tenant, the key clean-up, or onRun itself); default: a process warning. */
  onError?: (error: unknown) => void;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
  /** With several replicas: asked before each scheduled round, so that one replica runs it. */
  exclusive?: ExclusiveRunner;
}

/** Run retention for these tenants at `now` (one tenant's failure throws: callers decide what goes on). */
export async function retainTenants(
  deps: { store: Store; registry: Pick<GovernanceRegistry, 'list'> },
  tenants: readonly string[],
  now: number,
  dryRun: boolean,
): Promise<RetentionOutcome[]> {
  const outcomes: RetentionOutcome[] = [];
  for (const tenant of tenants) {
    const entries = (await deps.registry.list(tenant)).map((e) => ({ tenant, g: e.governance }));
    outcomes.push(...(await runRetention(deps.store.temporal, planRetention(entries, now), dryRun)));
  }
  return outcomes;
}

export class RetentionJob {
  private readonly options: RetentionJobOptions;
  private readonly now: () => number;
  private readonly onError: (error: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  /** The round under way (scheduled or asked for), if any; rounds queue behind it. */
  private round: Promise<unknown> = Promise.resolve();
  private started = false;

  constructor(options: RetentionJobOptions) {
    if (!Number.isSafeInteger(options.intervalMs) || options.intervalMs < 1000) {
      throw new RangeError(`the retention interval must be at least 1000 ms, got ${options.intervalMs}`);
    }
    this.options = options;
    this.now = options.now ?? Date.now;
    this.onError =
      options.onError ??
      ((error) =>
        process.emitWarning(`retention round failed: ${(error as Error)?.message ?? String(error)}`));
  }

  /** One round over every tenant now (after any round under way). */
  runOnce(dryRun = false): Promise<RetentionReport> {
    const next = this.round.then(() => this.runRound(dryRun));
    this.round = next.catch(() => undefined);
    return next;
  }

  /** Run a round every interval until stop(); the first one interval from now. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule();
  }

  /** No more rounds; resolves when the round under way (if any) is over. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
    await this.options.exclusive?.release().catch(() => undefined);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const exclusive = this.options.exclusive;
      (exclusive ? exclusive.run(() => this.runOnce(false)) : this.runOnce(false))
        .then(
          (report) => report !== undefined && this.options.onRun?.(report),
          (error: unknown) => this.onError(error),
        )
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          if (this.started) this.schedule();
        });
    }, this.options.intervalMs);
    // A pending round must not keep the process alive.
    this.timer.unref();
  }

  private async runRound(dryRun: boolean): Promise<RetentionReport> {
    const now = this.now();
    const { store, registry, pseudonymiser } = this.options;
    const outcomes: RetentionOutcome[] = [];
    const failures: RetentionReport['failures'] = [];
    for (const tenant of await store.listTenants()) {
      try {
        outcomes.push(...(await retainTenants({ store, registry }, [tenant], now, dryRun)));
      } catch (error) {
        failures.push({ tenant, error: error instanceof Error ? error.message : String(error) });
        this.onError(error);
      }
    }
    let keysDestroyed = 0;
    if (!dryRun && pseudonymiser !== undefined) {
      try {
        keysDestroyed = await pseudonymiser.destroyExpired();
      } catch (error) {
        failures.push({ tenant: '*', error: error instanceof Error ? error.message : String(error) });
        this.onError(error);
      }
    }
    return {
      at: new Date(now).toISOString(),
      dryRun,
      outcomes,
      instances: outcomes.reduce((n, o) => n + o.instances, 0),
      keysDestroyed,
      failures,
    };
  }
}
