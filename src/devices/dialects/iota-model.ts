/**
 * Reads the documents of the FIWARE IoT Agent provisioning API (`/iot/services`, `/iot/devices`) as
 * an existing fleet's scripts send them, so that those scripts run unchanged against Urbis. Field
 * names are the IoT Agent's (snake_case, `object_id`, `entity_type`…).
 *
 * Members that only configure the IoT Agent itself (cbroker, timezone, transport, timestamp…) are
 * accepted and kept, so a document reads back as it was written. Members whose meaning Urbis does not
 * implement and that would change what is stored — expressions, multi-entity attributes, entity name
 * expressions — are refused with a 400 naming them: storing the measures differently without saying
 * so would be worse than refusing. Unknown members are refused too (a typo must not pass silently).
 */
import { badRequest } from '../../core/errors.js';
import { ID_PATTERN } from '../registry/profile.js';

/** One measure the fleet sends and the attribute it feeds. */
export interface IotaAttribute {
  /** The measure's name in the device's JSON (defaults to `name`). */
  objectId: string;
  /** The attribute of the entity. */
  name: string;
  /** The IoT Agent's type (`Number`, `Text`, `Property`…): kept, not used to convert values. */
  type: string;
  /** A UN/CEFACT code from `metadata.unitCode` (the IoT Agent's NGSI-LD way of giving a unit). */
  unitCode?: string;
}

/** A service group as provisioned. */
export interface IotaGroupInput {
  apikey: string;
  resource: string;
  entityType: string;
  attributes: IotaAttribute[];
  /** The document without its apikey: what is stored and shown back. */
  document: Record<string, unknown>;
}

/** A device as provisioned. */
export interface IotaDeviceInput {
  deviceId: string;
  entityName?: string;
  entityType?: string;
  attributes: IotaAttribute[];
  /** Names of the commands the device accepts (`commands: [{name, type}]`). */
  commands: string[];
  /** The apikey of the device's group, when the device names it. */
  apikey?: string;
  /** The document without its apikey: what is stored and shown back. */
  document: Record<string, unknown>;
}

/** Resources a group may name: Urbis speaks the JSON IoT Agent's HTTP resource, or MQTT only (`''`). */
export const IOTA_RESOURCES = ['/iot/json', ''] as const;
export const DEFAULT_RESOURCE = '/iot/json';
/** When neither the group nor the device names one (the IoT Agent's usual default). */
export const DEFAULT_ENTITY_TYPE = 'Thing';
/** Most groups or devices in one provisioning request. */
export const MAX_PROVISIONING_ITEMS = 1000;
export const MAX_APIKEY_LENGTH = 256;
const MAX_NAME_LENGTH = 256;

/** Members of the IoT Agent's data model that configure the agent itself: kept, without effect here. */
const AGENT_MEMBERS = [
  'cbroker',
  'token',
  'description',
  'timestamp',
  'explicitAttrs',
  'autoprovision',
  'static_attributes',
  'lazy',
  'internal_attributes',
  'trust',
  'transport',
  'protocol',
  'timezone',
  'ngsiVersion',
  'expressionLanguage',
  'payloadType',
  'contentType',
  'endpoint',
  'polling',
  'defaultEntityNameConjunction',
  'useCBflowControl',
  'storeLastMeasure',
  'service',
  'subservice',
  'service_path',
];
/** Members with a meaning Urbis does not implement; refused, with the reason. */
const UNSUPPORTED: Record<string, string> = {
  entityNameExp: 'entity names computed by expressions are not supported',
  expression: 'expressions are not supported (Urbis never evaluates code from a document)',
  entity_name: 'attributes feeding another entity (multi-entity) are not supported',
  entity_type: 'attributes feeding another entity (multi-entity) are not supported',
  reverse: 'reverse attributes are not supported',
  skipValue: 'skipValue applies to expressions, which are not supported',
};
// A group's commands are kept without effect: its devices declare theirs (as the tutorials do).
const GROUP_MEMBERS = new Set([
  'apikey',
  'resource',
  'entity_type',
  'attributes',
  'commands',
  ...AGENT_MEMBERS,
]);
const DEVICE_MEMBERS = new Set([
  'device_id',
  'entity_name',
  'entity_type',
  'attributes',
  'commands',
  'apikey',
  ...AGENT_MEMBERS,
]);
const COMMAND_MEMBERS = new Set(['name', 'type', 'value']);
const ATTRIBUTE_MEMBERS = new Set(['object_id', 'name', 'type', 'metadata']);
const UNIT_CODE = /^[A-Z0-9]{2,3}$/;

