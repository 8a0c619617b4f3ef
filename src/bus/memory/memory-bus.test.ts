/** Runs the Bus conformance suite on the in-memory bus: replicas are buses sharing one broker. */
import { describeBusConformance } from '../conformance/index.js';
import { MemoryBroker } from './broker.js';
import { createMemoryBus } from './memory-bus.js';

describeBusConformance('memory', async () => {
  const broker = new MemoryBroker();
  return {
    connect: async (options) => createMemoryBus({ ...options, broker }),
    cleanup: async () => undefined,
  };
});
