/**
 * The NGSI-LD Notification (clause 5.3.1) for a batch of matches of one subscription: `id`, `type`
 * "Notification", `subscriptionId`, `notifiedAt` and `data`, each entity rendered in the
 * subscription's format (normalized, keyValues, concise) with its `sysAttrs`, `lang`, `pick` and
 * `omit`, compacted with the subscription's @context. With `endpoint.accept` application/geo+json,
 * `data` is a GeoJSON FeatureCollection whose geometries come from `location`.
 *
 * Additions to the rendered entities:
 * - showChanges: each updated or removed instance carries its former main member as `previousValue`
 *   (Property, GeoProperty), `previousObject`, `previousLanguageMap`, `previousValueList`,
 *   `previousObjectList`, `previousVocab` or `previousJson`;
 * - a deleted entity carries `deletedAt`; with sysAttrs, so does every NGSI-LD Null instance.
 * The @context itself (body member or Link header) is the caller's business: it depends on the media type.
 */
import { renderAttribute, renderEntity, type RenderOptions } from '../entity/render-entity.js';
import type { TermMapper } from '../jsonld/terms.js';
import { NGSI, type Attribute } from '../model/entity.js';
import { isNullInstance } from './match-change.js';
import type { NoticePayload, Subscription } from './model.js';

const PREVIOUS_MEMBER: Record<string, string> = {
  value: 'previousValue',
  object: 'previousObject',
  languageMap: 'previousLanguageMap',
  valueList: 'previousValueList',
  objectList: 'previousObjectList',
  vocab: 'previousVocab',
  json: 'previousJson',
};

/** Build the Notification body (without @context). */
export function renderNotification(
  sub: Subscription,
  notificationId: string,
  payloads: readonly NoticePayload[],
  notifiedAt: string,
  mapper: TermMapper,
): Record<string, unknown> {
  const options = renderOptionsOf(sub);
  const entities = payloads.map((p) => renderPayload(p, mapper, options));
  const data =
    sub.notification.endpoint.accept === 'application/geo+json'
      ? {
          type: 'FeatureCollection',
          features: entities.map((e, i) => toFeature(e, payloads[i]!)),
        }
      : entities;
  return { id: notificationId, type: 'Notification', subscriptionId: sub.id, notifiedAt, data };
}

/** The entity render options a subscription asks for. */
export function renderOptionsOf(sub: Subscription): RenderOptions {
  const n = sub.notification;
  const options: RenderOptions = { format: n.format, sysAttrs: n.sysAttrs };
  // pick and omit hold `id`, `type` and expanded attribute names, as renderEntity wants them.
  if (n.pick !== undefined) options.pick = new Set(n.pick);
  if (n.omit !== undefined) options.omit = new Set(n.omit);
  if (sub.lang !== undefined) options.lang = sub.lang;
  return options;
}

/** One matched entity, rendered, with deletedAt and previous values added. */
export function renderPayload(
  payload: NoticePayload,
  mapper: TermMapper,
  options: RenderOptions,
): Record<string, unknown> {
  const out = renderEntity(payload.entity, mapper, options);
  if (payload.trigger === 'entityDeleted') insertAfterType(out, 'deletedAt', payload.at);
  if (options.format === 'keyValues') return out;
  for (const [iri, instances] of Object.entries(payload.entity.attrs)) {
    const key = mapper.compactIri(iri);
    if (!(key in out)) continue; // left out by pick / omit
    const previous = payload.previous?.[iri] ?? [];
    const rendered = instances.map((inst) => {
      const before = previous.find((p) => p.datasetId === inst.datasetId);
      const nulled = isNullInstance(inst);
      if (before === undefined && !(nulled && options.sysAttrs))
        return renderAttribute(inst, mapper, options);
      // An object form is needed to carry the extra members, even in concise.
      const obj = asObject(renderAttribute(inst, mapper, { ...options, format: 'normalized' }));
      if (options.format === 'concise') delete obj.type;
      if (before !== undefined) Object.assign(obj, previousMember(before, mapper, options));
      if (nulled && options.sysAttrs) obj.deletedAt = payload.at;
      return obj;
    });
    out[key] = rendered.length === 1 ? rendered[0] : rendered;
  }
  return out;
}

/** `previousValue` (or the member for the instance's kind) holding the former main member. */
function previousMember(
  before: Attribute,
  mapper: TermMapper,
  options: RenderOptions,
): Record<string, unknown> {
  const rendered = asObject(renderAttribute(before, mapper, { format: 'normalized' }));
  for (const [member, previous] of Object.entries(PREVIOUS_MEMBER)) {
    if (member in rendered) return { [previous]: rendered[member] };
  }
  // A LanguageProperty rendered for a `lang` falls back to its map.
  return options.lang !== undefined && before.type === 'LanguageProperty'
    ? { previousLanguageMap: before.value }
    : {};
}

function asObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : { value: v };
}

/** Put `key` right after `type` (or last), so that the members read id, type, deletedAt, … */
function insertAfterType(out: Record<string, unknown>, key: string, value: unknown): void {
  const entries = Object.entries(out);
  const at = entries.findIndex(([k]) => k === 'type');
  entries.splice(at < 0 ? entries.length : at + 1, 0, [key, value]);
  for (const k of Object.keys(out)) delete out[k];
  Object.assign(out, Object.fromEntries(entries));
}

/** A rendered entity as a GeoJSON Feature (clause 4.5.16); the geometry is the `location` value. */
function toFeature(rendered: Record<string, unknown>, payload: NoticePayload): Record<string, unknown> {
  const { id, ...properties } = rendered;
  const geo =
    payload.entity.attrs[NGSI.location]?.find((a) => a.datasetId === undefined) ??
    payload.entity.attrs[NGSI.location]?.[0];
  const geometry = geo !== undefined && geo.type === 'GeoProperty' && !isNullInstance(geo) ? geo.value : null;
  return { id: id ?? payload.entity.id, type: 'Feature', geometry, properties };
}
