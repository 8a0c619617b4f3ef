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
});
