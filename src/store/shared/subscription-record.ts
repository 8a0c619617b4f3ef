/**
 * A subscription as every store keeps it: its document beside its delivery statistics, in columns
 * named alike in each store's `subscriptions` table. Reading the row back into a SubscriptionRecord
 * is shared (decision 0011); counters may come as numbers (SQLite) or as decimal text (PostgreSQL
 * bigint).
 */
import type { DeliveryStatus, Subscription, SubscriptionRecord } from '../../core/subscription/model.js';

/** The columns of a subscription row, as a store reads them. */
export interface SubscriptionColumns {
  doc: string;
  times_sent: number | string;
  times_failed: number | string;
  last_notification: string | null;
  last_success: string | null;
  last_failure: string | null;
  dead_letters: number | string;
  last_error: string | null;
}

/** The record of a row; absent instants and errors are left out. */
export function subscriptionRecord(r: SubscriptionColumns): SubscriptionRecord {
  const status: DeliveryStatus = {
    timesSent: Number(r.times_sent),
    timesFailed: Number(r.times_failed),
    deadLetters: Number(r.dead_letters),
  };
  if (r.last_notification !== null) status.lastNotification = r.last_notification;
  if (r.last_success !== null) status.lastSuccess = r.last_success;
  if (r.last_failure !== null) status.lastFailure = r.last_failure;
  if (r.last_error !== null) status.lastError = r.last_error;
  return { subscription: JSON.parse(r.doc) as Subscription, status };
}
