/** The NATS JetStream bus adapter: for several replicas (`--bus nats://...`). */
export { connectNatsBus, type NatsBusOptions } from './nats-bus.js';
