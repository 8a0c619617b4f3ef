/**
 * Runs an admin action and appends its audit entry before the answer leaves: who (the principal),
 * which tenant, what (`key.create`, `policy.put`, …), on what, the request id, and the outcome. A
 * failure is audited too, then rethrown — a request that failed its schema included: its attached
 * error is thrown first (`requestProblem`, see validation.ts), so the action runs only on a valid
 * request. If the audit entry cannot be stored, the action's answer is an error: an admin change
 * that cannot be audited must not look successful.
 */
import type { FastifyRequest } from 'fastify';
import { isNgsiError } from '../../core/errors.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import type { AdminDeps } from './deps.js';
import { requestProblem } from './validation.js';
import '../security/request-principal.js';

/** The detail of a listing: how many it answered. */
export const countOf = (list: readonly unknown[]): Record<string, unknown> => ({ count: list.length });

/** Who made the request, as audit entries and stored documents name them. */
export const actorOf = (request: FastifyRequest): string => request.principal?.id ?? 'anonymous';

export async function audited<T>(
  request: FastifyRequest,
  deps: Pick<AdminDeps, 'governance'>,
  action: string,
  target: string | undefined,
  run: () => Promise<T>,
  detail?: (result: T) => Record<string, unknown> | undefined,
): Promise<T> {
  const base = {
    at: new Date().toISOString(),
    tenant: tenantOf(request),
    principal: actorOf(request),
    action,
    ...(target !== undefined ? { target } : {}),
    requestId: String(request.id),
  };
  request.audited = true;
  let result: T;
  try {
    requestProblem(request);
    result = await run();
  } catch (error) {
    const status = isNgsiError(error) ? error.status : 500;
    await deps.governance.audit.recordNow({
      ...base,
      outcome: status === 401 || status === 403 ? 'denied' : 'failure',
      status,
    });
    throw error;
  }
  const extra = detail?.(result);
  await deps.governance.audit.recordNow({
    ...base,
    outcome: 'success',
    ...(extra !== undefined ? { detail: extra } : {}),
  });
  return result;
}
