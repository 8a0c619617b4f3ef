import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import { AddressGuard, AddressRefusedError, nonPublicRange, type Resolver } from './address-guard.js';

/** A resolver that knows a few names (never the network). */
const names =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

async function vetError(guard: AddressGuard, uri: string): Promise<NgsiError | undefined> {
  try {
    await guard.vet(uri);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(NgsiError);
    return e as NgsiError;
  }
}

describe('nonPublicRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['64:ff9b::a00:1', 'private'],
    ['::7f00:1', 'ipv4Compatible'],
    ['not an address', 'invalid'],
  ])('%s is %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '%s is public',
    (address) => {
      expect(nonPublicRange(address)).toBeUndefined();
    },
  );
});

describe('AddressGuard.checkAddress', () => {
  it('refuses non-public addresses by default and allows public ones', async () => {
    const guard = new AddressGuard();
    await expect(guard.checkAddress('127.0.0.1')).rejects.toBeInstanceOf(AddressRefusedError);
    await expect(guard.checkAddress('::ffff:192.168.0.1')).rejects.toThrow(/private/);
    await expect(guard.checkAddress('8.8.8.8')).resolves.toBeUndefined();
  });

  it('allows addresses and CIDR ranges of the allow list, in their IPv4-mapped forms too', async () => {
    const guard = new AddressGuard({ allow: ['127.0.0.1', '10.0.0.0/8', 'fd00::/8'] });
    await guard.checkAddress('127.0.0.1');
    await guard.checkAddress('::ffff:127.0.0.1');
    await guard.checkAddress('10.200.3.4');
    await guard.checkAddress('fd00::1');
    await expect(guard.checkAddress('127.0.0.2')).rejects.toThrow(/127\.0\.0\.2 is a loopback address/);
    await expect(guard.checkAddress('192.168.0.1')).rejects.toThrow(/private/);
    await expect(guard.checkAddress('fc00::1')).rejects.toThrow(/uniqueLocal/);
  });

  it('allows what an allowed host name resolves to', async () => {
    const guard = new AddressGuard({
      allow: ['receiver.internal'],
      resolve: names({ 'receiver.internal': ['10.9.8.7'], 'other.internal': ['10.9.8.6'] }),
    });
    await guard.checkAddress('10.9.8.7');
    await expect(guard.checkAddress('10.9.8.6')).rejects.toThrow(/private/);
    expect(await guard.resolveAllowed('receiver.internal')).toEqual([{ address: '10.9.8.7', family: 4 }]);
    await expect(guard.resolveAllowed('other.internal')).rejects.toThrow(
      /other\.internal resolves to 10\.9\.8\.6, a private address/,
    );
  });

  it('keeps only the allowed addresses of a name that resolves to several', async () => {
    const guard = new AddressGuard({ resolve: names({ mixed: ['10.0.0.1', '93.184.216.34', '::1'] }) });
    expect(await guard.resolveAllowed('mixed')).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });
});

describe('AddressGuard.vet (EndpointPolicy)', () => {
  it('refuses literal private, loopback and link-local addresses with 400 BadRequestData', async () => {
    const guard = new AddressGuard();
    for (const uri of [
      'http://127.0.0.1:8080/notify',
      'https://10.0.0.1/notify',
      'http://[::1]:3000/',
      'http://[fe80::1]/x',
      'http://169.254.169.254/latest/meta-data',
      'http://0.0.0.0:80/',
      'mqtt://192.168.1.1:1883/topic',
      'mqtts://[fd00::5]:8883/topic',
      'http://2130706433/', // 127.0.0.1 as one number: the URL parser normalises it
      'http://[::ffff:7f00:1]/',
    ]) {
      const error = await vetError(guard, uri);
      expect(error?.kind, uri).toBe('BadRequestData');
      expect(error?.status).toBe(400);
      expect(error?.detail).toContain('--allow-private-endpoints');
    }
  });

  it('refuses a name that resolves to 127.0.0.1, unless 127.0.0.1 or the name is allowed', async () => {
    // `localhost` resolves through the system resolver (/etc/hosts), not the network.
    const error = await vetError(new AddressGuard(), 'http://localhost:9/notify');
    expect(error?.kind).toBe('BadRequestData');
    expect(error?.detail).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(await vetError(new AddressGuard({ allow: ['127.0.0.1', '::1'] }), 'http://localhost:9/')).toBe(
      undefined,
    );
    expect(await vetError(new AddressGuard({ allow: ['localhost'] }), 'mqtt://localhost:1883/t')).toBe(
      undefined,
    );
  });

  it('lets public addresses, unknown names and slow DNS pass (the connection is checked later)', async () => {
    const slow: Resolver = () => new Promise(() => undefined);
    expect(await vetError(new AddressGuard(), 'http://8.8.8.8/notify')).toBeUndefined();
    expect(
      await vetError(new AddressGuard({ resolve: names({}) }), 'http://nowhere.invalid/'),
    ).toBeUndefined();
    expect(
      await vetError(new AddressGuard({ resolve: slow, vetTimeoutMs: 20 }), 'http://slow.example/'),
    ).toBeUndefined();
  });

  it('refuses a public-looking name whose addresses are all private', async () => {
    const guard = new AddressGuard({ resolve: names({ 'hooks.example.com': ['10.0.0.7'] }) });
    const error = await vetError(guard, 'https://hooks.example.com/n');
    expect(error?.detail).toMatch(/hooks\.example\.com resolves to 10\.0\.0\.7, a private address/);
  });

  it('refuses a URI without a host or that is no URI', async () => {
    expect((await vetError(new AddressGuard(), 'not a uri'))?.kind).toBe('BadRequestData');
    expect((await vetError(new AddressGuard(), 'mqtt:///topic'))?.kind).toBe('BadRequestData');
  });
});

describe('AddressGuard.lookup on a real socket', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Connect to localhost:port with the guard's lookup; the error code, or 'connected'. */
  const attempt = (guard: AddressGuard) =>
    new Promise<string>((resolve) => {
      const socket = connect({ host: 'localhost', port, lookup: guard.lookup, family: 4 });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });

  it('fails the connection when the name resolves to a refused address', async () => {
    expect(await attempt(new AddressGuard())).toBe('ERR_ADDRESS_REFUSED');
  });

  it('connects when the address is allowed', async () => {
    expect(await attempt(new AddressGuard({ allow: ['127.0.0.1'] }))).toBe('connected');
  });
});
