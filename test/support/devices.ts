/**
 * A test app with devices: a JSON air-quality profile (pm25 in µg/m³, temperature in °C, battery,
 * device time, 60 messages per minute) and provisioned devices with a token or a username and
 * password, in tenant `city-a`. Transport tests start their adapter on `kit.devices.ingress`.
 */
import type { IssuedCredential } from '../../src/devices/registry/registry-service.js';
import { systemScope } from '../../src/context/scope.js';
import { testKit, type TestAppOptions, type TestKit } from './app.js';

export const TENANT = 'city-a';
export const AQ_TYPE = 'https://smartdatamodels.org/dataModel.Environment/AirQualityObserved';
export const DC = 'https://uri.etsi.org/ngsi-ld/default-context/';

export const aqProfile = (transport = 'mqtt', extra: Record<string, unknown> = {}) => ({
  '@context': { AirQualityObserved: AQ_TYPE },
  id: `aq-${transport}`,
  transport,
  codec: { kind: 'json' },
  entityType: 'AirQualityObserved',
  mapping: {
    pm25: { attribute: 'pm25', unitCode: 'GQ' },
    temperature: { attribute: 'temperature', unitCode: 'CEL' },
  },
  battery: 'bat',
  deviceTime: 'ts',
  reportingInterval: 'PT1M',
  maxMessagesPerMinute: 60,
  ...extra,
});

/**
 * The profile of the crash and replica tests: one PM2.5 reading per message with the device's own
 * clock (`ts`), so a reading is known by its instant, and a rate limit no test reaches.
 */
export const clockedAqProfile = (id = 'aq') => ({
  id,
  transport: 'mqtt',
  codec: { kind: 'json' },
  entityType: 'AirQualityObserved',
  mapping: { pm25: { attribute: 'pm25', unitCode: 'GQ' } },
  deviceTime: 'ts',
  maxMessagesPerMinute: 100_000,
});

export interface ProvisionedDevice {
  id: string;
  entityId: string;
  credential: IssuedCredential;
}

export interface DeviceTestKit extends TestKit {
  /** Provision devices of the profile with the given credential kind. */
  provision(ids: string[], kind?: 'token' | 'password', profileId?: string): Promise<ProvisionedDevice[]>;
}

export async function deviceTestKit(
  options: TestAppOptions & { transport?: string; profile?: Record<string, unknown> } = {},
): Promise<DeviceTestKit> {
  const kit = await testKit(options);
  const profile = aqProfile(options.transport ?? 'mqtt', options.profile);
  await kit.devices.registry.putProfile(systemScope(TENANT), profile);
  return {
    ...kit,
    provision: async (ids, kind = 'token', profileId = profile.id) => {
      const report = await kit.devices.registry.createDevices(
        systemScope(TENANT),
        ids.map((id) => ({ id, profile: profileId, entityId: `urn:ngsi-ld:AirQualityObserved:${id}` })),
        { credentials: kind },
      );
      if (report.failed.length > 0) throw new Error(`provisioning failed: ${JSON.stringify(report.failed)}`);
      return report.created.map((c) => ({
        id: c.id,
        entityId: `urn:ngsi-ld:AirQualityObserved:${c.id}`,
        credential: c.credential as IssuedCredential,
      }));
    },
  };
}
