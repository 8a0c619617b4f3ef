/**
 * Commands to LoRaWAN devices (the `lorawan` CommandChannel): a downlink is enqueued through the API
 * of the network server the device is reached by — the network server sends it in the device's next
 * receive window (class A) and reports back on the integration (see src/http/devices/lorawan-routes):
 *
 * - ChirpStack v4 REST API: `POST {url}/api/devices/{devEui}/queue`
 *   `{"queueItem": {"confirmed": true, "fPort": n, "data": "<base64>"}}` with the API token as
 *   `Authorization: Bearer` (and `Grpc-Metadata-Authorization`, which the gRPC gateway forwards as the
 *   gRPC authorization metadata). The answer's `id` is remembered to match the later ack event.
 * - The Things Stack v3: `POST {url}/api/v3/as/applications/{app}/webhooks/{webhook}/devices/{id}/down/push`
 *   `{"downlinks": [{"f_port": n, "frm_payload": "<base64>", "confirmed": true, "correlation_ids":
 *   ["urbis:cmd:<id>"]}]}` with `Authorization: Bearer <API key>`; TTS echoes the correlation ids in
 *   downlink_ack / downlink_failed messages.
 *
 * The payload is `{"<command name>": <value>}` as JSON UTF-8: compact, and it names the command.
 * Confirmed downlinks, so that the device's acknowledgement can mark the command DELIVERED.
 * Answers `sent` once the network server queued it; `unreachable` when no network server is known for
 * the device or the server cannot be reached (the command stays queued); a refusal by the server
 * (4xx: unknown device, bad key) throws with its answer, since retrying would not change it.
 */
import type { DeviceRecord } from '../../../store/devices-port.js';
import type { CommandChannel, OutboundCommand } from '../contract.js';
import type { LorawanLedger, LorawanRoute } from './ledger.js';
import { COMMAND_CORRELATION_PREFIX } from './tts.js';

export interface LorawanDownlinkSettings {
  chirpstack?: { url: string; token: string };
  tts?: { url: string; key: string; app: string; webhook: string };
  /** FPort of command downlinks (1–223); default 10. */
  fPort?: number;
  /** Give up on a network server call after this long; default 10 s. */
  timeoutMs?: number;
}

/** The bytes of a command's downlink. */
export function commandPayload(command: OutboundCommand): Buffer {
  return Buffer.from(JSON.stringify({ [command.name]: command.value }), 'utf8');
}

export class LorawanCommandChannel implements CommandChannel {
  readonly transports = ['lorawan'] as const;
  private readonly settings: LorawanDownlinkSettings;
  private readonly ledger: LorawanLedger;
  private readonly fPort: number;
  private readonly timeoutMs: number;

  constructor(settings: LorawanDownlinkSettings, ledger: LorawanLedger) {
    const fPort = settings.fPort ?? 10;
    if (!Number.isInteger(fPort) || fPort < 1 || fPort > 223)
      throw new RangeError(`fPort must be an integer 1–223, not ${fPort}`);
    this.settings = settings;
    this.ledger = ledger;
    this.fPort = fPort;
    this.timeoutMs = settings.timeoutMs ?? 10_000;
  }

  async deliver(
    device: DeviceRecord,
    command: OutboundCommand,
  ): Promise<'delivered' | 'sent' | 'unreachable'> {
    const route = this.routeOf(device);
    if (route === undefined) return 'unreachable';
    const data = commandPayload(command).toString('base64');
    const devEui = device.id.toLowerCase();
    if (route.via === 'chirpstack' && this.settings.chirpstack !== undefined) {
      const { url, token } = this.settings.chirpstack;
      const answer = await this.post(
        `${trim(url)}/api/devices/${encodeURIComponent(devEui)}/queue`,
        { authorization: `Bearer ${token}`, 'grpc-metadata-authorization': `Bearer ${token}` },
        { queueItem: { confirmed: true, fPort: this.fPort, data } },
      );
      if (answer === 'unreachable') return answer;
      const id = (answer as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string')
        this.ledger.queued(id, { tenant: device.tenant, deviceId: device.id, commandId: command.id });
      return 'sent';
    }
    if (route.via === 'tts' && this.settings.tts !== undefined) {
      const { url, key, app, webhook } = this.settings.tts;
      // The Things Stack's console names devices `eui-<deveui>` by default: the guess when no uplink told us.
      const ttsDevice = route.tts?.deviceId ?? `eui-${devEui}`;
      const application = route.tts?.applicationId ?? app;
      const path = [application, 'webhooks', webhook, 'devices', ttsDevice].map(encodeURIComponent);
      const answer = await this.post(
        `${trim(url)}/api/v3/as/applications/${path[0]}/${path[1]}/${path[2]}/${path[3]}/${path[4]}/down/push`,
        { authorization: `Bearer ${key}` },
        {
          downlinks: [
            {
              f_port: this.fPort,
              frm_payload: data,
              confirmed: true,
              priority: 'NORMAL',
              correlation_ids: [COMMAND_CORRELATION_PREFIX + command.id],
            },
          ],
        },
      );
      return answer === 'unreachable' ? answer : 'sent';
    }
    return 'unreachable';
  }

  /** The device's network server: the one it was last heard through, else the only one configured. */
  private routeOf(device: DeviceRecord): LorawanRoute | undefined {
    const heard = this.ledger.routeOf(device.tenant, device.id);
    if (heard !== undefined) return heard;
    const { chirpstack, tts } = this.settings;
    if (chirpstack !== undefined && tts === undefined) return { via: 'chirpstack' };
    if (tts !== undefined && chirpstack === undefined) return { via: 'tts' };
    return undefined;
  }

  /** POST JSON; the parsed answer, `unreachable` on network errors and 5xx; throws on 4xx. */
  private async post(url: string, headers: Record<string, string>, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch {
      // Not connected, refused, timed out: the network server may be back later; the command waits.
      return 'unreachable';
    }
    const text = await res.text();
    if (res.status >= 500) return 'unreachable';
    if (res.status >= 400)
      throw new Error(`network server refused the downlink: ${res.status} ${text.slice(0, 200)}`);
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Queued all the same (2xx); without a readable queue item id its ack cannot be matched, and the
      // command ends by its TTL — better than reporting a queued downlink as failed.
      return undefined;
    }
  }
}

function trim(url: string): string {
  return url.replace(/\/+$/, '');
}
