/**
 * A device talking to a started Urbis over a real socket (undici fetch on 127.0.0.1): the HTTP side
 * of the transport contract and of the ingest tests.
 */
import type { FastifyInstance } from 'fastify';
import type { IssuedCredential } from '../../../src/devices/registry/registry-service.js';
import { TENANT } from '../../support/devices.js';

/** Listen on a free loopback port; the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

/** The Authorization header a device sends for its credential (Basic with `tenant/username`). */
export function authorization(credential: IssuedCredential, tenant = TENANT): string {
  if (credential.kind === 'token') return `Bearer ${credential.secret ?? ''}`;
  const user = `${tenant}/${credential.username ?? ''}:${credential.password ?? ''}`;
  return `Basic ${Buffer.from(user, 'utf8').toString('base64')}`;
}

export function contentTypeOf(payload: string | Uint8Array): string {
  return typeof payload === 'string' ? 'application/json' : 'application/octet-stream';
}
