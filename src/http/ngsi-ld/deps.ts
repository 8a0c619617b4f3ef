/** What the NGSI-LD routes need: the use-case services and the request limits. */
import type { DiscoveryService } from '../../context/discovery-service.js';
import type { EntityService } from '../../context/entities/entity-service.js';
import type { HostedContextService } from '../../context/hosted-contexts.js';
import type { ContextSource } from './ld-request.js';
import type { PagingLimits } from './query-params.js';

export interface NgsiDeps {
  entities: EntityService;
  discovery: DiscoveryService;
  hostedContexts: HostedContextService;
  contexts: ContextSource;
  limits: PagingLimits & { maxBatch: number };
}

/** The API's base path. */
export const BASE = '/ngsi-ld/v1';
