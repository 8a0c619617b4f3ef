/**
 * Stored IoT Agent groups and devices in the IoT Agent API's own shape (`GET /iot/services`,
 * `GET /iot/devices`), with the service and service path they belong to. A group's apikey is not
 * kept, so it is not shown: `apikey_prefix` gives its first characters to recognise it by.
 */
import type { IotaDeviceRecord, IotaGroupRecord } from '../../store/iota-port.js';

/** A group as the IoT Agent lists it. */
export function presentGroup(g: IotaGroupRecord): Record<string, unknown> {
  return {
    ...(g.document as Record<string, unknown>),
    apikey_prefix: g.apikeyPrefix,
    resource: g.resource,
    service: g.tenant,
    subservice: g.servicePath,
  };
}

/** A device as the IoT Agent shows it. */
export function presentDevice(d: IotaDeviceRecord): Record<string, unknown> {
  return {
    ...(d.document as Record<string, unknown>),
    device_id: d.deviceId,
    service: d.tenant,
    service_path: d.servicePath,
  };
}
