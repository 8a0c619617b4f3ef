/**
 * The subscription model (NGSI-LD clause 5.2.12 Subscription, 5.2.14 NotificationParams, 5.2.15
 * Endpoint, 5.2.33 EntitySelector): a subscription as the broker keeps it — every term expanded to
 * its IRI, every query already parsed — so that matching never needs an @context. The original q
 * and scopeQ strings are kept to render the subscription back as it was given.
 */
import type { Entity } from '../model/entity.js';
import type { GeoQuery, QExpr, ScopeExpr, TypeExpr } from '../query/ast.js';

/** What kind of change a subscription reacts to (clause 5.2.12, notificationTrigger). */
export const TRIGGERS = [
  'entityCreated',
  'entityUpdated',
  'entityDeleted',
  'attributeCreated',
  'attributeUpdated',
  'attributeDeleted',
] as const;
export type Trigger = (typeof TRIGGERS)[number];

/**
 * An entity selector: `type` is mandatory; `id` or `idPattern` narrow it. Type expanded. When the
 * client gave a type expression (clause 4.17, `(Building|Tower)`), `typeExpr` holds it expanded and
 * `type` its printed (expanded) text; for a plain type name `typeExpr` is absent.
 */
export interface EntitySelector {
  type: string;
  typeExpr?: TypeExpr;
  id?: string;
  idPattern?: string;
}

/** A key-value pair of receiverInfo / notifierInfo. */
export interface KeyValue {
  key: string;
  value: string;
}

/** Where notifications go: `http(s)://…` or `mqtt(s)://host:port/topic`. */
export interface Endpoint {
  uri: string;
  accept: 'application/json' | 'application/ld+json' | 'application/geo+json';
  /** Per-request timeout in ms (optional, else the notifier's default). */
  timeout?: number;
  /** HTTP headers (or MQTT metadata) added to every notification. */
  receiverInfo?: KeyValue[];
  /** Notifier settings, e.g. `MQTT-QoS` (0, 1, 2), `MQTT-Version`. */
  notifierInfo?: KeyValue[];
}

export type NotificationFormat = 'normalized' | 'keyValues' | 'concise';

/** How notifications look and where they go. */
export interface NotificationParams {
  /** Attributes to include (expanded); all when absent. */
  attributes?: string[];
  /** Members to keep (`id`, `type` or expanded attribute names; clause 4.21), exclusive with `attributes`. */
  pick?: string[];
  /** Members to leave out (as `pick`), exclusive with `attributes`. */
  omit?: string[];
  format: NotificationFormat;
  showChanges: boolean;
  sysAttrs: boolean;
  endpoint: Endpoint;
}

/** Delivery statistics kept by the notifier (read-only members of the subscription). */
export interface DeliveryStatus {
  timesSent: number;
  timesFailed: number;
  lastNotification?: string;
  lastSuccess?: string;
  lastFailure?: string;
  /** Notifications given up after the last attempt (the dead-letter state). */
  deadLetters: number;
  /** The latest delivery error, for operators. */
  lastError?: string;
}

/**
 * Who created a subscription, as they were then: notifications carry only what this principal may
 * read under the tenant's current policy (deleting the principal deletes its subscriptions).
 */
export interface SubscriptionOwner {
  principal: string;
  /** The principal's tenant (`*` for a platform principal). */
  tenant: string;
  roles: string[];
  via: 'key' | 'oidc' | 'anonymous';
}

/** A subscription as kept by the broker. */
export interface Subscription {
  id: string;
  /** Absent for subscriptions made without access control (before it existed, or by the platform). */
  owner?: SubscriptionOwner;
  subscriptionName?: string;
  description?: string;
  entities?: EntitySelector[];
  /** Expanded attribute names whose change triggers a notification. */
  watchedAttributes?: string[];
  notificationTrigger: Trigger[];
  /** q with the text as given (compact terms) and the parsed, expanded expression. */
  q?: { text: string; expr: QExpr };
  /** geoQ with its geoproperty expanded. */
  geoQ?: GeoQuery;
  scopeQ?: { text: string; expr: ScopeExpr };
  /** Context source filter (a q expression over registrations), kept as text: no registrations yet. */
  csf?: string;
  /** Only these instances (datasetIds; `@none` for the default instance) appear in notifications. */
  datasetId?: string[];
  notification: NotificationParams;
  /** ISO instant after which the subscription no longer matches. */
  expiresAt?: string;
  /** Minimum seconds between two notifications. */
  throttling?: number;
  /** Periodic subscription: seconds between notifications of the current state. */
  timeInterval?: number;
  isActive: boolean;
  /** Language filter for LanguageProperty values. */
  lang?: string;
  /**
   * The @context notifications are compacted with: the client's `jsonldContext` member (a URL) when
   * given, else the @context of the creating request (URL, list or object; the core context URL when
   * the request had none).
   */
  jsonldContext: unknown;
  createdAt: string;
  modifiedAt: string;
}

/** A subscription with the delivery statistics the notifier recorded. */
export interface SubscriptionRecord {
  subscription: Subscription;
  status: DeliveryStatus;
}

/**
 * What one matched change leaves in the outbox for one subscription: enough to render the
 * notification later without reading the store again. `entity` is already reduced to the
 * subscription's `attributes` (expanded); for entityDeleted it holds only id and type.
 */
export interface NoticePayload {
  /** What caused the notice: a change trigger, or `timeInterval` for a periodic notification. */
  trigger: Trigger | 'timeInterval';
  entity: Entity;
  /** ISO instant of the change (deletedAt for entityDeleted). */
  at: string;
  /** showChanges: previous instances of the attributes that changed, by expanded name. */
  previous?: Record<string, Entity['attrs'][string]>;
}
