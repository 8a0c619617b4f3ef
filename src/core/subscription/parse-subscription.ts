/**
 * Input side of subscriptions (clause 5.2.12 Subscription, 5.8.1 create, 5.8.2 update): the client's
 * compacted JSON, read with the request's TermMapper, becomes the broker's expanded `Subscription`.
 * Every invalid member is a BadRequestData naming it; a query that does not parse keeps its
 * parser's error (BadRequestData, TooComplexQuery, OperationNotSupported). Nothing else is thrown.
 *
 * Members outside clause 5.2.12 and the read-only ones (`status`, `timesSent`, `createdAt` …) are
 * ignored, as the spec asks for read-only members. `join` (other than "none") and `temporalQ` are
 * refused with OperationNotSupported rather than silently dropped: they would change what is sent.
 */
import { NgsiError, badRequest, isNgsiError } from '../errors.js';
import { describe, isDateTime, isUri, isValidName, jsonDepthExceeds } from '../entity/validate.js';
import { CORE_CONTEXT_URL } from '../jsonld/core-context-v1-8.js';
import type { TermMapper } from '../jsonld/terms.js';
import type { EntitySelector, Subscription, Trigger } from './model.js';
import { TRIGGERS } from './model.js';
import { expandGeoQuery, expandQExpr, expandTypeExpr } from '../query/expand-query.js';
import { parseGeoQ } from '../query/geo-query.js';
import { compilePattern } from '../query/pattern.js';
import { parseQ } from '../query/q-parser.js';
import { parseScopeQ } from '../query/scope-query.js';
import { parseTypeExpr, printTypeExpr } from '../query/type-expr.js';
import {
  MAX_LIST_ITEMS,
  isNull,
  parseNames,
  parseNotification,
  patchNotification,
  requireBoolean,
  requireObject,
  requirePositive,
} from './parse-notification.js';

/** The default of `notificationTrigger` (clause 5.2.12). */
export const DEFAULT_TRIGGERS: readonly Trigger[] = ['attributeCreated', 'attributeUpdated'];

/** Deepest JSON nesting accepted in a subscription (geoQ coordinates of a MultiPolygon need 6). */
const MAX_DEPTH = 32;
const MAX_TEXT = 4096;
const TYPE_EXPR_CHARS = /[,;|()]/;
const LANGUAGE_RANGE = /^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)(;q=(0(\.\d{0,3})?|1(\.0{0,3})?))?$/;
const CONTEXT_SCHEMES = new Set(['http:', 'https:']);

/** What parsing needs besides the body. */
export interface ParseSubscriptionOptions {
  /** The current instant (ISO): createdAt/modifiedAt, and `expiresAt` must lie after it. */
  now: string;
  /** The @context of the request (Link URL or body @context), kept for notifications unless `jsonldContext` is given. */
  context?: unknown;
  /** A new subscription id when the body has none (default `urn:ngsi-ld:Subscription:<uuid>`). */
  newId?: () => string;
}

/** A subscription being assembled: the model with every member optional. */
type Draft = Partial<Subscription>;

/** Parse a subscription to create (POST /subscriptions). */
export function parseSubscription(
  body: unknown,
  mapper: TermMapper,
  options: ParseSubscriptionOptions,
): Subscription {
  const obj = requireBody(body, 'subscription');
  if (obj.type === undefined) throw badRequest('subscription type is mandatory and must be "Subscription"');
  if (obj.notification === undefined || obj.notification === null) {
    throw badRequest('subscription notification is mandatory');
  }
  const draft: Draft = {
    id: obj.id === undefined ? (options.newId ?? newSubscriptionId)() : '',
    notificationTrigger: [...DEFAULT_TRIGGERS],
    isActive: true,
    jsonldContext: options.context ?? CORE_CONTEXT_URL,
    createdAt: options.now,
    modifiedAt: options.now,
  };
  for (const [key, value] of Object.entries(obj)) applyMember(draft, key, value, mapper, options, false);
  return finish(draft, options, obj.expiresAt !== undefined);
}

