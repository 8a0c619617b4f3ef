/**
 * LoRaWAN network-server integrations (issue #5):
 * - `POST /integrations/chirpstack?event=up|join|status|ack|txack|log|…` — ChirpStack v4 HTTP integration;
 * - `POST /integrations/tts` — The Things Stack v3 webhook (every message type on one endpoint).
 *
 * The network server authenticates as a service principal of the tenant with an Urbis API key
 * (configure the integration's headers `Authorization: Bearer urbis_…` and `NGSILD-Tenant: <tenant>`);
 * the security gate checks it and the `write` action (route-actions.ts INTEGRATIONS). The device is the
 * DevEUI (lower case) in the request's tenant. Uplinks go through the one ingest pipeline (message id
 * `lw:<devAddr>:<fCnt>`, so a redelivered webhook is stored once; the network's receive time as the
 * receive time; the best gateway's RSSI/SNR); downlink reports complete commands. 204 after the commit,
 * the pipeline's refusals as in ingest-outcome.ts, 400 for a body that is not the server's format.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NgsiError } from '../../core/errors.js';
import { parseChirpstackEvent } from '../../devices/transports/lorawan/chirpstack.js';
import { LorawanLedger } from '../../devices/transports/lorawan/ledger.js';
import { parseTtsMessage } from '../../devices/transports/lorawan/tts.js';
import { uplinkMessageId, type LorawanUplink } from '../../devices/transports/lorawan/uplink.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import type { DeviceApiDeps } from './deps.js';
import { outcomeError } from './ingest-outcome.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What the LoRaWAN integrations learnt from uplinks; the downlink channel reads it (serve.ts). */
    lorawan: LorawanLedger;
  }
}

/** Refusals are counted under this transport name, whichever network server forwarded the uplink. */
const TRANSPORT = 'lorawan';
/** A network-server time further off than this is not trusted as the receive time. */
const MAX_CLOCK_FUTURE_MS = 60_000;
const MAX_CLOCK_PAST_MS = 86_400_000;

export function lorawanRoutes(app: FastifyInstance, deps: DeviceApiDeps): void {
  const ledger = new LorawanLedger();
  app.decorate('lorawan', ledger);
  const { ingress, registry, commands } = deps.devices;

  const ingest = async (tenant: string, uplink: LorawanUplink, reply: FastifyReply) => {
    const deviceId = uplink.devEui;
    let payload: Uint8Array | string = uplink.payload;
    // The network server's decoder output is used when the profile reads JSON anyway; a binary codec
    // gets the frame's bytes, so that what Urbis stores never depends on a decoder it does not own.
    if (uplink.decoded !== undefined) {
      const found = await registry.device(tenant, deviceId);
      if (found?.profile.codec.kind === 'json') payload = JSON.stringify(uplink.decoded);
    }
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    if (size > ingress.maxPayloadBytes) {
      ingress.refuse(TRANSPORT, 'oversized', `${deviceId}: ${size} bytes`);
      throw new NgsiError('PayloadTooLarge', `payload over ${ingress.maxPayloadBytes} bytes`);
    }
    const outcome = await ingress.submit({
      tenant,
      deviceId,
      payload,
      receivedAt: receiveTime(uplink.receivedAt),
      messageId: uplinkMessageId(uplink),
      radio: uplink.radio,
    });
    const error = outcomeError(reply, outcome);
    if (error !== undefined) throw error;
    const route = { via: uplink.networkServer, ...(uplink.tts !== undefined ? { tts: uplink.tts } : {}) };
    // A device newly reachable by downlink: commands waiting for it can go now.
    if (ledger.heard(tenant, deviceId, route)) commands.connected(tenant, deviceId);
    return reply.code(204).send();
  };

  app.post('/integrations/chirpstack', { schema: { hide: true } }, async (request, reply) => {
    const event = parseChirpstackEvent((request.query as Record<string, unknown>).event, request.body);
    const tenant = tenantOf(request);
    switch (event.kind) {
      case 'up':
        return ingest(tenant, event.uplink, reply);
      case 'status':
        if (event.battery !== undefined)
          await recordBattery(deps, tenant, event.devEui, event.battery, event.at);
        break;
      case 'ack': {
        const queued = ledger.queueItem(event.queueItemId, true);
        if (queued === undefined || queued.tenant !== tenant || queued.deviceId !== event.devEui) break;
        if (event.acknowledged) await commands.delivered(tenant, queued.deviceId, queued.commandId);
        else
          await commands.result(
            tenant,
            queued.deviceId,
            { id: queued.commandId },
            { ok: false, payload: { error: 'the device did not acknowledge the confirmed downlink' } },
          );
        break;
      }
      // txack: a gateway took the downlink for transmission — no more than the `sent` the channel
      // already reported; join, log, location, integration: nothing Urbis keeps.
      default:
        break;
    }
    return reply.code(204).send();
  });

  app.post('/integrations/tts', { schema: { hide: true } }, async (request, reply) => {
    const message = parseTtsMessage(request.body);
    const tenant = tenantOf(request);
    if (message.kind === 'up') return ingest(tenant, message.uplink, reply);
    if (message.kind === 'downlink') {
      for (const id of message.commandIds) {
        if (message.event === 'ack') await commands.delivered(tenant, message.devEui, id);
        else if (message.event === 'failed')
          await commands.result(
            tenant,
            message.devEui,
            { id },
            {
              ok: false,
              payload: { error: message.error ?? 'the network server could not send the downlink' },
            },
          );
        // sent / queued say no more than `sent`; a nack is retried by the network server until its TTL.
      }
    }
    return reply.code(204).send();
  });
}

/** The network's receive time when it is plausible (gateway clocks are GPS-synchronised), else now. */
function receiveTime(networkTime: string | undefined): string {
  const now = Date.now();
  if (networkTime !== undefined) {
    const t = Date.parse(networkTime);
    if (t <= now + MAX_CLOCK_FUTURE_MS && t >= now - MAX_CLOCK_PAST_MS) return new Date(t).toISOString();
  }
  return new Date(now).toISOString();
}

/**
 * A ChirpStack device-status report: the battery level into the device's state. It is a sign of life
 * (it came in an uplink), so it is recorded as one — lastSeen, online, offlineAt — through the same
 * store call the pipeline uses; a device that was offline is announced back online.
 */
async function recordBattery(
  deps: DeviceApiDeps,
  tenant: string,
  deviceId: string,
  battery: number,
  at: string | undefined,
): Promise<void> {
  const found = await deps.devices.registry.device(tenant, deviceId);
  if (found === undefined) return;
  const when = receiveTime(at);
  const back = await deps.store.devices.recordSeen([
    {
      tenant,
      deviceId,
      at: when,
      offlineAt: new Date(Date.parse(when) + found.profile.offlineAfterMs).toISOString(),
      battery,
    },
  ]);
  if (back.length > 0)
    await deps.devices.recordConnectivity(back.map((d) => ({ ...d, online: true, at: when })));
}
