/**
 * The Things Stack v3 webhook messages normalised. One webhook endpoint receives every message type
 * the operator enabled; the type is the member present: `uplink_message`, `downlink_ack`,
 * `downlink_nack`, `downlink_sent`, `downlink_failed`, `downlink_queued`, `join_accept`, … Pure: a body
 * either reads as a message or is a BadRequestData naming what is wrong.
 *
 * uplink — end_device_ids.{dev_eui, device_id, dev_addr, application_ids.application_id},
 *          uplink_message.{f_port, f_cnt, frm_payload (base64), decoded_payload, rx_metadata[].rssi/
 *          snr, settings.{frequency ("868100000", a string), data_rate.lora.{bandwidth (Hz; kHz in older
 *          payloads), spreading_factor, coding_rate}, coding_rate (older placement)}, received_at}.
 * downlinks carry the correlation ids Urbis gave them at push (`urbis:cmd:<command id>`).
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

/** The correlation id of a downlink pushed for a command. */
export const COMMAND_CORRELATION_PREFIX = 'urbis:cmd:';

export type TtsDownlinkEvent = 'ack' | 'nack' | 'sent' | 'failed' | 'queued';

export type TtsMessage =
  | { kind: 'up'; uplink: LorawanUplink }
  | {
      kind: 'downlink';
      event: TtsDownlinkEvent;
      devEui: string;
      /** Command ids named in the downlink's correlation ids. */
      commandIds: string[];
      error?: string;
    }
  | { kind: 'ignored'; type: string };

const DOWNLINK_MEMBERS: Array<[string, TtsDownlinkEvent]> = [
  ['downlink_ack', 'ack'],
  ['downlink_nack', 'nack'],
  ['downlink_sent', 'sent'],
  ['downlink_failed', 'failed'],
  ['downlink_queued', 'queued'],
];

export function parseTtsMessage(body: unknown): TtsMessage {
  const b = object(body, 'the message');
  const ids = object(b.end_device_ids, 'end_device_ids');
  if (b.uplink_message !== undefined) return { kind: 'up', uplink: parseUplink(ids, b) };
  for (const [member, event] of DOWNLINK_MEMBERS) {
    if (b[member] === undefined) continue;
    const d = object(b[member], member);
    // downlink_failed wraps the downlink: {downlink: {...}, error: {...}}.
    const downlink = event === 'failed' ? (optionalObject(d.downlink, `${member}.downlink`) ?? {}) : d;
    const error = event === 'failed' ? errorText(d.error) : undefined;
    return {
      kind: 'downlink',
      event,
      devEui: euiOf(ids),
      commandIds: commandIdsOf(downlink.correlation_ids, `${member}.correlation_ids`),
      ...(error !== undefined ? { error } : {}),
    };
  }
  const type = Object.keys(b).find(
    (k) => k !== 'end_device_ids' && k !== 'correlation_ids' && k !== 'received_at',
  );
  return { kind: 'ignored', type: (type ?? 'unknown').slice(0, 64) };
}

function euiOf(ids: Record<string, unknown>): string {
  return devEuiOf(ids.dev_eui, 'end_device_ids.dev_eui');
}

function parseUplink(ids: Record<string, unknown>, b: Record<string, unknown>): LorawanUplink {
  const devEui = euiOf(ids);
  const deviceId = optionalString(ids.device_id, 'end_device_ids.device_id', 64);
  if (deviceId === undefined || deviceId === '') throw badRequest('end_device_ids.device_id is required');
  const appIds = optionalObject(ids.application_ids, 'end_device_ids.application_ids');
  const applicationId = optionalString(appIds?.application_id, 'application_ids.application_id', 64);
  const devAddr = optionalString(ids.dev_addr, 'end_device_ids.dev_addr', 16);
  const up = object(b.uplink_message, 'uplink_message');
  const settings = optionalObject(up.settings, 'uplink_message.settings');
  const dataRate = optionalObject(settings?.data_rate, 'settings.data_rate');
  const lora = optionalObject(dataRate?.lora, 'settings.data_rate.lora');
  const decoded = optionalObject(up.decoded_payload, 'uplink_message.decoded_payload');
  const fPort = count(up.f_port, 'uplink_message.f_port', 0);
  const receivedAt = instant(up.received_at ?? b.received_at, 'uplink_message.received_at');
  const frequencyHz = numeric(settings?.frequency, 'settings.frequency');
  const bw = bandwidthHz(lora?.bandwidth, 'settings.data_rate.lora.bandwidth');
  const sf = count(lora?.spreading_factor, 'settings.data_rate.lora.spreading_factor');
  // The coding rate moved from settings into data_rate.lora in TTS 3.19.
  const cr = codeRate(lora?.coding_rate ?? settings?.coding_rate, 'coding_rate');
  return {
    networkServer: 'tts',
    devEui,
    ...(devAddr !== undefined ? { devAddr: devAddr.toLowerCase() } : {}),
    ...(fPort !== undefined ? { fPort } : {}),
    fCnt: count(up.f_cnt, 'uplink_message.f_cnt', 0) as number,
    payload: base64Bytes(up.frm_payload, 'uplink_message.frm_payload'),
    ...(decoded !== undefined ? { decoded } : {}),
    ...(receivedAt !== undefined ? { receivedAt } : {}),
    radio: bestRadio(up.rx_metadata, 'uplink_message.rx_metadata'),
    ...(frequencyHz !== undefined ? { frequencyHz } : {}),
    ...(bw !== undefined ? { bandwidthHz: bw } : {}),
    ...(sf !== undefined ? { spreadingFactor: sf } : {}),
    ...(cr !== undefined ? { codeRate: cr } : {}),
    tts: { deviceId, ...(applicationId !== undefined ? { applicationId } : {}) },
  };
}

function commandIdsOf(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest(`${where} must be an array`);
  const ids: string[] = [];
  for (const c of value)
    if (typeof c === 'string' && c.startsWith(COMMAND_CORRELATION_PREFIX) && c.length <= 256)
      ids.push(c.slice(COMMAND_CORRELATION_PREFIX.length));
  return ids;
}

function errorText(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const e = value as Record<string, unknown>;
  const text = [e.namespace, e.name, e.message_format].filter((p) => typeof p === 'string').join(': ');
  return text === '' ? undefined : text.slice(0, 512);
}
