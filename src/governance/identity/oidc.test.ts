import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import {
  base64url,
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createOidcVerifier,
  CredentialError,
  MAX_TOKEN_LENGTH,
  parseRoleMap,
  type CredentialFailure,
  type OidcSettings,
} from './oidc.js';

const KID = 'key-1';
const AUDIENCE = 'urbis';

/** A local issuer: a discovery document and a JWKS, with switches to break them and counters. */
interface Issuer {
  url: string;
  hits: { discovery: number; jwks: number };
  jwksStatus: number;
  discoveryIssuer?: string;
  discoveryStatus: number;
}

let server: Server;
let issuer: Issuer;
let privateKey: CryptoKey;
let publicJwk: JWK;
let otherPrivateKey: CryptoKey;
let spkiPem: string;

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const s = createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return s;
}

const portOf = (s: Server): number => (s.address() as AddressInfo).port;

async function close(s: Server): Promise<void> {
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  spkiPem = await exportSPKI(pair.publicKey);
  otherPrivateKey = (await generateKeyPair('RS256')).privateKey;

  server = await listen((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') {
      issuer.hits.discovery++;
      if (issuer.discoveryStatus !== 200) return send(issuer.discoveryStatus, { error: 'down' });
      return send(200, {
        issuer: issuer.discoveryIssuer ?? issuer.url,
        jwks_uri: `${issuer.url.replace(/\/$/, '')}/jwks`,
      });
    }
    if (req.url === '/jwks') {
      issuer.hits.jwks++;
      if (issuer.jwksStatus !== 200) return send(issuer.jwksStatus, { error: 'down' });
      return send(200, { keys: [publicJwk] });
    }
    send(404, {});
  });
});

afterAll(async () => {
  await close(server);
});

beforeEach(() => {
  issuer = {
    url: `http://127.0.0.1:${portOf(server)}`,
    hits: { discovery: 0, jwks: 0 },
    jwksStatus: 200,
    discoveryStatus: 200,
  };
});

function settings(overrides: Partial<OidcSettings> = {}): OidcSettings {
  return {
    issuer: issuer.url,
    audience: AUDIENCE,
    jwksUri: `${issuer.url}/jwks`,
    algorithms: ['RS256', 'ES256'],
    rolesClaim: 'realm_access.roles',
    tenantClaim: 'urbis.tenant',
    roleMap: { 'city-admin': 'admin', ops: 'operator' },
    clockToleranceSec: 30,
    timeoutMs: 2_000,
    ...overrides,
  };
}

const now = (): number => Math.floor(Date.now() / 1000);

/** A token signed by the issuer's key; `claims` override the defaults, undefined removes one. */
async function token(
  claims: Record<string, unknown> = {},
  options: { key?: CryptoKey | Uint8Array; alg?: string; kid?: string } = {},
): Promise<string> {
  const payload: JWTPayload = {
    iss: issuer.url,
    aud: AUDIENCE,
    sub: 'user-42',
    iat: now(),
    exp: now() + 300,
    realm_access: { roles: ['city-admin', 'ops', 'viewer'] },
    urbis: { tenant: 'lisbon' },
  };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? KID, typ: 'JWT' })
    .sign(options.key ?? privateKey);
}

const encode = (value: unknown): string => base64url.encode(JSON.stringify(value));

/** The CredentialError `promise` rejects with (failing the test if it resolves or throws another). */
async function refusal(promise: Promise<unknown>): Promise<CredentialError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(CredentialError);
    return e as CredentialError;
  }
  throw new Error('the token was accepted');
}

async function expectRefused(
  jwt: string,
  reason: CredentialFailure,
  s = settings(),
): Promise<CredentialError> {
  const error = await refusal(createOidcVerifier(s).verify(jwt));
  expect(error.reason).toBe(reason);
  // The message never quotes the token nor any of its segments.
  for (const part of [jwt, ...jwt.split('.')].filter((p) => p.length > 8)) {
    expect(error.message).not.toContain(part);
  }
  return error;
}

