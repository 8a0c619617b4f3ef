/**
 * The authentication of HTTP device routes (their requirement is `device`: the gate lets them
 * through and they check the device's own credential here, before the body is read). A request
 * without a valid device credential is a 401 with the device challenge, counted as a `credential`
 * refusal of the transport; failures spend the address's budget (AuthFailureThrottle), and an
 * address that spent it is answered 429 without a check until it refilled.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NgsiError, unauthorized } from '../../core/errors.js';
import type { DeviceIngress } from '../../devices/transports/contract.js';
import {
  AuthFailureThrottle,
  DEVICE_CHALLENGE,
  authenticateDevice,
  parseDeviceAuthorization,
} from '../../devices/transports/device-auth.js';
import type { AuthenticatedDevice } from '../../devices/registry/registry-service.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';

/** An onRequest hook and the lookup of the device it authenticated. */
export interface DeviceAuthHook {
  hook: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The device of an authenticated request (a 401 was answered otherwise, so the route has one). */
  deviceOf(request: FastifyRequest): AuthenticatedDevice;
}

export function deviceAuthHook(
  ingress: DeviceIngress,
  transport: string,
  throttle: AuthFailureThrottle,
): DeviceAuthHook {
  const devices = new WeakMap<FastifyRequest, AuthenticatedDevice>();
  const fail = (request: FastifyRequest, reply: FastifyReply, detail: string): never => {
    ingress.refuse(transport, 'credential', `${request.ip}: ${detail}`);
    throttle.failed(request.ip);
    reply.header('WWW-Authenticate', DEVICE_CHALLENGE);
    throw unauthorized(detail);
  };
  return {
    hook: async (request, reply) => {
      const wait = throttle.retryAfter(request.ip);
      if (wait > 0) {
        reply.header('Retry-After', String(wait));
        throw new NgsiError(
          'TooManyRequests',
          `too many failed authentications from this address; retry in ${wait} s`,
        );
      }
      const parsed = parseDeviceAuthorization(request.headers.authorization);
      if (!parsed.ok) return fail(request, reply, parsed.detail);
      const credential = parsed.credential;
      // Only a password without a tenant of its own needs the request's tenant (a bad header is a 400).
      const tenant =
        credential.kind === 'password' && credential.tenant === undefined ? tenantOf(request) : '';
      const device = await authenticateDevice(ingress, credential, tenant);
      if (device === undefined) return fail(request, reply, 'unknown, wrong, revoked or disabled credential');
      devices.set(request, device);
    },
    deviceOf: (request) => {
      const device = devices.get(request);
      // Only reachable if a route forgot the hook: a server bug, not the client's.
      if (device === undefined) throw new Error('device route without device authentication');
      return device;
    },
  };
}
