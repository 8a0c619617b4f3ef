/** Being written (issue #5): registers no route yet. */
import type { FastifyInstance } from 'fastify';
import type { DeviceApiDeps } from './deps.js';

export function ingestRoutes(_app: FastifyInstance, _deps: DeviceApiDeps): void {}
