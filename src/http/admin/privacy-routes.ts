/**
 * Admin routes for the rights of the people the data is about (issue #4): erasure of one person's data
 * in one call, and retention run now for the addressed tenant — only that one: a tenant's administrator
 * must not prune other tenants' history (the scheduled job covers every tenant).
 *
 * The audit entries hold counts, never who was erased: an identifier is personal data, and an audit
 * log that kept it would keep exactly what the erasure removed (the log is append-only, so it would
 * keep it forever). The answer to the caller does list the entities deleted, for the record of the
 * request that it was asked to handle.
 */
import type { FastifyInstance } from 'fastify';
import { Erasure, MAX_SUBJECT_LENGTH, type ErasureSubject } from '../../governance/privacy/erasure.js';
import { retainTenants } from '../../governance/retention/retention-job.js';
import { linkContext, tenantOf } from '../ngsi-ld/ld-request.js';
import { audited } from './audited.js';
import { ADMIN, type AdminDeps } from './deps.js';
import { flag, instant, listOf, strings } from './schemas.js';
import { adminRoute } from './validation.js';

const subjectMember = (description: string) =>
  ({ type: 'string', minLength: 1, maxLength: MAX_SUBJECT_LENGTH, description }) as const;

const erasureBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Exactly one of identifier, pseudonym, reference',
  properties: {
    identifier: subjectMember(
      'An identifier as sent (a licence plate, a MAC address): found through its pseudonym under the current key',
    ),
    pseudonym: subjectMember('A pseudonym as stored (either form: hex, or urn:urbis:pseudonym:hex)'),
    reference: subjectMember(
      'An entity id (a person, a household): it and the entities whose personal attributes point to it',
    ),
    dryRun: { type: 'boolean', description: 'true: report what would be deleted, delete nothing' },
  },
} as const;

const erasureView = {
  type: 'object',
  properties: {
    dryRun: { type: 'boolean' },
    entities: { ...strings, description: 'Ids of the entities deleted' },
    instances: { type: 'integer', description: 'History instances deleted' },
  },
} as const;

const retentionQs = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dryRun: flag('true: only count (default false)'),
  },
} as const;

const retentionView = {
  type: 'object',
  properties: {
    at: { ...instant, description: 'The instant the cutoffs were computed from' },
    dryRun: { type: 'boolean' },
    outcomes: listOf({
      type: 'object',
      properties: {
        type: { type: 'string' },
        attrs: { ...strings, description: 'Absent: every attribute' },
        before: instant,
        instances: { type: 'integer' },
      },
    }),
    instances: { type: 'integer', description: 'History instances deleted in total' },
  },
} as const;

/** Mount the erasure and retention routes. */
export function privacyRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const erasure = new Erasure({
    store: deps.store,
    registry: deps.governance.registry,
    pseudonymiser: deps.governance.pseudonymiser,
  });

  app.post<{ Body: ErasureSubject & { dryRun?: boolean } }>(
    `${ADMIN}/erasure`,
    adminRoute('Erase one person’s data: by identifier, pseudonym or reference', {
      body: erasureBody,
      response: { 200: erasureView },
    }),
    async (request) => {
      const body = (request.body ?? {}) as ErasureSubject & { dryRun?: boolean };
      const dryRun = body.dryRun === true;
      return audited(
        request,
        deps,
        'erasure.run',
        undefined,
        async () => {
          const { identifier, pseudonym, reference } = body;
          const subject: ErasureSubject = {
            ...(identifier === undefined ? {} : { identifier }),
            ...(pseudonym === undefined ? {} : { pseudonym }),
            ...(reference === undefined ? {} : { reference }),
          };
          return { dryRun, ...(await erasure.erase(tenantOf(request), subject, dryRun)) };
        },
        (r) => ({
          by: subjectKind(body),
          dryRun,
          entities: r.entities.length,
          instances: r.instances,
        }),
      );
    },
  );

  app.post<{ Querystring: { dryRun?: 'true' | 'false' } }>(
    `${ADMIN}/retention`,
    adminRoute('Run retention now in the tenant: delete history past its time (dryRun=true: count only)', {
      querystring: retentionQs,
      response: { 200: retentionView },
    }),
    async (request) => {
      const dryRun = request.query?.dryRun === 'true';
      return audited(
        request,
        deps,
        'retention.run',
        undefined,
        async () => {
          const { mapper } = await linkContext(request, deps.contexts);
          const now = Date.now();
          const registry = deps.governance.registry;
          const outcomes = await retainTenants(
            { store: deps.store, registry },
            [tenantOf(request)],
            now,
            dryRun,
          );
          return {
            at: new Date(now).toISOString(),
            dryRun,
            outcomes: outcomes.map((o) => ({
              type: mapper.compactIri(o.type),
              ...(o.attrs === undefined ? {} : { attrs: o.attrs.map((a) => mapper.compactIri(a)) }),
              before: o.before,
              instances: o.instances,
            })),
            instances: outcomes.reduce((n, o) => n + o.instances, 0),
          };
        },
        (r) => ({ dryRun, prunes: r.outcomes.length, instances: r.instances }),
      );
    },
  );
}

/** Which member named the person (for the audit entry: how, never who). */
function subjectKind(body: ErasureSubject): string {
  return (['identifier', 'pseudonym', 'reference'] as const).filter((k) => body[k] !== undefined).join(',');
}
