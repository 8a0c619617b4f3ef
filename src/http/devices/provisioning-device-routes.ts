/**
 * Devices of the tenant (`/devices`): provision one (a JSON object: 201, Location, its credential) or
 * many (a JSON array or a CSV file: 201 all created, 207 some, 400 none, with the per-row report), list
 * them with their state, read one, delete one. Credentials are issued once, in the creation answer,
 * marked `Cache-Control: no-store`; the audit entry records counts and ids, never a secret.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NgsiError, badRequest, isNgsiError, notFound } from '../../core/errors.js';
import type { ProvisioningReport } from '../../devices/registry/registry-service.js';
import type { DeviceRecord, DeviceStateRecord } from '../../store/devices-port.js';
import { listOf } from '../admin/schemas.js';
import { requestProblem } from '../admin/validation.js';
import { scopeOf, tenantOf } from '../ngsi-ld/ld-request.js';
import type { DeviceApiDeps } from './deps.js';
import { auditedWrite, deviceRoute } from './provisioning-audit.js';
import {
  DEFAULT_DEVICE_PAGE,
  MAX_DEVICE_PAGE,
  createdDeviceView,
  deviceParams,
  deviceView,
  listDevicesQuery,
  provisionBody,
  provisionQuery,
  reportView,
} from './schemas.js';

/**
 * Largest provisioning body. The registry takes up to 10,000 rows (MAX_CSV_ROWS), and a row may carry
 * an entity id and a description of a kilobyte each: more than the app-wide body limit allows.
 */
export const PROVISIONING_BODY_LIMIT = 16 * 1024 * 1024;

/** 201 answers one device (`id`, `credential`) or a bulk report (`created`, `failed`). */
const createdView = {
  type: 'object',
  properties: { ...createdDeviceView.properties, ...reportView.properties },
} as const;

type DeviceParams = { deviceId: string };
type ProvisionQuery = { credentials?: 'token' | 'password' | 'none' };
type ListQuery = { limit?: string; offset?: string; count?: 'true' | 'false' };

/** A device as shown: its record under API names (no tenant: the request named it) and its state. */
export interface DeviceView {
  id: string;
  profile: string;
  entityId: string;
  deviceEntityId: string;
  description?: string;
  disabled: boolean;
  createdAt: string;
  state: Omit<DeviceStateRecord, 'tenant' | 'deviceId' | 'offlineAt'>;
}

