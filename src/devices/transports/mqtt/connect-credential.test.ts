import { describe, expect, it } from 'vitest';
import { connectCredential } from './connect-credential.js';

const b = (s: string) => Buffer.from(s);

describe('MQTT CONNECT credentials', () => {
  it('reads a token as username or as password', () => {
    expect(connectCredential('dev_abc', undefined)).toEqual({ kind: 'token', secret: 'dev_abc' });
    expect(connectCredential('dev_abc', b('whatever'))).toEqual({ kind: 'token', secret: 'dev_abc' });
    expect(connectCredential(undefined, b('dev_abc'))).toEqual({ kind: 'token', secret: 'dev_abc' });
    expect(connectCredential('u', b('dev_abc'))).toEqual({
      kind: 'token',
      secret: 'dev_abc',
      orPassword: { tenant: '', username: 'u', password: 'dev_abc' },
    });
  });

  it('reads tenant/username and password, tenant defaulting to the default tenant', () => {
    expect(connectCredential('city-a/u1', b('pw'))).toEqual({
      kind: 'password',
      tenant: 'city-a',
      username: 'u1',
      password: 'pw',
    });
    expect(connectCredential('u1', b('pw'))).toEqual({
      kind: 'password',
      tenant: '',
      username: 'u1',
      password: 'pw',
    });
  });

  it('tells anonymous from malformed', () => {
    expect(connectCredential(undefined, undefined)).toEqual({ kind: 'anonymous' });
    expect(connectCredential('u1', undefined).kind).toBe('malformed');
    expect(connectCredential(undefined, b('pw')).kind).toBe('malformed');
    expect(connectCredential('u1', Buffer.from([0xff, 0xfe])).kind).toBe('malformed');
    expect(connectCredential('x'.repeat(2000), b('pw')).kind).toBe('malformed');
  });
});
