/**
 * Everything about alerts in one module, since their API is being built alongside the dashboard
 * (issue #7) and shapes may shift: alert entities (`GET /alerts`, acknowledge, clear) and alert rules
 * (`/alerts/rules`). `alertView` reads an Alert in normalized, concise or keyValues form alike.
 */
import { attrView, entityType, type NgsiEntity } from '../lib/entity.js';
import { seg, type ApiClient } from './client.js';

export type AlertStatus = 'active' | 'acknowledged' | 'cleared';

export interface AlertView {
  id: string;
  status: string;
  severity: string;
  category: string;
  description: string;
  source: string;
  rule: string;
  value: unknown;
  dateIssued: string;
}

export interface AlertRule {
  id: string;
  name: string;
  severity: string;
  scope: { type?: string; district?: string; entity?: string };
  condition: Record<string, unknown> & { kind: string };
  notify?: { endpoint: string };
  enabled: boolean;
}

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/** An Alert entity, flattened. */
export function alertView(e: NgsiEntity): AlertView {
  const v = (name: string): unknown => (name in e ? attrView(name, e[name]).value : undefined);
  const s = (name: string): string => {
    const x = v(name);
    return typeof x === 'string' ? x : x === undefined || x === null ? '' : String(x);
  };
  return {
    id: e.id,
    status: s('status'),
    severity: s('severity'),
    category: s('category'),
    description: s('description'),
    source: s('alertSource'),
    rule: s('rule'),
    value: v('value'),
    dateIssued: s('dateIssued'),
  };
}

/** Whether `e` is an Alert entity (live events carry every type). */
export const isAlert = (e: NgsiEntity): boolean => entityType(e) === 'Alert';

export async function listAlerts(api: ApiClient, statuses: readonly AlertStatus[]): Promise<AlertView[]> {
  const list = await api.json<NgsiEntity[]>(`/alerts?status=${statuses.join(',')}&limit=100`);
  return list.map(alertView);
}

export const acknowledgeAlert = (api: ApiClient, id: string): Promise<unknown> =>
  api.json(`/alerts/${seg(id)}/acknowledge`, { method: 'POST', body: {} });

export const clearAlert = (api: ApiClient, id: string): Promise<unknown> =>
  api.json(`/alerts/${seg(id)}/clear`, { method: 'POST', body: {} });

export const listRules = (api: ApiClient): Promise<AlertRule[]> => api.json<AlertRule[]>('/alerts/rules');

export const createRule = (api: ApiClient, rule: AlertRule): Promise<AlertRule> =>
  api.json<AlertRule>('/alerts/rules', { method: 'POST', body: rule });

export const replaceRule = (api: ApiClient, rule: AlertRule): Promise<AlertRule> =>
  api.json<AlertRule>(`/alerts/rules/${seg(rule.id)}`, { method: 'PUT', body: rule });

export const deleteRule = (api: ApiClient, id: string): Promise<unknown> =>
  api.json(`/alerts/rules/${seg(id)}`, { method: 'DELETE' });
