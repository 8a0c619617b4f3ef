/**
 * A NotificationSource over subscriptions held in a map, rendering the NGSI-LD Notification (id,
 * type, subscriptionId, notifiedAt, data) with every term left expanded (no @context to compact
 * with). It drives the notifier in tests, in the benchmark and in the crash fixture; the broker
 * itself uses the subscription service, which compacts with each subscription's @context.
 */
import { renderEntity } from '../../core/entity/render-entity.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { NoticePayload, Subscription } from '../../core/subscription/model.js';
import type { NotificationSource, RenderedNotification } from './contracts.js';

const EXPANDED: TermMapper = { expandTerm: (t) => t, compactIri: (iri) => iri };

/** Subscriptions by tenant and id, set and removed by the caller. */
export class StaticNotificationSource implements NotificationSource {
  private readonly subs = new Map<string, Subscription>();

  /** Add or replace a subscription. */
  set(tenant: string, subscription: Subscription): void {
    this.subs.set(key(tenant, subscription.id), subscription);
  }

  delete(tenant: string, id: string): void {
    this.subs.delete(key(tenant, id));
  }

  subscription(tenant: string, id: string): Subscription | undefined {
    return this.subs.get(key(tenant, id));
  }

  async render(
    tenant: string,
    subscription: Subscription,
    notificationId: string,
    payloads: NoticePayload[],
    notifiedAt: string,
  ): Promise<RenderedNotification> {
    const params = subscription.notification;
    const body = {
      id: notificationId,
      type: 'Notification',
      subscriptionId: subscription.id,
      notifiedAt,
      data: payloads.map((p) =>
        renderEntity(p.entity, EXPANDED, { format: params.format, sysAttrs: params.sysAttrs }),
      ),
    };
    const headers: Record<string, string> = {};
    for (const { key: k, value } of params.endpoint.receiverInfo ?? []) headers[k] = value;
    if (tenant !== '') headers['NGSILD-Tenant'] = tenant;
    return { body: JSON.stringify(body), contentType: 'application/json', headers };
  }
}

function key(tenant: string, id: string): string {
  return `${tenant}\u0000${id}`;
}
