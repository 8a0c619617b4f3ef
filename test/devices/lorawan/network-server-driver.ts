/**
 * A LoRaWAN network server posting to a started Urbis over a real socket, as ChirpStack v4's HTTP
 * integration and The Things Stack v3's webhooks do: the device's payload goes base64 in the uplink
 * JSON, and the server authenticates with an API key of its service principal (operator in city-a).
 */
import type { TransportDriver } from '../transport-contract.js';
import { TENANT, type DeviceTestKit } from '../../support/devices.js';
import { listen } from '../http/http-driver.js';

/** An API key of a new service principal of `tenant` with `roles`. */
export async function integrationKey(kit: DeviceTestKit, id: string, roles = ['operator']): Promise<string> {
  await kit.governance.identity.createPrincipal({ tenant: TENANT, id, kind: 'service', roles });
  const { secret } = await kit.governance.identity.createKey({ tenant: TENANT, principalId: id });
  return secret;
}

/** A ChirpStack v4 `up` event, shaped like the documentation's example. */
export function chirpstackUp(
  devEui: string,
  data: Uint8Array,
  fCnt: number,
  extra: Record<string, unknown> = {},
) {
  return {
    deduplicationId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
    time: new Date().toISOString(),
    deviceInfo: {
      tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
      tenantName: 'ChirpStack',
      applicationId: '17c82e96-be03-4f38-aef3-f83d48582d97',
      applicationName: 'Air quality',
      deviceProfileId: '14855bf7-d10d-4aee-b618-ebfcb64dc7ad',
      deviceProfileName: 'AQ sensor',
      deviceName: devEui,
      devEui,
      tags: {},
    },
    devAddr: '00189440',
    adr: true,
    dr: 5,
    fCnt,
    fPort: 2,
    confirmed: false,
    data: Buffer.from(data).toString('base64'),
    rxInfo: [
      { gatewayId: '0016c001f153a14c', uplinkId: 4217106255, rssi: -92, snr: 7.5, context: 'E3OWOQ==' },
      { gatewayId: '0016c001f153a14d', uplinkId: 4217106256, rssi: -71, snr: 9.25, context: 'E3OWOQ==' },
    ],
    txInfo: {
      frequency: 868100000,
      modulation: { lora: { bandwidth: 125000, spreadingFactor: 7, codeRate: 'CR_4_5' } },
    },
    ...extra,
  };
}

/** A The Things Stack v3 `uplink_message` webhook body, shaped like the documentation's example. */
export function ttsUplink(
  devEui: string,
  data: Uint8Array,
  fCnt: number,
  extra: Record<string, unknown> = {},
) {
  return {
    end_device_ids: {
      device_id: `eui-${devEui}`,
      application_ids: { application_id: 'city-aq' },
      dev_eui: devEui.toUpperCase(),
      join_eui: '0000000000000000',
      dev_addr: '260B1A2F',
    },
    correlation_ids: ['as:up:01H0PZDGB1NW6NAPD815NGHPF6'],
    received_at: new Date().toISOString(),
    uplink_message: {
      session_key_id: 'AYfg9NIxBvyjb8cYy1Glvw==',
      f_port: 2,
      f_cnt: fCnt,
      frm_payload: Buffer.from(data).toString('base64'),
      rx_metadata: [
        {
          gateway_ids: { gateway_id: 'gw-1', eui: 'B827EBFFFE5D3E0A' },
          rssi: -80,
          channel_rssi: -80,
          snr: 8.5,
        },
        { gateway_ids: { gateway_id: 'gw-2' }, rssi: -110, channel_rssi: -110, snr: -3 },
      ],
      settings: {
        data_rate: { lora: { bandwidth: 125000, spreading_factor: 7, coding_rate: '4/5' } },
        frequency: '868300000',
        timestamp: 2040934059,
      },
      received_at: new Date().toISOString(),
      consumed_airtime: '0.056576s',
    },
    ...extra,
  };
}

export function networkServerDriver(server: 'chirpstack' | 'tts'): TransportDriver {
  let base = '';
  let key = '';
  // The contract's message ids name redeliveries; a network server's id of an uplink is its fCnt.
  const fCnts = new Map<string, number>();
  let next = 1;
  return {
    transport: 'lorawan',
    credential: 'token',
    refusesBadPayload: true,
    carriesMessageId: true,
    gateAuthenticated: true,
    start: async (kit) => {
      key = await integrationKey(kit, `${server}-integration`);
      base = await listen(kit.app);
    },
    send: async ({ deviceId, payload, messageId, forged }) => {
      let fCnt = messageId === undefined ? undefined : fCnts.get(messageId);
      if (fCnt === undefined) {
        fCnt = next++;
        if (messageId !== undefined) fCnts.set(messageId, fCnt);
      }
      const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
      const body =
        server === 'chirpstack' ? chirpstackUp(deviceId, bytes, fCnt) : ttsUplink(deviceId, bytes, fCnt);
      const url =
        server === 'chirpstack' ? `${base}/integrations/chirpstack?event=up` : `${base}/integrations/tts`;
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${forged ? 'urbis_forged-key-0123456789abcdefghijklmnopqrstuv' : key}`,
          'ngsild-tenant': TENANT,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      return res.status === 204 ? { acked: true } : { acked: false, code: res.status };
    },
    stop: async () => undefined,
  };
}
