/**
 * A ChirpStack v4 HTTP-integration `up` event (protobuf JSON, camelCase) for one reading of a demo
 * LoRaWAN device, as the network server would forward it: the frame's bytes (the JSON the device
 * sent, base64), ChirpStack's decoded `object` (Urbis uses it for JSON profiles), the frame counter,
 * and the reception of one or two gateways with a signal that depends on the device's distance.
 */
import type { DemoDevice } from '../../city/model.js';

/** The application port the demo devices send readings on. */
export const DEMO_FPORT = 2;

export interface UplinkRadio {
  /** Stable per device (a sensor does not move): −120 … −60 dBm. */
  rssi: number;
  snr: number;
}

/** A device's typical reception, from its per-device bias: far or shielded devices hear worse. */
export function radioOf(device: DemoDevice): UplinkRadio {
  const rssi = Math.round(-65 - 50 * device.bias);
  const snr = Math.round((10 - 15 * device.bias) * 4) / 4;
  return { rssi, snr };
}

/** The event body for `POST /integrations/chirpstack?event=up`. */
export function chirpstackUp(
  device: DemoDevice,
  session: { devAddr: string; fCnt: number },
  payload: Record<string, unknown>,
  receivedAt: Date,
): Record<string, unknown> {
  const radio = radioOf(device);
  return {
    time: receivedAt.toISOString(),
    deviceInfo: {
      tenantName: 'Demo city',
      applicationName: 'Demo city sensors',
      deviceProfileName: device.kind,
      deviceName: device.id,
      devEui: device.id,
      tags: {},
    },
    devAddr: session.devAddr,
    adr: true,
    dr: 5,
    fCnt: session.fCnt,
    fPort: DEMO_FPORT,
    confirmed: false,
    data: Buffer.from(JSON.stringify(payload)).toString('base64'),
    object: payload,
    rxInfo: [
      { gatewayId: 'dea0000000000001', rssi: radio.rssi, snr: radio.snr },
      { gatewayId: 'dea0000000000002', rssi: radio.rssi - 9, snr: radio.snr - 3 },
    ],
    txInfo: {
      frequency: 868_100_000,
      modulation: { lora: { bandwidth: 125_000, spreadingFactor: 7, codeRate: 'CR_4_5' } },
    },
  };
}
