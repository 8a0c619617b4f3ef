/**
 * Subscription routes (clause 6.10 and 6.11): create (201 + Location), query (limit, offset,
 * count), retrieve, update (PATCH, merge of a fragment) and delete. Contexts come from the Link header
 * or the body as for entities; the subscription keeps the creating request's @context (or its
 * `jsonldContext`) to compact notifications, and is rendered back with the reading request's one.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NgsiError } from '../../core/errors.js';
import { requireUri } from '../../core/entity/validate.js';
import { parseSubscription, patchSubscription } from '../../core/subscription/parse-subscription.js';
import { renderSubscription } from '../../core/subscription/render-subscription.js';
import { BASE, type NgsiDeps } from './deps.js';
import { bodyContext, linkContext, scopeOf } from './ld-request.js';
import { negotiate } from './negotiation.js';
import { options, paging, type QueryString } from './query-params.js';
import { sendLd } from './respond.js';
import {
  listSubscriptionsQs,
  retrieveSubscriptionQs,
  subscriptionBody,
  subscriptionFragmentBody,
  subscriptionIdParams,
} from './subscription-schemas.js';
import { noQs } from './schemas.js';

type IdParams = { subscriptionId: string };

const TAGS = ['Subscriptions'];

/** Mount the subscription routes. */
export function subscriptionRoutes(app: FastifyInstance, deps: NgsiDeps): void {
  const now = (): string => new Date().toISOString();

  app.post(
    `${BASE}/subscriptions`,
    { schema: { tags: TAGS, summary: 'Create a subscription', querystring: noQs, body: subscriptionBody } },
    async (request, reply) => {
      const scope = scopeOf(request);
      const ld = await bodyContext(request, request.body, deps.contexts);
      const sub = parseSubscription(request.body, ld.mapper, { now: now(), context: ld.ref });
      await deps.subscriptions.create(scope, sub);
      return reply
        .status(201)
        .header('Location', `${BASE}/subscriptions/${encodeURIComponent(sub.id)}`)
        .send();
    },
  );

  app.get<{ Querystring: QueryString }>(
    `${BASE}/subscriptions`,
    { schema: { tags: TAGS, summary: 'Query subscriptions', querystring: listSubscriptionsQs } },
    async (request, reply) => {
      const scope = scopeOf(request);
      const type = negotiate(request.headers.accept, false);
      const ld = await linkContext(request, deps.contexts);
      const sysAttrs = options(request.query, ['sysAttrs']).has('sysAttrs');
      const page = paging(request.query, deps.limits);
      const { items, count } = await deps.subscriptions.list(scope, page.limit, page.offset);
      if (page.count) reply.header('NGSILD-Results-Count', String(count));
      const at = now();
      const body = items.map((r) => renderSubscription(r, ld.mapper, { now: at, sysAttrs }));
      return sendLd(reply, ld, type, body);
    },
  );

  app.get<{ Params: IdParams; Querystring: QueryString }>(
    `${BASE}/subscriptions/:subscriptionId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Retrieve a subscription',
        params: subscriptionIdParams,
        querystring: retrieveSubscriptionQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.subscriptionId, 'subscription id');
      const type = negotiate(request.headers.accept, false);
      const ld = await linkContext(request, deps.contexts);
      const sysAttrs = options(request.query, ['sysAttrs']).has('sysAttrs');
      const record = await deps.subscriptions.retrieve(scope, id);
      return sendLd(reply, ld, type, renderSubscription(record, ld.mapper, { now: now(), sysAttrs }));
    },
  );

  app.patch<{ Params: IdParams }>(
    `${BASE}/subscriptions/:subscriptionId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Update a subscription',
        params: subscriptionIdParams,
        querystring: noQs,
        body: subscriptionFragmentBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = subscriptionId(request.params.subscriptionId, reply, 'PATCH');
      const ld = await bodyContext(request, request.body, deps.contexts);
      await deps.subscriptions.update(scope, id, (current) =>
        patchSubscription(current, request.body, ld.mapper, { now: now() }),
      );
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: IdParams }>(
    `${BASE}/subscriptions/:subscriptionId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a subscription',
        params: subscriptionIdParams,
        querystring: noQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      await deps.subscriptions.delete(scope, subscriptionId(request.params.subscriptionId, reply, 'DELETE'));
      return reply.status(204).send();
    },
  );
}

/**
 * The subscription id of the URL. An empty one (`PATCH /subscriptions/`) addresses the collection,
 * which cannot be updated or deleted: 405 (ETSI 029_01_01), not 400.
 */
function subscriptionId(raw: string, reply: FastifyReply, method: string): string {
  if (raw === '') {
    reply.header('Allow', 'GET, POST');
    throw new NgsiError('MethodNotAllowed', `${method} needs a subscription id`);
  }
  return requireUri(raw, 'subscription id');
}
