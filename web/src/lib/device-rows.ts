/**
 * The devices table's rows: filtering (state, profile, text), paging, and the CSV export's columns —
 * pure, so that what the operator sees and what the export holds are the same records.
 */
import { buildCsv } from './csv.js';

/** The device fields the table needs (a subset of the API's device view). */
export interface DeviceRow {
  id: string;
  profile: string;
  entityId: string;
  disabled: boolean;
  state: {
    online: boolean;
    lastSeen?: string;
    battery?: number;
    rssi?: number;
    snr?: number;
    lastError?: string;
  };
}

export interface DeviceFilter {
  state: 'all' | 'online' | 'offline';
  profile: string;
  text: string;
}

export function filterDevices<T extends DeviceRow>(devices: readonly T[], f: DeviceFilter): T[] {
  const text = f.text.trim().toLowerCase();
  return devices.filter(
    (d) =>
      (f.state === 'all' || (f.state === 'online') === d.state.online) &&
      (f.profile === '' || d.profile === f.profile) &&
      (text === '' ||
        d.id.toLowerCase().includes(text) ||
        d.entityId.toLowerCase().includes(text) ||
        (d.state.lastError ?? '').toLowerCase().includes(text)),
  );
}

/** Page `n` (0-based) of `size` rows, and how many pages there are. */
export function pageOf<T>(
  rows: readonly T[],
  n: number,
  size: number,
): { rows: T[]; pages: number; page: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const page = Math.min(Math.max(0, n), pages - 1);
  return { rows: rows.slice(page * size, page * size + size), pages, page };
}

export const CSV_HEADER = [
  'id',
  'profile',
  'entityId',
  'state',
  'lastSeen',
  'battery',
  'rssi',
  'snr',
  'lastError',
  'disabled',
];

/** The devices as CSV (RFC 4180, formula-guarded). */
export function devicesCsv(devices: readonly DeviceRow[]): string {
  return buildCsv(
    CSV_HEADER,
    devices.map((d) => [
      d.id,
      d.profile,
      d.entityId,
      d.state.online ? 'online' : 'offline',
      d.state.lastSeen,
      d.state.battery,
      d.state.rssi,
      d.state.snr,
      d.state.lastError,
      d.disabled,
    ]),
  );
}
