/**
 * Commands test fixtures: an actuator profile (an HVAC setpoint, a dimmer, a mode and a traffic
 * signal plan) and a fake CommandChannel whose answer a test sets, recording what it was handed.
 */
import type { CommandChannel, OutboundCommand } from '../../../src/devices/transports/contract.js';
import type { DeviceRecord, Transport } from '../../../src/store/devices-port.js';

export const actuatorProfile = (transport = 'mqtt') => ({
  id: `actuator-${transport}`,
  transport,
  codec: { kind: 'json' },
  entityType: 'Streetlight',
  commands: {
    setpoint: { type: 'number', min: 16, max: 28, unitCode: 'CEL' },
    dim: { type: 'integer', min: 0, max: 100 },
    mode: { enum: ['auto', 'off'] },
    signalPlan: {
      kind: 'signal-plan',
      conflicts: [
        ['N', 'E'],
        ['N', 'W'],
        ['S', 'E'],
        ['S', 'W'],
      ],
      minGreen: 5,
      intergreen: 3,
      maxCycle: 180,
    },
  },
});

export const SAFE_PLAN = {
  cycle: 66,
  phases: [
    { green: ['N', 'S'], duration: 30 },
    { green: [], duration: 3 },
    { green: ['E', 'W'], duration: 30 },
    { green: [], duration: 3 },
  ],
};

export type ChannelAnswer = 'delivered' | 'sent' | 'unreachable' | 'throw';

/** A channel that answers what `answer` says and records every command it was handed, in order. */
export class FakeChannel implements CommandChannel {
  readonly transports: readonly Transport[];
  answer: ChannelAnswer = 'sent';
  readonly handed: Array<{ device: string; command: OutboundCommand }> = [];

  constructor(transports: readonly Transport[] = ['mqtt']) {
    this.transports = transports;
  }

  async deliver(
    device: DeviceRecord,
    command: OutboundCommand,
  ): Promise<'delivered' | 'sent' | 'unreachable'> {
    this.handed.push({ device: device.id, command });
    if (this.answer === 'throw') throw new Error('broker refused the publish');
    return this.answer;
  }
}