/** The `services` array of a `POST /iot/services` body. */
export function parseServicesBody(body: unknown): unknown[] {
  return itemsOf(body, 'services');
}

/** The `devices` array of a `POST /iot/devices` body. */
export function parseDevicesBody(body: unknown): unknown[] {
  return itemsOf(body, 'devices');
}

/** Read one service group; throws BadRequestData naming `at` and the member. */
export function parseGroup(raw: unknown, at = 'service'): IotaGroupInput {
  const g = object(raw, at);
  const apikey = apikeyOf(g.apikey, `${at}.apikey`);
  if (apikey === undefined) throw badRequest(`${at}.apikey is required`);
  return { apikey, ...parseGroupDocument(g, at) };
}

/** Read a group document without its apikey (as stored, or merged with an update). */
export function parseGroupDocument(raw: unknown, at = 'service'): Omit<IotaGroupInput, 'apikey'> {
  const g = object(raw, at);
  checkMembers(g, GROUP_MEMBERS, at);
  const resource = g.resource ?? DEFAULT_RESOURCE;
  if (typeof resource !== 'string' || !(IOTA_RESOURCES as readonly string[]).includes(resource))
    throw badRequest(
      `${at}.resource must be "/iot/json" (HTTP) or "" (MQTT only): Urbis speaks the JSON IoT Agent's protocol`,
    );
  const entityType = optionalName(g.entity_type, `${at}.entity_type`) ?? DEFAULT_ENTITY_TYPE;
  const attributes = parseAttributes(g.attributes, `${at}.attributes`);
  const { apikey: _secret, ...document } = g;
  return { resource, entityType, attributes, document: { ...document, resource, entity_type: entityType } };
}

/** Read one device; throws BadRequestData naming `at` and the member. */
export function parseDevice(raw: unknown, at = 'device'): IotaDeviceInput {
  const d = object(raw, at);
  checkMembers(d, DEVICE_MEMBERS, at);
  if (typeof d.device_id !== 'string' || !ID_PATTERN.test(d.device_id))
    throw badRequest(`${at}.device_id must be 1–128 letters, digits, _ . : or -`);
  const entityName = optionalName(d.entity_name, `${at}.entity_name`, 1024);
  const entityType = optionalName(d.entity_type, `${at}.entity_type`);
  const attributes = parseAttributes(d.attributes, `${at}.attributes`);
  const commands = parseCommands(d.commands, `${at}.commands`);
  const apikey = apikeyOf(d.apikey, `${at}.apikey`);
  const { apikey: _secret, ...document } = d;
  return {
    deviceId: d.device_id,
    ...(entityName !== undefined ? { entityName } : {}),
    ...(entityType !== undefined ? { entityType } : {}),
    attributes,
    commands,
    ...(apikey !== undefined ? { apikey } : {}),
    document,
  };
}

/** An IoT Agent service path: `/` or `/segment…` (the agent's rule), or `/*` (all, for reads only). */
export function parseServicePath(raw: string | undefined, forWrite: boolean): string {
  const path = raw === undefined || raw === '' ? '/' : raw;
  if (path === '/*') {
    if (forWrite) throw badRequest('fiware-servicepath /* selects every path: name one path to write');
    return path;
  }
  if (path.length > 50 || !/^\/(?:[A-Za-z0-9_]+(?:\/[A-Za-z0-9_]+)*)?$/.test(path))
    throw badRequest(
      'fiware-servicepath must be / or /segment (letters, digits and _; at most 50 characters)',
    );
  return path;
}

