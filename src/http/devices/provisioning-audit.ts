/**
 * How provisioning routes are declared and audited. Every route is tagged `Devices` and attaches its
 * schema error to the request (the admin API's `requestProblem` turns it into a 400 naming the member
 * or query parameter at fault), so that a write refused for its form is audited like any other.
 *
 * `auditedWrite` is the admin API's `audited` (src/http/admin/audited.ts): who, which tenant, what
 * (`device.create`, …), on what, the request id and the outcome, stored before the answer leaves.
 */
import type { FastifySchema } from 'fastify';
import { audited } from '../admin/audited.js';
import { noQuery } from './schemas.js';

/** Route options: tagged Devices, schema errors attached, no query parameters unless `schema` names some. */
export function deviceRoute(
  summary: string,
  schema: FastifySchema = {},
): { attachValidation: boolean; schema: FastifySchema } {
  return { attachValidation: true, schema: { tags: ['Devices'], summary, querystring: noQuery, ...schema } };
}

/** Run a provisioning change and audit it (never with a secret: `detail` picks what is recorded). */
export const auditedWrite = audited;
