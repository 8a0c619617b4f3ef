/**
 * Reads what an operator sends to provision a device — one JSON object, or many rows of a CSV file —
 * into the fields of a DeviceRecord. A device feeds one entity (by default
 * `urn:ngsi-ld:<entity type>:<device id>`) and is described by its own `urn:ngsi-ld:Device:<id>`
 * entity. Bulk provisioning reports every bad row with its line instead of refusing the whole file:
 * an operator fixing a 5,000-row export wants all the mistakes at once.
 */
import { badRequest, isNgsiError } from '../../core/errors.js';
import { isAbsoluteIri } from '../../core/jsonld/iri.js';
import type { DeviceRecord } from '../../store/devices-port.js';
import { ID_PATTERN, MAX_DESCRIPTION_LENGTH } from './profile.js';

/** A device as provisioned, checked for form but not yet tied to a tenant's profiles. */
export interface DeviceInput {
  id: string;
  profile: string;
  entityId?: string;
  description?: string;
}

/** The DeviceRecord fields a provisioning request decides; the store adds createdAt, the service `disabled`. */
export type NewDevice = Omit<DeviceRecord, 'createdAt' | 'disabled'>;

/** Most rows in one CSV file. */
export const MAX_CSV_ROWS = 10_000;
/** Longest entity id a device may feed. */
export const MAX_ENTITY_ID_LENGTH = 1024;

const DEVICE_MEMBERS = new Set(['id', 'profile', 'entityId', 'description']);
const CSV_COLUMNS = ['id', 'profile', 'entityId', 'description'] as const;

/** Check a device object's form; throws BadRequestData naming the member. */
export function checkDeviceInput(raw: unknown): DeviceInput {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw badRequest('a device must be a JSON object');
  const d = raw as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!DEVICE_MEMBERS.has(k)) throw badRequest(`device: unknown member ${k}`);
  if (typeof d.id !== 'string' || !ID_PATTERN.test(d.id))
    throw badRequest('device.id must be 1–128 letters, digits, _ . : or -');
  if (typeof d.profile !== 'string' || !ID_PATTERN.test(d.profile))
    throw badRequest('device.profile must be a profile id (1–128 letters, digits, _ . : or -)');
  if (
    d.entityId !== undefined &&
    (typeof d.entityId !== 'string' || d.entityId.length > MAX_ENTITY_ID_LENGTH || !isAbsoluteIri(d.entityId))
  )
    throw badRequest(
      `device.entityId must be an absolute IRI such as urn:ngsi-ld:Type:id (at most ${MAX_ENTITY_ID_LENGTH} characters)`,
    );
  if (
    d.description !== undefined &&
    (typeof d.description !== 'string' || d.description.length > MAX_DESCRIPTION_LENGTH)
  )
    throw badRequest(`device.description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`);
  return {
    id: d.id,
    profile: d.profile,
    ...(d.entityId !== undefined ? { entityId: d.entityId as string } : {}),
    ...(d.description !== undefined ? { description: d.description as string } : {}),
  };
}

/**
 * Parse a device for `tenant`. `entityTypeOf` returns the expanded entity type of one of the tenant's
 * profiles, or undefined when it has no such profile (the caller loads the profiles once, so a bulk
 * request of thousands of devices does not look each one up).
 */