function itemsOf(body: unknown, member: 'services' | 'devices'): unknown[] {
  const b = object(body, 'body');
  for (const k of Object.keys(b)) if (k !== member) throw badRequest(`body: unknown member ${k}`);
  const items = b[member];
  if (!Array.isArray(items) || items.length === 0)
    throw badRequest(`body.${member} must be a non-empty array`);
  if (items.length > MAX_PROVISIONING_ITEMS)
    throw badRequest(`body.${member}: at most ${MAX_PROVISIONING_ITEMS} in one request`);
  return items;
}

function parseAttributes(raw: unknown, at: string): IotaAttribute[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw badRequest(`${at} must be an array`);
  return raw.map((item, i) => {
    const where = `${at}[${i}]`;
    const a = object(item, where);
    checkMembers(a, ATTRIBUTE_MEMBERS, where);
    const name = optionalName(a.name, `${where}.name`);
    if (name === undefined) throw badRequest(`${where}.name is required`);
    const type = optionalName(a.type, `${where}.type`) ?? 'Property';
    const objectId = optionalName(a.object_id, `${where}.object_id`) ?? name;
    const unitCode = unitCodeOf(a.metadata, `${where}.metadata`);
    return { objectId, name, type, ...(unitCode !== undefined ? { unitCode } : {}) };
  });
}

/**
 * `commands: [{name, type}]`: the names (the IoT Agent's command types say nothing of the value, so
 * the profile accepts any JSON value for them; command-spec checks the names).
 */
function parseCommands(raw: unknown, at: string): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw badRequest(`${at} must be an array`);
  const names = raw.map((item, i) => {
    const where = `${at}[${i}]`;
    const c = object(item, where);
    checkMembers(c, COMMAND_MEMBERS, where);
    const name = optionalName(c.name, `${where}.name`, 64);
    if (name === undefined) throw badRequest(`${where}.name is required`);
    optionalName(c.type, `${where}.type`);
    return name;
  });
  if (new Set(names).size !== names.length) throw badRequest(`${at} names a command twice`);
  return names;
}

/** `metadata.unitCode` as the IoT Agent writes it (`{type, value}`) or as a plain string. */
function unitCodeOf(metadata: unknown, at: string): string | undefined {
  if (metadata === undefined) return undefined;
  const m = object(metadata, at);
  const raw = m.unitCode;
  if (raw === undefined) return undefined;
  const value =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { value?: unknown }).value : raw;
  if (typeof value !== 'string' || !UNIT_CODE.test(value))
    throw badRequest(`${at}.unitCode must be a UN/CEFACT common code such as CEL or GQ`);
  return value;
}

function apikeyOf(raw: unknown, at: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '' || raw.length > MAX_APIKEY_LENGTH || /[\s&?#/]/.test(raw))
    throw badRequest(`${at} must be 1–${MAX_APIKEY_LENGTH} characters without spaces, /, ?, & or #`);
  return raw;
}

function optionalName(raw: unknown, at: string, max = MAX_NAME_LENGTH): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '' || raw.length > max)
    throw badRequest(`${at} must be a non-empty string of at most ${max} characters`);
  return raw;
}

function checkMembers(o: Record<string, unknown>, allowed: ReadonlySet<string>, at: string): void {
  for (const k of Object.keys(o)) {
    const why = UNSUPPORTED[k];
    // entity_type is a device's and a group's own member, and only unsupported inside an attribute.
    if (why !== undefined && !allowed.has(k)) throw badRequest(`${at}.${k}: ${why}`);
    if (!allowed.has(k)) throw badRequest(`${at}: unknown member ${k}`);
  }
}

function object(raw: unknown, at: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw badRequest(`${at} must be a JSON object`);
  return raw as Record<string, unknown>;
}
