/**
 * What the notifier (delivery) and the subscriptions module (what to say, to whom) agree on. The
 * notifier reads pending entries from the outbox, asks the source for the subscription and the
 * rendered notification, sends it, and records the outcome in the outbox.
 */
import type { NoticePayload, Subscription } from '../../core/subscription/model.js';

/** A notification ready to send: the body and the headers (HTTP) or metadata (MQTT). */
export interface RenderedNotification {
  body: string;
  contentType: string;
  /** receiverInfo, Link (for application/json), NGSILD-Tenant… */
  headers: Record<string, string>;
}

/** Where the notifier gets subscriptions and notifications from. */
export interface NotificationSource {
  /** The subscription as it is now (kept in memory); undefined once deleted. */
  subscription(tenant: string, id: string): Subscription | undefined;
  /** Build the NGSI-LD Notification (id, type, subscriptionId, notifiedAt, data) for these matches. */
  render(
    tenant: string,
    subscription: Subscription,
    notificationId: string,
    payloads: NoticePayload[],
    notifiedAt: string,
  ): Promise<RenderedNotification>;
}

/** Decides whether an endpoint may be notified (SSRF guard); throws NgsiError BadRequestData when not. */
export interface EndpointPolicy {
  /** Check a notification URI when a subscription is created or changed (best effort: names that do not resolve pass). */
  vet(uri: string): Promise<void>;
}
