/** The in-memory bus adapter: the embedded default, and several replicas in one process for tests. */
export { MemoryBroker, type MemoryBrokerOptions } from './broker.js';
export { createMemoryBus, type MemoryBusOptions } from './memory-bus.js';
