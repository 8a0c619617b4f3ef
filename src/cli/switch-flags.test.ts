import { describe, expect, it } from 'vitest';
import { buildConfig } from './config.js';
import { switchFlags } from './switch-flags.js';

describe('switch flags and the demo settings', () => {
  it('turns --no-<flag> and a bare --<flag> of boolean settings into values, and leaves the rest alone', () => {
    expect(switchFlags(['--no-demo', '--port', '9090'])).toEqual(['--demo=false', '--port', '9090']);
    expect(switchFlags(['--demo'])).toEqual(['--demo=true']);
    expect(switchFlags(['--demo', 'false'])).toEqual(['--demo', 'false']);
    expect(switchFlags(['--behind-proxy', '--port', '1'])).toEqual(['--behind-proxy=true', '--port', '1']);
    // Not a boolean setting: untouched, so the parser reports it as before.
    expect(switchFlags(['--no-port', '--host'])).toEqual(['--no-port', '--host']);
  });

  it('runs the demo city by default; --no-demo / URBIS_DEMO=false turn it off; its settings are checked', () => {
    const c = buildConfig({}, {});
    expect(c).toMatchObject({ demo: true, demoSeed: 42, demoSpeed: 1, demoSize: 'default', basemap: '' });
    expect(buildConfig({ demo: 'false' }, {}).demo).toBe(false);
    expect(buildConfig({}, { URBIS_DEMO: 'false' }).demo).toBe(false);
    expect(() => buildConfig({ 'demo-speed': '0' }, {})).toThrow(/--demo-speed/);
    expect(() => buildConfig({ 'demo-size': 'huge' }, {})).toThrow(/--demo-size/);
    expect(() => buildConfig({ 'oidc-client-id': 'dash' }, {})).toThrow(/--oidc-client-id/);
  });
});
