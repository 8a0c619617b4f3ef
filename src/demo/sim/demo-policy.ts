/**
 * The demo tenant's access policy: Urbis's built-in roles, plus one public read rule for the city's
 * open data — its observations, its geography and its alerts — "as a real city's open data would be".
 * Not public: Device entities (serial numbers, credentials' owners), AlertRule (the operator's
 * configuration), and WaterConsumptionObserved (a household meter's readings are personal data: the
 * governance registry classifies them so; a city publishes them aggregated, never per meter).
 */
import { DEFAULT_POLICY_DOCUMENT } from '../../governance/policy/default-policy.js';
import type { City } from '../city/model.js';
import { typesContext } from './contexts.js';

/** Device-fed types that stay private though the city publishes the rest. */
export const PRIVATE_TYPES: ReadonlySet<string> = new Set([
  'WaterConsumptionObserved',
  'Device',
  'AlertRule',
]);

/**
 * `Alert` as the alerts module may write it without a context (the default vocabulary), besides the
 * Smart Data Models term: the rule opens both, so the alerts are public whichever way they are typed.
 */
const ALERT_DEFAULT_IRI = 'https://uri.etsi.org/ngsi-ld/default-context/Alert';

/** The types anyone may read, sorted. */
export function publicTypes(city: City): string[] {
  const types = new Set(['District', 'RoadSegment', 'Building', 'Alert']);
  for (const d of city.devices) if (!PRIVATE_TYPES.has(d.entityType)) types.add(d.entityType);
  return [...types].sort();
}

/** The policy document for `PUT /admin/policy` in the demo tenant. */
export function demoPolicy(city: City): Record<string, unknown> {
  const types = publicTypes(city);
  return {
    '@context': typesContext(types),
    description:
      'Demo city: the built-in roles, and its open data (observations, districts, roads, buildings, ' +
      'alerts) readable by anyone',
    rules: [
      ...DEFAULT_POLICY_DOCUMENT.rules.map((r) => ({ ...r, roles: [...r.roles], actions: [...r.actions] })),
      {
        id: 'demo-open-data',
        description: 'The demo city’s public data is readable anonymously, as a real city’s open data',
        public: true,
        actions: ['read'],
        types: [...types, ALERT_DEFAULT_IRI],
      },
    ],
  };
}
