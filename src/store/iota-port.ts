/**
 * The FIWARE IoT Agent part of the Store port (issue #5): IoT Agent service groups (a fleet's apikey,
 * the fiware-service / fiware-servicepath it belongs to, its entity type and attribute mapping) and
 * the IoT Agent device documents provisioned under them, kept as the IoT Agent API wrote them so that
 * `GET /iot/...` answers in the IoT Agent's own shape. What they mean for ingest — the Urbis device
 * profile and device each maps to — lives in src/devices/dialects; the store keeps documents.
 *
 * An apikey is a shared secret of a whole fleet: only its SHA-256 is kept (like device tokens), and it
 * is unique across the platform, as the IoT Agent requires — a device posting `?k=<apikey>` names no
 * tenant, so the apikey alone must find its group.
 */

/** A service group (the IoT Agent calls it a config group). */
export interface IotaGroupRecord {
  /** hex SHA-256 of the apikey: the group's key, unique across tenants. */
  apikeyHash: string;
  /** The apikey's first characters, to recognise it in listings (the apikey itself is not kept). */
  apikeyPrefix: string;
  /** The Urbis tenant (the request's fiware-service). */
  tenant: string;
  /** The fiware-servicepath the group was provisioned in (`/` by default). */
  servicePath: string;
  /** The IoT Agent resource (`/iot/json`, or empty for MQTT-only groups). */
  resource: string;
  /** The Urbis device profile the group's attributes map to; absent when the group declares none. */
  profileId?: string;
  /** The group document as provisioned, without its apikey (normalised by src/devices/dialects). */
  document: unknown;
  createdAt: string;
  updatedAt: string;
}

/** A device provisioned through `/iot/devices`. */
export interface IotaDeviceRecord {
  tenant: string;
  /** The IoT Agent device_id, which is also the Urbis device id. */
  deviceId: string;
  servicePath: string;
  /** The apikeyHash of the group the device belongs to (its apikey authenticates it). */
  groupKey: string;
  /** The Urbis device profile the device feeds through (its group's, or one of its own). */
  profileId: string;
  /** The device document as provisioned (normalised by src/devices/dialects). */
  document: unknown;
  createdAt: string;
  updatedAt: string;
}

/** Which part of a tenant a listing covers: one service path, or all of them (`/*`). */
export type ServicePathFilter = { servicePath: string } | { all: true };

export interface IotaRepository {
  /**
   * Create groups in one transaction: all or none. AlreadyExists when an apikey is taken (by any
   * tenant: the message does not say which) or given twice.
   */
  createGroups(groups: IotaGroupRecord[]): Promise<void>;
  /** Replace a group of this tenant and service path (same apikeyHash). False when there is none. */
  replaceGroup(group: IotaGroupRecord): Promise<boolean>;
  /** The group of an apikey hash, whatever its tenant (southbound authentication). */
  groupByKey(apikeyHash: string): Promise<IotaGroupRecord | undefined>;
  /** A page of a tenant's groups ordered by service path then creation, and the total. */
  listGroups(
    tenant: string,
    where: ServicePathFilter,
    limit: number,
    offset: number,
  ): Promise<{ items: IotaGroupRecord[]; count: number }>;
  /** Delete a group of this tenant and service path. False when there is none. */
  deleteGroup(tenant: string, servicePath: string, apikeyHash: string): Promise<boolean>;

  /** Create or replace a device document (keyed by tenant and device id). */
  putDevice(device: IotaDeviceRecord): Promise<void>;
  getDevice(tenant: string, deviceId: string): Promise<IotaDeviceRecord | undefined>;
  /** A page of a tenant's devices ordered by device id, and the total. */
  listDevices(
    tenant: string,
    where: ServicePathFilter,
    limit: number,
    offset: number,
  ): Promise<{ items: IotaDeviceRecord[]; count: number }>;
  /** Every device of a group (to re-map them when the group changes), ordered by device id. */
  devicesOfGroup(apikeyHash: string): Promise<IotaDeviceRecord[]>;
  /** False when not found. */
  deleteDevice(tenant: string, deviceId: string): Promise<boolean>;
}
