/** Turns the NATS client's errors into `BusError`s, and recognises the one failure leases expect. */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { ClosedConnectionError, DrainingConnectionError } from '@nats-io/transport-node';
import { BusError } from '../port.js';

/** A `BusError` for a failure of `what`, keeping the client's error as the cause. */
export function toBusError(cause: unknown, what: string): BusError {
  if (cause instanceof BusError) return cause;
  if (cause instanceof ClosedConnectionError || cause instanceof DrainingConnectionError) {
    return new BusError('closed', `${what}: the connection is closed`, { cause });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new BusError('unavailable', `${what}: ${detail}`, { cause });
}

/** True for a compare-and-set refused because the key changed (someone else holds, or held, it). */
export function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence;
}
