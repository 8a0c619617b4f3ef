/**
 * The device API (`/devices`, `/device-profiles`, commands): the registry's view of a device — its
 * profile and connectivity state — which NGSI-LD does not carry, and the command channel.
 */
import { seg, type ApiClient } from './client.js';

export interface DeviceState {
  online: boolean;
  lastSeen?: string;
  battery?: number;
  rssi?: number;
  snr?: number;
  lastError?: string;
  lastErrorAt?: string;
}

export interface Device {
  id: string;
  profile: string;
  entityId: string;
  deviceEntityId: string;
  description?: string;
  disabled: boolean;
  createdAt: string;
  state: DeviceState;
}

export interface Command {
  id: string;
  deviceId: string;
  name: string;
  value: unknown;
  status: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  history: Array<{ status: string; at: string }>;
  info?: string;
  result?: unknown;
}

/** Largest page of GET /devices (MAX_DEVICE_PAGE in src/http/devices/schemas.ts). */
export const DEVICE_PAGE = 1000;

export async function listDevices(
  api: ApiClient,
  limit: number,
  offset: number,
): Promise<{ items: Device[]; count: number | undefined }> {
  return api.page<Device>(`/devices?limit=${limit}&offset=${offset}&count=true`);
}

/** Every device of the tenant (the devices page filters client-side: the API has no filters). */
export async function listAllDevices(api: ApiClient): Promise<Device[]> {
  const all: Device[] = [];
  for (let offset = 0; ; offset += DEVICE_PAGE) {
    const { items } = await listDevices(api, DEVICE_PAGE, offset);
    all.push(...items);
    if (items.length < DEVICE_PAGE) return all;
  }
}

export const getDevice = (api: ApiClient, id: string): Promise<Device> =>
  api.json<Device>(`/devices/${seg(id)}`);

export const getProfile = (api: ApiClient, id: string): Promise<Record<string, unknown>> =>
  api.json<Record<string, unknown>>(`/device-profiles/${seg(id)}`);

export const sendCommand = (
  api: ApiClient,
  deviceId: string,
  body: { name: string; value: unknown; ttl?: string },
): Promise<Command> => api.json<Command>(`/devices/${seg(deviceId)}/commands`, { method: 'POST', body });

export const getCommand = (api: ApiClient, id: string): Promise<Command> =>
  api.json<Command>(`/commands/${seg(id)}`);

export const listCommands = (api: ApiClient, deviceId: string, limit = 10): Promise<Command[]> =>
  api.json<Command[]>(`/devices/${seg(deviceId)}/commands?limit=${limit}`);

/** The device id behind a `urn:ngsi-ld:Device:<id>` entity id. */
export function deviceIdOf(deviceEntityId: string): string | undefined {
  const m = /^urn:ngsi-ld:Device:(.+)$/.exec(deviceEntityId);
  return m?.[1];
}