/**
 * Apply a PATCH fragment (clause 5.8.2) to a subscription: each member given replaces the current
 * one (`notification` member by member), null (or `urn:ngsi-ld:null`) removes an optional member;
 * removing a mandatory one, or a result that breaks a rule of clause 5.2.12, is a BadRequestData.
 * Returns a new subscription; `current` is not changed.
 */
export function patchSubscription(
  current: Subscription,
  fragment: unknown,
  mapper: TermMapper,
  options: Pick<ParseSubscriptionOptions, 'now'>,
): Subscription {
  const obj = requireBody(fragment, 'subscription fragment');
  const members = Object.keys(obj).filter((k) => k !== '@context');
  if (members.length === 0) throw badRequest('the subscription fragment changes nothing');
  if (obj.id !== undefined && obj.id !== current.id) {
    throw badRequest(`the fragment's id ${describe(obj.id)} differs from the subscription's`);
  }
  const draft: Draft = structuredClone(current);
  for (const key of members) applyMember(draft, key, obj[key], mapper, options, true);
  draft.modifiedAt = options.now;
  return finish(draft, options, obj.expiresAt !== undefined && !isNull(obj.expiresAt));
}

/** `urn:ngsi-ld:Subscription:<uuid>`. */
export function newSubscriptionId(): string {
  return `urn:ngsi-ld:Subscription:${globalThis.crypto.randomUUID()}`;
}

function requireBody(body: unknown, what: string): Record<string, unknown> {
  const obj = requireObject(body, what);
  if (jsonDepthExceeds(obj, MAX_DEPTH)) throw badRequest(`${what} is nested too deeply`);
  return obj;
}

/** Members that may be removed with null in a PATCH. */
const OPTIONAL = new Set([
  'subscriptionName',
  'description',
  'entities',
  'watchedAttributes',
  'q',
  'geoQ',
  'scopeQ',
  'csf',
  'datasetId',
  'expiresAt',
  'throttling',
  'timeInterval',
  'lang',
]);
/** Members that fall back to their default when removed with null (a Map: keys come from clients). */
const DEFAULTS = new Map<string, () => unknown>([
  ['notificationTrigger', () => [...DEFAULT_TRIGGERS]],
  ['isActive', () => true],
  // Without a context of its own, a subscription's notifications use the core context.
  ['jsonldContext', () => CORE_CONTEXT_URL],
]);

