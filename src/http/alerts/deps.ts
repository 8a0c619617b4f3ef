/** What the alerts routes need: the alerts module and governance (the audit trail). */
import type { Alerts } from '../../alerts/alerts.js';
import type { Governance } from '../../governance/governance.js';

export interface AlertApiDeps {
  alerts: Pick<Alerts, 'rules' | 'engine'>;
  governance: Governance;
}
