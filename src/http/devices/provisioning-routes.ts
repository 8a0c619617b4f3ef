/**
 * The provisioning API for people (issue #5): device profiles, devices (one, or thousands from a JSON
 * array or a CSV file, with a per-row report) and their credentials. Mounted as one encapsulated
 * plugin so that its `text/csv` body parser serves these routes only: the rest of the app keeps
 * refusing bodies that are not JSON. What each route requires (read for GET, admin otherwise) is in
 * src/http/security/route-actions.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { DeviceApiDeps } from './deps.js';
import { credentialRoutes } from './provisioning-credential-routes.js';
import { PROVISIONING_BODY_LIMIT, deviceRoutes } from './provisioning-device-routes.js';
import { profileRoutes } from './provisioning-profile-routes.js';

export function provisioningRoutes(app: FastifyInstance, deps: DeviceApiDeps): void {
  void app.register(async (scoped) => {
    // CSV stays text: the registry's parser reports each bad row with its line.
    scoped.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: PROVISIONING_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    profileRoutes(scoped, deps);
    deviceRoutes(scoped, deps);
    credentialRoutes(scoped, deps);
  });
}
