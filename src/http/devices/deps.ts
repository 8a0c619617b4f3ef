/** What the device routes need: the devices module, governance (audit), the store and @context resolution. */
import type { Devices } from '../../devices/devices.js';
import type { Governance } from '../../governance/governance.js';
import type { Store } from '../../store/port.js';
import type { ContextSource } from '../ngsi-ld/ld-request.js';

export interface DeviceApiDeps {
  devices: Devices;
  governance: Governance;
  store: Store;
  contexts: ContextSource;
}
