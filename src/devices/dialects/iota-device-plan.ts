/**
 * Which Urbis profile an IoT Agent device feeds through, and moving it there (shared by the group
 * and device use cases). A plan is pure; `applyPlan` writes it: the profile first (it must exist
 * before a device names it), then the device's profile id, then a change signal so the ingest
 * cache in front of the registry forgets the device — the registry signals on every profile write
 * and delete, and the write that comes after the move is the one that counts.
 */
import { badRequest } from '../../core/errors.js';
import type { Scope } from '../../context/scope.js';
import type { DeviceRepository } from '../../store/devices-port.js';
import type { IotaGroupRecord } from '../../store/iota-port.js';
import type { DeviceRegistry } from '../registry/registry-service.js';
import { parseGroupDocument, type IotaDeviceInput } from './iota-model.js';
import {
  deviceProfileId,
  effectiveMapping,
  groupProfileId,
  profileDocument,
  usesGroupProfile,
  type EffectiveMapping,
} from './iota-profile.js';

/** Where a device's readings go: a profile (its id and document) and the entity type in effect. */
export interface DevicePlan {
  profileId: string;
  /** The profile document to write: the group's, or the device's own. */
  profile: Record<string, unknown>;
  /** Whether the profile is the device's own (deleted with it). */
  own: boolean;
  entityType: string;
}

/** The entity type and attributes a stored group declares. */
export function groupMapping(group: IotaGroupRecord): EffectiveMapping {
  const { entityType, attributes } = parseGroupDocument(group.document);
  return { entityType, attributes };
}

/** The group's own profile document, or undefined when it declares no attribute to map. */
export function groupProfile(
  group: Pick<IotaGroupRecord, 'apikeyHash' | 'apikeyPrefix' | 'servicePath'>,
  mapping: EffectiveMapping,
): Record<string, unknown> | undefined {
  return profileDocument(
    groupProfileId(group.apikeyHash),
    mapping,
    `IoT Agent service group ${group.apikeyPrefix}… (${group.servicePath})`,
  );
}

/** Plan a device of `group`; BadRequestData when nothing it sends would be stored. */
export function planDevice(
  group: Pick<IotaGroupRecord, 'apikeyHash' | 'apikeyPrefix' | 'servicePath'>,
  mapping: EffectiveMapping,
  device: Pick<IotaDeviceInput, 'deviceId' | 'entityType' | 'attributes' | 'commands'>,
  at = 'device',
): DevicePlan {
  const shared = usesGroupProfile(mapping, device);
  const effective = shared ? mapping : effectiveMapping(mapping, device);
  const profile = shared
    ? groupProfile(group, mapping)
    : profileDocument(
        deviceProfileId(group.apikeyHash, device.deviceId),
        effective,
        `IoT Agent device ${device.deviceId} (group ${group.apikeyPrefix}…)`,
        device.commands,
      );
  if (profile === undefined)
    throw badRequest(
      `${at}: neither device ${device.deviceId} nor its service group declares an attribute; ` +
        'Urbis stores declared attributes only (object_id → name)',
    );
  return { profileId: profile.id as string, profile, own: !shared, entityType: effective.entityType };
}

/** What applying a plan needs: the registry (profiles, its change signal) and the device store. */
export interface PlanWriter {
  registry: Pick<DeviceRegistry, 'putProfile' | 'deleteProfile'>;
  devices: Pick<DeviceRepository, 'getDevice' | 'putDevice'>;
}

/**
 * Bring an existing Urbis device to its plan: write the profile, and when the device was on another
 * profile, move it and drop its former own profile (`formerOwn`).
 */
export async function applyPlan(
  writer: PlanWriter,
  scope: Scope,
  deviceId: string,
  current: { profileId: string; own: boolean },
  plan: DevicePlan,
): Promise<void> {
  await writer.registry.putProfile(scope, plan.profile);
  if (current.profileId === plan.profileId) return;
  const device = await writer.devices.getDevice(scope.tenant, deviceId);
  if (device !== undefined) await writer.devices.putDevice({ ...device, profileId: plan.profileId });
  // After the move: deleting the former profile, or writing the new one again, signals the change.
  if (current.own) await writer.registry.deleteProfile(scope, current.profileId);
  else await writer.registry.putProfile(scope, plan.profile);
}
