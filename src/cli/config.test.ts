import { describe, expect, it } from 'vitest';
import { ConfigError, buildConfig } from './config.js';

describe('configuration', () => {
  it('has documented defaults', () => {
    const c = buildConfig({}, {});
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: './.urbis',
      defaultLimit: 20,
      maxLimit: 1000,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes flags over environment over defaults', () => {
    expect(buildConfig({}, { URBIS_PORT: '9000' }).port).toBe(9000);
    expect(buildConfig({ port: '9090' }, { URBIS_PORT: '9000' }).port).toBe(9090);
    expect(buildConfig({ 'data-dir': '/tmp/u' }, {}).dataDir).toBe('/tmp/u');
  });

  it('refuses a bad value with one line naming the setting', () => {
    expect(() => buildConfig({ port: 'eighty' }, {})).toThrow(ConfigError);
    expect(() => buildConfig({}, { URBIS_PORT: '70000' })).toThrow(/URBIS_PORT/);
    expect(() => buildConfig({ 'log-level': 'loud' }, {})).toThrow(/--log-level/);
    expect(() => buildConfig({ 'default-limit': '50', 'max-limit': '10' }, {})).toThrow(/default-limit/);
  });

  it('reads the SSRF allow list: addresses, CIDR ranges and host names; nothing by default', () => {
    expect(buildConfig({}, {}).allowPrivateEndpoints).toEqual([]);
    expect(
      buildConfig({}, { URBIS_ALLOW_PRIVATE_ENDPOINTS: '127.0.0.1, 10.0.0.0/8,::1,receiver.local' })
        .allowPrivateEndpoints,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'receiver.local']);
    expect(() => buildConfig({ 'allow-private-endpoints': '10.0.0.0/99' }, {})).toThrow(
      /--allow-private-endpoints.*CIDR/,
    );
    expect(() => buildConfig({ 'allow-private-endpoints': 'http://x/' }, {})).toThrow(
      /--allow-private-endpoints/,
    );
  });

  it('reads the device transports: ports, an external broker, LoRaWAN downlink APIs with their secrets', () => {
    const c = buildConfig({}, {});
    expect(c).toMatchObject({
      mqttPort: 1883,
      mqttBroker: '',
      mqttGroup: 'urbis',
      mqttConnections: 16,
      coapPort: 5683,
    });
    expect(buildConfig({ 'mqtt-connections': '64' }, {}).mqttConnections).toBe(64);
    expect(() => buildConfig({}, { URBIS_MQTT_CONNECTIONS: '0' })).toThrow(/URBIS_MQTT_CONNECTIONS/);
    expect(c.explicit.has('mqttPort')).toBe(false);
    const set = buildConfig({ 'mqtt-port': '0' }, { URBIS_MQTT_BROKER: 'mqtt://127.0.0.1:1883' });
    expect(set.mqttPort).toBe(0);
    expect(set.mqttBroker).toBe('mqtt://127.0.0.1:1883');
    expect([...set.explicit].sort()).toEqual(['mqttBroker', 'mqttPort']);
    expect(() => buildConfig({ 'mqtt-port': '65536' }, {})).toThrow(/--mqtt-port/);
    expect(() => buildConfig({ 'mqtt-broker': 'http://broker' }, {})).toThrow(/--mqtt-broker.*mqtt:\/\//);
    // The URL may hold Urbis's broker password: a refusal names the setting, never the value.
    expect(() => buildConfig({ 'mqtt-broker': 'http://urbis:s3cret@broker' }, {})).not.toThrow(/s3cret/);
    expect(() => buildConfig({ 'mqtt-group': 'a/b' }, {})).toThrow(/--mqtt-group/);
    expect(() => buildConfig({ 'mqtt-tenant': '../x' }, {})).toThrow(/--mqtt-tenant/);
    expect(() => buildConfig({ 'device-max-payload': '8' }, {})).toThrow(/--device-max-payload/);
    expect(() => buildConfig({ 'chirpstack-url': 'http://127.0.0.1:8090' }, {})).toThrow(
      /URBIS_CHIRPSTACK_TOKEN/,
    );
    expect(
      buildConfig({ 'chirpstack-url': 'http://127.0.0.1:8090' }, { URBIS_CHIRPSTACK_TOKEN: 't' })
        .chirpstackUrl,
    ).toBe('http://127.0.0.1:8090');
    expect(() =>
      buildConfig({ 'tts-url': 'https://eu1.cloud.thethings.network' }, { URBIS_TTS_KEY: 'k' }),
    ).toThrow(/--tts-app/);
  });

  it('reads the bus shared by replicas: none by default, nats:// URLs', () => {
    expect(buildConfig({}, {}).bus).toBe('');
    expect(buildConfig({ bus: 'nats://127.0.0.1:4222,nats://10.0.0.2:4222' }, {}).bus).toBe(
      'nats://127.0.0.1:4222,nats://10.0.0.2:4222',
    );
    expect(() => buildConfig({}, { URBIS_BUS: 'redis://127.0.0.1' })).toThrow(/URBIS_BUS.*nats:\/\//);
  });

  it('reads the store: SQLite in the data directory by default, or a postgres:// URL', () => {
    expect(buildConfig({}, {}).store).toBe('');
    expect(buildConfig({ store: 'postgres://urbis:pw@127.0.0.1:5432/urbis' }, {}).store).toBe(
      'postgres://urbis:pw@127.0.0.1:5432/urbis',
    );
    expect(buildConfig({}, { URBIS_STORE: 'postgresql://db/urbis' }).store).toBe('postgresql://db/urbis');
    expect(() => buildConfig({}, { URBIS_STORE: 'mysql://u:secret@db/x' })).toThrow(
      /URBIS_STORE.*postgres:\/\//,
    );
    expect(() => buildConfig({}, { URBIS_STORE: 'mysql://u:secret@db/x' })).not.toThrow(/secret/);
    expect(() => buildConfig({ store: 'postgres:///nohost' }, {})).toThrow(/--store.*no host/);
  });
});
