/**
 * How one reading leaves a demo device, per transport, over HTTP: the native ingest API with the
 * device's own token, and the LoRaWAN path through the network server's webhook (ChirpStack v4, the
 * integration's API key). Each send resolves once Urbis acknowledged the reading (2xx after its
 * commit) and rejects otherwise; the caller counts and logs.
 */
import { randomBytes } from 'node:crypto';
import type { DemoDevice } from '../../city/model.js';
import type { UrbisClient } from '../urbis-client.js';
import { chirpstackUp } from './chirpstack-uplink.js';

/** `POST /ingest` with the device's token. */
export async function sendHttp(
  client: UrbisClient,
  token: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await client.call('POST', '/ingest', { body: payload, bearer: token, noTenant: true });
}

/** `POST /ingest/batch` (history): at most 1,000 readings of one device per call. */
export async function sendHttpBatch(
  client: UrbisClient,
  token: string,
  payloads: readonly Record<string, unknown>[],
): Promise<void> {
  const answer = await client.call('POST', '/ingest/batch', {
    body: payloads.map((payload) => ({ payload })),
    bearer: token,
    noTenant: true,
  });
  // 200 is a per-item report: some readings were refused.
  if (answer.status === 200 && Array.isArray(answer.body)) {
    const refused = (answer.body as Array<{ ok: boolean; detail?: string }>).filter((o) => !o.ok);
    if (refused.length > 0)
      throw new Error(
        `${refused.length} of ${payloads.length} readings refused: ${refused[0]?.detail ?? ''}`,
      );
  }
}

/**
 * The LoRaWAN uplinks of the demo, as a ChirpStack network server forwards them. Each device gets a
 * fresh session address per run (as after a rejoin), so that frame counters restarting at 0 are new
 * messages to Urbis, which recognises a redelivery by (DevAddr, FCnt).
 */
export class ChirpstackForwarder {
  private readonly sessions = new Map<string, { devAddr: string; fCnt: number }>();

  constructor(
    private readonly client: UrbisClient,
    private readonly integrationKey: string,
  ) {}

  async up(device: DemoDevice, payload: Record<string, unknown>): Promise<void> {
    let session = this.sessions.get(device.id);
    if (session === undefined) {
      session = { devAddr: randomBytes(4).toString('hex'), fCnt: 0 };
      this.sessions.set(device.id, session);
    }
    const body = chirpstackUp(device, session, payload, new Date());
    session.fCnt++;
    await this.client.call('POST', '/integrations/chirpstack', {
      body,
      bearer: this.integrationKey,
      query: { event: 'up' },
    });
  }
}
