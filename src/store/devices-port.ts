/**
 * The device part of the Store port (issue #5): device profiles (what a model of device sends and how
 * to read it), devices (one physical device, the entity it feeds), their credentials (only hashes) and
 * their state (last seen, battery, signal, last error). Adapters persist what they are given; what a
 * profile means (codecs, mappings, validation) lives in src/devices and reaches the store as documents.
 */
import { NgsiError } from '../core/errors.js';

/** How a device reaches Urbis. */
export const TRANSPORTS = ['mqtt', 'http', 'coap', 'lorawan', 'iota-json', 'thingsboard'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** A device profile as stored: its id, tenant and the validated profile document (src/devices/registry). */
export interface DeviceProfileRecord {
  tenant: string;
  id: string;
  /** The profile document, already validated and normalised by src/devices/registry/parse-profile.ts. */
  document: unknown;
  createdAt: string;
  updatedAt: string;
}

/** One device of a tenant. */
export interface DeviceRecord {
  tenant: string;
  /** Device id, unique in its tenant (a DevEUI, a serial, a name the fleet already uses). */
  id: string;
  profileId: string;
  /** The NGSI-LD entity its telemetry updates (expanded id), and the Device entity describing it. */
  entityId: string;
  deviceEntityId: string;
  description?: string;
  /** A disabled device's messages are refused and counted. */
  disabled: boolean;
  createdAt: string;
}

/** A device credential: a token, or a username and password; only a hash is kept. */
export interface DeviceCredentialRecord {
  /** Public id (`dc_…`). */
  id: string;
  tenant: string;
  deviceId: string;
  kind: 'token' | 'password';
  /** For kind password: the MQTT/HTTP username (unique per tenant). */
  username?: string;
  /**
   * Tokens: hex SHA-256 (a generated token has full entropy). Passwords: `scrypt$N$r$p$salt$hash`
   * (a fleet's existing passwords may be weak, so they get a slow hash).
   */
  hash: string;
  /** First characters of a token, to recognise it; absent for passwords. */
  prefix?: string;
  createdAt: string;
  revokedAt?: string;
}

/** What Urbis knows of a device's health. */
export interface DeviceStateRecord {
  tenant: string;
  deviceId: string;
  /** ISO instant of the last accepted message, or undefined when never seen. */
  lastSeen?: string;
  online: boolean;
  /** Battery in percent (0–100). */
  battery?: number;
  /** Radio signal of the last uplink. */
  rssi?: number;
  snr?: number;
  /** When the device counts as offline if nothing more arrives. */
  offlineAt?: string;
  /** The last rejected message's reason, and when. */
  lastError?: string;
  lastErrorAt?: string;
}

export interface DeviceRepository {
  putProfile(profile: DeviceProfileRecord): Promise<void>;
  getProfile(tenant: string, id: string): Promise<DeviceProfileRecord | undefined>;
  listProfiles(tenant: string): Promise<DeviceProfileRecord[]>;
  /** False when not found; refused (BadRequestData) while devices use it. */
  deleteProfile(tenant: string, id: string): Promise<boolean>;

  /** Create many devices in one transaction; each fails alone (AlreadyExists, unknown profile). */
  createDevices(
    devices: DeviceRecord[],
  ): Promise<Array<{ id: string; ok: true } | { id: string; ok: false; error: string }>>;
  putDevice(device: DeviceRecord): Promise<void>;
  getDevice(tenant: string, id: string): Promise<DeviceRecord | undefined>;
  /** A page of the tenant's devices ordered by id, and the total. */
  listDevices(
    tenant: string,
    limit: number,
    offset: number,
  ): Promise<{ items: DeviceRecord[]; count: number }>;
  /** Delete the device, its credentials and its state. False when not found. */
  deleteDevice(tenant: string, id: string): Promise<boolean>;

  putCredential(credential: DeviceCredentialRecord): Promise<void>;
  /** The credential with this token hash (kind token), revoked or not. */
  credentialByTokenHash(hash: string): Promise<DeviceCredentialRecord | undefined>;
  /** The password credential of this username in the tenant, revoked or not. */
  credentialByUsername(tenant: string, username: string): Promise<DeviceCredentialRecord | undefined>;
  listCredentials(tenant: string, deviceId: string): Promise<DeviceCredentialRecord[]>;
  /** Set revokedAt once. False when not found or already revoked. */
  revokeCredential(id: string, at: string): Promise<boolean>;

  /**
   * Record accepted messages in one transaction: lastSeen = at, online, battery / rssi / snr when
   * given, and the instant the device counts as offline if nothing more arrives (`offlineAt`: at plus
   * its profile's timeout). Returns the devices that were offline (or never seen) and are online again.
   */
  recordSeen(
    updates: Array<{
      tenant: string;
      deviceId: string;
      at: string;
      offlineAt: string;
      battery?: number;
      rssi?: number;
      snr?: number;
    }>,
  ): Promise<Array<{ tenant: string; deviceId: string }>>;
  recordError(tenant: string, deviceId: string, error: string, at: string): Promise<void>;
  getState(tenant: string, deviceId: string): Promise<DeviceStateRecord | undefined>;
  /**
   * Devices still marked online whose `offlineAt` ≤ now (ISO): mark them offline and return them, at
   * most `limit` (one indexed range scan on offlineAt, however many devices there are — no timer per
   * device).
   */
  markOffline(
    now: string,
    limit: number,
  ): Promise<Array<{ tenant: string; deviceId: string; lastSeen: string }>>;
}

/**
 * Refuse a credential whose members contradict its kind, naming what is wrong: the port's own rule,
 * checked by every adapter before it stores one.
 */
export function checkCredential(c: DeviceCredentialRecord): void {
  const bad = (why: string) =>
    new NgsiError('BadRequestData', `device credential ${JSON.stringify(c.id)}: ${why}`);
  if (c.kind !== 'token' && c.kind !== 'password') throw bad(`unknown kind ${JSON.stringify(c.kind)}`);
  if (c.kind === 'password' && !c.username) throw bad('a password credential needs a username');
  if (c.kind === 'token' && c.username !== undefined) throw bad('a token credential has no username');
  if (!c.hash) throw bad('no hash');
}
