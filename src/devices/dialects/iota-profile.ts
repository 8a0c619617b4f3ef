/**
 * How an IoT Agent service group and its devices become Urbis device profiles (pure). A group with
 * attributes is one profile (transport `iota-json`, JSON codec, its entity type, `object_id → name`
 * mapping); its devices that declare nothing of their own feed through it, as a fleet of identical
 * sensors should. A device with its own attributes or entity type — the FIWARE tutorials provision
 * most devices that way — gets a profile of its own: the group's attributes overridden by the
 * device's. Profile ids derive from the apikey hash (and the device id), so they are stable across
 * updates: changing a group rewrites its profiles in place.
 *
 * Measures the mapping does not name are not stored (Urbis's minimisation — the IoT Agent's
 * `explicitAttrs: true`), and a measure named `TimeInstant` is the device's clock, as the IoT Agent's
 * timestamp processing reads it. Attribute types (`Number`, `Text`…) do not convert values.
 */
import { createHash } from 'node:crypto';
import { ENTITY_MEMBERS } from '../../core/model/entity.js';
import { localName } from '../registry/device.js';
import type { IotaAttribute } from './iota-model.js';

/** The measure the IoT Agent reads as the device's own time (and where the `t` parameter goes). */
export const TIME_INSTANT = 'TimeInstant';

/** What a device feeds: the entity type and attributes in effect for it. */
export interface EffectiveMapping {
  entityType: string;
  attributes: IotaAttribute[];
}

/** The hex SHA-256 of an apikey, as stored. */
export function hashApikey(apikey: string): string {
  return createHash('sha256').update(apikey, 'utf8').digest('hex');
}

/** The first characters of an apikey, to recognise it in listings. */
export function apikeyPrefix(apikey: string): string {
  return apikey.slice(0, 4);
}

/** The profile id of a group (from its apikey hash: never the apikey). */
export function groupProfileId(apikeyHash: string): string {
  return `iota-${apikeyHash.slice(0, 24)}`;
}

/** The profile id of a device that declares attributes or an entity type of its own. */
export function deviceProfileId(apikeyHash: string, deviceId: string): string {
  const device = createHash('sha256').update(deviceId, 'utf8').digest('hex').slice(0, 24);
  return `${groupProfileId(apikeyHash)}-${device}`;
}

/**
 * What a device feeds: its entity type, else its group's; the group's attributes with the device's
 * own overriding those of the same measure (object_id) or the same attribute name.
 */
export function effectiveMapping(
  group: EffectiveMapping,
  device: { entityType?: string; attributes: IotaAttribute[] },
): EffectiveMapping {
  const own = new Set(device.attributes.map((a) => a.objectId));
  const ownNames = new Set(device.attributes.map((a) => a.name));
  const inherited = group.attributes.filter((a) => !own.has(a.objectId) && !ownNames.has(a.name));
  return {
    entityType: device.entityType ?? group.entityType,
    attributes: [...inherited, ...device.attributes],
  };
}

/** Whether a device feeds through its group's profile: it declares nothing that differs from the group. */
export function usesGroupProfile(
  group: { entityType: string },
  device: { entityType?: string; attributes: IotaAttribute[]; commands?: readonly string[] },
): boolean {
  return (
    device.attributes.length === 0 &&
    (device.commands ?? []).length === 0 &&
    (device.entityType === undefined || device.entityType === group.entityType)
  );
}

/**
 * The Urbis profile document for a mapping, or undefined when no attribute is left to map (an
 * attribute named `id` or `type` is dropped, as the IoT Agent drops it). Later attributes of the same
 * measure win, as in the IoT Agent.
 */
export function profileDocument(
  id: string,
  mapping: EffectiveMapping,
  description: string,
  commands: readonly string[] = [],
): Record<string, unknown> | undefined {
  // A Map, not an object: a measure named __proto__ must stay a measure.
  const rules = new Map<string, { attribute: string; unitCode?: string }>();
  for (const a of mapping.attributes) {
    if (ENTITY_MEMBERS.has(a.name) || a.name.startsWith('@')) continue;
    rules.set(a.objectId, {
      attribute: a.name,
      ...(a.unitCode !== undefined ? { unitCode: a.unitCode } : {}),
    });
  }
  if (rules.size === 0 && commands.length === 0) return undefined;
  return {
    id,
    description,
    transport: 'iota-json',
    codec: { kind: 'json' },
    entityType: mapping.entityType,
    // fromEntries defines own properties, so every field name stays a field.
    ...(rules.size > 0 ? { mapping: Object.fromEntries(rules) } : {}),
    deviceTime: TIME_INSTANT,
    // The IoT Agent's command types say nothing of the value: any JSON value, size-bounded.
    ...(commands.length > 0
      ? { commands: Object.fromEntries(commands.map((c) => [c, { type: 'json' }])) }
      : {}),
  };
}

/**
 * The entity a device feeds: its entity_name when that is already an IRI (`urn:…`, `http(s)://…`),
 * else `urn:ngsi-ld:<type>:<entity_name or device_id>` — the IoT Agent's own NGSI-LD naming.
 */
export function entityIdOf(entityType: string, deviceId: string, entityName?: string): string {
  if (entityName !== undefined && /^(?:urn:|https?:\/\/)/i.test(entityName)) return entityName;
  return `urn:ngsi-ld:${localName(entityType)}:${encodeURIComponent(entityName ?? deviceId)}`;
}
