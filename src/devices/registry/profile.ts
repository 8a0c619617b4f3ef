/**
 * Reads a device profile document (what an operator writes for a model of device: its transport,
 * codec, the entity type it feeds and how decoded fields become attributes) into a DeviceProfile with
 * every name expanded and every duration in milliseconds, so ingest never re-reads or re-expands it.
 * Strict, like policies: an unknown member or a doubtful value is a 400 naming the member, because a
 * profile that silently means something else misfiles a whole fleet's data.
 *
 * ```json
 * { "@context": "https://…/context.jsonld",   // optional: how entityType and attribute names expand
 *   "id": "aq-v2", "description": "PM sensor", "transport": "mqtt",
 *   "codec": { "kind": "json" },               // or cayenne-lpp, or a byte layout
 *   "entityType": "AirQualityObserved",
 *   "mapping": { "pm25": { "attribute": "pm25", "unitCode": "GQ" },
 *                "gps_1": { "attribute": "location", "type": "GeoProperty" } },
 *   "battery": "bat", "deviceTime": "ts",
 *   "reportingInterval": "PT5M", "offlineAfter": "PT15M", "maxMessagesPerMinute": 60 }
 * ```
 * An actuator's profile adds `commands`: each command it accepts and the safety rules of its value
 * (src/devices/commands/command-spec.ts). A pure actuator may then leave `mapping` out (it sends no
 * telemetry); any other profile maps at least one field.
 */
import { badRequest, isNgsiError } from '../../core/errors.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { ENTITY_MEMBERS } from '../../core/model/entity.js';
import { parseDuration } from '../../core/temporal/duration.js';
import { TRANSPORTS, type Transport } from '../../store/devices-port.js';
import { CodecError } from '../codecs/codec-error.js';
import type { CodecSpec } from '../codecs/model.js';
import { parseCodecSpec } from '../codecs/spec.js';
import { parseCommandSpecs, type CommandSpec } from '../commands/command-spec.js';

/** How one decoded field becomes an attribute of the entity the device feeds. */
export interface MappingRule {
  /** The decoded field's name, as the codec produces it (`pm25`, `temperature_1`). */
  field: string;
  /** Expanded attribute IRI. */
  attribute: string;
  type: 'Property' | 'GeoProperty';
  /** UN/CEFACT common code (Property only). */
  unitCode?: string;
  /** Multiplier applied to numeric values (Property only). */
  scale?: number;
}

/** A validated, normalised device profile: what the store keeps as the profile's document. */
export interface DeviceProfile {
  id: string;
  description?: string;
  transport: Transport;
  codec: CodecSpec;
  /** Expanded entity type IRI. */
  entityType: string;
  /**
   * An array rather than an object keyed by field, so that no field name (`__proto__`, `constructor`)
   * can ever collide with what every object inherits, and the document's order is kept.
   */
  mapping: MappingRule[];
  /** Decoded field holding the battery level in percent. */
  battery?: string;
  /** Decoded field holding the device's clock (epoch seconds or milliseconds, or ISO 8601). */
  deviceTime?: string;
  reportingIntervalMs?: number;
  /** Silence after which the device counts as offline. */
  offlineAfterMs: number;
  maxMessagesPerMinute: number;
  /** The commands an actuator accepts, with their safety rules; absent for a sensor. */
  commands?: CommandSpec[];
}

/** Profile ids and device ids share one syntax: safe in topics, URLs, URNs and CSV. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Most mapped fields in one profile. */
export const MAX_MAPPING_RULES = 500;
/** Longest decoded field name. */
export const MAX_FIELD_LENGTH = 128;
export const MAX_DESCRIPTION_LENGTH = 1024;
export const MAX_MESSAGES_PER_MINUTE = 100_000;
/** When a profile does not say: one message every 100 ms is already a chatty sensor. */
export const DEFAULT_MAX_MESSAGES_PER_MINUTE = 600;
/** When a profile names neither offlineAfter nor reportingInterval. */
export const DEFAULT_OFFLINE_AFTER_MS = 24 * 3_600_000;
/** Without offlineAfter, a device is offline after missing this many reports in a row. */
export const MISSED_REPORTS_OFFLINE = 3;

