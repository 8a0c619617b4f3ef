/**
 * The IoT Agent device use cases (`/iot/devices`): each IoT Agent device is an Urbis device (same
 * id, in the tenant of its fiware-service) of its group's profile or of a profile of its own, feeding
 * the entity its `entity_name` names (or `urn:ngsi-ld:<type>:<device_id>`), with no credential of its
 * own: its group's apikey authenticates it. Creating several devices is all or none — the IoT Agent's
 * scripts provision a fleet in one request and expect one answer.
 */
import { alreadyExists, badRequest, notFound } from '../../core/errors.js';
import type {
  IotaDeviceRecord,
  IotaGroupRecord,
  IotaRepository,
  ServicePathFilter,
} from '../../store/iota-port.js';
import type { DeviceRegistry } from '../registry/registry-service.js';
import { applyPlan, groupMapping, planDevice, type DevicePlan, type PlanWriter } from './iota-device-plan.js';
import { parseDevice, parseDevicesBody, type IotaDeviceInput } from './iota-model.js';
import { presentDevice } from './iota-present.js';
import { entityIdOf, groupProfileId, hashApikey } from './iota-profile.js';
import type { IotaPlace } from './iota-service-groups.js';

export interface IotaDevicesDeps extends PlanWriter {
  iota: IotaRepository;
  registry: PlanWriter['registry'] & Pick<DeviceRegistry, 'createDevices' | 'deleteDevice'>;
  now?: () => string;
}

/** A device ready to be written. */
interface Planned {
  input: IotaDeviceInput;
  group: IotaGroupRecord;
  plan: DevicePlan;
  entityId: string;
}

export class IotaDevices {
  private readonly deps: IotaDevicesDeps;
  private readonly now: () => string;

