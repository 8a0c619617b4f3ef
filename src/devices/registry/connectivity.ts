/**
 * Devices going offline or coming back, recorded as the `deviceState` of their Device entities
 * ("online" / "offline", observedAt the instant) through the context service, so that
 * subscriptions, history and alerts see them as any other change (issue #5). Names are expanded with
 * each device's profile @context, as the registry names the Device entity's other attributes.
 */
import type { EntityService } from '../../context/entities/entity-service.js';
import { systemScope } from '../../context/scope.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { Entity } from '../../core/model/entity.js';
import { profileContext } from './profile.js';
import type { DeviceRegistry } from './registry-service.js';

export interface ConnectivityChange {
  tenant: string;
  deviceId: string;
  online: boolean;
  /** ISO instant of the change. */
  at: string;
}

export interface ConnectivityDeps {
  registry: Pick<DeviceRegistry, 'device' | 'profileEntry'>;
  entities: Pick<EntityService, 'batchUpsert'>;
  contexts: { resolve(raw: unknown): Promise<TermMapper> };
}

/** Write the changes, one batch per tenant; devices deleted meanwhile are skipped. */
export async function recordConnectivity(
  deps: ConnectivityDeps,
  changes: ConnectivityChange[],
): Promise<void> {
  const byTenant = new Map<string, Entity[]>();
  const mappers = new Map<string, TermMapper>();
  for (const c of changes) {
    const found = await deps.registry.device(c.tenant, c.deviceId);
    if (found === undefined) continue;
    const mapperKey = `${c.tenant}\u0000${found.device.profileId}`;
    let mapper = mappers.get(mapperKey);
    if (mapper === undefined) {
      const entry = await deps.registry.profileEntry(c.tenant, found.device.profileId);
      mapper = await deps.contexts.resolve(profileContext(entry?.raw));
      mappers.set(mapperKey, mapper);
    }
    let list = byTenant.get(c.tenant);
    if (list === undefined) byTenant.set(c.tenant, (list = []));
    list.push({
      id: found.device.deviceEntityId,
      type: [mapper.expandTerm('Device')],
      attrs: {
        [mapper.expandTerm('deviceState')]: [
          { type: 'Property', value: c.online ? 'online' : 'offline', observedAt: c.at },
        ],
      },
    });
  }
  for (const [tenant, entities] of byTenant)
    await deps.entities.batchUpsert(systemScope(tenant), entities, 'update');
}
