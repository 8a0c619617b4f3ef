/**
 * An undici Agent whose every connection goes through the SSRF guard: host names are resolved by
 * the guard's `lookup` (so the address checked is the one connected to), literal IP hosts are
 * checked before the socket is opened. Redirects are never followed by the agent itself; callers
 * follow them hop by hop, each hop a new guarded connection.
 */
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { bareHost, type AddressGuard } from './address-guard.js';

/** Settings of a guarded agent. */
export interface GuardedAgentOptions {
  /** Longest wait for a TCP (and TLS) connection, in ms (default 10,000). */
  readonly connectTimeoutMs?: number;
  /** Most connections per origin (default unlimited: callers bound their concurrency). */
  readonly connections?: number;
  /** How long an idle keep-alive connection is kept, in ms (default 4,000, undici's). */
  readonly keepAliveTimeoutMs?: number;
}

/** An undici connector that asks the guard before connecting. */
export function guardedConnector(guard: AddressGuard, connectTimeoutMs = 10_000): buildConnector.connector {
  const connect = buildConnector({ lookup: guard.lookup, timeout: connectTimeoutMs });
  return (options, callback) => {
    const host = bareHost(options.hostname);
    if (isIP(host) === 0) {
      connect(options, callback);
      return;
    }
    // A literal address is connected to without any lookup: check it here.
    guard.checkAddress(host).then(
      () => connect(options, callback),
      (error: Error) => callback(error, null),
    );
  };
}

/** An undici Agent for outbound requests the guard watches. */
export function guardedAgent(guard: AddressGuard, options: GuardedAgentOptions = {}): Agent {
  return new Agent({
    connect: guardedConnector(guard, options.connectTimeoutMs),
    ...(options.connections === undefined ? {} : { connections: options.connections }),
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
  });
}
