/**
 * Input side of a subscription's `notification` member (clause 5.2.14 NotificationParams, 5.2.15
 * Endpoint, 5.2.22 KeyValuePair): what to send and where. Every failure is a BadRequestData that
 * names the member by its path (`notification.endpoint.uri …`). Read-only members a client may
 * echo back (`timesSent`, `status`, …) are ignored, as clause 5.2.12 asks.
 */
import { NgsiError, badRequest } from '../errors.js';
import { describe, isValidName } from '../entity/validate.js';
import type { TermMapper } from '../jsonld/terms.js';
import type { Endpoint, KeyValue, NotificationFormat, NotificationParams } from './model.js';

/** Most entries in one list member (attributes, pick, omit, receiverInfo …). */
export const MAX_LIST_ITEMS = 1000;
/** Longest endpoint URI. */
export const MAX_URI_LENGTH = 2048;
const MAX_KEY_VALUES = 64;
const MAX_KEY_LENGTH = 256;
const MAX_VALUE_LENGTH = 8192;

const ENDPOINT_SCHEMES = new Set(['http:', 'https:', 'mqtt:', 'mqtts:']);
const ACCEPTS = new Set<Endpoint['accept']>([
  'application/json',
  'application/ld+json',
  'application/geo+json',
]);
const FORMATS: Record<string, NotificationFormat> = {
  normalized: 'normalized',
  keyValues: 'keyValues',
  simplified: 'keyValues',
  concise: 'concise',
};
// receiverInfo keys become HTTP headers: an RFC 9110 token, and never one that frames the request.
const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'host', 'connection', 'upgrade']);
// Header values (and MQTT user properties): no control characters, so no CR/LF injection.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Parse a whole `notification` member (create). */
export function parseNotification(value: unknown, mapper: TermMapper): NotificationParams {
  const obj = requireObject(value, 'notification');
  if (obj.endpoint === undefined || obj.endpoint === null) {
    throw badRequest('notification.endpoint is mandatory');
  }
  const params: NotificationParams = {
    format: 'normalized',
    showChanges: false,
    sysAttrs: false,
    endpoint: parseEndpoint(obj.endpoint),
  };
  applyNotificationMembers(params, obj, mapper, false);
  return params;
}

/**
 * Merge a `notification` fragment into existing params (PATCH, clause 5.8.2): each member given
 * replaces the current one (the endpoint as a whole); null removes an optional member or restores its
 * default; removing the endpoint is refused.
 */
export function patchNotification(
  current: NotificationParams,
  value: unknown,
  mapper: TermMapper,
): NotificationParams {
  const obj = requireObject(value, 'notification');
  const params: NotificationParams = structuredClone(current);
  applyNotificationMembers(params, obj, mapper, true);
  return params;
}

function applyNotificationMembers(
  params: NotificationParams,
  obj: Record<string, unknown>,
  mapper: TermMapper,
  patch: boolean,
): void {
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    const removing = patch && isNull(value);
    switch (key) {
      case 'endpoint':
        if (removing) throw badRequest('notification.endpoint is mandatory and cannot be removed');
        if (patch) params.endpoint = parseEndpoint(value);
        break;
      case 'attributes':
      case 'pick':
      case 'omit':
        if (removing) delete params[key];
        else
          params[key] = parseNames(value, `notification.${key}`, (n) =>
            key !== 'attributes' && (n === 'id' || n === 'type') ? n : mapper.expandTerm(n),
          );
        break;
      case 'format':
        params.format = removing ? 'normalized' : parseFormat(value);
        break;
      case 'showChanges':
      case 'sysAttrs':
        params[key] = removing ? false : requireBoolean(value, `notification.${key}`);
        break;
      case 'join':
        if (!removing && value !== 'none') {
          throw new NgsiError(
            'OperationNotSupported',
            `notification.join ${describe(value)} is not supported (only "none")`,
          );
        }
        break;
      default:
        // joinLevel (meaningless without join), the read-only status members, unknown members.
        break;
    }
  }
}

function parseFormat(value: unknown): NotificationFormat {
  const format = typeof value === 'string' && Object.hasOwn(FORMATS, value) ? FORMATS[value] : undefined;
  if (format === undefined) {
    throw badRequest(
      `notification.format must be normalized, keyValues (or simplified) or concise, got ${describe(value)}`,
    );
  }
  return format;
}

