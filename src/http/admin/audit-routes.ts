/**
 * Admin routes for the audit log: read the tenant's entries in order (paging by sequence number:
 * `after` = the last seq seen), and verify the hash chain. Reading the log is itself an admin action
 * and is audited (`audit.read`). Only the platform administrator may read every tenant's entries at
 * once (`allTenants=true`) or verify the chain, which spans every tenant: a tenant administrator gets
 * 403 rather than a view of other tenants' activity.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, forbidden } from '../../core/errors.js';
import { verifyAudit } from '../../governance/audit/verify.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import { audited } from './audited.js';
import { ADMIN, type AdminDeps } from './deps.js';
import { flag, instant, listOf } from './schemas.js';
import { adminRoute } from './validation.js';

/** Entries in one answer, at most. */
export const MAX_AUDIT_PAGE = 1000;
const DEFAULT_AUDIT_PAGE = 100;

const auditQs = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'Entries after this sequence number' },
    limit: {
      type: 'string',
      pattern: '^[0-9]{1,4}$',
      description: `Entries to return (default ${DEFAULT_AUDIT_PAGE}, 1 to ${MAX_AUDIT_PAGE})`,
    },
    allTenants: flag('true: entries of every tenant (platform administrator only)'),
  },
} as const;

const entryView = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: instant,
    tenant: { type: 'string' },
    principal: { type: 'string' },
    action: { type: 'string' },
    target: { type: 'string' },
    requestId: { type: 'string' },
    outcome: { type: 'string', enum: ['success', 'failure', 'denied'] },
    status: { type: 'integer' },
    detail: { type: 'object', additionalProperties: true },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;

const verdictView = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    entries: { type: 'integer', description: 'Entries found sound' },
    head: { type: 'object', properties: { seq: { type: 'integer' }, hash: { type: 'string' } } },
    broken: {
      type: 'object',
      description: 'The first entry where the chain breaks',
      properties: { seq: { type: 'integer' }, reason: { type: 'string' } },
    },
  },
} as const;

interface AuditQuery {
  after?: string;
  limit?: string;
  allTenants?: 'true' | 'false';
}

/** Mount the audit routes. */
export function auditRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const log = deps.store.governance.audit;
  const unrestricted = (request: FastifyRequest): boolean => request.access?.unrestricted === true;

  app.get<{ Querystring: AuditQuery }>(
    `${ADMIN}/audit`,
    adminRoute('Audit log entries of the tenant, in order', {
      querystring: auditQs,
      response: { 200: listOf(entryView) },
    }),
    async (request) => {
      let asked: { after: number; limit: number; allTenants: boolean } | undefined;
      return audited(
        request,
        deps,
        'audit.read',
        undefined,
        async () => {
          const query = request.query;
          const limit = query.limit === undefined ? DEFAULT_AUDIT_PAGE : Number(query.limit);
          if (limit < 1 || limit > MAX_AUDIT_PAGE) throw badRequest(`limit must be 1 to ${MAX_AUDIT_PAGE}`);
          const allTenants = query.allTenants === 'true';
          if (allTenants && !unrestricted(request))
            throw forbidden('only the platform administrator may read every tenant’s audit entries');
          asked = { after: Number(query.after ?? 0), limit, allTenants };
          // Everything recorded before this read is part of what it shows.
          await deps.governance.audit.flush();
          return log.read({
            afterSeq: asked.after,
            limit,
            ...(allTenants ? {} : { tenant: tenantOf(request) }),
          });
        },
        (entries) => ({ ...asked, returned: entries.length }),
      );
    },
  );

  app.get(
    `${ADMIN}/audit/verify`,
    adminRoute('Verify the audit log’s hash chain (platform administrator only)', {
      response: { 200: verdictView },
    }),
    async (request) =>
      audited(
        request,
        deps,
        'audit.verify',
        undefined,
        async () => {
          if (!unrestricted(request))
            throw forbidden(
              'only the platform administrator may verify the audit log (it spans every tenant)',
            );
          return verifyAudit((afterSeq, limit) => log.read({ afterSeq, limit }));
        },
        (verdict) => ({
          ok: verdict.ok,
          entries: verdict.entries,
          ...(verdict.ok ? {} : { brokenAt: verdict.broken.seq }),
        }),
      ),
  );
}
