/**
 * A command as each dialect's devices expect it (issue #5). Pure.
 * - urbis: `{"id":"cmd_…","name":…,"value":…,"expiresAt":…}` on `devices/{id}/commands`; the device
 *   answers `{"id":"cmd_…","ok":true,"result":…}` on `devices/{id}/commands/result`.
 * - thingsboard: an RPC request `{"method":name,"params":value}` on `v1/devices/me/rpc/request/{n}`.
 * - iota-json: `{"<name>": value}` on `/{apikey}/{id}/cmd`.
 */
import type { OutboundCommand } from '../contract.js';
import { commandPayload } from './iota.js';
import { rpcRequest } from './thingsboard.js';
import type { Dialect } from './topics.js';

export function encodeCommand(dialect: Dialect, command: OutboundCommand): string {
  if (dialect === 'thingsboard') return rpcRequest(command.name, command.value);
  if (dialect === 'iota-json') return commandPayload(command.name, command.value);
  return JSON.stringify({
    id: command.id,
    name: command.name,
    value: command.value ?? null,
    expiresAt: command.expiresAt,
  });
}
