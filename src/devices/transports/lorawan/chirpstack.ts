/**
 * ChirpStack v4 HTTP integration events (`POST …?event=up|join|status|ack|txack|log|location|
 * integration`, protobuf JSON with camelCase names, zeros and empty bytes omitted) normalised.
 * Pure: a body either reads as an event or is a BadRequestData naming what is wrong.
 *
 * up     — deviceInfo.devEui, devAddr, fCnt, fPort, data (base64), object (decoded by ChirpStack's
 *          codec), rxInfo[].rssi/snr, txInfo.frequency (Hz), txInfo.modulation.lora.{bandwidth (Hz),
 *          spreadingFactor, codeRate "CR_4_5"}, time.
 * status — batteryLevel (percent; batteryLevelUnavailable / externalPowerSource say when it has none).
 * ack    — queueItemId of a confirmed downlink, acknowledged true or false (timed out).
 * txack  — queueItemId handed to a gateway for transmission.
 */
import { badRequest } from '../../../core/errors.js';
import {
  bandwidthHz,
  base64Bytes,
  bestRadio,
  codeRate,
  count,
  devEuiOf,
  instant,
  numeric,
  object,
  optionalObject,
  optionalString,
  type LorawanUplink,
} from './uplink.js';

export const CHIRPSTACK_EVENTS = [
  'up',
  'join',
  'status',
  'ack',
  'txack',
  'log',
  'location',
  'integration',
] as const;
export type ChirpstackEventName = (typeof CHIRPSTACK_EVENTS)[number];

export type ChirpstackEvent =
  | { kind: 'up'; uplink: LorawanUplink }
  | { kind: 'status'; devEui: string; battery?: number; at?: string }
  | { kind: 'ack'; devEui: string; queueItemId: string; acknowledged: boolean }
  | { kind: 'txack'; devEui: string; queueItemId: string }
  | { kind: 'ignored'; event: ChirpstackEventName };

/** Read the body of a ChirpStack event named by the `event` query parameter. */
export function parseChirpstackEvent(event: unknown, body: unknown): ChirpstackEvent {
  if (typeof event !== 'string' || !(CHIRPSTACK_EVENTS as readonly string[]).includes(event))
    throw badRequest(`event must be one of ${CHIRPSTACK_EVENTS.join(', ')}`);
  const name = event as ChirpstackEventName;
  const b = object(body, 'the event');
  switch (name) {
    case 'up':
      return { kind: 'up', uplink: parseUp(b) };
    case 'status': {
      const devEui = deviceOf(b);
      const unavailable = b.batteryLevelUnavailable === true || b.externalPowerSource === true;
      const level = numeric(b.batteryLevel, 'batteryLevel');
      const at = instant(b.time, 'time');
      const battery = !unavailable && level !== undefined && level >= 0 && level <= 100 ? level : undefined;
      return { kind: 'status', devEui, ...(battery !== undefined ? { battery } : {}), ...(at ? { at } : {}) };
    }
    case 'ack':
      return {
        kind: 'ack',
        devEui: deviceOf(b),
        queueItemId: queueItemOf(b),
        acknowledged: b.acknowledged === true,
      };
    case 'txack':
      return { kind: 'txack', devEui: deviceOf(b), queueItemId: queueItemOf(b) };
    default:
      return { kind: 'ignored', event: name };
  }
}

function deviceOf(b: Record<string, unknown>): string {
  return devEuiOf(object(b.deviceInfo, 'deviceInfo').devEui, 'deviceInfo.devEui');
}

function queueItemOf(b: Record<string, unknown>): string {
  const id = optionalString(b.queueItemId, 'queueItemId', 64);
  if (id === undefined || id === '') throw badRequest('queueItemId is required');
  return id;
}

function parseUp(b: Record<string, unknown>): LorawanUplink {
  const devEui = deviceOf(b);
  const tx = optionalObject(b.txInfo, 'txInfo');
  const modulation = optionalObject(tx?.modulation, 'txInfo.modulation');
  const lora = optionalObject(modulation?.lora, 'txInfo.modulation.lora');
  const decoded = optionalObject(b.object, 'object');
  const devAddr = optionalString(b.devAddr, 'devAddr', 16);
  const fPort = count(b.fPort, 'fPort', 0);
  const receivedAt = instant(b.time, 'time');
  const frequencyHz = numeric(tx?.frequency, 'txInfo.frequency');
  const bw = bandwidthHz(lora?.bandwidth, 'txInfo.modulation.lora.bandwidth');
  const sf = count(lora?.spreadingFactor, 'txInfo.modulation.lora.spreadingFactor');
  const cr = codeRate(lora?.codeRate, 'txInfo.modulation.lora.codeRate');
  return {
    networkServer: 'chirpstack',
    devEui,
    ...(devAddr !== undefined ? { devAddr: devAddr.toLowerCase() } : {}),
    ...(fPort !== undefined ? { fPort } : {}),
    fCnt: count(b.fCnt, 'fCnt', 0) as number,
    payload: base64Bytes(b.data, 'data'),
    ...(decoded !== undefined ? { decoded } : {}),
    ...(receivedAt !== undefined ? { receivedAt } : {}),
    radio: bestRadio(b.rxInfo, 'rxInfo'),
    ...(frequencyHz !== undefined ? { frequencyHz } : {}),
    ...(bw !== undefined ? { bandwidthHz: bw } : {}),
    ...(sf !== undefined ? { spreadingFactor: sf } : {}),
    ...(cr !== undefined ? { codeRate: cr } : {}),
  };
}
