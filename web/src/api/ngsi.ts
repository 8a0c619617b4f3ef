/**
 * NGSI-LD reads the dashboard needs: every entity of some types (paged at the server's maximum
 * limit), one entity, the types present, and a temporal aggregate for the charts.
 */
import type { NgsiEntity } from '../lib/entity.js';
import { vocabulary } from '../lib/vocabulary.js';
import { seg, type ApiClient } from './client.js';

const BASE = '/ngsi-ld/v1';
/** Urbis's default maxLimit (src/cli/config.ts); a server configured lower answers 400 and we retry smaller. */
export const PAGE = 1000;

/** Every entity of `types`, page by page; `onPage` sees each page as it arrives (the map fills progressively). */
export async function queryAll(
  api: ApiClient,
  types: readonly string[],
  onPage?: (page: NgsiEntity[]) => void,
  signal?: AbortSignal,
): Promise<NgsiEntity[]> {
  if (types.length === 0) return [];
  const all: NgsiEntity[] = [];
  let limit = PAGE;
  for (let offset = 0; ;) {
    const qs = new URLSearchParams({
      type: types.flatMap((t) => vocabulary.fullAll(t)).join(','),
      limit: String(limit),
      offset: String(offset),
    });
    let page: NgsiEntity[];
    try {
      page = (await api.json<NgsiEntity[]>(`${BASE}/entities?${qs}`, signal ? { signal } : {})).map((e) =>
        vocabulary.entity(e),
      );
    } catch (e) {
      // A server with a smaller maxLimit refuses ours: halve until it takes it.
      if (limit > 50 && e instanceof Error && 'status' in e && (e as { status: number }).status === 400) {
        limit = Math.floor(limit / 2);
        continue;
      }
      throw e;
    }
    all.push(...page);
    onPage?.(page);
    if (page.length < limit) return all;
    offset += page.length;
  }
}

/** The entity types the tenant holds. */
export async function listTypes(api: ApiClient): Promise<string[]> {
  const list = await api.json<{ typeList?: string[] } | Array<{ typeName?: string; id?: string }>>(
    `${BASE}/types`,
  );
  const names = Array.isArray(list)
    ? list.map((t) => t.typeName ?? t.id ?? '').filter((t) => t !== '')
    : (list.typeList ?? []);
  return names.map((t) => vocabulary.short(t));
}

/** One entity, normalized; undefined when not found. */
export async function getEntity(api: ApiClient, id: string): Promise<NgsiEntity | undefined> {
  try {
    return vocabulary.entity(await api.json<NgsiEntity>(`${BASE}/entities/${seg(id)}`));
  } catch (e) {
    if (e instanceof Error && 'status' in e && (e as { status: number }).status === 404) return undefined;
    throw e;
  }
}

/** The aggregated history of `attr` since `from`, per `period`, for `methods`. */
export async function temporalAggregate(
  api: ApiClient,
  id: string,
  attr: string,
  from: Date,
  period: string,
  methods: readonly string[],
): Promise<unknown> {
  const qs = new URLSearchParams({
    attrs: vocabulary.fullAll(attr).join(','),
    timerel: 'after',
    timeAt: from.toISOString(),
    options: 'aggregatedValues',
    aggrMethods: methods.join(','),
    aggrPeriodDuration: period,
  });
  const body = await api.json<unknown>(`${BASE}/temporal/entities/${seg(id)}?${qs}`);
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? vocabulary.entity(body as Record<string, unknown>)
    : body;
}
