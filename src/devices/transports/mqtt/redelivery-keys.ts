/**
 * Message ids for MQTT publishes, so that a redelivery is stored once (issue #5, lossless).
 *
 * Why not simply `${clientId}:${packetId}`: MQTT packet ids are 16-bit and a client reuses one as
 * soon as its PUBACK arrived, so the next, different message would carry the same id and the
 * pipeline would drop it as a copy — silent loss. What the protocol does promise: a PUBLISH with
 * `dup` set repeats the last PUBLISH of that session with the same packet id (its PUBACK never
 * arrived: the connection broke after our commit, before the client read it). So each non-dup
 * PUBLISH gets a fresh token, remembered under (session, packet id); a dup PUBLISH reuses the token
 * remembered there and the pipeline recognises it. The id is `{instance}:{clientId}:{packetId}:{token}`.
 *
 * Bounded: the last `perSession` packet ids of each session, and `sessions` sessions (least recently
 * used forgotten first). A dup whose original was forgotten gets a fresh token: stored twice at worst,
 * never lost. Memory only: after a restart, redelivery of what was committed but not acknowledged is
 * not recognised (the pipeline's memory is in-process too).
 */
import { randomBytes } from 'node:crypto';

export interface RedeliveryKeysOptions {
  /** Packet ids remembered per session; default 64 (a device's in-flight window). */
  perSession?: number;
  /** Sessions remembered; default 20,000. */
  sessions?: number;
}

export class RedeliveryKeys {
  private readonly instance = randomBytes(4).toString('hex');
  private readonly bySession = new Map<string, Map<number, string>>();
  private readonly perSession: number;
  private readonly maxSessions: number;
  private next = 0;

  constructor({ perSession = 64, sessions = 20_000 }: RedeliveryKeysOptions = {}) {
    this.perSession = Math.max(1, perSession);
    this.maxSessions = Math.max(1, sessions);
  }

  /**
   * The pipeline message id of a PUBLISH of `session` (tenant, device and client id); undefined for
   * QoS 0 (no packet id: it is never redelivered).
   */
  key(session: string, packetId: number | undefined, dup: boolean): string | undefined {
    if (packetId === undefined || packetId === 0) return undefined;
    let ids = this.bySession.get(session);
    if (ids === undefined) ids = new Map();
    else this.bySession.delete(session);
    this.bySession.set(session, ids);
    if (this.bySession.size > this.maxSessions)
      this.bySession.delete(this.bySession.keys().next().value as string);

    let token = dup ? ids.get(packetId) : undefined;
    if (token === undefined) token = (this.next++).toString(36);
    ids.delete(packetId);
    ids.set(packetId, token);
    if (ids.size > this.perSession) ids.delete(ids.keys().next().value as number);
    return `${this.instance}:${session}:${packetId}:${token}`;
  }
}
