/**
 * Validation of a codec declaration as an operator writes it in a device profile. A profile is
 * checked once, when it is stored; the layout decoder checks again (cheaply) because a spec is
 * data and may come from anywhere. Errors are CodecError('bad-spec') with a message naming the
 * offending member, so the provisioning API can return it as it is.
 */
import { CodecError } from './codec-error.js';
import { LAYOUT_TYPE_SIZES, type CodecSpec, type LayoutCodecSpec, type LayoutField } from './model.js';

/** Most fields a layout may declare (a LoRaWAN frame holds at most 242 bytes anyway). */
export const MAX_LAYOUT_FIELDS = 256;

/** `value` as a CodecSpec, or CodecError('bad-spec'). Unknown members are refused (they are typos). */
export function parseCodecSpec(value: unknown): CodecSpec {
  if (!isRecord(value)) throw bad('codec must be an object');
  switch (value.kind) {
    case 'json':
    case 'cayenne-lpp':
      onlyMembers(value, ['kind'], 'codec');
      return { kind: value.kind };
    case 'layout': {
      onlyMembers(value, ['kind', 'fields', 'endian'], 'codec');
      const spec = { kind: 'layout', fields: value.fields, endian: value.endian ?? 'big' } as LayoutCodecSpec;
      checkLayoutSpec(spec);
      return {
        kind: 'layout',
        endian: spec.endian,
        fields: spec.fields.map((f) => ({ ...f })),
      };
    }
    default:
      throw bad(`codec.kind must be "json", "cayenne-lpp" or "layout"`);
  }
}

/** Throws CodecError('bad-spec') unless `spec` is a usable layout. */
export function checkLayoutSpec(spec: LayoutCodecSpec): void {
  if (spec.endian !== 'big' && spec.endian !== 'little') throw bad('codec.endian must be "big" or "little"');
  const fields: unknown = spec.fields;
  if (!Array.isArray(fields) || fields.length === 0) throw bad('codec.fields must be a non-empty array');
  if (fields.length > MAX_LAYOUT_FIELDS) throw bad(`codec.fields has more than ${MAX_LAYOUT_FIELDS} fields`);
  const names = new Set<string>();
  fields.forEach((field: unknown, i) => {
    const where = `codec.fields[${i}]`;
    if (!isRecord(field)) throw bad(`${where} must be an object`);
    onlyMembers(field, ['name', 'type', 'scale', 'offset'], where);
    const { name, type, scale, offset } = field as Partial<LayoutField> & Record<string, unknown>;
    if (typeof name !== 'string' || name === '') throw bad(`${where}.name must be a non-empty string`);
    if (names.has(name)) throw bad(`${where}.name "${name}" is declared twice`);
    names.add(name);
    if (typeof type !== 'string' || !Object.hasOwn(LAYOUT_TYPE_SIZES, type)) {
      throw bad(`${where}.type must be one of ${Object.keys(LAYOUT_TYPE_SIZES).join(', ')}`);
    }
    for (const [member, v] of [
      ['scale', scale],
      ['offset', offset],
    ] as const) {
      if (v === undefined) continue;
      if (type === 'bool') throw bad(`${where}.${member} does not apply to a bool`);
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw bad(`${where}.${member} must be a finite number`);
    }
    if (scale === 0) throw bad(`${where}.scale must not be 0`);
  });
}

function onlyMembers(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw bad(`${where} has an unknown member "${key}"`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(message: string): CodecError {
  return new CodecError('bad-spec', message);
}
