/**
 * A fake OpenID Connect provider on 127.0.0.1 for the dashboard's sign-in tests (node:http + jose):
 * discovery, `/authorize` that "logs the user in" at once and redirects back with a code (recording
 * the PKCE challenge), `/token` that checks the verifier against that challenge (RFC 7636 §4.6) and
 * returns an RS256 access token (iss, aud, sub, exp, a roles claim, a tenant claim) and an ID token
 * carrying the nonce, `/jwks` for Urbis, and CORS for the dashboard's origin on discovery and token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface IdpUser {
  sub: string;
  /** Values of the `roles` claim (the issuer's vocabulary; Urbis maps them with --oidc-role-map). */
  roles: string[];
  /** The `tenant` claim (absent: none). */
  tenant?: string;
}

/** What /authorize does with the next request. */
export type AuthorizeMode = 'ok' | 'wrong-state' | 'deny';

/** A token request as the provider saw it. */
export interface TokenExchange {
  code: string;
  /** The verifier hashed to the challenge /authorize recorded. */
  verified: boolean;
  status: number;
}

export interface FakeIdp {
  issuer: string;
  audience: string;
  clientId: string;
  /** The dashboard's origin, allowed by CORS (set once Urbis runs). */
  allowOrigin: string;
  user: IdpUser;
  mode: AuthorizeMode;
  /** Lifetime of the next access tokens, in seconds. */
  lifetimeSec: number;
  /** The authorization requests' query parameters, in order. */
  readonly authorizations: Array<Record<string, string>>;
  readonly exchanges: TokenExchange[];
  /** An access token for `user` signed as /token would sign it (for direct API calls in tests). */
  accessToken(user?: IdpUser, lifetimeSec?: number): Promise<string>;
  close(): Promise<void>;
}

interface Grant {
  challenge: string;
  clientId: string;
  redirectUri: string;
  nonce: string;
  user: IdpUser;
  used: boolean;
}

export async function startFakeIdp(options: { audience?: string; clientId?: string } = {}): Promise<FakeIdp> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'fake-1', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.statusCode = 500;
      res.end(String(e));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const idp: FakeIdp = {
    issuer,
    audience: options.audience ?? 'urbis',
    clientId: options.clientId ?? 'urbis-dashboard',
    allowOrigin: '',
    user: { sub: 'ada', roles: [] },
    mode: 'ok',
    lifetimeSec: 300,
    authorizations: [],
    exchanges: [],
    accessToken: (user = idp.user, lifetimeSec = idp.lifetimeSec) => sign(privateKey, idp, user, lifetimeSec),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    // CORS: the dashboard's page reads discovery and posts to /token from its own origin.
    if (idp.allowOrigin !== '' && req.headers.origin === idp.allowOrigin) {
      res.setHeader('access-control-allow-origin', idp.allowOrigin);
      res.setHeader('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'GET, POST');
      res.setHeader('access-control-allow-headers', 'content-type, accept');
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
      return;
    }
    if (url.pathname === '/jwks') {
      json(res, 200, { keys: [jwk] });
      return;
    }
    if (url.pathname === '/authorize' && req.method === 'GET') {
      const q = Object.fromEntries(url.searchParams);
      idp.authorizations.push(q);
      const back = new URL(q.redirect_uri ?? '');
      const valid =
        q.response_type === 'code' &&
        q.client_id === idp.clientId &&
        q.code_challenge_method === 'S256' &&
        /^[A-Za-z0-9_-]{43}$/.test(q.code_challenge ?? '') &&
        (q.state ?? '') !== '';
      if (!valid || idp.mode === 'deny') {
        back.searchParams.set('error', valid ? 'access_denied' : 'invalid_request');
        back.searchParams.set('error_description', valid ? 'The user said no' : 'Not a PKCE code request');
      } else {
        const code = randomBytes(16).toString('base64url');
        grants.set(code, {
          challenge: q.code_challenge as string,
          clientId: q.client_id as string,
          redirectUri: q.redirect_uri as string,
          nonce: q.nonce ?? '',
          user: idp.user,
          used: false,
        });
        back.searchParams.set('code', code);
      }
      back.searchParams.set('state', idp.mode === 'wrong-state' ? `${q.state}-forged` : (q.state ?? ''));
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await bodyOf(req));
      const code = form.get('code') ?? '';
      const grant = grants.get(code);
      const verifier = form.get('code_verifier') ?? '';
      const verified =
        grant !== undefined && createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
      const ok =
        form.get('grant_type') === 'authorization_code' &&
        grant !== undefined &&
        !grant.used &&
        verified &&
        form.get('client_id') === grant.clientId &&
        form.get('redirect_uri') === grant.redirectUri;
      idp.exchanges.push({ code, verified, status: ok ? 200 : 400 });
      if (!ok || grant === undefined) {
        json(res, 400, { error: 'invalid_grant', error_description: 'code, verifier or redirect_uri wrong' });
        return;
      }
      grant.used = true;
      const idToken = await new SignJWT({ nonce: grant.nonce })
        .setProtectedHeader({ alg: 'RS256', kid: 'fake-1' })
        .setIssuer(issuer)
        .setAudience(grant.clientId)
        .setSubject(grant.user.sub)
        .setIssuedAt()
        .setExpirationTime(`${idp.lifetimeSec}s`)
        .sign(privateKey);
      json(res, 200, {
        access_token: await sign(privateKey, idp, grant.user, idp.lifetimeSec),
        token_type: 'Bearer',
        expires_in: idp.lifetimeSec,
        id_token: idToken,
      });
      return;
    }
    json(res, 404, { error: 'not_found' });
  }

  return idp;
}

/** An RS256 access token as an OIDC provider issues one for Urbis (audience = Urbis). */
function sign(key: CryptoKey, idp: FakeIdp, user: IdpUser, lifetimeSec: number): Promise<string> {
  return new SignJWT({ roles: user.roles, ...(user.tenant !== undefined ? { tenant: user.tenant } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid: 'fake-1', typ: 'at+jwt' })
    .setIssuer(idp.issuer)
    .setAudience(idp.audience)
    .setSubject(user.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + lifetimeSec)
    .sign(key);
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
