/**
 * A device's credentials (`/devices/{deviceId}/credentials`): issue one more (a token, or a username
 * and password), list them (never a hash or a secret), rotate one (a new secret of the same kind, the
 * old one revoked at once) and revoke one. A secret is in its creation answer only, marked
 * `Cache-Control: no-store`; the audit entry names the credential ids, never the secret.
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import type { CredentialKind } from '../../devices/registry/registry-service.js';
import { listOf } from '../admin/schemas.js';
import { requestProblem } from '../admin/validation.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import type { DeviceApiDeps } from './deps.js';
import { auditedWrite, deviceRoute } from './provisioning-audit.js';
import { credentialParams, credentialView, deviceParams, issuedView, newCredentialBody } from './schemas.js';

type DeviceParams = { deviceId: string };
type CredentialParams = { deviceId: string; credentialId: string };

/** Mount the credential routes. */
export function credentialRoutes(app: FastifyInstance, deps: DeviceApiDeps): void {
  const registry = deps.devices.registry;

  app.post<{ Params: DeviceParams; Body: { kind: CredentialKind } }>(
    '/devices/:deviceId/credentials',
    deviceRoute('Issue the device one more credential (its secret is shown once)', {
      params: deviceParams,
      body: newCredentialBody,
      response: { 201: issuedView },
    }),
    async (request, reply) => {
      const deviceId = request.params.deviceId;
      const issued = await auditedWrite(
        request,
        deps,
        'device-credential.create',
        deviceId,
        () => registry.createCredential(tenantOf(request), deviceId, request.body.kind),
        (c) => ({ credential: c.id, kind: c.kind }),
      );
      return reply.status(201).header('Cache-Control', 'no-store').send(issued);
    },
  );

  app.get<{ Params: DeviceParams }>(
    '/devices/:deviceId/credentials',
    deviceRoute('The device’s credentials (without secrets)', {
      params: deviceParams,
      response: { 200: listOf(credentialView) },
    }),
    async (request) => {
      requestProblem(request);
      const tenant = tenantOf(request);
      const deviceId = request.params.deviceId;
      if ((await registry.getDevice(tenant, deviceId)) === undefined)
        throw notFound(`device ${deviceId} not found`);
      return registry.listCredentials(tenant, deviceId);
    },
  );

  app.post<{ Params: CredentialParams }>(
    '/devices/:deviceId/credentials/:credentialId/rotate',
    deviceRoute('Replace a credential by a new one of its kind (shown once); the old one is revoked', {
      params: credentialParams,
      response: { 201: issuedView },
    }),
    async (request, reply) => {
      const { deviceId, credentialId } = request.params;
      const issued = await auditedWrite(
        request,
        deps,
        'device-credential.rotate',
        deviceId,
        () => registry.rotateCredential(tenantOf(request), deviceId, credentialId),
        (c) => ({ revoked: credentialId, credential: c.id, kind: c.kind }),
      );
      return reply.status(201).header('Cache-Control', 'no-store').send(issued);
    },
  );

  app.delete<{ Params: CredentialParams }>(
    '/devices/:deviceId/credentials/:credentialId',
    deviceRoute('Revoke a credential: the device is refused with it from now on', {
      params: credentialParams,
    }),
    async (request, reply) => {
      const { deviceId, credentialId } = request.params;
      await auditedWrite(
        request,
        deps,
        'device-credential.revoke',
        deviceId,
        async () => {
          if (!(await registry.revokeCredential(tenantOf(request), deviceId, credentialId)))
            throw notFound(`device ${deviceId} has no valid credential ${credentialId}`);
        },
        () => ({ credential: credentialId }),
      );
      return reply.status(204).send();
    },
  );
}