export function parseDevice(
  raw: unknown,
  tenant: string,
  entityTypeOf: (profileId: string) => string | undefined,
): NewDevice {
  const input = checkDeviceInput(raw);
  const entityType = entityTypeOf(input.profile);
  if (entityType === undefined)
    throw badRequest(`device.profile: no profile ${input.profile} in this tenant`);
  return {
    tenant,
    id: input.id,
    profileId: input.profile,
    entityId: input.entityId ?? `urn:ngsi-ld:${localName(entityType)}:${input.id}`,
    deviceEntityId: `urn:ngsi-ld:Device:${input.id}`,
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
}

/**
 * The last segment of an expanded type IRI (`…/dataModel.Environment/AirQualityObserved` →
 * `AirQualityObserved`), percent-encoded where a URN could not hold it as it is.
 */
export function localName(typeIri: string): string {
  const cut = Math.max(typeIri.lastIndexOf('/'), typeIri.lastIndexOf('#'), typeIri.lastIndexOf(':'));
  const name = typeIri.slice(cut + 1);
  return encodeURIComponent(name === '' ? typeIri : name);
}

/** One row of a CSV file read as a device, with the line it starts on (the header is line 1). */
export interface CsvDeviceRow {
  line: number;
  device: DeviceInput;
}

export interface CsvParseResult {
  rows: CsvDeviceRow[];
  errors: Array<{ line: number; error: string }>;
}

/**
 * Read a provisioning CSV (RFC 4180: commas, double-quoted fields that may hold commas, quotes as
 * `""` and line breaks; CRLF or LF). The header names the columns, in any order: id and profile are
 * required, entityId and description optional. An empty cell is an absent value. A bad row is
 * reported with its line and skipped; only a bad header or a file over MAX_CSV_ROWS rows is thrown
 * (BadRequestData), since then no row can be read with confidence.
 */
export function parseDeviceCsv(text: string): CsvParseResult {
  const records = splitCsv(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const header = records.shift();
  if (header === undefined) throw badRequest('CSV: the file is empty; expected a header id,profile,…');
  if ('error' in header) throw badRequest(`CSV line ${header.line}: ${header.error}`);
  const columns = header.fields.map((f) => f.trim());
  for (const c of columns)
    if (!(CSV_COLUMNS as readonly string[]).includes(c))
      throw badRequest(`CSV header: unknown column ${JSON.stringify(c)}; expected ${CSV_COLUMNS.join(', ')}`);
  for (const required of ['id', 'profile'])
    if (!columns.includes(required)) throw badRequest(`CSV header: column ${required} is missing`);
  if (new Set(columns).size !== columns.length) throw badRequest('CSV header: a column is named twice');
  if (records.length > MAX_CSV_ROWS) throw badRequest(`CSV: at most ${MAX_CSV_ROWS} rows in one file`);

  const rows: CsvDeviceRow[] = [];
  const errors: CsvParseResult['errors'] = [];
  const firstLineOf = new Map<string, number>();
  for (const record of records) {
    if ('error' in record) {
      errors.push({ line: record.line, error: record.error });
      continue;
    }
    if (record.fields.length !== columns.length) {
      errors.push({
        line: record.line,
        error: `expected ${columns.length} fields, found ${record.fields.length}`,
      });
      continue;
    }
    const raw: Record<string, string> = {};
    columns.forEach((c, i) => {
      const v = record.fields[i] as string;
      if (v !== '') raw[c] = v;
    });
    try {
      const device = checkDeviceInput(raw);
      const first = firstLineOf.get(device.id);
      if (first !== undefined) {
        errors.push({ line: record.line, error: `device ${device.id} is already on line ${first}` });
        continue;
      }
      firstLineOf.set(device.id, record.line);
      rows.push({ line: record.line, device });
    } catch (e) {
      if (!isNgsiError(e)) throw e;
      errors.push({ line: record.line, error: e.detail });
    }
  }
  return { rows, errors };
}

type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

/**
 * Split CSV text into records of raw fields (unquoted fields trimmed, quoted ones kept exactly).
 * Blank lines are skipped. A malformed record (a stray quote) is reported and reading resumes at the
 * next line; an unterminated quoted field swallows the rest of the file, so it ends the reading.
 */
function splitCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    // A blank line is no record (spreadsheets often leave some at the end).
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      i += text[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      // One field, starting at i.
      if (text[i] === '"') {
        let value = '';
        let closed = false;
        i++;
        while (i < n) {
          const ch = text[i] as string;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (ch === '\n') line++;
          value += ch;
          i++;
        }
        if (!closed) {
          out.push({ line: start, error: 'a quoted field is not closed before the end of the file' });
          return out;
        }
        // Only spaces may sit between the closing quote and the next comma or line end.
        while (text[i] === ' ' || text[i] === '\t') i++;
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r')
          error ??= 'characters after a closing quote (write a quote inside a quoted field as "")';
        fields.push(value);
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n' && !(text[j] === '\r' && text[j + 1] === '\n'))
          j++;
        const value = text.slice(i, j);
        if (value.includes('"')) error ??= 'a quote inside an unquoted field (quote the whole field)';
        fields.push(value.trim());
        i = j;
      }
      // Skip to the end of the field when it was malformed, then decide: next field or next record.
      while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) i++;
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      if (i < n) {
        i += text[i] === '\r' ? 2 : 1;
        line++;
      }
      break;
    }
    out.push(error === undefined ? { line: start, fields } : { line: start, error });
  }
  return out;
}
