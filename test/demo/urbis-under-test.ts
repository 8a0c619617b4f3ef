/**
 * A real Urbis for the simulator's end-to-end test, in this process: the app on a fresh in-memory
 * store with the shipped Smart Data Models governance (so the gate drops what a model does not
 * declare, as in production), listening on a free loopback port, with the embedded MQTT broker on
 * another and its command channel attached — what `urbis serve` wires, minus the data directory.
 */
import type { AddressInfo } from 'node:net';
import {
  SMART_DATA_MODEL_DOCUMENTS,
  builtInGovernance,
} from '../../src/governance/privacy/smart-data-models.js';
import { startEmbeddedBroker } from '../../src/devices/transports/mqtt/embedded-broker.js';
import { testKit, type TestKit } from '../support/app.js';

export interface UrbisUnderTest {
  kit: TestKit;
  baseUrl: string;
  mqttUrl: string;
  close(): Promise<void>;
}

/**
 * The shipped models' own terms, merged: a context for the test's reads, so that it can name
 * attributes by their short names (the demo writes each model with its own entry's context).
 */
export function sdmContextDocument(): unknown {
  const merged: Record<string, unknown> = {};
  for (const doc of SMART_DATA_MODEL_DOCUMENTS) Object.assign(merged, doc['@context']);
  return { '@context': merged };
}

export async function startUrbis(): Promise<UrbisUnderTest> {
  const kit = await testKit({
    builtIn: builtInGovernance(),
    loader: {
      load: async (url) => {
        throw new Error(`offline test: ${url}`);
      },
    },
  });
  await kit.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (kit.app.server.address() as AddressInfo).port;
  const broker = await startEmbeddedBroker({
    ingress: kit.devices.ingress,
    commands: kit.devices.commands,
    port: 0,
    host: '127.0.0.1',
  });
  const detach = kit.devices.commands.attach(broker.channel);
  return {
    kit,
    baseUrl: `http://127.0.0.1:${port}`,
    mqttUrl: `mqtt://127.0.0.1:${broker.port}`,
    close: async () => {
      detach();
      await broker.close();
      await kit.app.close();
    },
  };
}