describe('createOidcVerifier', () => {
  it('accepts a valid token: subject, mapped roles, tenant from a nested claim, expiry, issuer', async () => {
    const jwt = await token();
    const verified = await createOidcVerifier(settings()).verify(jwt);
    expect(verified).toEqual({
      subject: 'user-42',
      tenant: 'lisbon',
      roles: ['admin', 'operator'],
      expiresAt: expect.any(Number),
      issuer: issuer.url,
    });
    expect(verified.expiresAt).toBeGreaterThan(now());
  });

  it('reads roles given as one string, or under a top-level claim whose name contains dots', async () => {
    const single = await token({ roles: 'ops' });
    expect((await createOidcVerifier(settings({ rolesClaim: 'roles' })).verify(single)).roles).toEqual([
      'operator',
    ]);
    const namespaced = await token({ 'https://city.example/roles': ['city-admin', 'ops', 'ops'] });
    const verified = await createOidcVerifier(settings({ rolesClaim: 'https://city.example/roles' })).verify(
      namespaced,
    );
    expect(verified.roles).toEqual(['admin', 'operator']);
  });

  it('ignores unmapped, non-string and prototype-named role values', async () => {
    const jwt = await token({
      realm_access: { roles: ['__proto__', 'constructor', 'toString', 7, null, 'ops'] },
    });
    expect((await createOidcVerifier(settings()).verify(jwt)).roles).toEqual(['operator']);
    const none = await token({ realm_access: { roles: { admin: true } } });
    expect((await createOidcVerifier(settings()).verify(none)).roles).toEqual([]);
    const absent = await token({ realm_access: undefined });
    expect((await createOidcVerifier(settings()).verify(absent)).roles).toEqual([]);
  });

  it('leaves the tenant undefined when the claim is absent or not configured, refuses a malformed one', async () => {
    const withoutTenant = await token({ urbis: undefined });
    expect((await createOidcVerifier(settings()).verify(withoutTenant)).tenant).toBeUndefined();
    const { tenantClaim: _unused, ...noTenantClaim } = settings();
    expect((await createOidcVerifier(noTenantClaim).verify(await token())).tenant).toBeUndefined();
    await expectRefused(await token({ urbis: { tenant: ['lisbon', 'porto'] } }), 'invalid');
    await expectRefused(await token({ urbis: { tenant: '' } }), 'invalid');
  });

  it('refuses an expired token, and tolerates the configured clock skew', async () => {
    const error = await expectRefused(await token({ exp: now() - 120, iat: now() - 600 }), 'expired');
    expect(error.message).toMatch(/expired/);
    const justExpired = await token({ exp: now() - 10, iat: now() - 600 });
    await expect(createOidcVerifier(settings()).verify(justExpired)).resolves.toMatchObject({
      subject: 'user-42',
    });
    await expectRefused(justExpired, 'expired', settings({ clockToleranceSec: 0 }));
  });

  it('refuses a token that is not valid yet (nbf)', async () => {
    await expectRefused(await token({ nbf: now() + 300 }), 'invalid');
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    expect((await expectRefused(await token({ iss: 'https://evil.example' }), 'invalid')).message).toMatch(
      /iss/,
    );
    expect((await expectRefused(await token({ aud: 'another-app' }), 'invalid')).message).toMatch(/aud/);
    await expect(
      createOidcVerifier(settings()).verify(await token({ aud: ['another-app', AUDIENCE] })),
    ).resolves.toBeTruthy();
  });

  it('refuses an unsigned token (alg none)', async () => {
    const claims = { iss: issuer.url, aud: AUDIENCE, sub: 'user-42', exp: now() + 300 };
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
    await expectRefused(unsigned, 'invalid');
    await expectRefused(`${encode({ alg: 'none', kid: KID })}.${encode(claims)}.c2ln`, 'invalid');
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(spkiPem);
    await expectRefused(await token({}, { alg: 'HS256', key: secret }), 'invalid');
    const jwkBytes = new TextEncoder().encode(JSON.stringify(publicJwk));
    await expectRefused(await token({}, { alg: 'HS256', key: jwkBytes }), 'invalid');
  });

  it('refuses a token whose kid the issuer does not publish, or signed by another key', async () => {
    await expectRefused(await token({}, { key: otherPrivateKey, kid: 'key-2' }), 'invalid');
    await expectRefused(await token({}, { key: otherPrivateKey }), 'invalid');
    // An allowed algorithm for which the issuer has no key.
    await expectRefused(`${encode({ alg: 'ES256', kid: KID })}.${encode({ sub: 'x' })}.c2ln`, 'invalid');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, payload, signature] = (await token()).split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as JWTPayload;
    const tampered = `${header}.${encode({ ...claims, sub: 'admin', realm_access: { roles: ['city-admin'] } })}.${signature}`;
    expect((await expectRefused(tampered, 'invalid')).message).toMatch(/signature/);
  });

  it('requires sub and exp', async () => {
    expect((await expectRefused(await token({ sub: undefined }), 'invalid')).message).toMatch(/"sub"/);
    expect((await expectRefused(await token({ exp: undefined }), 'invalid')).message).toMatch(/"exp"/);
    await expectRefused(await token({ sub: 42 }), 'invalid');
    await expectRefused(await token({ sub: '' }), 'invalid');
    await expectRefused(await token({ exp: 'tomorrow' }), 'invalid');
  });

  it('refuses an oversize token before parsing it, without any fetch', async () => {
    const huge = await token({ padding: 'x'.repeat(MAX_TOKEN_LENGTH) });
    expect(huge.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    const error = await expectRefused(huge, 'malformed');
    expect(error.message).toMatch(/longer than 16384/);
    await expectRefused('a'.repeat(10 * MAX_TOKEN_LENGTH), 'malformed');
    expect(issuer.hits).toEqual({ discovery: 0, jwks: 0 });
  });

  it('calls a token malformed when it is not a compact JWS', async () => {
    for (const garbage of [
      '',
      'abc',
      'a.b',
      'a.b.c.d.e',
      'Bearer a.b.c',
      'a..c',
      '{"alg":"RS256"}.e30.',
      'é.é.é',
    ]) {
      await expectRefused(garbage, 'malformed');
    }
    await expectRefused(`${encode({ alg: 'RS256', kid: KID })}.bm90IGpzb24.c2ln`, 'invalid');
    await expectRefused(`bm90IGpzb24.${encode({ sub: 'x' })}.c2ln`, 'malformed');
  });

  it('fetches the key set once and keeps using it', async () => {
    const verifier = createOidcVerifier(settings());
    for (let i = 0; i < 5; i++) await verifier.verify(await token());
    expect(issuer.hits).toEqual({ discovery: 0, jwks: 1 });
  });

  it('reports an unreachable key set as unavailable', async () => {
    const gone = await listen(() => undefined);
    const port = portOf(gone);
    await close(gone);
    const error = await expectRefused(
      await token(),
      'unavailable',
      settings({ jwksUri: `http://127.0.0.1:${port}/jwks` }),
    );
    expect(error.message).not.toContain(String(port));
  });

  it('reports a key set that answers an error, or too slowly, as unavailable', async () => {
    issuer.jwksStatus = 500;
    await expectRefused(await token(), 'unavailable');
    const silent = await listen(() => undefined); // accepts, never answers
    try {
      const slow = settings({ jwksUri: `http://127.0.0.1:${portOf(silent)}/jwks`, timeoutMs: 200 });
      const started = Date.now();
      expect((await expectRefused(await token(), 'unavailable', slow)).message).toMatch(/in time/);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await close(silent);
    }
  });

  it('does not hammer a failing issuer, and recovers once it is back', async () => {
    issuer.jwksStatus = 503;
    const verifier = createOidcVerifier(settings());
    const jwt = await token();
    for (let i = 0; i < 20; i++) expect((await refusal(verifier.verify(jwt))).reason).toBe('unavailable');
    expect(issuer.hits.jwks).toBe(1);
    issuer.jwksStatus = 200;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expect(verifier.verify(jwt)).resolves.toMatchObject({ subject: 'user-42' });
    expect(issuer.hits.jwks).toBe(2);
  });

  it('discovers the key set from the issuer when jwksUri is absent: lazily, once', async () => {
    const { jwksUri: _unused, ...discovering } = settings();
    const verifier = createOidcVerifier(discovering);
    expect(issuer.hits).toEqual({ discovery: 0, jwks: 0 });
    const verified = await Promise.all([1, 2, 3].map(async () => verifier.verify(await token())));
    expect(verified.map((v) => v.subject)).toEqual(['user-42', 'user-42', 'user-42']);
    await verifier.verify(await token());
    expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
  });

  it('accepts an issuer written with a trailing slash', async () => {
    issuer.url = `${issuer.url}/`;
    const { jwksUri: _unused, ...discovering } = settings();
    await expect(createOidcVerifier(discovering).verify(await token())).resolves.toMatchObject({
      subject: 'user-42',
    });
    expect(issuer.hits.discovery).toBe(1);
  });

  it('reports a failing or foreign discovery document as unavailable', async () => {
    const { jwksUri: _unused, ...discovering } = settings();
    issuer.discoveryStatus = 404;
    expect((await expectRefused(await token(), 'unavailable', discovering)).message).toMatch(/discovery/);
    issuer.discoveryStatus = 200;
    issuer.discoveryIssuer = 'https://evil.example';
    expect((await expectRefused(await token(), 'unavailable', discovering)).message).toMatch(
      /another issuer/,
    );
    expect(issuer.hits.jwks).toBe(0);
  });

  it('uses a given key set instead of fetching one', async () => {
    const verifier = createOidcVerifier(settings({ jwksUri: undefined, issuer: issuer.url }), {
      keySet: createLocalJWKSet({ keys: [publicJwk] }),
    });
    await expect(verifier.verify(await token())).resolves.toMatchObject({ roles: ['admin', 'operator'] });
    expect(issuer.hits).toEqual({ discovery: 0, jwks: 0 });
  });

  it('throws nothing but CredentialError at garbage, and never echoes it (property)', async () => {
    const verifier = createOidcVerifier(settings());
    await verifier.verify(await token()); // the key set is cached from here on
    const segment = fc.string({ unit: fc.constantFrom(...'ABCabc012_-'.split('')), maxLength: 40 });
    const json = fc.jsonValue({ maxDepth: 2 }).map(encode);
    const headers = fc
      .record(
        {
          alg: fc.constantFrom('RS256', 'ES256', 'HS256', 'none', 'PS256', 'RS1', ''),
          kid: fc.constantFrom(KID, 'key-2', ''),
          crit: fc.constant(['exp']),
          b64: fc.boolean(),
        },
        { requiredKeys: ['alg'] },
      )
      .map(encode);
    const garbage = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.tuple(segment, segment, segment).map((parts) => parts.join('.')),
      fc.tuple(fc.oneof(headers, json), fc.oneof(json, segment), segment).map((parts) => parts.join('.')),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (input) => {
        const error = await refusal(verifier.verify(input));
        expect(['malformed', 'expired', 'invalid', 'unavailable']).toContain(error.reason);
        if (input.length >= 8) expect(error.message).not.toContain(input);
      }),
      { numRuns: 300 },
    );
    expect(issuer.hits.jwks).toBe(1);
  });
});

