/**
 * FIWARE IoT Agent JSON over MQTT (issue #5: fleets move over without reflashing). An IoT Agent device
 * is not authenticated at CONNECT: its service group's apikey, in every topic, is its credential. The
 * service groups live elsewhere (the IoT Agent provisioning API); the broker only asks an
 * `IotaAuthority` whether an apikey may speak for a device. Payload helpers here are pure.
 */

/** Resolves an IoT Agent apikey and device id to an Urbis device (the provisioning side implements it). */
export interface IotaAuthority {
  /**
   * The tenant and Urbis device id that `deviceId` of the service group with `apikey` is; undefined
   * when the apikey is unknown or the device is not in its group.
   */
  authenticate(apikey: string, deviceId: string): Promise<{ tenant: string; deviceId: string } | undefined>;
}

/**
 * A single-attribute measure (`/json/{apikey}/{id}/attrs/{attr}`, payload = the bare value) as the
 * JSON object the multi-attribute topic carries. The value is read as JSON when it is JSON (`21.5`,
 * `true`, `{…}`), else kept as text — IoT Agent JSON devices send both.
 */
export function singleAttributePayload(attr: string, payload: Uint8Array | string): string {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: the text is the value.
  }
  // A null-prototype object: an attribute named __proto__ is an attribute like any other.
  const body = Object.create(null) as Record<string, unknown>;
  body[attr] = value;
  return JSON.stringify(body);
}

/** A command as IoT Agent JSON devices expect it on their cmd topic: `{"<command>": value}`. */
export function commandPayload(name: string, value: unknown): string {
  const body = Object.create(null) as Record<string, unknown>;
  body[name] = value ?? null;
  return JSON.stringify(body);
}

/**
 * The results in a `cmdexe` message: `{"<command>": result, …}`. IoT Agent JSON has no status field:
 * a reported result is a success. Undefined when the payload is not a JSON object.
 */
export function commandResults(
  payload: Uint8Array | string,
): Array<{ name: string; result: unknown }> | undefined {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return Object.entries(body).map(([name, result]) => ({ name, result }));
}
