/**
 * The device registry's use cases (issue #5): device profiles, devices and their credentials, over
 * the store's device repository, with every device also described in the context as an NGSI-LD
 * `Device` entity and linked from the entity it feeds (`refDevice`). Entity writes go through the
 * EntityService in the caller's Scope, so history, subscriptions and the caller's access rules see
 * provisioning exactly as they see any other change. Knows nothing of HTTP.
 *
 * Bulk provisioning (thousands of rows) costs one parse pass, one `createDevices` transaction and one
 * `batchUpsert`; every bad row is reported with its row (JSON) or line (CSV) instead of failing the lot.
 * Secrets are returned once, here, and only their hashes are stored.
 */
import { randomBytes } from 'node:crypto';
import { NgsiError, badRequest, isNgsiError, notFound } from '../../core/errors.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { DeviceCredentialRecord, DeviceRecord } from '../../store/devices-port.js';
import type { Store } from '../../store/port.js';
import type { EntityService } from '../../context/entities/entity-service.js';
import type { Scope } from '../../context/scope.js';
import {
  TOKEN_PREFIX,
  generateDeviceToken,
  generatePassword,
  hashPassword,
  hashToken,
  verifyPassword,
} from './credentials.js';
import { MAX_CSV_ROWS, parseDevice, parseDeviceCsv, type NewDevice } from './device.js';
import { MAX_DESCRIPTION_LENGTH, parseProfile, profileContext, type DeviceProfile } from './profile.js';

export interface DeviceRegistryDeps {
  store: Store;
  entities: EntityService;
  /** Resolves a profile's `@context` (undefined: the core context) to expand its names. */
  contexts: { resolve(raw: unknown): Promise<TermMapper> };
  /** ISO clock, injected so tests can fix time. */
  now?: () => string;
  /**
   * Told when a device (id) or every device of a tenant (no id: a profile changed) may read
   * differently now, so that caches in front of `device()` forget it.
   */
  onChange?: (tenant: string, deviceId?: string) => void;
}

/** A profile as stored: the document as the operator wrote it, and its normalised form. */
export interface ProfileEntry {
  id: string;
  raw: unknown;
  profile: DeviceProfile;
  createdAt: string;
  updatedAt: string;
}

export type CredentialKind = 'token' | 'password';

/** A credential as issued: the secret (token) or password is shown here once and never again. */
export interface IssuedCredential {
  id: string;
  kind: CredentialKind;
  secret?: string;
  username?: string;
  password?: string;
}

/** A credential as listed: everything but the hash. */
export type CredentialInfo = Omit<DeviceCredentialRecord, 'hash'>;

export interface CreateDevicesOptions {
  /** What to issue each created device (default token: no device is left without its own credential). */
  credentials?: CredentialKind | 'none';
}

/** Where a refused row was: its index in a JSON array, or its line in a CSV file (the header is line 1). */
export type RowRef = { row: number } | { line: number };

export interface ProvisioningReport {
  created: Array<{ id: string; credential?: IssuedCredential }>;
  failed: Array<RowRef & { id?: string; error: string }>;
}

/** What an authenticated device message runs as. */
export interface AuthenticatedDevice {
  tenant: string;
  device: DeviceRecord;
  profile: DeviceProfile;
}

/** Passwords are hashed a few at a time: each scrypt holds 16 MiB and a thread-pool thread. */
const PASSWORD_CONCURRENCY = 4;
/** A presented token longer than this is no token of ours; refusing it early spares hashing megabytes. */
const MAX_TOKEN_LENGTH = 128;
const DEVICE = 'Device';

export class DeviceRegistry {
  private readonly store: Store;
  private readonly entities: EntityService;
  private readonly contexts: DeviceRegistryDeps['contexts'];
  private readonly now: () => string;
  private readonly onChange: (tenant: string, deviceId?: string) => void;
  /**
   * Profiles by tenant and id, as ingest reads one per message. Invalidated by this registry's own
   * puts and deletes; another process's changes are seen after its restart (one replica writes
   * profiles today — a shared invalidation signal is for the bus when replicas arrive).
   */
  private readonly profiles = new Map<string, Map<string, ProfileEntry>>();
  /** A password hash to check unknown usernames against, so their answer takes as long as a wrong password. */
  private dummyHash: Promise<string> | undefined;

  constructor(deps: DeviceRegistryDeps) {
    this.store = deps.store;
    this.entities = deps.entities;
    this.contexts = deps.contexts;
    this.now = deps.now ?? (() => new Date().toISOString());
    this.onChange = deps.onChange ?? (() => undefined);
  }

