/**
 * The IoT Agent service group use cases (`/iot/services`): provision, list, update and remove the
 * groups of a fiware-service (tenant) and service path. A group's apikey is stored only as its
 * SHA-256, unique across the platform (as the IoT Agent requires of (resource, apikey), and more:
 * over MQTT a device names only the apikey). A group that declares attributes is an Urbis device
 * profile; updating it re-maps its devices, so that every device reads its measures by the group as
 * it now is.
 */
import { alreadyExists, badRequest, notFound } from '../../core/errors.js';
import type { Scope } from '../../context/scope.js';
import type { IotaGroupRecord, IotaRepository, ServicePathFilter } from '../../store/iota-port.js';
import { applyPlan, groupProfile, planDevice, type PlanWriter } from './iota-device-plan.js';
import { parseDevice, parseGroup, parseGroupDocument, parseServicesBody } from './iota-model.js';
import { presentGroup } from './iota-present.js';
import { apikeyPrefix, groupProfileId, hashApikey } from './iota-profile.js';

/** Where a provisioning request applies: the caller's scope (tenant, access) and service path. */
export interface IotaPlace {
  scope: Scope;
  servicePath: string;
}

/** How a request names one group: the IoT Agent's `?resource=…&apikey=…`. */
export interface GroupSelector {
  resource: string | undefined;
  apikey: string | undefined;
}

export interface IotaGroupsDeps extends PlanWriter {
  iota: IotaRepository;
  now?: () => string;
}

export class IotaServiceGroups {
  private readonly deps: IotaGroupsDeps;
  private readonly now: () => string;

