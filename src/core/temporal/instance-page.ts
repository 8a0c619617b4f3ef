/**
 * Temporal pagination (clause 6.3.10): when an attribute has more instances in the requested time
 * range than the broker returns at once, the answer is one page of the time range, the same for
 * every attribute of every entity, described by `Content-Range: date-time <start>-<end>/<size>`.
 * Forwards (oldest first) without lastN; backwards (most recent first) with lastN, whose value is
 * the size. The store is asked for one instance more than the page holds, so that a cut is known
 * for certain rather than guessed from a full page.
 */
import type { InstanceSelect, StoredInstance, TemporalEntity } from './model.js';

/** The part of the requested time range a page covers (ISO instants) and the size for Content-Range. */
export interface InstancePage {
  /** Forwards: where the page starts (timeAt or the oldest instance); backwards: the most recent end. */
  start: string;
  /** Forwards: the newest instance returned; backwards: the oldest one. */
  end: string;
  /** lastN when given, else `*` (unknown). */
  size: number | '*';
}

/**
 * Cut every attribute of `entities` (fetched with `max + 1` instances per attribute) to one page of
 * at most `max` instances per attribute. Without a cut, the entities come back unchanged and no page.
 */
export function cutToPage(
  entities: TemporalEntity[],
  select: Pick<InstanceSelect, 'time' | 'timeproperty' | 'lastN'>,
  max: number,
): { entities: TemporalEntity[]; page?: InstancePage } {
  const backwards = select.lastN !== undefined;
  const at = (i: StoredInstance): number | undefined => {
    const t = i[select.timeproperty];
    return t === undefined ? undefined : Date.parse(t);
  };
  // The boundary: forwards, the earliest last-kept instant of the cut attributes; backwards, the
  // latest first-kept one. Every attribute is then trimmed to it, so the page is one time range.
  let boundary: number | undefined;
  let boundaryIso = '';
  for (const e of entities) {
    for (const instances of Object.values(e.attrs)) {
      if (instances.length <= max) continue;
      const kept = backwards ? instances[instances.length - max] : instances[max - 1];
      const t = kept === undefined ? undefined : at(kept);
      if (t === undefined) continue;
      if (boundary === undefined || (backwards ? t > boundary : t < boundary)) {
        boundary = t;
        boundaryIso = kept![select.timeproperty]!;
      }
    }
  }
  if (boundary === undefined) return { entities: entities.map((e) => trimCount(e, max, backwards)) };
  const b = boundary;
  const inPage = (i: StoredInstance) => {
    const t = at(i);
    return t === undefined || (backwards ? t >= b : t <= b);
  };
  const paged = entities.map((e) => {
    const attrs: Record<string, StoredInstance[]> = {};
    for (const [name, instances] of Object.entries(e.attrs)) {
      const within = instances.filter(inPage);
      attrs[name] = backwards ? within.slice(-max) : within.slice(0, max);
    }
    return { ...e, attrs };
  });
  return {
    entities: paged,
    page: {
      start: pageStart(paged, select, backwards, at),
      end: boundaryIso,
      size: select.lastN ?? '*',
    },
  };
}

/** A page's start: the requested bound on that side when there is one, else the extreme instance. */
function pageStart(
  entities: TemporalEntity[],
  select: Pick<InstanceSelect, 'time' | 'timeproperty'>,
  backwards: boolean,
  at: (i: StoredInstance) => number | undefined,
): string {
  const time = select.time;
  if (time !== undefined) {
    if (!backwards && (time.timerel === 'after' || time.timerel === 'between')) return iso(time.timeAt);
    if (backwards && time.timerel === 'between') return iso(time.endTimeAt);
    if (backwards && time.timerel === 'before') return iso(time.timeAt);
  }
  let extreme: number | undefined;
  let extremeIso = '';
  for (const e of entities) {
    for (const instances of Object.values(e.attrs)) {
      for (const i of instances) {
        const t = at(i);
        if (t !== undefined && (extreme === undefined || (backwards ? t > extreme : t < extreme))) {
          extreme = t;
          extremeIso = i[select.timeproperty]!;
        }
      }
    }
  }
  return extremeIso;
}

/** No cut by time (instances lacking the time property only): still never return more than max. */
function trimCount(e: TemporalEntity, max: number, backwards: boolean): TemporalEntity {
  if (Object.values(e.attrs).every((i) => i.length <= max)) return e;
  const attrs: Record<string, StoredInstance[]> = {};
  for (const [name, instances] of Object.entries(e.attrs)) {
    attrs[name] = backwards ? instances.slice(-max) : instances.slice(0, max);
  }
  return { ...e, attrs };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