function applyMember(
  draft: Draft,
  key: string,
  value: unknown,
  mapper: TermMapper,
  options: Pick<ParseSubscriptionOptions, 'now'>,
  patch: boolean,
): void {
  if (value === undefined) return; // not JSON: only callers building bodies in code send it
  if (patch && isNull(value)) {
    const restore = DEFAULTS.get(key);
    if (OPTIONAL.has(key)) delete draft[key as keyof Subscription];
    else if (restore !== undefined) (draft as Record<string, unknown>)[key] = restore();
    else if (MEMBER_NAMES.has(key)) throw badRequest(`${key} is mandatory and cannot be removed`);
    return;
  }
  switch (key) {
    case 'id':
      if (!patch) draft.id = requireSubscriptionId(value);
      return;
    case 'type':
      if (value !== 'Subscription') throw badRequest(`type must be "Subscription", got ${describe(value)}`);
      return;
    case 'subscriptionName':
    case 'description':
      draft[key] = requireText(value, key);
      return;
    case 'entities':
      draft.entities = parseEntities(value, mapper);
      return;
    case 'watchedAttributes':
      draft.watchedAttributes = parseNames(value, 'watchedAttributes', (n) => mapper.expandTerm(n));
      return;
    case 'notificationTrigger':
      draft.notificationTrigger = parseTriggers(value);
      return;
    case 'q': {
      const text = requireQueryText(value, 'q');
      const expr = within('q', () => expandQExpr(parseQ(text), (t) => mapper.expandTerm(t)));
      draft.q = { text, expr };
      return;
    }
    case 'geoQ':
      draft.geoQ = within('geoQ', () => expandGeoQuery(parseGeoQ(value), (t) => mapper.expandTerm(t)));
      return;
    case 'scopeQ': {
      const text = requireQueryText(value, 'scopeQ');
      draft.scopeQ = { text, expr: within('scopeQ', () => parseScopeQ(text)) };
      return;
    }
    case 'csf': {
      const text = requireQueryText(value, 'csf');
      within('csf', () => parseQ(text));
      draft.csf = text;
      return;
    }
    case 'datasetId':
      draft.datasetId = parseDatasetIds(value);
      return;
    case 'notification':
      draft.notification =
        patch && draft.notification !== undefined
          ? patchNotification(draft.notification, value, mapper)
          : parseNotification(value, mapper);
      return;
    case 'expiresAt':
      if (!isDateTime(value))
        throw badRequest(`expiresAt must be an ISO 8601 date-time, got ${describe(value)}`);
      draft.expiresAt = value;
      return;
    case 'throttling':
      draft.throttling = requirePositive(value, 'throttling (seconds)');
      return;
    case 'timeInterval':
      draft.timeInterval = requirePositive(value, 'timeInterval (seconds)');
      return;
    case 'isActive':
      draft.isActive = requireBoolean(value, 'isActive');
      return;
    case 'lang':
      draft.lang = parseLang(value);
      return;
    case 'jsonldContext':
      draft.jsonldContext = requireContextUrl(value);
      return;
    case 'temporalQ':
      throw new NgsiError('OperationNotSupported', 'temporalQ in subscriptions is not supported');
    default:
      // @context (handled by the caller), read-only members, members of other versions.
      return;
  }
}

/** Members of clause 5.2.12 that are mandatory (cannot be removed in a PATCH). */
const MEMBER_NAMES = new Set(['id', 'type', 'notification']);

/** Check the rules that tie members together, then return the complete subscription. */
function finish(
  draft: Draft,
  options: Pick<ParseSubscriptionOptions, 'now'>,
  expiresGiven: boolean,
): Subscription {
  if (draft.notification === undefined) throw badRequest('subscription notification is mandatory');
  if (draft.entities === undefined && draft.watchedAttributes === undefined) {
    throw badRequest('a subscription needs entities or watchedAttributes (or both)');
  }
  if (draft.timeInterval !== undefined && draft.watchedAttributes !== undefined) {
    throw badRequest('timeInterval and watchedAttributes cannot be used together');
  }
  if (draft.timeInterval !== undefined && draft.throttling !== undefined) {
    throw badRequest('timeInterval and throttling cannot be used together');
  }
  const n = draft.notification;
  if (n.showChanges && n.format === 'keyValues') {
    throw badRequest('notification.showChanges cannot be true with format keyValues');
  }
  if (n.attributes !== undefined && (n.pick !== undefined || n.omit !== undefined)) {
    throw badRequest('notification.attributes cannot be used together with pick or omit');
  }
  const both = n.pick?.filter((m) => n.omit?.includes(m)) ?? [];
  if (both.length > 0)
    throw badRequest(`${describe(both[0])} is both in notification.pick and notification.omit`);
  if (
    expiresGiven &&
    draft.expiresAt !== undefined &&
    Date.parse(draft.expiresAt) <= Date.parse(options.now)
  ) {
    throw badRequest(`expiresAt ${draft.expiresAt} is not in the future`);
  }
  return draft as Subscription;
}

function requireSubscriptionId(value: unknown): string {
  if (!isUri(value)) throw badRequest(`subscription id must be an absolute URI, got ${describe(value)}`);
  return value;
}

function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length > MAX_TEXT) {
    throw badRequest(`${what} must be a string of at most ${MAX_TEXT} characters`);
  }
  return value;
}

function requireQueryText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw badRequest(`${what} must be a non-empty query string, got ${describe(value)}`);
  }
  return value;
}

