/**
 * Who an IoT Agent device is: its group's apikey and its device id (`?k=…&i=…` over HTTP, the
 * `/json/<apikey>/<id>/attrs` topic over MQTT). The apikey is the fleet's shared secret; it is looked
 * up by its SHA-256, and it finds the group — hence the tenant — by itself, since a device names no
 * tenant. The device must be provisioned under that very group: a device of another group (or
 * tenant) with the same id is not reached with this apikey. No autoprovisioning: an unknown device is
 * refused, never created by whoever knows an apikey.
 *
 * Nothing is cached: two primary-key probes per message, and a revoked group or deleted device is
 * refused at once whichever process (HTTP here, the MQTT broker) asks.
 */
import type { IotaRepository } from '../../store/iota-port.js';
import type { IotaAuthority } from '../transports/mqtt/iota.js';
import { MAX_APIKEY_LENGTH } from './iota-model.js';
import { hashApikey } from './iota-profile.js';

/** An authenticated IoT Agent device: the tenant its group belongs to, and its (Urbis) device id. */
export interface IotaIdentity {
  tenant: string;
  deviceId: string;
}

export type { IotaAuthority };

/** Why a device was not recognised: an unknown apikey, or a device not provisioned under it. */
export type IotaResolution = ({ ok: true } & IotaIdentity) | { ok: false; reason: 'apikey' | 'device' };

/** The IotaAuthority over the store's IoT Agent repository. */
export class StoreIotaAuthority implements IotaAuthority {
  private readonly iota: Pick<IotaRepository, 'groupByKey' | 'getDevice'>;

  constructor(iota: Pick<IotaRepository, 'groupByKey' | 'getDevice'>) {
    this.iota = iota;
  }

  async authenticate(apikey: string, deviceId: string): Promise<IotaIdentity | undefined> {
    const r = await this.resolve(apikey, deviceId);
    return r.ok ? { tenant: r.tenant, deviceId: r.deviceId } : undefined;
  }

  /** Like authenticate, saying which of the two was not found (the HTTP answer differs). */
  async resolve(apikey: string, deviceId: string): Promise<IotaResolution> {
    if (typeof apikey !== 'string' || apikey === '' || apikey.length > MAX_APIKEY_LENGTH)
      return { ok: false, reason: 'apikey' };
    const group = await this.iota.groupByKey(hashApikey(apikey));
    if (group === undefined) return { ok: false, reason: 'apikey' };
    if (typeof deviceId !== 'string' || deviceId === '') return { ok: false, reason: 'device' };
    const device = await this.iota.getDevice(group.tenant, deviceId);
    if (device === undefined || device.groupKey !== group.apikeyHash) return { ok: false, reason: 'device' };
    return { ok: true, tenant: group.tenant, deviceId };
  }
}