describe('OIDC settings', () => {
  it('refuses symmetric, unsigned, unknown or no algorithms', () => {
    expect(() => createOidcVerifier(settings({ algorithms: ['RS256', 'HS256'] }))).toThrow(
      /HS256.*symmetric/,
    );
    expect(() => createOidcVerifier(settings({ algorithms: ['none'] }))).toThrow(/none/);
    expect(() => createOidcVerifier(settings({ algorithms: ['RS1'] }))).toThrow(/not supported/);
    expect(() => createOidcVerifier(settings({ algorithms: [] }))).toThrow(/at least one/);
  });

  it('refuses missing issuer or audience, bad URLs, claim paths, tolerance and timeout', () => {
    expect(() => createOidcVerifier(settings({ issuer: '' }))).toThrow(/issuer/);
    expect(() => createOidcVerifier(settings({ audience: ' ' }))).toThrow(/audience/);
    expect(() => createOidcVerifier(settings({ jwksUri: 'file:///etc/keys' }))).toThrow(/jwksUri/);
    expect(() => createOidcVerifier(settings({ jwksUri: undefined, issuer: 'city-idp' }))).toThrow(
      /discovery/,
    );
    expect(() => createOidcVerifier(settings({ rolesClaim: 'realm_access..roles' }))).toThrow(/rolesClaim/);
    expect(() => createOidcVerifier(settings({ tenantClaim: '' }))).toThrow(/tenantClaim/);
    expect(() => createOidcVerifier(settings({ clockToleranceSec: -1 }))).toThrow(/clockToleranceSec/);
    expect(() => createOidcVerifier(settings({ timeoutMs: 0 }))).toThrow(/timeoutMs/);
    expect(() => createOidcVerifier(settings({ timeoutMs: 1.5 }))).toThrow(/timeoutMs/);
    expect(() => createOidcVerifier(settings({ roleMap: { ops: '' } }))).toThrow(/roleMap/);
  });

  it('defaults the clock tolerance to 30 s', async () => {
    const { clockToleranceSec: _unused, ...withoutTolerance } = settings();
    const verifier = createOidcVerifier(withoutTolerance);
    await expect(verifier.verify(await token({ exp: now() - 20, iat: now() - 600 }))).resolves.toBeTruthy();
    expect((await refusal(verifier.verify(await token({ exp: now() - 40, iat: now() - 600 })))).reason).toBe(
      'expired',
    );
  });
});

