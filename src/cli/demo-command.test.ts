import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { demoOptionsOf } from './demo-command.js';

describe('urbis demo flags', () => {
  it('takes defaults, the key from URBIS_DEMO_KEY, and every flag', () => {
    expect(demoOptionsOf([], { URBIS_DEMO_KEY: 'k' })).toEqual({
      baseUrl: 'http://127.0.0.1:8080',
      apiKey: 'k',
      tenant: 'demo',
      seed: 42,
      speed: 1,
      size: 'default',
      backfillHours: 24,
    });
    expect(
      demoOptionsOf(
        [
          '--url=http://urbis:9000',
          '--key',
          'x',
          '--mqtt',
          'mqtt://urbis:1883',
          '--seed',
          '7',
          '--speed',
          '60',
          '--size',
          'small',
          '--tenant',
          'city-b',
          '--backfill',
          '0',
        ],
        { URBIS_DEMO_KEY: 'ignored' },
      ),
    ).toEqual({
      baseUrl: 'http://urbis:9000',
      apiKey: 'x',
      tenant: 'city-b',
      mqttUrl: 'mqtt://urbis:1883',
      seed: 7,
      speed: 60,
      size: 'small',
      backfillHours: 0,
    });
    expect(demoOptionsOf(['--help'], {})).toBe('help');
  });

  it('refuses a missing key, bad values and unknown flags, naming the flag', () => {
    const refusal = (argv: string[]) => {
      try {
        demoOptionsOf(argv, {});
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal([])).toContain('--key');
    expect(refusal(['--key', 'k', '--speed', '0'])).toContain('--speed');
    expect(refusal(['--key', 'k', '--speed', 'fast'])).toContain('--speed');
    expect(refusal(['--key', 'k', '--size', 'huge'])).toContain('--size');
    expect(refusal(['--key', 'k', '--url', 'ftp://x'])).toContain('--url');
    expect(refusal(['--key', 'k', '--mqtt', 'http://x'])).toContain('--mqtt');
    expect(refusal(['--key', 'k', '--seed', '1.5'])).toContain('--seed');
    expect(refusal(['--key', 'k', '--colour', 'red'])).toContain('colour');
  });
});
