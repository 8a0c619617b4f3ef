import { describe, expect, it } from 'vitest';
import { commandTopic, publishRoute, subscribeRoute } from './topics.js';

describe('MQTT topic scheme', () => {
  it('reads the publish topics of each dialect', () => {
    expect(publishRoute('devices/d-1/telemetry')).toEqual({
      kind: 'telemetry',
      dialect: 'urbis',
      deviceId: 'd-1',
    });
    expect(publishRoute('devices/d-1/commands/result')).toEqual({
      kind: 'command-result',
      dialect: 'urbis',
      deviceId: 'd-1',
    });
    expect(publishRoute('v1/devices/me/telemetry')).toEqual({
      kind: 'telemetry',
      dialect: 'thingsboard',
      attributes: false,
    });
    expect(publishRoute('v1/devices/me/attributes')).toEqual({
      kind: 'telemetry',
      dialect: 'thingsboard',
      attributes: true,
    });
    expect(publishRoute('v1/devices/me/rpc/response/42')).toEqual({
      kind: 'command-result',
      dialect: 'thingsboard',
      requestId: 42,
    });
    expect(publishRoute('/json/k/d/attrs')).toEqual({
      kind: 'telemetry',
      dialect: 'iota-json',
      apikey: 'k',
      deviceId: 'd',
    });
    expect(publishRoute('/json/k/d/attrs/t')).toEqual({
      kind: 'telemetry',
      dialect: 'iota-json',
      apikey: 'k',
      deviceId: 'd',
      attr: 't',
    });
    expect(publishRoute('/json/k/d/cmdexe')).toEqual({
      kind: 'command-result',
      dialect: 'iota-json',
      apikey: 'k',
      deviceId: 'd',
    });
  });

  it('refuses everything else', () => {
    for (const t of [
      'devices/d/commands', // devices never publish commands
      'devices/d/telemetry/x',
      'devices//telemetry',
      'devices/a b/telemetry',
      'v1/devices/me/rpc/request/1',
      'v1/devices/me/rpc/response/abc',
      '/k/d/cmd',
      '/json/k/d/attrs/a/b',
      '$SYS/broker',
      'anything',
    ])
      expect(publishRoute(t), t).toBeUndefined();
  });

  it('reads the subscriptions of each dialect and refuses wildcards and others', () => {
    expect(subscribeRoute('devices/d/commands')).toEqual({
      kind: 'commands',
      dialect: 'urbis',
      deviceId: 'd',
    });
    expect(subscribeRoute('v1/devices/me/rpc/request/+')).toEqual({
      kind: 'commands',
      dialect: 'thingsboard',
    });
    expect(subscribeRoute('v1/devices/me/attributes')).toEqual({ kind: 'inert', dialect: 'thingsboard' });
    expect(subscribeRoute('/k/d/cmd')).toEqual({
      kind: 'commands',
      dialect: 'iota-json',
      apikey: 'k',
      deviceId: 'd',
    });
    expect(subscribeRoute('/json/k/d/cmd')).toEqual({
      kind: 'commands',
      dialect: 'iota-json',
      apikey: 'k',
      deviceId: 'd',
    });
    for (const f of ['#', 'devices/+/commands', 'devices/d/#', '/+/d/cmd', 'devices/d/telemetry'])
      expect(subscribeRoute(f), f).toBeUndefined();
  });

  it('puts the TB request id in place of the wildcard', () => {
    expect(commandTopic('v1/devices/me/rpc/request/+', 7)).toBe('v1/devices/me/rpc/request/7');
    expect(commandTopic('devices/d/commands', 0)).toBe('devices/d/commands');
  });
});
