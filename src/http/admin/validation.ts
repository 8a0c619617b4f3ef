/**
 * How the admin API validates requests. Every admin route is declared with `adminRoute`, which sets
 * `attachValidation`: a request that fails its schema still reaches the handler, so that `audited`
 * records it as a failure (a schema error raised before the handler would leave no trace), and
 * `requestProblem`, which `audited` runs first, turns the attached error into a 400 naming the
 * member at fault.
 */
import type { FastifyRequest, FastifySchema } from 'fastify';
import { NgsiError } from '../../core/errors.js';

/** No query parameters. */
export const noAdminQs = { type: 'object', additionalProperties: false, properties: {} } as const;

/**
 * The options of an admin route: tagged Admin in the OpenAPI document, its schema errors attached
 * to the request (see above), and no query parameters unless `schema` names its own querystring.
 */
export function adminRoute(
  summary: string,
  schema: FastifySchema = {},
): { attachValidation: boolean; schema: FastifySchema } {
  return { attachValidation: true, schema: { tags: ['Admin'], summary, querystring: noAdminQs, ...schema } };
}

/**
 * Throw the request's schema error (attached by `attachValidation`) as a 400 that names what is
 * wrong: InvalidRequest for the URL (an unknown query parameter, say), BadRequestData for the body.
 */
export function requestProblem(request: FastifyRequest): void {
  const error = request.validationError;
  if (error === undefined || error === null) return;
  const where = (error as { validationContext?: string }).validationContext ?? 'request';
  const first = error.validation?.[0];
  const kind = where === 'body' ? 'BadRequestData' : 'InvalidRequest';
  if (first === undefined) throw new NgsiError(kind, error.message);
  const path = `${where}${first.instancePath.replace(/\//g, '.')}`;
  const params = first.params;
  let detail: string;
  if (first.keyword === 'additionalProperties')
    detail =
      where === 'querystring'
        ? `unknown query parameter ${String(params.additionalProperty)}`
        : `${path}: unknown member ${String(params.additionalProperty)}`;
  else if (first.keyword === 'required')
    detail = `${path}: member ${String(params.missingProperty)} is required`;
  else if (first.keyword === 'enum' && Array.isArray(params.allowedValues))
    detail = `${path} must be one of ${params.allowedValues.join(', ')}`;
  else detail = `${path} ${first.message ?? 'is invalid'}`;
  throw new NgsiError(kind, detail);
}