  constructor(deps: IotaDevicesDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date().toISOString());
  }

  /** `POST /iot/devices`: every device of the body, or none. */
  async create(place: IotaPlace, body: unknown): Promise<void> {
    const { scope } = place;
    const inputs = parseDevicesBody(body).map((raw, i) => parseDevice(raw, `devices[${i}]`));
    const planned: Planned[] = [];
    const seen = new Set<string>();
    const groupsHere = new GroupsHere(this.deps.iota, place);
    for (const [i, input] of inputs.entries()) {
      const at = `devices[${i}]`;
      if (seen.has(input.deviceId))
        throw badRequest(`${at}: device ${input.deviceId} is in the request twice`);
      seen.add(input.deviceId);
      if ((await this.deps.iota.getDevice(scope.tenant, input.deviceId)) !== undefined)
        throw alreadyExists(`device ${input.deviceId} already exists`);
      const group = await groupsHere.groupFor(input, at);
      const plan = planDevice(group, groupMapping(group), input, at);
      planned.push({
        input,
        group,
        plan,
        entityId: entityIdOf(plan.entityType, input.deviceId, input.entityName),
      });
    }

    const profiles = new Map(planned.map((p) => [p.plan.profileId, p.plan]));
    const written: string[] = [];
    const created: string[] = [];
    try {
      for (const plan of profiles.values()) {
        await this.deps.registry.putProfile(scope, plan.profile);
        if (plan.own) written.push(plan.profileId);
      }
      const report = await this.deps.registry.createDevices(
        scope,
        planned.map((p) => ({ id: p.input.deviceId, profile: p.plan.profileId, entityId: p.entityId })),
        { credentials: 'none' },
      );
      created.push(...report.created.map((c) => c.id));
      const failure = report.failed[0];
      if (failure !== undefined) {
        const which = failure.id ?? `row ${'row' in failure ? failure.row : failure.line}`;
        throw /already exists/i.test(failure.error)
          ? alreadyExists(`device ${which}: ${failure.error}`)
          : badRequest(`device ${which}: ${failure.error}`);
      }
    } catch (e) {
      // All or none: take back what this request made.
      for (const id of created) await this.deps.registry.deleteDevice(scope, id);
      for (const id of written) await this.deps.registry.deleteProfile(scope, id);
      throw e;
    }
    const now = this.now();
    for (const p of planned)
      await this.deps.iota.putDevice({
        tenant: scope.tenant,
        deviceId: p.input.deviceId,
        servicePath: place.servicePath,
        groupKey: p.group.apikeyHash,
        profileId: p.plan.profileId,
        document: { ...p.input.document, entity_name: p.entityId },
        createdAt: now,
        updatedAt: now,
      });
  }

  /** `GET /iot/devices`: a page of the tenant's devices in a service path (`/*`: all). */
  async list(
    tenant: string,
    servicePath: string,
    page: { limit: number; offset: number },
  ): Promise<{ count: number; devices: Array<Record<string, unknown>> }> {
    const where: ServicePathFilter = servicePath === '/*' ? { all: true } : { servicePath };
    const { items, count } = await this.deps.iota.listDevices(tenant, where, page.limit, page.offset);
    const types = new Map<string, Promise<string | undefined>>();
    const devices = [];
    for (const d of items) devices.push(await this.present(d, types));
    return { count, devices };
  }

  /** `GET /iot/devices/{id}`; ResourceNotFound when not in this service path. */
  async get(tenant: string, servicePath: string, id: string): Promise<Record<string, unknown>> {
    return this.present(await this.find(tenant, servicePath, id), new Map());
  }

  /**
   * `PUT /iot/devices/{id}`: the members given replace the device's. Its attributes, entity type and
   * group (by `apikey`) may change — it is re-mapped; its device id and entity may not.
   */
  async update(place: IotaPlace, id: string, body: unknown): Promise<void> {
    const { scope } = place;
    const record = await this.find(scope.tenant, place.servicePath, id);
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('body must be a JSON object of the device members to change');
    const changes = body as Record<string, unknown>;
    if (changes.device_id !== undefined && changes.device_id !== id)
      throw badRequest('device_id cannot change: provision a new device');
    const document = record.document as Record<string, unknown>;
    const input = parseDevice({ ...document, ...changes, device_id: id });
    const group =
      input.apikey !== undefined
        ? await new GroupsHere(this.deps.iota, { ...place, servicePath: record.servicePath }).groupFor(
            input,
            'device',
          )
        : await this.deps.iota.groupByKey(record.groupKey);
    if (group === undefined) throw notFound(`the service group of device ${id} no longer exists`);
    const plan = planDevice(group, groupMapping(group), input);
    const entityId = entityIdOf(plan.entityType, id, input.entityName);
    if (changes.entity_name !== undefined && entityId !== document.entity_name)
      throw badRequest('entity_name cannot change: delete the device and provision it again');
    const own = record.profileId !== groupProfileId(record.groupKey);
    await applyPlan(this.deps, scope, id, { profileId: record.profileId, own }, plan);
    await this.deps.iota.putDevice({
      ...record,
      groupKey: group.apikeyHash,
      profileId: plan.profileId,
      document: { ...input.document, entity_name: document.entity_name },
      updatedAt: this.now(),
    });
  }

  /** `DELETE /iot/devices/{id}`: the Urbis device (and its Device entity), its document, its own profile. */
  async remove(place: IotaPlace, id: string): Promise<void> {
    const record = await this.find(place.scope.tenant, place.servicePath, id);
    await this.removeRecord(place, record);
  }

  /** Remove a device of a group being deleted (any service path of the group's tenant). */
  async removeOfGroup(place: IotaPlace, id: string): Promise<void> {
    const record = await this.deps.iota.getDevice(place.scope.tenant, id);
    if (record !== undefined) await this.removeRecord(place, record);
  }

  private async removeRecord(place: IotaPlace, record: IotaDeviceRecord): Promise<void> {
    await this.deps.registry.deleteDevice(place.scope, record.deviceId);
    await this.deps.iota.deleteDevice(record.tenant, record.deviceId);
    if (record.profileId !== groupProfileId(record.groupKey))
      await this.deps.registry.deleteProfile(place.scope, record.profileId);
  }

  private async find(tenant: string, servicePath: string, id: string): Promise<IotaDeviceRecord> {
    const record = await this.deps.iota.getDevice(tenant, id);
    if (record === undefined || (servicePath !== '/*' && record.servicePath !== servicePath))
      throw notFound(`no device ${id} in this service and service path`);
    return record;
  }

  /** The device in the IoT Agent's shape, with the entity type in effect (its own, or its group's). */
  private async present(
    d: IotaDeviceRecord,
    types: Map<string, Promise<string | undefined>>,
  ): Promise<Record<string, unknown>> {
    let type = types.get(d.groupKey);
    if (type === undefined) {
      type = this.deps.iota.groupByKey(d.groupKey).then((g) => (g ? groupMapping(g).entityType : undefined));
      types.set(d.groupKey, type);
    }
    const shown = presentDevice(d);
    const groupType = await type;
    if (shown.entity_type === undefined && groupType !== undefined) shown.entity_type = groupType;
    return shown;
  }
}

/**
 * The group a device belongs to: the group of its apikey (which must be of this tenant and service
 * path), else the one group of the service path, else the one of the device's entity type there.
 */
class GroupsHere {
  private here: Promise<IotaGroupRecord[]> | undefined;

  constructor(
    private readonly iota: IotaRepository,
    private readonly place: IotaPlace,
  ) {}

  async groupFor(input: IotaDeviceInput, at: string): Promise<IotaGroupRecord> {
    const { tenant } = this.place.scope;
    if (input.apikey !== undefined) {
      const g = await this.iota.groupByKey(hashApikey(input.apikey));
      if (g === undefined || g.tenant !== tenant || g.servicePath !== this.place.servicePath)
        throw badRequest(`${at}.apikey: no service group with this apikey in this service and service path`);
      return g;
    }
    this.here ??= this.iota
      .listGroups(tenant, { servicePath: this.place.servicePath }, 1000, 0)
      .then((page) => page.items);
    const groups = await this.here;
    if (groups.length === 0)
      throw badRequest(
        `${at}: no service group in this service and service path; provision one first (POST /iot/services): ` +
          'its apikey authenticates the device',
      );
    if (groups.length === 1) return groups[0] as IotaGroupRecord;
    const ofType = groups.filter((g) => groupMapping(g).entityType === input.entityType);
    if (ofType.length === 1) return ofType[0] as IotaGroupRecord;
    throw badRequest(`${at}: several service groups in this service path; name the device's apikey`);
  }
}
