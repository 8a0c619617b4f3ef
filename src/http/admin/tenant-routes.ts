/**
 * GET /admin/tenants — the tenants this platform holds data for, so that a platform administrator's
 * dashboard can offer them in its tenant switcher. Tenants' names are themselves information (which
 * cities, which departments): a tenant's own administrator gets 403, like for /admin/audit/verify.
 */
import type { FastifyInstance } from 'fastify';
import { forbidden } from '../../core/errors.js';
import { DEFAULT_TENANT } from '../../store/port.js';
import { audited, countOf } from './audited.js';
import { ADMIN, type AdminDeps } from './deps.js';
import { adminRoute } from './validation.js';

export function tenantRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get(
    `${ADMIN}/tenants`,
    adminRoute('The tenants of the platform (platform administrator only)', {
      response: { 200: { type: 'array', items: { type: 'string' } } },
    }),
    async (request) =>
      audited(
        request,
        deps,
        'tenant.list',
        undefined,
        async () => {
          if (request.access?.unrestricted !== true)
            throw forbidden('only the platform administrator may list the tenants');
          const tenants = new Set(await deps.store.listTenants());
          tenants.add(DEFAULT_TENANT);
          return [...tenants].sort();
        },
        countOf,
      ),
  );
}
