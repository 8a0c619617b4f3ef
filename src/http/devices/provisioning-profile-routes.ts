/**
 * Device profiles of the tenant (`/device-profiles`): list, create or replace (PUT, the id from the
 * path), read back as written, delete while no device uses it. The registry validates documents and
 * answers 400 naming the member at fault; writes are audited.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../../core/errors.js';
import type { ProfileEntry } from '../../devices/registry/registry-service.js';
import { listOf } from '../admin/schemas.js';
import { requestProblem } from '../admin/validation.js';
import { scopeOf, tenantOf } from '../ngsi-ld/ld-request.js';
import type { DeviceApiDeps } from './deps.js';
import { auditedWrite, deviceRoute } from './provisioning-audit.js';
import { profileBody, profileParams, profileView } from './schemas.js';

type ProfileParams = { profileId: string };

/** Mount the profile routes. */
export function profileRoutes(app: FastifyInstance, deps: DeviceApiDeps): void {
  const registry = deps.devices.registry;

  app.get(
    '/device-profiles',
    deviceRoute('List the device profiles of the tenant', { response: { 200: listOf(profileView) } }),
    async (request) => {
      requestProblem(request);
      return (await registry.listProfiles(tenantOf(request))).map(profileAsWritten);
    },
  );

  app.get<{ Params: ProfileParams }>(
    '/device-profiles/:profileId',
    deviceRoute('A device profile as written', { params: profileParams, response: { 200: profileView } }),
    async (request) => {
      requestProblem(request);
      const entry = await registry.profileEntry(tenantOf(request), request.params.profileId);
      if (entry === undefined) throw notFound(`device profile ${request.params.profileId} not found`);
      return profileAsWritten(entry);
    },
  );

  app.put<{ Params: ProfileParams; Body: unknown }>(
    '/device-profiles/:profileId',
    deviceRoute('Create (201) or replace (200) a device profile', {
      params: profileParams,
      body: profileBody,
      response: { 200: profileView, 201: profileView },
    }),
    async (request, reply) => {
      const id = request.params.profileId;
      const { entry, created } = await auditedWrite(
        request,
        deps,
        'device-profile.put',
        id,
        async () => {
          const document = withPathId(request.body, id);
          const scope = scopeOf(request);
          const existed = (await registry.profileEntry(scope.tenant, id)) !== undefined;
          return { entry: await registry.putProfile(scope, document), created: !existed };
        },
        ({ entry: e, created: c }) => ({ created: c, transport: e.profile.transport }),
      );
      if (created) reply.status(201).header('Location', `/device-profiles/${encodeURIComponent(id)}`);
      return profileAsWritten(entry);
    },
  );

  app.delete<{ Params: ProfileParams }>(
    '/device-profiles/:profileId',
    deviceRoute('Delete a device profile that no device uses', { params: profileParams }),
    async (request, reply) => {
      const id = request.params.profileId;
      await auditedWrite(request, deps, 'device-profile.delete', id, async () => {
        if (!(await registry.deleteProfile(scopeOf(request), id)))
          throw notFound(`device profile ${id} not found`);
      });
      return reply.status(204).send();
    },
  );
}

/** The document as the operator wrote it, with its instants. */
function profileAsWritten(entry: ProfileEntry): Record<string, unknown> {
  const raw = entry.raw !== null && typeof entry.raw === 'object' ? entry.raw : {};
  return { ...raw, createdAt: entry.createdAt, updatedAt: entry.updatedAt };
}

/** The body with the path's id: filled in when absent, refused when it names another profile. */
function withPathId(body: unknown, id: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('a device profile must be a JSON object');
  const doc = body as Record<string, unknown>;
  if (doc.id === undefined) return { ...doc, id };
  if (doc.id !== id) throw badRequest(`profile id ${JSON.stringify(doc.id)} does not match the path (${id})`);
  return doc;
}