/** Mount the device routes. */
export function deviceRoutes(app: FastifyInstance, deps: DeviceApiDeps): void {
  const registry = deps.devices.registry;
  const states = deps.store.devices;

  const view = async (device: DeviceRecord): Promise<DeviceView> => {
    const state = await states.getState(device.tenant, device.id);
    return deviceViewOf(device, state);
  };

  app.post<{ Querystring: ProvisionQuery; Body: unknown }>(
    '/devices',
    {
      ...deviceRoute(
        'Provision one device (JSON object) or many (JSON array, or text/csv): credentials shown once',
        {
          querystring: provisionQuery,
          body: provisionBody,
          response: { 201: createdView, 207: reportView },
        },
      ),
      bodyLimit: PROVISIONING_BODY_LIMIT,
    },
    async (request, reply) => {
      const body = request.body;
      const credentials = request.query.credentials ?? 'token';
      reply.header('Cache-Control', 'no-store');
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
        const id = 'id' in body ? body.id : undefined;
        const created = await auditedWrite(
          request,
          deps,
          'device.create',
          typeof id === 'string' ? id : undefined,
          async () => {
            const scope = scopeOf(request);
            if (typeof id === 'string' && (await registry.getDevice(scope.tenant, id)) !== undefined)
              throw new NgsiError('AlreadyExists', `device ${id} already exists`);
            const report = await registry.createDevices(scope, [body], { credentials });
            const first = report.created[0];
            if (first === undefined) throw badRequest(report.failed[0]?.error ?? 'the device was refused');
            return first;
          },
          (c) => ({ credentials, ...(c.credential !== undefined ? { credential: c.credential.id } : {}) }),
        );
        return reply
          .status(201)
          .header('Location', `/devices/${encodeURIComponent(created.id)}`)
          .send(created);
      }
      // Many: a JSON array or a CSV text. When no row could be created the answer is a 400
      // ProblemDetails that carries the report too, so the operator sees every row's mistake.
      let report: ProvisioningReport | undefined;
      let done: ProvisioningReport;
      try {
        done = await auditedWrite(
          request,
          deps,
          'device.create',
          undefined,
          async () => {
            if (!Array.isArray(body) && typeof body !== 'string')
              throw badRequest('devices must be a JSON object, a JSON array or a CSV text');
            report = await registry.createDevices(scopeOf(request), body, { credentials });
            if (report.created.length === 0)
              throw badRequest(
                report.failed.length === 0
                  ? 'no device in the request'
                  : `none of the devices was created (${report.failed.length} refused)`,
              );
            return report;
          },
          (r) => ({
            credentials,
            created: r.created.length,
            failed: r.failed.length,
            ...(r.created.length <= 100 ? { ids: r.created.map((c) => c.id) } : {}),
          }),
        );
      } catch (e) {
        if (report !== undefined && isNgsiError(e)) return sendRefusedReport(reply, e, report);
        throw e;
      }
      return reply.status(done.failed.length === 0 ? 201 : 207).send(done);
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/devices',
    deviceRoute('List the devices of the tenant, with their state', {
      querystring: listDevicesQuery,
      response: { 200: listOf(deviceView) },
    }),
    async (request, reply) => {
      requestProblem(request);
      const { limit, offset, count } = paging(request.query);
      const page = await registry.listDevices(tenantOf(request), limit, offset);
      if (count) reply.header('NGSILD-Results-Count', String(page.count));
      return Promise.all(page.items.map(view));
    },
  );

  app.get<{ Params: DeviceParams }>(
    '/devices/:deviceId',
    deviceRoute('A device and its state', { params: deviceParams, response: { 200: deviceView } }),
    async (request) => {
      requestProblem(request);
      const device = await registry.getDevice(tenantOf(request), request.params.deviceId);
      if (device === undefined) throw notFound(`device ${request.params.deviceId} not found`);
      return view(device);
    },
  );

  app.patch<{ Params: DeviceParams; Body: { disabled?: boolean; description?: string } }>(
    '/devices/:deviceId',
    deviceRoute('Enable or disable a device, or change its description', {
      params: deviceParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { disabled: { type: 'boolean' }, description: { type: 'string', maxLength: 1024 } },
      },
    }),
    async (request) => {
      const id = request.params.deviceId;
      const device = await auditedWrite(
        request,
        deps,
        'device.update',
        id,
        () => registry.updateDevice(scopeOf(request), id, request.body),
        () => ({ ...request.body }),
      );
      return deviceViewOf(device, await deps.store.devices.getState(device.tenant, id));
    },
  );

  app.delete<{ Params: DeviceParams }>(
    '/devices/:deviceId',
    deviceRoute('Delete a device, its Device entity, credentials and state', { params: deviceParams }),
    async (request, reply) => {
      const id = request.params.deviceId;
      await auditedWrite(request, deps, 'device.delete', id, async () => {
        if (!(await registry.deleteDevice(scopeOf(request), id))) throw notFound(`device ${id} not found`);
      });
      return reply.status(204).send();
    },
  );
}

/** The record and state as shown. */
export function deviceViewOf(device: DeviceRecord, state: DeviceStateRecord | undefined): DeviceView {
  const shownState: DeviceView['state'] = { online: state?.online ?? false };
  if (state !== undefined) {
    const { tenant: _t, deviceId: _d, offlineAt: _o, online: _on, ...rest } = state;
    Object.assign(shownState, rest);
  }
  return {
    id: device.id,
    profile: device.profileId,
    entityId: device.entityId,
    deviceEntityId: device.deviceEntityId,
    ...(device.description !== undefined ? { description: device.description } : {}),
    disabled: device.disabled,
    createdAt: device.createdAt,
    state: shownState,
  };
}

/** limit, offset and count of GET /devices, checked against the page bounds. */
function paging(qs: ListQuery): { limit: number; offset: number; count: boolean } {
  const count = qs.count === 'true';
  const limit = qs.limit === undefined ? DEFAULT_DEVICE_PAGE : Number(qs.limit);
  if (limit > MAX_DEVICE_PAGE)
    throw new NgsiError('TooManyResults', `limit ${limit} exceeds the maximum of ${MAX_DEVICE_PAGE}`);
  if (limit === 0 && !count) throw badRequest('limit=0 is only allowed with count=true');
  return { limit, offset: qs.offset === undefined ? 0 : Number(qs.offset), count };
}

/** A 400 ProblemDetails with the report's members, so that every refused row is named. */
function sendRefusedReport(reply: FastifyReply, error: NgsiError, report: ProvisioningReport): FastifyReply {
  return reply
    .status(error.status)
    .type('application/json')
    .send(JSON.stringify({ ...error.toProblem(), ...report }));
}
