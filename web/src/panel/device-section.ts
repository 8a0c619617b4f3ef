/**
 * The device behind an entity (its `refDevice`): connectivity from the registry (online, last seen,
 * battery, signal), its recent commands with their delivery status, and the form to send one.
 * Statuses refresh when the live feed brings the Device entity's `<command>_status` attributes, and by
 * re-reading a command while it is not final (the feed may be down).
 */
import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/client.js';
import {
  deviceIdOf,
  getCommand,
  getDevice,
  getProfile,
  listCommands,
  type Command,
  type Device,
} from '../api/devices.js';
import { commandFields, isFinalStatus } from '../lib/command-rules.js';
import { freshness } from '../lib/freshness.js';
import { h, replace } from '../ui/dom.js';
import { CommandForm } from './command-form.js';

const REREAD_MS = 1500;
const REREAD_MAX = 80;

export class DeviceSection {
  readonly el: HTMLElement;
  readonly deviceEntityId: string;
  private readonly deviceId: string | undefined;
  private readonly stateBox = h('dl', { class: 'kv' });
  private readonly commandsBox = h('ul', {
    class: 'commands',
    'aria-label': 'Recent commands',
    'aria-live': 'polite',
  });
  private readonly formBox = h('div');
  private rereads = new Map<string, number>();
  private timer: number | undefined;
  private closed = false;

  constructor(
    private readonly api: ApiClient,
    deviceEntityId: string,
  ) {
    this.deviceEntityId = deviceEntityId;
    this.deviceId = deviceIdOf(deviceEntityId);
    this.el = h(
      'section',
      { class: 'panel-section', 'aria-label': 'Device' },
      h('h3', {}, 'Device ', h('code', {}, this.deviceId ?? deviceEntityId)),
      this.stateBox,
      h('h4', {}, 'Commands'),
      this.commandsBox,
      this.formBox,
    );
    void this.load();
  }

  private async load(): Promise<void> {
    if (this.deviceId === undefined) {
      replace(this.stateBox, h('p', { class: 'muted' }, 'Not a registry device.'));
      return;
    }
    let device: Device;
    try {
      device = await getDevice(this.api, this.deviceId);
    } catch (e) {
      replace(this.stateBox, h('p', { class: 'muted' }, `Device unavailable: ${(e as Error).message}`));
      return;
    }
    this.renderState(device);
    await this.refreshCommands();
    try {
      const fields = commandFields(await getProfile(this.api, device.profile));
      if (fields.length > 0)
        replace(this.formBox, new CommandForm(this.api, device.id, fields, (c) => this.sent(c)).el);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 403)) throw e;
    }
  }

  private renderState(d: Device): void {
    const s = d.state;
    const seen = freshness(s.lastSeen, Date.now());
    const row = (k: string, v: Node | string) => [h('dt', {}, k), h('dd', {}, v)];
    replace(
      this.stateBox,
      ...row(
        'State',
        h('span', { class: `badge ${s.online ? 'ok' : 'bad'}` }, s.online ? 'online' : 'offline'),
      ),
      ...row('Last seen', h('span', { class: seen.stale ? 'stale' : '' }, seen.text)),
      ...row('Battery', s.battery === undefined ? '—' : `${s.battery}%`),
      ...row(
        'Signal',
        s.rssi === undefined ? '—' : `${s.rssi} dBm${s.snr === undefined ? '' : `, SNR ${s.snr} dB`}`,
      ),
      ...(s.lastError !== undefined ? row('Last error', s.lastError) : []),
    );
  }

  /** Re-read the device's recent commands (on a live Device update, or after sending). */
  async refreshCommands(): Promise<void> {
    if (this.deviceId === undefined || this.closed) return;
    const list = await listCommands(this.api, this.deviceId, 5);
    this.renderCommands(list);
    for (const c of list) if (!isFinalStatus(c.status) && !this.rereads.has(c.id)) this.rereads.set(c.id, 0);
    this.scheduleReread();
  }

  private renderCommands(list: Command[]): void {
    if (list.length === 0) {
      replace(this.commandsBox, h('li', { class: 'muted' }, 'No commands yet.'));
      return;
    }
    replace(
      this.commandsBox,
      ...list.map((c) =>
        h(
          'li',
          { 'data-command': c.id },
          h('code', {}, `${c.name} = ${JSON.stringify(c.value)}`),
          ' ',
          h('span', { class: `status status-${c.status.toLowerCase()}`, 'data-status': c.status }, c.status),
          c.info !== undefined ? h('span', { class: 'muted' }, ` ${c.info}`) : null,
        ),
      ),
    );
  }

  private sent(c: Command): void {
    this.rereads.set(c.id, 0);
    void this.refreshCommands();
  }

  /** Re-read non-final commands a bounded number of times. */
  private scheduleReread(): void {
    if (this.timer !== undefined || this.rereads.size === 0 || this.closed) return;
    this.timer = window.setTimeout(async () => {
      this.timer = undefined;
      let changed = false;
      for (const [id, n] of [...this.rereads]) {
        const c = await getCommand(this.api, id).catch(() => undefined);
        if (c === undefined || isFinalStatus(c.status) || n + 1 >= REREAD_MAX) {
          this.rereads.delete(id);
          changed = true;
        } else this.rereads.set(id, n + 1);
      }
      if (changed) await this.refreshCommands();
      else this.scheduleReread();
    }, REREAD_MS);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) window.clearTimeout(this.timer);
  }
}
