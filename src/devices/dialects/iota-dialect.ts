/**
 * The FIWARE IoT Agent JSON dialect assembled over a store and the device registry: the service group
 * and device use cases of the provisioning API, and the authority that recognises a device by its
 * group's apikey (over HTTP here; the MQTT broker is given the same authority).
 */
import type { Store } from '../../store/port.js';
import type { DeviceRegistry } from '../registry/registry-service.js';
import { StoreIotaAuthority } from './iota-authority.js';
import { IotaDevices } from './iota-devices.js';
import { IotaServiceGroups } from './iota-service-groups.js';

export interface IotaDialect {
  groups: IotaServiceGroups;
  devices: IotaDevices;
  authority: StoreIotaAuthority;
}

export function openIotaDialect(deps: {
  store: Pick<Store, 'iota' | 'devices'>;
  registry: DeviceRegistry;
  now?: () => string;
}): IotaDialect {
  const common = {
    iota: deps.store.iota,
    devices: deps.store.devices,
    registry: deps.registry,
    ...(deps.now ? { now: deps.now } : {}),
  };
  return {
    groups: new IotaServiceGroups(common),
    devices: new IotaDevices(common),
    authority: new StoreIotaAuthority(deps.store.iota),
  };
}