// UN/CEFACT Recommendation 20 common codes are two or three upper-case letters or digits (CEL, GQ, P1, 4H).
const UNIT_CODE = /^[A-Z0-9]{2,3}$/;

const DOC_MEMBERS = new Set([
  '@context',
  'id',
  'description',
  'transport',
  'codec',
  'entityType',
  'mapping',
  'battery',
  'deviceTime',
  'reportingInterval',
  'offlineAfter',
  'maxMessagesPerMinute',
  'commands',
]);
const RULE_MEMBERS = new Set(['attribute', 'unitCode', 'scale', 'type']);

/** The document's @context member (resolve it to a TermMapper before parsing); undefined for the core context. */
export function profileContext(raw: unknown): unknown {
  return isObject(raw) ? raw['@context'] : undefined;
}

/** Parse and normalise a profile document; throws BadRequestData naming the first problem. */
export function parseProfile(raw: unknown, mapper: TermMapper): DeviceProfile {
  if (!isObject(raw)) throw badRequest('a device profile must be a JSON object');
  for (const k of Object.keys(raw)) if (!DOC_MEMBERS.has(k)) throw badRequest(`profile: unknown member ${k}`);

  if (typeof raw.id !== 'string' || !ID_PATTERN.test(raw.id))
    throw badRequest('profile.id must be 1–128 letters, digits, _ . : or -');
  const description = optionalString(raw.description, 'profile.description', MAX_DESCRIPTION_LENGTH);
  if (typeof raw.transport !== 'string' || !(TRANSPORTS as readonly string[]).includes(raw.transport))
    throw badRequest(`profile.transport must be one of ${TRANSPORTS.join(', ')}`);
  const codec = codecSpec(raw.codec);
  if (typeof raw.entityType !== 'string' || raw.entityType === '' || raw.entityType.length > 1024)
    throw badRequest('profile.entityType must be a non-empty string (at most 1024 characters)');
  const entityType = expand(mapper, raw.entityType, 'profile.entityType');
  const commands = raw.commands === undefined ? undefined : parseCommandSpecs(raw.commands, mapper);
  const mapping =
    commands !== undefined && raw.mapping === undefined
      ? []
      : parseMapping(raw.mapping, mapper, commands !== undefined);
  const battery = optionalField(raw.battery, 'profile.battery');
  const deviceTime = optionalField(raw.deviceTime, 'profile.deviceTime');
  if (battery !== undefined && battery === deviceTime)
    throw badRequest('profile.battery and profile.deviceTime must name different fields');

  const reportingIntervalMs = optionalDuration(raw.reportingInterval, 'profile.reportingInterval');
  let offlineAfterMs = optionalDuration(raw.offlineAfter, 'profile.offlineAfter');
  if (
    offlineAfterMs !== undefined &&
    reportingIntervalMs !== undefined &&
    offlineAfterMs < reportingIntervalMs
  )
    // Shorter than the interval, a healthy device would flap offline between every two reports.
    throw badRequest('profile.offlineAfter must not be shorter than profile.reportingInterval');
  offlineAfterMs ??=
    reportingIntervalMs !== undefined
      ? reportingIntervalMs * MISSED_REPORTS_OFFLINE
      : DEFAULT_OFFLINE_AFTER_MS;

  let maxMessagesPerMinute = DEFAULT_MAX_MESSAGES_PER_MINUTE;
  if (raw.maxMessagesPerMinute !== undefined) {
    const m = raw.maxMessagesPerMinute;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > MAX_MESSAGES_PER_MINUTE)
      throw badRequest(
        `profile.maxMessagesPerMinute must be an integer from 1 to ${MAX_MESSAGES_PER_MINUTE}`,
      );
    maxMessagesPerMinute = m;
  }

  return {
    id: raw.id,
    ...(description !== undefined ? { description } : {}),
    transport: raw.transport as Transport,
    codec,
    entityType,
    mapping,
    ...(battery !== undefined ? { battery } : {}),
    ...(deviceTime !== undefined ? { deviceTime } : {}),
    ...(reportingIntervalMs !== undefined ? { reportingIntervalMs } : {}),
    offlineAfterMs,
    maxMessagesPerMinute,
    ...(commands !== undefined ? { commands } : {}),
  };
}

