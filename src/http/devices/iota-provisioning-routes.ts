/**
 * The IoT Agent provisioning API (`/iot/services`, `/iot/devices`) as the FIWARE IoT Agent serves
 * it, so that a fleet's provisioning scripts run unchanged: `fiware-service` is the tenant (the
 * gate's tenantOf reads it when NGSILD-Tenant is absent), `fiware-servicepath` the service path (`/`
 * by default; `/*` reads every path). Reads need the `read` action, changes `admin` (the gate decides,
 * src/http/security/route-actions.ts); every change is audited. Answers are the IoT Agent's: 201 with
 * no body on creation, 204 on update and removal, `{count, services}` / `{count, devices}` listings.
 * Errors are ProblemDetails, as everywhere in Urbis.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import type { IotaDialect } from '../../devices/dialects/iota-dialect.js';
import { parseServicePath } from '../../devices/dialects/iota-model.js';
import type { IotaPlace } from '../../devices/dialects/iota-service-groups.js';
import { scopeOf, tenantOf } from '../ngsi-ld/ld-request.js';
import type { DeviceApiDeps } from './deps.js';
import { audited } from '../admin/audited.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;
const hidden = { schema: { hide: true } };

export function iotaProvisioningRoutes(app: FastifyInstance, deps: DeviceApiDeps, iota: IotaDialect): void {
  const audit = <T>(
    request: FastifyRequest,
    action: string,
    target: string | undefined,
    run: () => Promise<T>,
  ) => audited(request, deps, action, target, run);

  app.post('/iot/services', hidden, async (request, reply) => {
    const place = placeOf(request, true);
    await audit(request, 'iota.services.create', place.servicePath, () =>
      iota.groups.create(place, request.body),
    );
    return reply.code(201).send();
  });

  app.get('/iot/services', hidden, async (request) => {
    const q = queryOf(request);
    const servicePath = parseServicePath(header(request, 'fiware-servicepath'), false);
    return iota.groups.list(tenantOf(request), servicePath, pageOf(q), {
      ...(q.apikey !== undefined ? { apikey: q.apikey } : {}),
      ...(q.resource !== undefined ? { resource: q.resource } : {}),
    });
  });

  app.put('/iot/services', hidden, async (request, reply) => {
    const place = placeOf(request, true);
    const q = queryOf(request);
    await audit(request, 'iota.services.update', place.servicePath, () =>
      iota.groups.update(place, { resource: q.resource, apikey: q.apikey }, request.body),
    );
    return reply.code(204).send();
  });

  app.delete('/iot/services', hidden, async (request, reply) => {
    const place = placeOf(request, true);
    const q = queryOf(request);
    await audit(request, 'iota.services.delete', place.servicePath, () =>
      iota.groups.remove(place, { resource: q.resource, apikey: q.apikey }, q.device === 'true', (id) =>
        iota.devices.removeOfGroup(place, id),
      ),
    );
    return reply.code(204).send();
  });

  app.post('/iot/devices', hidden, async (request, reply) => {
    const place = placeOf(request, true);
    await audit(request, 'iota.devices.create', place.servicePath, () =>
      iota.devices.create(place, request.body),
    );
    return reply.code(201).send();
  });

  app.get('/iot/devices', hidden, async (request) => {
    const servicePath = parseServicePath(header(request, 'fiware-servicepath'), false);
    return iota.devices.list(tenantOf(request), servicePath, pageOf(queryOf(request)));
  });

  app.get<{ Params: { deviceId: string } }>('/iot/devices/:deviceId', hidden, async (request) => {
    const servicePath = parseServicePath(header(request, 'fiware-servicepath'), false);
    return iota.devices.get(tenantOf(request), servicePath, request.params.deviceId);
  });

  app.put<{ Params: { deviceId: string } }>('/iot/devices/:deviceId', hidden, async (request, reply) => {
    const place = placeOf(request, true);
    const id = request.params.deviceId;
    await audit(request, 'iota.devices.update', id, () => iota.devices.update(place, id, request.body));
    return reply.code(204).send();
  });

  app.delete<{ Params: { deviceId: string } }>('/iot/devices/:deviceId', hidden, async (request, reply) => {
    const place = placeOf(request, true);
    const id = request.params.deviceId;
    await audit(request, 'iota.devices.delete', id, () => iota.devices.remove(place, id));
    return reply.code(204).send();
  });
}

/** The request's tenant and access, and its service path (one path for writes). */
function placeOf(request: FastifyRequest, forWrite: boolean): IotaPlace {
  return {
    scope: scopeOf(request),
    servicePath: parseServicePath(header(request, 'fiware-servicepath'), forWrite),
  };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

type Query = Partial<Record<'limit' | 'offset' | 'resource' | 'apikey' | 'device', string>>;

/** The IoT Agent's query parameters (others, which the IoT Agent also ignores, are ignored). */
function queryOf(request: FastifyRequest): Query {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const out: Query = {};
  for (const key of ['limit', 'offset', 'resource', 'apikey', 'device'] as const) {
    const v = q[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw badRequest(`query parameter ${key} is given more than once`);
    out[key] = v;
  }
  return out;
}

function pageOf(q: Query): { limit: number; offset: number } {
  const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
  const offset = q.offset === undefined ? 0 : Number(q.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw badRequest(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset must be a non-negative integer');
  return { limit, offset };
}