/** `entities` (clause 5.2.33 EntitySelector): type mandatory (a name or a type expression), id XOR idPattern. */
function parseEntities(value: unknown, mapper: TermMapper): EntitySelector[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest('entities must be a non-empty array of entity selectors');
  }
  if (value.length > MAX_LIST_ITEMS) throw badRequest(`entities has more than ${MAX_LIST_ITEMS} selectors`);
  return value.map((item, i) => {
    const where = `entities[${i}]`;
    const obj = requireObject(item, where);
    if (typeof obj.type !== 'string' || obj.type === '') {
      throw badRequest(`${where}.type is mandatory: an entity type or a type expression`);
    }
    const selector = parseSelectorType(obj.type, mapper, where);
    if (obj.id !== undefined && obj.idPattern !== undefined) {
      throw badRequest(`${where} has both id and idPattern; give one of them`);
    }
    if (obj.id !== undefined) {
      if (!isUri(obj.id)) throw badRequest(`${where}.id must be an absolute URI, got ${describe(obj.id)}`);
      selector.id = obj.id;
    }
    if (obj.idPattern !== undefined) {
      const pattern = obj.idPattern;
      if (typeof pattern !== 'string' || pattern === '') {
        throw badRequest(`${where}.idPattern must be a regular expression, got ${describe(pattern)}`);
      }
      within(`${where}.idPattern`, () => compilePattern(pattern));
      selector.idPattern = pattern;
    }
    return selector;
  });
}

function parseSelectorType(text: string, mapper: TermMapper, where: string): EntitySelector {
  const expand = (t: string): string => mapper.expandTerm(t);
  if (!TYPE_EXPR_CHARS.test(text)) {
    if (!isValidName(text)) throw badRequest(`${where}.type is not a valid type name: ${describe(text)}`);
    return { type: expand(text) };
  }
  const typeExpr = within(`${where}.type`, () => expandTypeExpr(parseTypeExpr(text), expand));
  if (typeExpr.kind === 'type') return { type: typeExpr.name };
  return { type: printTypeExpr(typeExpr), typeExpr };
}

function parseTriggers(value: unknown): Trigger[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest(`notificationTrigger must be a non-empty array of ${TRIGGERS.join(', ')}`);
  }
  const out: Trigger[] = [];
  for (const t of value) {
    if (!(TRIGGERS as readonly unknown[]).includes(t)) {
      throw badRequest(`notificationTrigger ${describe(t)} is not one of ${TRIGGERS.join(', ')}`);
    }
    if (!out.includes(t as Trigger)) out.push(t as Trigger);
  }
  return out;
}

/** `datasetId`: URIs, or `@none` for the default instance. */
function parseDatasetIds(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_LIST_ITEMS) {
    throw badRequest('datasetId must be a non-empty array of URIs');
  }
  for (const d of list) {
    if (d !== '@none' && !isUri(d)) throw badRequest(`datasetId ${describe(d)} is not a URI`);
  }
  return [...new Set(list as string[])];
}

/** `lang`: a language tag, a comma-separated list with optional q-values, or `*` (clause 4.15). */
function parseLang(value: unknown): string {
  const ok =
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 256 &&
    value.split(',').every((part) => LANGUAGE_RANGE.test(part.trim()));
  if (!ok) throw badRequest(`lang must be a language tag, a list of them or *, got ${describe(value)}`);
  return value as string;
}

/** `jsonldContext`: the dereferenceable URL of the @context to compact notifications with. */
function requireContextUrl(value: unknown): string {
  const ok =
    typeof value === 'string' &&
    value.length <= 2048 &&
    URL.canParse(value) &&
    CONTEXT_SCHEMES.has(new URL(value).protocol);
  if (!ok) throw badRequest(`jsonldContext must be an http or https URL, got ${describe(value)}`);
  return value as string;
}

/** Run a parser and prefix its error detail with the member it was parsing. */
function within<T>(member: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isNgsiError(e) && !e.detail.startsWith(member)) {
      throw new NgsiError(e.kind, `${member}: ${e.detail}`, { status: e.status, cause: e });
    }
    throw e;
  }
}
