/**
 * JSON Schemas of the provisioning API (device profiles, devices, credentials): they check the URL
 * (unknown query parameters are refused) and describe bodies and answers in /openapi.json. Bodies
 * are checked in depth by the registry (src/devices/registry), whose 400s name the member at fault;
 * the body schemas here only document them, so that a bulk request's bad rows are reported one by
 * one rather than refusing the lot.
 */
import { instant, text } from '../admin/schemas.js';

/** Largest page of GET /devices. */
export const MAX_DEVICE_PAGE = 1000;
/** Page size of GET /devices without `limit`. */
export const DEFAULT_DEVICE_PAGE = 100;

/** An id of a profile, device or credential, as the registry accepts it. */
const idMember = (description: string) =>
  ({ type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$', description }) as const;

/** No query parameters. */
export const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

export const profileParams = {
  type: 'object',
  properties: { profileId: idMember('Profile id') },
  required: ['profileId'],
} as const;

export const deviceParams = {
  type: 'object',
  properties: { deviceId: idMember('Device id') },
  required: ['deviceId'],
} as const;

export const credentialParams = {
  type: 'object',
  properties: { deviceId: idMember('Device id'), credentialId: idMember('Credential id (dc_…)') },
  required: ['deviceId', 'credentialId'],
} as const;

/** The credential kinds a device may be issued; `none` only when provisioning. */
export const credentialKinds = ['token', 'password'] as const;

export const provisionQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    credentials: {
      type: 'string',
      enum: [...credentialKinds, 'none'],
      description: 'What to issue each created device (default token)',
    },
  },
} as const;

export const listDevicesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: {
      type: 'string',
      pattern: '^[0-9]{1,6}$',
      description: `Page size (default ${DEFAULT_DEVICE_PAGE}, at most ${MAX_DEVICE_PAGE}; 0 only with count=true)`,
    },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$', description: 'Devices to skip' },
    count: {
      type: 'string',
      enum: ['true', 'false'],
      description: 'true: the total in NGSILD-Results-Count',
    },
  },
} as const;

/**
 * A device profile document as the operator writes it (checked by src/devices/registry/profile.ts;
 * the members below are the main ones).
 */
export const profileBody = {
  type: 'object',
  description: 'A device profile: transport, codec, the entity type it feeds and the attribute mapping',
  additionalProperties: true,
  properties: {
    '@context': { description: 'How entityType and attribute names expand (default: the core context)' },
    id: idMember('Profile id (filled from the path when absent; must match it when present)'),
    description: { type: 'string' },
    transport: { type: 'string', enum: ['mqtt', 'http', 'coap', 'lorawan', 'iota-json', 'thingsboard'] },
    codec: { type: 'object', additionalProperties: true, description: 'e.g. {"kind":"json"}' },
    entityType: text('Type of the entity each device feeds'),
    mapping: {
      type: 'object',
      additionalProperties: true,
      description: 'Decoded field → {attribute, unitCode (UN/CEFACT), type, scale}',
    },
    battery: text('Decoded field holding the battery level in percent'),
    deviceTime: text('Decoded field holding the device clock'),
    reportingInterval: text('ISO 8601 duration'),
    offlineAfter: text('ISO 8601 duration: silent this long, the device is offline'),
    maxMessagesPerMinute: { type: 'number' },
  },
} as const;

/** The profile as written, with when it was created and last replaced. */
export const profileView = {
  type: 'object',
  additionalProperties: true,
  properties: { ...profileBody.properties, createdAt: instant, updatedAt: instant },
} as const;

/** One device to provision (checked by src/devices/registry/device.ts). */
export const newDevice = {
  type: 'object',
  description: 'A device',
  required: ['id', 'profile'],
  properties: {
    id: idMember('Device id, unique in the tenant (a DevEUI, a serial number)'),
    profile: idMember('Id of a profile of the tenant'),
    entityId: text('Entity it feeds (default urn:ngsi-ld:<entity type>:<id>)'),
    description: { type: 'string' },
  },
} as const;

/**
 * POST /devices: one device (JSON object), many (JSON array), or a CSV file with the header
 * `id,profile[,entityId][,description]`. Array items are not checked here: each bad row is reported.
 */
export const provisionBody = {
  content: {
    'application/json': {
      schema: {
        anyOf: [newDevice, { type: 'array', items: {}, description: 'Devices, each as above' }],
      },
    },
    'text/csv': {
      schema: { type: 'string', description: 'CSV (RFC 4180), header id,profile[,entityId][,description]' },
    },
  },
} as const;

const issuedMembers = {
  id: text('Credential id (dc_…)'),
  kind: { type: 'string', enum: [...credentialKinds] },
  secret: text('The token (kind token): shown this once, never again'),
  username: text('The username (kind password)'),
  password: text('The password (kind password): shown this once, never again'),
} as const;

/** A credential as issued: with its secret, once. */
export const issuedView = { type: 'object', properties: issuedMembers } as const;

/** A credential as listed: never a hash or a secret. */
export const credentialView = {
  type: 'object',
  properties: {
    id: issuedMembers.id,
    kind: issuedMembers.kind,
    deviceId: { type: 'string' },
    username: issuedMembers.username,
    prefix: text('The token’s first characters, to recognise it'),
    createdAt: instant,
    revokedAt: instant,
  },
} as const;

export const newCredentialBody = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: { kind: issuedMembers.kind },
} as const;

export const createdDeviceView = {
  type: 'object',
  properties: { id: { type: 'string' }, credential: issuedView },
} as const;

/** What a bulk request did: the devices created (with their credentials, once) and the refused rows. */
export const reportView = {
  type: 'object',
  properties: {
    created: { type: 'array', items: createdDeviceView },
    failed: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          row: { type: 'integer', description: 'Index in the JSON array' },
          line: { type: 'integer', description: 'Line in the CSV file (the header is line 1)' },
          id: { type: 'string' },
          error: { type: 'string' },
        },
      },
    },
  },
} as const;

/** What the registry knows of a device's health. */
export const stateView = {
  type: 'object',
  properties: {
    online: { type: 'boolean' },
    lastSeen: instant,
    battery: { type: 'number' },
    rssi: { type: 'number' },
    snr: { type: 'number' },
    lastError: { type: 'string' },
    lastErrorAt: instant,
  },
} as const;

export const deviceView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    profile: { type: 'string' },
    entityId: text('Entity its telemetry updates'),
    deviceEntityId: text('Its NGSI-LD Device entity'),
    description: { type: 'string' },
    disabled: { type: 'boolean' },
    createdAt: instant,
    state: stateView,
  },
} as const;
