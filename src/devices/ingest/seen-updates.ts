/**
 * A batch's device-state updates folded to one per device. Each accepted message moves its device's
 * state on (lastSeen and offlineAt to the message's; battery, rssi and snr to its values when it has
 * them), so applying a device's messages one after another leaves the same state as applying one
 * update made of the last `at` and `offlineAt` and the last value given of each measure. A batch of
 * many messages per device (the group commit of a busy broker) then costs one state write per
 * device instead of one per message.
 */
import type { DeviceRepository } from '../../store/devices-port.js';

export type SeenUpdate = Parameters<DeviceRepository['recordSeen']>[0][number];

/** One update per device (in the order devices first appear) with the same effect as all of `updates` in order. */
export function foldSeenUpdates(updates: readonly SeenUpdate[]): SeenUpdate[] {
  const byDevice = new Map<string, SeenUpdate>();
  for (const u of updates) {
    // NUL cannot occur in a tenant name, so the key is unambiguous.
    const key = `${u.tenant}\u0000${u.deviceId}`;
    const was = byDevice.get(key);
    if (was === undefined) {
      byDevice.set(key, { ...u });
      continue;
    }
    was.at = u.at;
    was.offlineAt = u.offlineAt;
    if (u.battery !== undefined) was.battery = u.battery;
    if (u.rssi !== undefined) was.rssi = u.rssi;
    if (u.snr !== undefined) was.snr = u.snr;
  }
  return [...byDevice.values()];
}