describe('parseRoleMap', () => {
  it('parses issuer role = Urbis role pairs', () => {
    expect(parseRoleMap('city-admin=admin,ops=operator')).toEqual({ 'city-admin': 'admin', ops: 'operator' });
    expect(parseRoleMap(' /city/admins = admin , ops=operator ')).toEqual({
      '/city/admins': 'admin',
      ops: 'operator',
    });
    // The last '=' separates, so an issuer role may contain '=' (an LDAP-style group name).
    expect(parseRoleMap('ou=city=admin')).toEqual({ 'ou=city': 'admin' });
    expect(parseRoleMap('')).toEqual({});
    expect(parseRoleMap('  ')).toEqual({});
  });

  it('keeps prototype names as plain keys', () => {
    const map = parseRoleMap('__proto__=admin');
    expect(Object.hasOwn(map, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('names the faulty entry', () => {
    expect(() => parseRoleMap('city-admin')).toThrow(/entry 1 .*lacks '='/);
    expect(() => parseRoleMap('a=admin,=operator')).toThrow(/entry 2 .*no issuer role/);
    expect(() => parseRoleMap('a=admin,b=')).toThrow(/entry 2 .*Urbis role/);
    expect(() => parseRoleMap('a=admin,')).toThrow(/entry 2/);
    expect(() => parseRoleMap('a=admin,,b=operator')).toThrow(/entry 2/);
    expect(() => parseRoleMap('a=ad min')).toThrow(/Urbis role/);
    expect(() => parseRoleMap('a=admin,a=operator')).toThrow(/"a" twice/);
  });
});
