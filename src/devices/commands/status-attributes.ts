/**
 * A command's status as attributes of its device's `Device` entity, after the FIWARE IoT Agent
 * convention that existing dashboards read: `<name>_status` (the status, observedAt the change) and
 * `<name>_info` (the device's result, or why it waits or failed). Names are expanded with the
 * device profile's @context, as the registry names the Device entity's other attributes.
 */
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { CommandRecord } from '../../store/commands-port.js';

/** The partial Device entity that records `command`'s current status. */
export function statusEntity(mapper: TermMapper, deviceEntityId: string, command: CommandRecord): Entity {
  const x = (term: string) => mapper.expandTerm(term);
  const observedAt = command.updatedAt;
  const attrs: Record<string, Attribute[]> = {
    [x(`${command.name}_status`)]: [{ type: 'Property', value: command.status, observedAt }],
  };
  const info = command.result ?? command.info;
  // A Property's value cannot be null; without a result or a note there is nothing to say.
  if (info !== undefined && info !== null)
    attrs[x(`${command.name}_info`)] = [{ type: 'Property', value: info, observedAt }];
  return { id: deviceEntityId, type: [x('Device')], attrs };
}