function parseMapping(raw: unknown, mapper: TermMapper, actuator = false): MappingRule[] {
  if (!isObject(raw)) throw badRequest('profile.mapping must be an object of decoded field → rule');
  const fields = Object.keys(raw);
  if (fields.length === 0 && !actuator) throw badRequest('profile.mapping must map at least one field');
  if (fields.length > MAX_MAPPING_RULES)
    throw badRequest(`profile.mapping: at most ${MAX_MAPPING_RULES} fields`);
  const byAttribute = new Map<string, string>();
  return fields.map((field) => {
    const at = `profile.mapping[${JSON.stringify(field)}]`;
    if (field === '' || field.length > MAX_FIELD_LENGTH)
      throw badRequest(`${at}: field names are 1–${MAX_FIELD_LENGTH} characters`);
    const rule = raw[field];
    if (!isObject(rule)) throw badRequest(`${at} must be an object with an attribute`);
    for (const k of Object.keys(rule))
      if (!RULE_MEMBERS.has(k)) throw badRequest(`${at}: unknown member ${k}`);
    if (typeof rule.attribute !== 'string' || rule.attribute === '' || rule.attribute.length > 1024)
      throw badRequest(`${at}.attribute must be a non-empty string (at most 1024 characters)`);
    // id, type, scope … are members of the entity itself, not attributes a device may write.
    if (ENTITY_MEMBERS.has(rule.attribute) || rule.attribute.startsWith('@'))
      throw badRequest(`${at}.attribute: ${rule.attribute} is reserved`);
    const attribute = expand(mapper, rule.attribute, `${at}.attribute`);
    const earlier = byAttribute.get(attribute);
    if (earlier !== undefined)
      // Two fields feeding one attribute would overwrite each other in every message.
      throw badRequest(
        `${at}.attribute: ${rule.attribute} is already fed by field ${JSON.stringify(earlier)}`,
      );
    byAttribute.set(attribute, field);

    const type = rule.type ?? 'Property';
    if (type !== 'Property' && type !== 'GeoProperty')
      throw badRequest(`${at}.type must be Property or GeoProperty`);
    if (type === 'GeoProperty' && (rule.unitCode !== undefined || rule.scale !== undefined))
      throw badRequest(`${at}: a GeoProperty takes no unitCode or scale`);
    if (rule.unitCode !== undefined && (typeof rule.unitCode !== 'string' || !UNIT_CODE.test(rule.unitCode)))
      throw badRequest(
        `${at}.unitCode must be a UN/CEFACT common code of 2–3 upper-case letters or digits (e.g. CEL, GQ)`,
      );
    if (
      rule.scale !== undefined &&
      (typeof rule.scale !== 'number' || !Number.isFinite(rule.scale) || rule.scale === 0)
    )
      throw badRequest(`${at}.scale must be a finite number other than 0`);
    return {
      field,
      attribute,
      type,
      ...(rule.unitCode !== undefined ? { unitCode: rule.unitCode as string } : {}),
      ...(rule.scale !== undefined ? { scale: rule.scale as number } : {}),
    };
  });
}

/** The codecs' own validation, its refusal turned into a 400 naming the profile member. */
function codecSpec(raw: unknown): CodecSpec {
  try {
    return parseCodecSpec(raw);
  } catch (e) {
    if (e instanceof CodecError) throw badRequest(`profile.${e.message}`);
    throw e;
  }
}

/** Expand a term, naming the member when the context refuses it. */
function expand(mapper: TermMapper, term: string, at: string): string {
  try {
    return mapper.expandTerm(term);
  } catch (e) {
    if (isNgsiError(e)) throw badRequest(`${at}: ${e.detail}`);
    throw e;
  }
}

function optionalString(value: unknown, at: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max)
    throw badRequest(`${at} must be a string of at most ${max} characters`);
  return value;
}

function optionalField(value: unknown, at: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > MAX_FIELD_LENGTH)
    throw badRequest(`${at} must name a decoded field (1–${MAX_FIELD_LENGTH} characters)`);
  return value;
}

function optionalDuration(value: unknown, at: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`${at} must be an ISO 8601 duration such as PT5M`);
  const d = parseDuration(value, at);
  // Offline timeouts are added to instants as milliseconds; a calendar month has no fixed length.
  if (d.months !== 0)
    throw badRequest(`${at} must use weeks, days, hours, minutes or seconds, not months or years`);
  return d.ms;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
