/**
 * One LoRaWAN uplink as Urbis needs it, whichever network server forwarded it (ChirpStack v4 or The
 * Things Stack v3 normalise into this), and the small readers both normalisers share. Everything
 * here is pure: a webhook body is untrusted input, and whatever it holds the readers either return
 * a value or throw a BadRequestData (a 400 for the network server), never anything else.
 */
import { badRequest } from '../../../core/errors.js';

export type NetworkServer = 'chirpstack' | 'tts';

export interface LorawanUplink {
  networkServer: NetworkServer;
  /** The device id in Urbis: the DevEUI in lower case. */
  devEui: string;
  devAddr?: string;
  fPort?: number;
  fCnt: number;
  /** FRMPayload bytes (empty when the frame carried none). */
  payload: Uint8Array;
  /** What the network server's own payload decoder made of it, when it ran one. */
  decoded?: Record<string, unknown>;
  /** ISO instant the network received it (gateway time), when given. */
  receivedAt?: string;
  /** Best reception among the gateways that heard it (highest RSSI). */
  radio: { rssi?: number; snr?: number };
  frequencyHz?: number;
  bandwidthHz?: number;
  spreadingFactor?: number;
  /** Code rate as `4/5`. */
  codeRate?: string;
  /** The Things Stack addresses devices by its own id (downlinks need it). */
  tts?: { deviceId: string; applicationId?: string };
}

/** The transport's message id of an uplink: the frame counter within the session (DevAddr). */
export function uplinkMessageId(u: LorawanUplink): string {
  return `lw:${u.devAddr ?? u.devEui}:${u.fCnt}`;
}

export type Json = Record<string, unknown>;

export function object(value: unknown, where: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`${where} must be an object`);
  return value as Json;
}

export function optionalObject(value: unknown, where: string): Json | undefined {
  return value === undefined || value === null ? undefined : object(value, where);
}

// Device ids in Urbis are letters, digits and _ . : - (a DevEUI is 16 hex digits of those).
const DEVICE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The Urbis device id of a DevEUI: lower case, since ChirpStack sends `0101…` and The Things Stack
 * `70B3D5…` for the same kind of EUI. Devices are provisioned under their lower-case DevEUI.
 */
export function devEuiOf(value: unknown, where: string): string {
  if (typeof value !== 'string' || !DEVICE_ID.test(value)) throw badRequest(`${where} must be a DevEUI`);
  return value.toLowerCase();
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes of a base64 member; empty when absent (protobuf JSON omits empty bytes). */
export function base64Bytes(value: unknown, where: string): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (typeof value !== 'string' || value.length % 4 === 1 || !BASE64.test(value))
    throw badRequest(`${where} must be base64`);
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/** A non-negative integer (fCnt, fPort); `fallback` when absent (protobuf JSON omits zeros). */
export function count(value: unknown, where: string, fallback?: number): number | undefined {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw badRequest(`${where} must be a non-negative integer`);
  return value;
}

/** A finite number, or a numeric string (TTS sends 64-bit values such as frequencies as strings). */
export function numeric(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw badRequest(`${where} must be a number`);
  return n;
}

export function optionalString(value: unknown, where: string, max = 256): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw badRequest(`${where} must be a string`);
  return value;
}

/** An ISO instant normalised to UTC milliseconds; undefined when absent. */
export function instant(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > 64 || !/^\d{4}-\d\d-\d\dT/.test(value))
    throw badRequest(`${where} must be an ISO 8601 instant`);
  const t = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(t)) throw badRequest(`${where} must be an ISO 8601 instant`);
  return new Date(t).toISOString();
}

/**
 * Bandwidth in Hz. Current servers send Hz (125000); older TTS payloads and some forwarders kHz
 * (125): LoRa bandwidths are 7.8 kHz to 1.6 MHz, so a value under 1,000 can only be kHz.
 */
export function bandwidthHz(value: unknown, where: string): number | undefined {
  const n = numeric(value, where);
  if (n === undefined) return undefined;
  if (n <= 0) throw badRequest(`${where} must be positive`);
  return n < 1000 ? Math.round(n * 1000) : n;
}

/** Code rate as `4/5`, from ChirpStack's `CR_4_5` or TTS's `4/5` (`CR_4_5LI` long-interleaving → `4/5LI`). */
export function codeRate(value: unknown, where: string): string | undefined {
  const s = optionalString(value, where, 32);
  if (s === undefined || s === '' || s === 'CR_UNDEFINED') return undefined;
  const m = /^(?:CR_)?(\d)[_/](\d)(LI)?$/.exec(s);
  if (m === null) throw badRequest(`${where} is not a code rate such as 4/5 or CR_4_5`);
  return `${m[1]}/${m[2]}${m[3] ?? ''}`;
}

/** The best gateway reception (highest RSSI) of a list of rx metadata. */
export function bestRadio(entries: unknown, where: string): { rssi?: number; snr?: number } {
  if (entries === undefined || entries === null) return {};
  if (!Array.isArray(entries)) throw badRequest(`${where} must be an array`);
  let best: { rssi?: number; snr?: number } = {};
  for (const [i, raw] of entries.entries()) {
    const e = object(raw, `${where}[${i}]`);
    const rssi = numeric(e.rssi ?? e.channel_rssi, `${where}[${i}].rssi`);
    const snr = numeric(e.snr, `${where}[${i}].snr`);
    if (best.rssi === undefined || (rssi !== undefined && rssi > best.rssi))
      best = { ...(rssi !== undefined ? { rssi } : {}), ...(snr !== undefined ? { snr } : {}) };
  }
  return best;
}
