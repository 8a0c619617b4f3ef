/**
 * Message headers and de-duplication ids of work items on JetStream. The enqueue id travels in its own
 * header (the `Nats-Msg-Id` is namespaced per queue, and a dead letter needs its own); a dead letter
 * carries the reason it was given up.
 */
import type { MsgHdrs } from '@nats-io/transport-node';

export const ID_HEADER = 'Urbis-Id';
export const DEAD_REASON_HEADER = 'Urbis-Dead-Reason';

/** `Nats-Msg-Id` of an enqueued item: ids are per queue, the stream's window is shared. */
export function enqueueMsgId(queue: string, id: string): string {
  return `u|${queue}|${id}`;
}

/** `Nats-Msg-Id` of the dead letter of stream message `seq`: dead-lettering twice adds it once. */
export function deadLetterMsgId(deadQueue: string, seq: number): string {
  return `d|${deadQueue}|${seq}`;
}

/** A header's value, undefined when absent or empty. */
export function header(headers: MsgHdrs | undefined, name: string): string | undefined {
  const value = headers?.get(name);
  return value === undefined || value === '' ? undefined : value;
}