/** Parse an `endpoint` (clause 5.2.15). */
export function parseEndpoint(value: unknown): Endpoint {
  const obj = requireObject(value, 'notification.endpoint');
  const endpoint: Endpoint = { uri: parseEndpointUri(obj.uri), accept: 'application/json' };
  if (obj.accept !== undefined) {
    if (!ACCEPTS.has(obj.accept as Endpoint['accept'])) {
      throw badRequest(
        `notification.endpoint.accept must be application/json, application/ld+json or application/geo+json, got ${describe(obj.accept)}`,
      );
    }
    endpoint.accept = obj.accept as Endpoint['accept'];
  }
  if (obj.timeout !== undefined) {
    endpoint.timeout = requirePositive(obj.timeout, 'notification.endpoint.timeout (milliseconds)');
  }
  if (obj.receiverInfo !== undefined) {
    endpoint.receiverInfo = parseKeyValues(obj.receiverInfo, 'notification.endpoint.receiverInfo');
    for (const { key } of endpoint.receiverInfo) {
      if (!HEADER_TOKEN.test(key) || FRAMING_HEADERS.has(key.toLowerCase())) {
        throw badRequest(
          `notification.endpoint.receiverInfo key ${describe(key)} is not usable as a header name`,
        );
      }
    }
  }
  if (obj.notifierInfo !== undefined) {
    endpoint.notifierInfo = parseKeyValues(obj.notifierInfo, 'notification.endpoint.notifierInfo');
    for (const { key, value: v } of endpoint.notifierInfo) {
      if (key === 'MQTT-QoS' && !['0', '1', '2'].includes(v)) {
        throw badRequest(`notification.endpoint.notifierInfo MQTT-QoS must be 0, 1 or 2, got ${describe(v)}`);
      }
      if (key === 'MQTT-Version' && !['mqtt3.1.1', 'mqtt5.0'].includes(v)) {
        throw badRequest(
          `notification.endpoint.notifierInfo MQTT-Version must be mqtt3.1.1 or mqtt5.0, got ${describe(v)}`,
        );
      }
    }
  }
  return endpoint;
}

/** An absolute http, https, mqtt or mqtts URI with a host; MQTT URIs need a topic (`mqtt://host:1883/topic`). */
export function parseEndpointUri(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw badRequest(`notification.endpoint.uri must be an absolute URI, got ${describe(value)}`);
  }
  if (value.length > MAX_URI_LENGTH || CONTROL.test(value) || /\s/.test(value)) {
    throw badRequest('notification.endpoint.uri is too long or holds spaces or control characters');
  }
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || !ENDPOINT_SCHEMES.has(url.protocol)) {
    throw badRequest(
      `notification.endpoint.uri must be an absolute http, https, mqtt or mqtts URI, got ${describe(value)}`,
    );
  }
  if (url.hostname === '') throw badRequest(`notification.endpoint.uri ${describe(value)} has no host`);
  if ((url.protocol === 'mqtt:' || url.protocol === 'mqtts:') && url.pathname.length <= 1) {
    throw badRequest(
      `notification.endpoint.uri ${describe(value)} names no MQTT topic (mqtt://host:port/topic)`,
    );
  }
  return value;
}

/** A list of KeyValuePairs (clause 5.2.22): both members strings, the key non-empty. */
function parseKeyValues(value: unknown, what: string): KeyValue[] {
  if (!Array.isArray(value)) throw badRequest(`${what} must be an array of {"key", "value"} pairs`);
  if (value.length > MAX_KEY_VALUES) throw badRequest(`${what} has more than ${MAX_KEY_VALUES} pairs`);
  return value.map((item, i) => {
    const pair = requireObject(item, `${what}[${i}]`);
    const { key, value: v } = pair;
    if (typeof key !== 'string' || key === '' || key.length > MAX_KEY_LENGTH || CONTROL.test(key)) {
      throw badRequest(`${what}[${i}].key must be a non-empty string, got ${describe(key)}`);
    }
    if (typeof v !== 'string' || v.length > MAX_VALUE_LENGTH || CONTROL.test(v)) {
      throw badRequest(`${what}[${i}].value must be a string without control characters, got ${describe(v)}`);
    }
    return { key, value: v };
  });
}

/** A non-empty list of attribute names (terms), mapped (expanded) and without duplicates. */
export function parseNames(value: unknown, what: string, map: (name: string) => string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest(`${what} must be a non-empty array of attribute names`);
  }
  if (value.length > MAX_LIST_ITEMS) throw badRequest(`${what} has more than ${MAX_LIST_ITEMS} names`);
  const out: string[] = [];
  for (const name of value) {
    if (!isValidName(name)) throw badRequest(`${what} holds an invalid name: ${describe(name)}`);
    const mapped = map(name);
    if (!out.includes(mapped)) out.push(mapped);
  }
  return out;
}

/** A positive, finite number. */
export function requirePositive(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw badRequest(`${what} must be a positive number, got ${describe(value)}`);
  }
  return value;
}

export function requireBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw badRequest(`${what} must be true or false, got ${describe(value)}`);
  return value;
}

export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`${what} must be a JSON object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** JSON null, or the NGSI-LD Null `urn:ngsi-ld:null`: in a PATCH fragment, "remove this member". */
export function isNull(value: unknown): boolean {
  return value === null || value === 'urn:ngsi-ld:null';
}
