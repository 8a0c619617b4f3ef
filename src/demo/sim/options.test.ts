import { describe, expect, it } from 'vitest';
import { resolveOptions, SILENT } from './options.js';

describe('resolveOptions', () => {
  it('fills in the defaults and keeps a path prefix of the base URL without its trailing slash', () => {
    expect(resolveOptions({ baseUrl: 'http://127.0.0.1:8080/', apiKey: 'k' })).toEqual({
      baseUrl: 'http://127.0.0.1:8080',
      apiKey: 'k',
      tenant: 'demo',
      seed: 42,
      size: 'default',
      speed: 1,
      backfillHours: 24,
      incidentsWithinS: 120,
      logger: SILENT,
    });
    expect(resolveOptions({ baseUrl: 'https://city.example/urbis/', apiKey: 'k', mqttUrl: '' }).baseUrl).toBe(
      'https://city.example/urbis',
    );
    expect(resolveOptions({ baseUrl: 'http://h', apiKey: 'k', mqttUrl: 'mqtt://h:1883' }).mqttUrl).toBe(
      'mqtt://h:1883',
    );
  });

  it('refuses a speed or history it cannot run', () => {
    expect(() => resolveOptions({ baseUrl: 'http://h', apiKey: 'k', speed: 0 })).toThrow(/speed/);
    expect(() => resolveOptions({ baseUrl: 'http://h', apiKey: 'k', speed: Number.NaN })).toThrow(/speed/);
    expect(() => resolveOptions({ baseUrl: 'http://h', apiKey: 'k', backfillHours: 200 })).toThrow(/7 days/);
    expect(() => resolveOptions({ baseUrl: 'not a url', apiKey: 'k' })).toThrow();
  });
});
