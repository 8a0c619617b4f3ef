/**
 * Retention: which temporal history is past its time, as a plan of prune calls, and running it
 * (`urbis retention run [--dry-run]` and the scheduled job).
 *
 * One entry gives at most one prune per distinct retention: the attributes with their own retention
 * grouped by it, and the type's default retention for the rest. `prune` without `attrs` means every
 * attribute, so that form is used only where it is exact:
 * - when no declared attribute has a retention longer than the type default, the default group
 *   prunes every attribute (attrs absent). Attributes with a shorter retention lose nothing extra —
 *   their own, later cutoff removes more — and history of attributes the entry does not declare
 *   (stored before the entry existed, or since removed from it) goes at the default too;
 * - otherwise the default group lists the declared attributes without their own retention, since an
 *   all-attribute prune would cut the longer-kept ones short. Undeclared history of such a type is
 *   then kept: ingest no longer stores it, and an operator removes old remains by hand.
 * An attribute whose own retention equals the default joins the default group. No retention at all
 * means kept until deleted: no prune.
 *
 * The groups of a type run before its all-attribute group, so each instance is deleted, and counted,
 * once. A dry run deletes nothing, so the all-attribute group would also count the old instances of
 * the shorter-kept attributes; it subtracts them (`overlaps`) to report what a real run deletes.
 *
 * Entities with several types are pruned under each governed type, so the shortest retention wins.
 */
import { addDuration, formatDuration, parseDuration } from '../../core/temporal/duration.js';
import type { TypeGovernance } from '../privacy/model.js';
import { compareDurations } from '../privacy/apply-governance.js';
import type { TemporalRepository } from '../../store/port.js';

/** One prune: instances of `type` entities (of `attrs`, or of every attribute) recorded before `before`. */
export interface RetentionGroup {
  tenant: string;
  type: string;
  /** Expanded attribute names, sorted; absent: every attribute. */
  attrs?: string[];
  /** ISO instant: instances modified before it are deleted. */
  before: string;
  /** The retention (ISO duration) this group applies, for reports. */
  retention: string;
  /** All-attribute group only: attributes pruned by this type's other (shorter) groups. */
  overlaps?: string[];
}

export interface RetentionOutcome {
  tenant: string;
  type: string;
  attrs?: string[];
  before: string;
  /** Instances deleted (or, in a dry run, that would be). */
  instances: number;
}

/** The prunes due at `now` (epoch ms) for these entries, in the order they must run. */
export function planRetention(
  entries: ReadonlyArray<{ tenant: string; g: TypeGovernance }>,
  now: number,
): RetentionGroup[] {
  const plan: RetentionGroup[] = [];
  for (const { tenant, g } of entries) {
    const cutoff = (retention: string) =>
      new Date(addDuration(now, parseDuration(retention), -1)).toISOString();
    // Own retentions grouped by their normalised length (P1D and PT24H are one group).
    const own = new Map<string, { retention: string; attrs: string[] }>();
    const byDefault: string[] = [];
    let longerThanDefault = false;
    for (const [name, a] of Object.entries(g.attributes)) {
      if (
        a.retention === undefined ||
        (g.retention !== undefined && compareDurations(a.retention, g.retention) === 0)
      ) {
        byDefault.push(name);
        continue;
      }
      if (g.retention === undefined || compareDurations(a.retention, g.retention) > 0)
        longerThanDefault = true;
      const key = formatDuration(parseDuration(a.retention));
      const group = own.get(key) ?? { retention: a.retention, attrs: [] };
      group.attrs.push(name);
      own.set(key, group);
    }
    for (const { retention, attrs } of own.values()) {
      plan.push({ tenant, type: g.type, attrs: attrs.sort(), before: cutoff(retention), retention });
    }
    if (g.retention !== undefined) {
      if (!longerThanDefault) {
        const overlaps = [...own.values()].flatMap((group) => group.attrs).sort();
        plan.push({
          tenant,
          type: g.type,
          before: cutoff(g.retention),
          retention: g.retention,
          ...(overlaps.length === 0 ? {} : { overlaps }),
        });
      } else if (byDefault.length > 0) {
        plan.push({
          tenant,
          type: g.type,
          attrs: byDefault.sort(),
          before: cutoff(g.retention),
          retention: g.retention,
        });
      }
    }
  }
  // Per type: the groups with an attribute list first (see above), then by cutoff.
  return plan.sort(
    (a, b) =>
      cmp(a.tenant, b.tenant) ||
      cmp(a.type, b.type) ||
      Number(a.attrs === undefined) - Number(b.attrs === undefined) ||
      cmp(a.before, b.before) ||
      cmp(String(a.attrs), String(b.attrs)),
  );
}

/** Run the plan's prunes one after another (or count what they would delete, with `dryRun`). */
export async function runRetention(
  temporal: TemporalRepository,
  plan: readonly RetentionGroup[],
  dryRun: boolean,
): Promise<RetentionOutcome[]> {
  const outcomes: RetentionOutcome[] = [];
  for (const group of plan) {
    const types = [group.type];
    let instances = await temporal.prune(group.tenant, group.before, {
      types,
      ...(group.attrs === undefined ? {} : { attrs: group.attrs }),
      dryRun,
    });
    if (dryRun && group.attrs === undefined && group.overlaps !== undefined && group.overlaps.length > 0) {
      instances -= await temporal.prune(group.tenant, group.before, { types, attrs: group.overlaps, dryRun });
    }
    outcomes.push({
      tenant: group.tenant,
      type: group.type,
      ...(group.attrs === undefined ? {} : { attrs: group.attrs }),
      before: group.before,
      instances,
    });
  }
  return outcomes;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
