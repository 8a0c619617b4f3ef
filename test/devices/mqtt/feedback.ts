/** A CommandFeedback that records what the broker told it, for tests. */
import type { CommandFeedback } from '../../../src/devices/transports/contract.js';

export interface RecordedFeedback extends CommandFeedback {
  results: Array<{
    tenant: string;
    deviceId: string;
    ref: { id: string } | { name: string };
    outcome: { ok: boolean; payload?: unknown };
  }>;
  connections: Array<{ tenant: string; deviceId: string }>;
}

export function recordedFeedback(): RecordedFeedback {
  const results: RecordedFeedback['results'] = [];
  const connections: RecordedFeedback['connections'] = [];
  return {
    results,
    connections,
    result: async (tenant, deviceId, ref, outcome) => {
      results.push({ tenant, deviceId, ref, outcome });
    },
    delivered: async () => undefined,
    connected: (tenant, deviceId) => {
      connections.push({ tenant, deviceId });
    },
  };
}

export const command = (id: string, name: string, value: unknown, deviceId: string) => ({
  id,
  tenant: 'city-a',
  deviceId,
  name,
  value,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});
