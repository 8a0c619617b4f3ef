/**
 * Discovery routes (clause 6.25 – 6.28): /types and /attributes, with `details=true`.
 */
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { requireName } from '../../core/entity/validate.js';
import { notFound } from '../../core/errors.js';
import { BASE, type NgsiDeps } from './deps.js';
import { linkContext, scopeOf } from './ld-request.js';
import { negotiate } from './negotiation.js';
import { booleanParam, type QueryString } from './query-params.js';
import { sendLd } from './respond.js';
import { detailsQs, noQs } from './schemas.js';

/** Mount the discovery routes. */
export function discoveryRoutes(app: FastifyInstance, deps: NgsiDeps): void {
  app.get<{ Querystring: QueryString }>(
    `${BASE}/types`,
    { schema: { tags: ['Discovery'], summary: 'Entity types in use', querystring: detailsQs } },
    async (request, reply) => {
      const type = negotiate(request.headers.accept, false);
      const ld = await linkContext(request, deps.contexts);
      const types = await deps.discovery.types(scopeOf(request));
      const c = (iri: string) => ld.mapper.compactIri(iri);
      if (booleanParam(request.query, 'details')) {
        const body = types.map((t) => ({
          id: t.type,
          type: 'EntityType',
          typeName: c(t.type),
          attributeNames: t.attributes.map((a) => c(a.name)),
        }));
        return sendLd(reply, ld, type, body);
      }
      const body = {
        id: `urn:ngsi-ld:EntityTypeList:${randomUUID()}`,
        type: 'EntityTypeList',
        typeList: types.map((t) => c(t.type)),
      };
      return sendLd(reply, ld, type, body);
    },
  );

  app.get<{ Params: { type: string } }>(
    `${BASE}/types/:type`,
    { schema: { tags: ['Discovery'], summary: 'One entity type', querystring: noQs } },
    async (request, reply) => {
      const type = negotiate(request.headers.accept, false);
      const ld = await linkContext(request, deps.contexts);
      const iri = ld.mapper.expandTerm(requireName(request.params.type, 'type'));
      const [info] = await deps.discovery.types(scopeOf(request), [iri]);
      if (info === undefined) throw notFound(`no entity of type ${request.params.type}`);
      const c = (x: string) => ld.mapper.compactIri(x);
      return sendLd(reply, ld, type, {
        id: info.type,
        type: 'EntityTypeInfo',
        typeName: c(info.type),
        entityCount: info.entityCount,
        attributeDetails: info.attributes.map((a) => ({
          id: a.name,
          type: 'Attribute',
          attributeName: c(a.name),
          attributeTypes: a.attributeTypes,
        })),
      });
    },
  );

  app.get<{ Querystring: QueryString }>(
    `${BASE}/attributes`,
    { schema: { tags: ['Discovery'], summary: 'Attributes in use', querystring: detailsQs } },
    async (request, reply) => {
      const type = negotiate(request.headers.accept, false);
      const ld = await linkContext(request, deps.contexts);
      const attrs = await deps.discovery.attributes(scopeOf(request));
      const c = (iri: string) => ld.mapper.compactIri(iri);
      if (booleanParam(request.query, 'details')) {
        const body = attrs.map((a) => ({
          id: a.name,
          type: 'Attribute',
          attributeName: c(a.name),
          typeNames: a.typeNames.map(c),
        }));
        return sendLd(reply, ld, type, body);
      }
      const body = {
        id: `urn:ngsi-ld:AttributeList:${randomUUID()}`,
        type: 'AttributeList',
        attributeList: attrs.map((a) => c(a.name)),
      };
      return sendLd(reply, ld, type, body);
    },
  );

  app.get<{ Params: { attr: string } }>(
    `${BASE}/attributes/:attr`,
    { schema: { tags: ['Discovery'], summary: 'One attribute', querystring: noQs } },
    async (request, reply) => {
      const type = negotiate(request.headers.accept, false);
      const ld = await linkContext(request, deps.contexts);
      const iri = ld.mapper.expandTerm(requireName(request.params.attr, 'attribute'));
      const [info] = await deps.discovery.attributes(scopeOf(request), [iri]);
      if (info === undefined) throw notFound(`no attribute ${request.params.attr}`);
      const c = (x: string) => ld.mapper.compactIri(x);
      return sendLd(reply, ld, type, {
        id: info.name,
        type: 'Attribute',
        attributeName: c(info.name),
        attributeCount: info.attributeCount,
        attributeTypes: info.attributeTypes,
        typeNames: info.typeNames.map(c),
      });
    },
  );
}
