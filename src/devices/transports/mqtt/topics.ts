/**
 * The MQTT topic scheme (issue #5): what a topic means, in each dialect a device may speak. Pure: the
 * embedded broker's ACL and the external-broker consumer both read topics through here, so a topic
 * means the same thing whoever carries it.
 *
 * | dialect     | device publishes                                       | device subscribes              |
 * | ----------- | ------------------------------------------------------ | ------------------------------ |
 * | urbis       | `devices/{id}/telemetry`, `devices/{id}/commands/result` | `devices/{id}/commands`        |
 * | thingsboard | `v1/devices/me/telemetry`, `v1/devices/me/attributes`, | `v1/devices/me/rpc/request/+`  |
 * |             | `v1/devices/me/rpc/response/{requestId}`               | (and two inert attribute ones) |
 * | iota-json   | `/json/{apikey}/{id}/attrs`, `/json/{apikey}/{id}/attrs/{attr}`, | `/{apikey}/{id}/cmd`  |
 * |             | `/json/{apikey}/{id}/cmdexe`                            | (or `/json/{apikey}/{id}/cmd`) |
 *
 * Anything else is no topic of ours: the caller refuses it (`forbidden-topic`). Whether the device
 * named in a topic is the one connected is the caller's check (it knows who connected).
 */
import { ID_PATTERN } from '../../registry/profile.js';

export type Dialect = 'urbis' | 'thingsboard' | 'iota-json';

/** Where an IoT Agent topic points: the service group's apikey and the device id. */
export interface IotaAddress {
  apikey: string;
  deviceId: string;
}

/** What a PUBLISH from a device means. */
export type PublishRoute =
  | { kind: 'telemetry'; dialect: 'urbis'; deviceId: string }
  /** ThingsBoard topics name no device: it is the connected one (`me`). */
  | { kind: 'telemetry'; dialect: 'thingsboard'; attributes: boolean }
  /** `attr`: a single attribute's raw value (`/attrs/{attr}`), else a JSON object of attributes. */
  | ({ kind: 'telemetry'; dialect: 'iota-json'; attr?: string } & IotaAddress)
  | { kind: 'command-result'; dialect: 'urbis'; deviceId: string }
  | { kind: 'command-result'; dialect: 'thingsboard'; requestId: number }
  | ({ kind: 'command-result'; dialect: 'iota-json' } & IotaAddress);

/** What a SUBSCRIBE from a device asks for. */
export type SubscribeRoute =
  | { kind: 'commands'; dialect: 'urbis'; deviceId: string }
  | { kind: 'commands'; dialect: 'thingsboard' }
  | ({ kind: 'commands'; dialect: 'iota-json' } & IotaAddress)
  /**
   * ThingsBoard SDKs subscribe to shared-attribute updates and attribute responses on connect; Urbis
   * never publishes there, but refusing would make such firmware fail to start (no reflashing).
   */
  | { kind: 'inert'; dialect: 'thingsboard' };

/** TB request ids are integers in the topic; firmware commonly parses them with atoi. */
const REQUEST_ID = /^[0-9]{1,9}$/;
/** An apikey is one topic level: no wildcard, no separator, not empty; bounded like other ids. */
const APIKEY = /^[^/+#]{1,128}$/;
/** An IoTA attribute name is one topic level; bounded like profile field names. */
const ATTR = /^[^/+#]{1,128}$/;

const id = (s: string | undefined): s is string => s !== undefined && ID_PATTERN.test(s);
const apikey = (s: string | undefined): s is string => s !== undefined && APIKEY.test(s);

/** The meaning of a topic a device publishes to, or undefined when it is none of ours. */
export function publishRoute(topic: string): PublishRoute | undefined {
  const p = topic.split('/');
  if (p[0] === 'devices' && id(p[1])) {
    if (p.length === 3 && p[2] === 'telemetry')
      return { kind: 'telemetry', dialect: 'urbis', deviceId: p[1] };
    if (p.length === 4 && p[2] === 'commands' && p[3] === 'result')
      return { kind: 'command-result', dialect: 'urbis', deviceId: p[1] };
    return undefined;
  }
  if (p[0] === 'v1' && p[1] === 'devices' && p[2] === 'me') {
    if (p.length === 4 && p[3] === 'telemetry')
      return { kind: 'telemetry', dialect: 'thingsboard', attributes: false };
    if (p.length === 4 && p[3] === 'attributes')
      return { kind: 'telemetry', dialect: 'thingsboard', attributes: true };
    if (p.length === 6 && p[3] === 'rpc' && p[4] === 'response' && REQUEST_ID.test(p[5] as string))
      return { kind: 'command-result', dialect: 'thingsboard', requestId: Number(p[5]) };
    return undefined;
  }
  // IoT Agent topics start with '/': the first level is empty.
  if (p[0] === '' && p[1] === 'json' && apikey(p[2]) && id(p[3])) {
    const address = { apikey: p[2], deviceId: p[3] };
    if (p.length === 5 && p[4] === 'attrs') return { kind: 'telemetry', dialect: 'iota-json', ...address };
    if (p.length === 6 && p[4] === 'attrs' && ATTR.test(p[5] as string))
      return { kind: 'telemetry', dialect: 'iota-json', ...address, attr: p[5] as string };
    if (p.length === 5 && p[4] === 'cmdexe')
      return { kind: 'command-result', dialect: 'iota-json', ...address };
  }
  return undefined;
}

/** The meaning of a topic filter a device subscribes to, or undefined when it is none of ours. */
export function subscribeRoute(filter: string): SubscribeRoute | undefined {
  const p = filter.split('/');
  if (p.length === 3 && p[0] === 'devices' && id(p[1]) && p[2] === 'commands')
    return { kind: 'commands', dialect: 'urbis', deviceId: p[1] };
  if (filter === 'v1/devices/me/rpc/request/+') return { kind: 'commands', dialect: 'thingsboard' };
  if (filter === 'v1/devices/me/attributes' || filter === 'v1/devices/me/attributes/response/+')
    return { kind: 'inert', dialect: 'thingsboard' };
  // `/{apikey}/{id}/cmd` (IoT Agent JSON's documented topic) or `/json/{apikey}/{id}/cmd` (newer agents).
  if (p.length === 4 && p[0] === '' && apikey(p[1]) && id(p[2]) && p[3] === 'cmd')
    return { kind: 'commands', dialect: 'iota-json', apikey: p[1], deviceId: p[2] };
  if (p.length === 5 && p[0] === '' && p[1] === 'json' && apikey(p[2]) && id(p[3]) && p[4] === 'cmd')
    return { kind: 'commands', dialect: 'iota-json', apikey: p[2], deviceId: p[3] };
  return undefined;
}

/** Where Urbis publishes a command for a device that subscribed with `filter` (a commands route). */
export function commandTopic(filter: string, requestId: number): string {
  // TB: the filter ends in `+`, the request id takes its place; the others are exact topics.
  return filter.endsWith('/+') ? `${filter.slice(0, -1)}${requestId}` : filter;
}

/** The device's own command topic in the native dialect. */
export const urbisCommandTopic = (deviceId: string) => `devices/${deviceId}/commands`;