  /** A device and its profile, for ingest (the pipeline's DeviceResolver); undefined when either is missing. */
  async device(
    tenant: string,
    id: string,
  ): Promise<{ device: DeviceRecord; profile: DeviceProfile } | undefined> {
    const device = await this.store.devices.getDevice(tenant, id);
    if (device === undefined) return undefined;
    const profile = await this.getProfile(tenant, device.profileId);
    return profile === undefined ? undefined : { device, profile };
  }

  // ── profiles ────────────────────────────────────────────────────────────────────────────────────

  /** Create or replace a profile; BadRequestData naming the first problem of the document. */
  async putProfile(scope: Scope, raw: unknown): Promise<ProfileEntry> {
    const mapper = await this.contexts.resolve(profileContext(raw));
    const profile = parseProfile(raw, mapper);
    const now = this.now();
    const existing = await this.store.devices.getProfile(scope.tenant, profile.id);
    const entry: ProfileEntry = {
      id: profile.id,
      raw,
      profile,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.store.devices.putProfile({
      tenant: scope.tenant,
      id: profile.id,
      // The raw document is kept too, so that an operator is shown the profile as they wrote it.
      document: { raw, profile },
      createdAt: entry.createdAt,
      updatedAt: entry.updatedAt,
    });
    this.profiles.get(scope.tenant)?.delete(profile.id);
    this.onChange(scope.tenant);
    return entry;
  }

  /** The normalised profile, from memory after the first read. */
  async getProfile(tenant: string, id: string): Promise<DeviceProfile | undefined> {
    return (await this.profileEntry(tenant, id))?.profile;
  }

  /** The profile with its document as written (to show it back). */
  async profileEntry(tenant: string, id: string): Promise<ProfileEntry | undefined> {
    const cached = this.profiles.get(tenant)?.get(id);
    if (cached !== undefined) return cached;
    const record = await this.store.devices.getProfile(tenant, id);
    if (record === undefined) return undefined;
    return this.remember(tenant, toEntry(record));
  }

  async listProfiles(tenant: string): Promise<ProfileEntry[]> {
    const records = await this.store.devices.listProfiles(tenant);
    return records.map((r) => this.remember(tenant, toEntry(r)));
  }

  /** False when there is no such profile; BadRequestData while devices use it. */
  async deleteProfile(scope: Scope, id: string): Promise<boolean> {
    try {
      return await this.store.devices.deleteProfile(scope.tenant, id);
    } finally {
      this.profiles.get(scope.tenant)?.delete(id);
      this.onChange(scope.tenant);
    }
  }

  // ── devices ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * Provision devices from a JSON array of device objects or a CSV text. Throws BadRequestData only
   * when nothing can be read (not an array, a bad CSV header, too many rows); each bad row is reported.
   */
  async createDevices(
    scope: Scope,
    input: unknown[] | string,
    options: CreateDevicesOptions = {},
  ): Promise<ProvisioningReport> {
    const kind = options.credentials ?? 'token';
    if (kind !== 'token' && kind !== 'password' && kind !== 'none')
      throw badRequest('credentials must be token, password or none');
    const tenant = scope.tenant;
    const failed: ProvisioningReport['failed'] = [];

    // 1. Read every row: form, profile of this tenant, duplicates within the request.
    const entries = await this.profileMap(tenant);
    const entityTypeOf = (id: string) => entries.get(id)?.profile.entityType;
    const rows: Array<{ ref: RowRef; device: NewDevice }> = [];
    const seen = new Map<string, RowRef>();
    const accept = (ref: RowRef, raw: unknown) => {
      try {
        const device = parseDevice(raw, tenant, entityTypeOf);
        const earlier = seen.get(device.id);
        if (earlier !== undefined) {
          failed.push({
            ...ref,
            id: device.id,
            error: `device ${device.id} is already on ${where(earlier)}`,
          });
          return;
        }
        seen.set(device.id, ref);
        rows.push({ ref, device });
      } catch (e) {
        if (!isNgsiError(e)) throw e;
        failed.push({ ...ref, ...idOf(raw), error: e.detail });
      }
    };
    if (typeof input === 'string') {
      const csv = parseDeviceCsv(input);
      for (const e of csv.errors) failed.push({ line: e.line, error: e.error });
      for (const r of csv.rows) accept({ line: r.line }, r.device);
    } else if (Array.isArray(input)) {
      if (input.length > MAX_CSV_ROWS) throw badRequest(`at most ${MAX_CSV_ROWS} devices in one request`);
      input.forEach((raw, row) => accept({ row }, raw));
    } else {
      throw badRequest('devices must be a JSON array of device objects or a CSV text');
    }

    // 2. One store transaction; each row fails alone (already exists, profile deleted meanwhile).
    const createdAt = this.now();
    const records: DeviceRecord[] = rows.map((r) => ({ ...r.device, disabled: false, createdAt }));
    const results = await this.store.devices.createDevices(records);
    let created: Array<{ ref: RowRef; device: DeviceRecord }> = [];
    results.forEach((result, i) => {
      const row = rows[i] as (typeof rows)[number];
      if (result.ok) created.push({ ref: row.ref, device: records[i] as DeviceRecord });
      else failed.push({ ...row.ref, id: row.device.id, error: result.error });
    });

    // 3. Their entities in one batch, in the caller's scope. A device whose entities cannot be
    //    written (say the caller may not write that type) is taken back: no half-provisioned device.
    if (created.length > 0) {
      const entities = await this.deviceEntities(created.map((c) => c.device));
      const outcome = await this.entities.batchUpsert(scope, entities, 'update');
      const refused = new Map(outcome.errors.map((e) => [e.entityId, e.error.detail]));
      if (refused.size > 0) {
        const kept: typeof created = [];
        for (const c of created) {
          const error = refused.get(c.device.deviceEntityId) ?? refused.get(c.device.entityId);
          if (error === undefined) {
            kept.push(c);
            continue;
          }
          await this.store.devices.deleteDevice(tenant, c.device.id);
          failed.push({ ...c.ref, id: c.device.id, error });
        }
        // A Device entity written for a device taken back would describe nothing.
        const orphans = created
          .filter((c) => !kept.includes(c) && !refused.has(c.device.deviceEntityId))
          .map((c) => c.device.deviceEntityId);
        if (orphans.length > 0) await this.entities.batchDelete(scope, orphans);
        created = kept;
      }
    }

    // 4. One credential per created device.
    const report: ProvisioningReport['created'] = created.map((c) => ({ id: c.device.id }));
    if (kind !== 'none') {
      const issued = await mapLimit(
        created,
        kind === 'password' ? PASSWORD_CONCURRENCY : created.length || 1,
        (c) => this.issue(tenant, c.device.id, kind),
      );
      issued.forEach(
        (credential, i) => ((report[i] as { credential?: IssuedCredential }).credential = credential),
      );
    }
    failed.sort((a, b) => position(a) - position(b));
    return { created: report, failed };
  }

  getDevice(tenant: string, id: string): Promise<DeviceRecord | undefined> {
    return this.store.devices.getDevice(tenant, id);
  }

  listDevices(
    tenant: string,
    limit: number,
    offset: number,
  ): Promise<{ items: DeviceRecord[]; count: number }> {
    return this.store.devices.listDevices(tenant, limit, offset);
  }

  /**
   * Delete a device: its Device entity first, in the caller's scope (so that a caller who may not
   * delete it leaves the device whole), then the device with its credentials and state.
   * False when there is no such device.
   */
  async deleteDevice(scope: Scope, id: string): Promise<boolean> {
    const device = await this.store.devices.getDevice(scope.tenant, id);
    if (device === undefined) return false;
    try {
      await this.entities.delete(scope, device.deviceEntityId);
    } catch (e) {
      if (!(isNgsiError(e) && (e.kind === 'ResourceNotFound' || e.kind === 'NonexistentTenant'))) throw e;
    }
    const deleted = await this.store.devices.deleteDevice(scope.tenant, id);
    this.onChange(scope.tenant, id);
    return deleted;
  }

  /**
   * Enable or disable a device, or change its description. A disabled device's messages are refused
   * (and its credentials stop authenticating) at once in this process. The description is also
   * written to its Device entity, in the caller's scope. ResourceNotFound without the device.
   */
  async updateDevice(
    scope: Scope,
    id: string,
    change: { disabled?: boolean; description?: string },
  ): Promise<DeviceRecord> {
    const device = await this.store.devices.getDevice(scope.tenant, id);
    if (device === undefined) throw notFound(`device ${id} not found`);
    if (change.disabled !== undefined && typeof change.disabled !== 'boolean')
      throw badRequest('disabled must be true or false');
    if (
      change.description !== undefined &&
      (typeof change.description !== 'string' || change.description.length > MAX_DESCRIPTION_LENGTH)
    )
      throw badRequest(`description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`);
    if (change.description !== undefined) {
      const entry = await this.profileEntry(scope.tenant, device.profileId);
      const mapper = await this.contexts.resolve(profileContext(entry?.raw));
      const result = await this.entities.batchUpsert(
        scope,
        [
          {
            id: device.deviceEntityId,
            type: [mapper.expandTerm(DEVICE)],
            attrs: { [mapper.expandTerm('description')]: [{ type: 'Property', value: change.description }] },
          },
        ],
        'update',
      );
      const error = result.errors[0]?.error;
      if (error !== undefined) throw error;
    }
    const updated: DeviceRecord = {
      ...device,
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      ...(change.description !== undefined ? { description: change.description } : {}),
    };
    await this.store.devices.putDevice(updated);
    this.onChange(scope.tenant, id);
    return updated;
  }

  // ── credentials ─────────────────────────────────────────────────────────────────────────────────

  /** Issue a new credential to a device (its other credentials stay valid). ResourceNotFound without the device. */
  async createCredential(tenant: string, deviceId: string, kind: CredentialKind): Promise<IssuedCredential> {
    if (kind !== 'token' && kind !== 'password') throw badRequest('a credential kind is token or password');
    if ((await this.store.devices.getDevice(tenant, deviceId)) === undefined)
      throw notFound(`device ${deviceId} not found`);
    return this.issue(tenant, deviceId, kind);
  }

  /** A new credential of the same kind, and the old one revoked. ResourceNotFound for an unknown or revoked one. */
  async rotateCredential(tenant: string, deviceId: string, credentialId: string): Promise<IssuedCredential> {
    const old = (await this.store.devices.listCredentials(tenant, deviceId)).find(
      (c) => c.id === credentialId,
    );
    if (old === undefined || old.revokedAt !== undefined)
      throw notFound(`device ${deviceId} has no valid credential ${credentialId}`);
    const fresh = await this.issue(tenant, deviceId, old.kind);
    await this.store.devices.revokeCredential(old.id, this.now());
    return fresh;
  }

  /** False when the device has no such credential or it was already revoked. */
  async revokeCredential(tenant: string, deviceId: string, credentialId: string): Promise<boolean> {
    const found = (await this.store.devices.listCredentials(tenant, deviceId)).some(
      (c) => c.id === credentialId,
    );
    return found && this.store.devices.revokeCredential(credentialId, this.now());
  }

  async listCredentials(tenant: string, deviceId: string): Promise<CredentialInfo[]> {
    return (await this.store.devices.listCredentials(tenant, deviceId)).map(
      ({ hash: _hash, ...info }) => info,
    );
  }

  /**
   * The device a token belongs to; undefined when it is unknown, revoked, or its device is disabled
   * or gone. The reason is not returned: the caller (a transport) counts and logs the refusal, and a
   * device is told no more than "refused".
   */
  async authenticateToken(secret: string): Promise<AuthenticatedDevice | undefined> {
    if (typeof secret !== 'string' || !secret.startsWith(TOKEN_PREFIX) || secret.length > MAX_TOKEN_LENGTH)
      return undefined;
    const credential = await this.store.devices.credentialByTokenHash(hashToken(secret));
    return this.admit(credential);
  }

  /** Like authenticateToken, for a username and password of a tenant (MQTT CONNECT, HTTP Basic). */
  async authenticatePassword(
    tenant: string,
    username: string,
    password: string,
  ): Promise<AuthenticatedDevice | undefined> {
    if (typeof username !== 'string' || typeof password !== 'string') return undefined;
    const credential = await this.store.devices.credentialByUsername(tenant, username);
    if (credential === undefined) {
      // As slow as a wrong password, so that timing does not tell which usernames exist.
      this.dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(password, await this.dummyHash);
      return undefined;
    }
    if (!(await verifyPassword(password, credential.hash))) return undefined;
    return this.admit(credential);
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────────

  private async admit(
    credential: DeviceCredentialRecord | undefined,
  ): Promise<AuthenticatedDevice | undefined> {
    if (credential === undefined || credential.revokedAt !== undefined) return undefined;
    const device = await this.store.devices.getDevice(credential.tenant, credential.deviceId);
    if (device === undefined || device.disabled) return undefined;
    const profile = await this.getProfile(device.tenant, device.profileId);
    if (profile === undefined) return undefined;
    return { tenant: device.tenant, device, profile };
  }

  /** Generate and store one credential; only its hash is kept. */
  private async issue(tenant: string, deviceId: string, kind: CredentialKind): Promise<IssuedCredential> {
    const id = `dc_${randomBytes(10).toString('hex')}`;
    const createdAt = this.now();
    if (kind === 'token') {
      const token = generateDeviceToken();
      await this.store.devices.putCredential({
        id,
        tenant,
        deviceId,
        kind,
        hash: token.hash,
        prefix: token.prefix,
        createdAt,
      });
      return { id, kind, secret: token.secret };
    }
    // The username is the device id while it is free; a rotated password gets a fresh one, since a
    // revoked credential keeps its username (and a device's old config must not half-work).
    const taken = (await this.store.devices.credentialByUsername(tenant, deviceId)) !== undefined;
    const username = taken ? `${deviceId}.${randomBytes(4).toString('hex')}` : deviceId;
    const password = generatePassword();
    await this.store.devices.putCredential({
      id,
      tenant,
      deviceId,
      kind,
      username,
      hash: await hashPassword(password),
      createdAt,
    });
    return { id, kind, username, password };
  }

  /** The tenant's profiles by id, read once per bulk request. */
  private async profileMap(tenant: string): Promise<Map<string, ProfileEntry>> {
    return new Map((await this.listProfiles(tenant)).map((e) => [e.id, e]));
  }

  private remember(tenant: string, entry: ProfileEntry): ProfileEntry {
    let byId = this.profiles.get(tenant);
    if (byId === undefined) this.profiles.set(tenant, (byId = new Map()));
    byId.set(entry.id, entry);
    return entry;
  }

  /**
   * Each device's `Device` entity and the link from the entity it feeds, named with its profile's
   * @context (each profile's context is resolved once). The fed entity is created with the profile's
   * type when missing; its `refDevice` names the most recently provisioned device feeding it.
   */
  private async deviceEntities(devices: DeviceRecord[]): Promise<Entity[]> {
    const mappers = new Map<string, TermMapper>();
    const out: Entity[] = [];
    for (const d of devices) {
      const entry = await this.profileEntry(d.tenant, d.profileId);
      if (entry === undefined) throw new NgsiError('InternalError', `profile ${d.profileId} vanished`);
      let mapper = mappers.get(d.profileId);
      if (mapper === undefined)
        mappers.set(d.profileId, (mapper = await this.contexts.resolve(profileContext(entry.raw))));
      const x = (term: string) => mapper.expandTerm(term);
      const property = (value: unknown): Attribute[] => [{ type: 'Property', value }];
      const attrs: Record<string, Attribute[]> = {
        [x('deviceCategory')]: property(entry.profile.transport),
        [x('serialNumber')]: property(d.id),
        [x('profile')]: property(d.profileId),
      };
      if (d.description !== undefined) attrs[x('description')] = property(d.description);
      // An actuator's commands are attributes of its Device entity from the start (as FIWARE IoT
      // Agents register them), so that an NGSI-LD PATCH of one — which updates existing attributes
      // only — sends the command. The empty string is "no command yet".
      for (const c of entry.profile.commands ?? []) attrs[c.attribute] = property('');
      out.push({ id: d.deviceEntityId, type: [x(DEVICE)], attrs });
      out.push({
        id: d.entityId,
        type: [entry.profile.entityType],
        attrs: {
          [x('refDevice')]: [{ type: 'Relationship', value: d.deviceEntityId, objectType: x(DEVICE) }],
        },
      });
    }
    return out;
  }
}

function toEntry(record: {
  id: string;
  document: unknown;
  createdAt: string;
  updatedAt: string;
}): ProfileEntry {
  const doc = record.document as { raw?: unknown; profile?: DeviceProfile } | null;
  if (doc === null || typeof doc !== 'object' || doc.profile === undefined)
    // Written only by putProfile above: anything else is a damaged store, not a client's mistake.
    throw new NgsiError('InternalError', `device profile ${record.id}: stored document is malformed`);
  return {
    id: record.id,
    raw: doc.raw,
    profile: doc.profile,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function where(ref: RowRef): string {
  return 'row' in ref ? `row ${ref.row}` : `line ${ref.line}`;
}

function position(ref: RowRef): number {
  return 'row' in ref ? ref.row : ref.line;
}

/** The id a refused row named, when it named one, to help the operator find it. */
function idOf(raw: unknown): { id?: string } {
  const id = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 128 ? { id } : {};
}

/** `fn` over `items` with at most `limit` running at once; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