  constructor(deps: IotaGroupsDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date().toISOString());
  }

  /** `POST /iot/services`: all the body's groups, or none (AlreadyExists for a taken apikey). */
  async create(place: IotaPlace, body: unknown): Promise<void> {
    const { scope, servicePath } = place;
    const groups = parseServicesBody(body).map((raw, i) => parseGroup(raw, `services[${i}]`));
    const now = this.now();
    const records: IotaGroupRecord[] = [];
    const profiles: Array<Record<string, unknown>> = [];
    const seen = new Set<string>();
    for (const g of groups) {
      const apikeyHash = hashApikey(g.apikey);
      const prefix = apikeyPrefix(g.apikey);
      if (seen.has(apikeyHash) || (await this.deps.iota.groupByKey(apikeyHash)) !== undefined)
        throw alreadyExists(`a service group with apikey ${prefix}… already exists`);
      seen.add(apikeyHash);
      const base = { apikeyHash, apikeyPrefix: prefix, servicePath };
      const profile = groupProfile(base, g);
      if (profile !== undefined) profiles.push(profile);
      records.push({
        ...base,
        tenant: scope.tenant,
        resource: g.resource,
        ...(profile !== undefined ? { profileId: profile.id as string } : {}),
        document: g.document,
        createdAt: now,
        updatedAt: now,
      });
    }
    const written: string[] = [];
    try {
      for (const p of profiles) {
        await this.deps.registry.putProfile(scope, p);
        written.push(p.id as string);
      }
      await this.deps.iota.createGroups(records);
    } catch (e) {
      // No group was created: its profiles would describe nothing (none had devices yet).
      for (const id of written) await this.deps.registry.deleteProfile(scope, id);
      throw e;
    }
  }

  /**
   * `GET /iot/services`: a page of the tenant's groups in a service path (`/*`: all). With `apikey`,
   * just that group when it is here (and of that resource, when given).
   */
  async list(
    tenant: string,
    servicePath: string,
    page: { limit: number; offset: number },
    select: Partial<GroupSelector> = {},
  ): Promise<{ count: number; services: Array<Record<string, unknown>> }> {
    if (select.apikey !== undefined) {
      const g = await this.deps.iota.groupByKey(hashApikey(select.apikey));
      const here = g !== undefined && this.isHere(g, tenant, servicePath, select.resource);
      return here ? { count: 1, services: [presentGroup(g)] } : { count: 0, services: [] };
    }
    const where: ServicePathFilter = servicePath === '/*' ? { all: true } : { servicePath };
    const { items, count } = await this.deps.iota.listGroups(tenant, where, page.limit, page.offset);
    return { count, services: items.map(presentGroup) };
  }

  /**
   * `PUT /iot/services?resource=…&apikey=…`: the members given replace the group's; its apikey and
   * resource do not change. Its profile and its devices' profiles follow.
   */
  async update(place: IotaPlace, select: GroupSelector, body: unknown): Promise<void> {
    const { scope } = place;
    const g = await this.find(place, select);
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('body must be a JSON object of the group members to change');
    const changes = body as Record<string, unknown>;
    if (changes.apikey !== undefined && changes.apikey !== select.apikey)
      throw badRequest('apikey cannot change: provision a new group and move the devices');
    if (changes.resource !== undefined && changes.resource !== g.resource)
      throw badRequest('resource cannot change: provision a new group');
    const { apikey: _same, ...rest } = changes;
    const parsed = parseGroupDocument({ ...(g.document as Record<string, unknown>), ...rest });
    const mapping = { entityType: parsed.entityType, attributes: parsed.attributes };
    const profile = groupProfile(g, mapping);
    // Plan every device before writing anything: one that would be left without attributes is refused.
    const devices = await this.deps.iota.devicesOfGroup(g.apikeyHash);
    const plans = devices.map((d) => ({
      device: d,
      plan: planDevice(g, mapping, parseDevice(d.document), `device ${d.deviceId}`),
    }));
    const updated: IotaGroupRecord = {
      ...g,
      document: parsed.document,
      updatedAt: this.now(),
      ...(profile !== undefined ? { profileId: profile.id as string } : {}),
    };
    if (profile === undefined) delete updated.profileId;
    if (profile !== undefined) await this.deps.registry.putProfile(scope, profile);
    await this.deps.iota.replaceGroup(updated);
    for (const { device, plan } of plans) {
      const own = device.profileId !== groupProfileId(g.apikeyHash);
      await applyPlan(this.deps, scope, device.deviceId, { profileId: device.profileId, own }, plan);
      await this.deps.iota.putDevice({
        ...device,
        profileId: plan.profileId,
        updatedAt: updated.updatedAt,
      });
    }
    if (profile === undefined && g.profileId !== undefined)
      await this.deps.registry.deleteProfile(scope, g.profileId);
  }

  /**
   * `DELETE /iot/services?resource=…&apikey=…`: refused while the group has devices, unless
   * `withDevices` (the IoT Agent's `device=true`) removes them too.
   */
  async remove(
    place: IotaPlace,
    select: GroupSelector,
    withDevices: boolean,
    removeDevice: (deviceId: string) => Promise<void>,
  ): Promise<void> {
    const g = await this.find(place, select);
    const devices = await this.deps.iota.devicesOfGroup(g.apikeyHash);
    if (devices.length > 0 && !withDevices)
      throw badRequest(
        `the service group has ${devices.length} device${devices.length === 1 ? '' : 's'}: ` +
          'delete them first, or add device=true to delete them with it',
      );
    for (const d of devices) await removeDevice(d.deviceId);
    await this.deps.iota.deleteGroup(g.tenant, g.servicePath, g.apikeyHash);
    if (g.profileId !== undefined) await this.deps.registry.deleteProfile(place.scope, g.profileId);
  }

  /** The group a selector names in this tenant and service path; ResourceNotFound otherwise. */
  private async find(place: IotaPlace, select: GroupSelector): Promise<IotaGroupRecord> {
    if (select.apikey === undefined || select.resource === undefined)
      throw badRequest('name the service group with the resource and apikey query parameters');
    const g = await this.deps.iota.groupByKey(hashApikey(select.apikey));
    if (g === undefined || !this.isHere(g, place.scope.tenant, place.servicePath, select.resource))
      throw notFound('no service group with this resource and apikey in this service and service path');
    return g;
  }

  private isHere(g: IotaGroupRecord, tenant: string, servicePath: string, resource?: string): boolean {
    return (
      g.tenant === tenant &&
      (servicePath === '/*' || g.servicePath === servicePath) &&
      (resource === undefined || g.resource === resource)
    );
  }
}
