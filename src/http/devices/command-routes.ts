/**
 * Commands to actuators over HTTP (issue #5): create one for a device, read one, list a device's.
 * The gate requires the `command` action to create (a viewer may read devices, not drive signals)
 * and `read` to look; each creation is audited here — who, which device, which command, the outcome
 * (and the value only when it is small) — before the answer leaves, so a command that cannot be
 * audited is not answered as created. Validation and delivery are the command service's.
 *
 *   POST /devices/{deviceId}/commands   {name, value, ttl?: "PT10M"} → 201, Location /commands/{id}
 *   GET  /commands/{commandId}
 *   GET  /devices/{deviceId}/commands?status=&limit=&offset=   newest first, NGSILD-Results-Count
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, invalidRequest, isNgsiError, notFound } from '../../core/errors.js';
import { COMMAND_STATUSES, type CommandRecord, type CommandStatus } from '../../store/commands-port.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import type { DeviceApiDeps } from './deps.js';
import '../security/request-principal.js';

export const DEFAULT_COMMAND_PAGE = 20;
export const MAX_COMMAND_PAGE = 1000;
/** A value larger than this (as JSON) is audited by its size only. */
export const AUDITED_VALUE_BYTES = 256;

const ID = { type: 'string', minLength: 1, maxLength: 128 } as const;

export function commandRoutes(app: FastifyInstance, deps: DeviceApiDeps): void {
  const commands = deps.devices.commands;

  app.post<{ Params: { deviceId: string } }>(
    '/devices/:deviceId/commands',
    {
      schema: {
        tags: ['Devices'],
        summary: 'Send a command to an actuator (validated against its profile’s safety rules)',
        params: { type: 'object', properties: { deviceId: ID }, required: ['deviceId'] },
      },
    },
    async (request, reply) => {
      const deviceId = request.params.deviceId;
      const tenant = tenantOf(request);
      const by = request.principal?.id ?? 'anonymous';
      let name: string | undefined;
      request.audited = true;
      try {
        const body = parseBody(request.body);
        name = body.name;
        const command = await commands.create({ tenant, deviceId, ...body, by });
        await audit(request, deps, tenant, deviceId, {
          outcome: 'success',
          detail: { command: command.name, id: command.id, ...valueDetail(command.value) },
        });
        return reply.code(201).header('Location', `/commands/${command.id}`).send(view(command));
      } catch (error) {
        const status = isNgsiError(error) ? error.status : 500;
        await audit(request, deps, tenant, deviceId, {
          outcome: status === 401 || status === 403 ? 'denied' : 'failure',
          status,
          detail: {
            ...(name !== undefined ? { command: name } : {}),
            ...(isNgsiError(error) && status < 500 ? { reason: error.detail.slice(0, 300) } : {}),
          },
        });
        throw error;
      }
    },
  );

  app.get<{ Params: { commandId: string } }>(
    '/commands/:commandId',
    {
      schema: {
        tags: ['Devices'],
        summary: 'A command with its status history and the device’s result',
        params: { type: 'object', properties: { commandId: ID }, required: ['commandId'] },
      },
    },
    async (request) => {
      const command = await commands.get(tenantOf(request), request.params.commandId);
      if (command === undefined) throw notFound(`command ${request.params.commandId} not found`);
      return view(command);
    },
  );

  app.get<{ Params: { deviceId: string }; Querystring: Record<string, string> }>(
    '/devices/:deviceId/commands',
    {
      schema: {
        tags: ['Devices'],
        summary: 'A device’s commands, newest first',
        params: { type: 'object', properties: { deviceId: ID }, required: ['deviceId'] },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' } },
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const status = q.status === undefined ? undefined : statusOf(q.status);
      const limit = integer(q.limit, 'limit', DEFAULT_COMMAND_PAGE, 1, MAX_COMMAND_PAGE);
      const offset = integer(q.offset, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
      const page = await commands.list(tenantOf(request), request.params.deviceId, {
        ...(status !== undefined ? { status } : {}),
        limit,
        offset,
      });
      reply.header('NGSILD-Results-Count', String(page.count));
      return page.items.map(view);
    },
  );
}

/** The request body: `name` and `value` required, `ttl` optional, nothing else. */
function parseBody(body: unknown): { name: string; value: unknown; ttl?: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the body must be a JSON object {name, value, ttl?}');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (k !== 'name' && k !== 'value' && k !== 'ttl') throw badRequest(`unknown member ${k}`);
  if (typeof b.name !== 'string' || b.name === '' || b.name.length > 64)
    throw badRequest('name must name one of the device profile’s commands');
  if (!('value' in b)) throw badRequest('value is required');
  if (b.ttl !== undefined && typeof b.ttl !== 'string')
    throw badRequest('ttl must be an ISO 8601 duration such as PT10M');
  return { name: b.name, value: b.value, ...(b.ttl !== undefined ? { ttl: b.ttl } : {}) };
}

/** A command as the API shows it (the record without the tenant, which the request names). */
function view(c: CommandRecord): Omit<CommandRecord, 'tenant'> {
  const { tenant: _tenant, ...rest } = c;
  return rest;
}

/** The value for the audit entry: whole when small, else its size only. */
function valueDetail(value: unknown): Record<string, unknown> {
  const text = JSON.stringify(value) ?? '';
  const bytes = Buffer.byteLength(text);
  return bytes <= AUDITED_VALUE_BYTES ? { value } : { valueBytes: bytes };
}

async function audit(
  request: FastifyRequest,
  deps: DeviceApiDeps,
  tenant: string,
  deviceId: string,
  outcome: { outcome: 'success' | 'failure' | 'denied'; status?: number; detail: Record<string, unknown> },
): Promise<void> {
  await deps.governance.audit.recordNow({
    at: new Date().toISOString(),
    tenant,
    principal: request.principal?.id ?? 'anonymous',
    action: 'command.create',
    target: deviceId,
    requestId: String(request.id),
    outcome: outcome.outcome,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    detail: outcome.detail,
  });
}

function statusOf(raw: string): CommandStatus {
  if (!(COMMAND_STATUSES as readonly string[]).includes(raw))
    throw invalidRequest(`status must be one of ${COMMAND_STATUSES.join(', ')}`);
  return raw as CommandStatus;
}

function integer(raw: string | undefined, name: string, dflt: number, min: number, max: number): number {
  if (raw === undefined) return dflt;
  const n = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw invalidRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
}
