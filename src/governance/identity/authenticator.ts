/**
 * Turns a request's Authorization header into a Principal: none → anonymous; `Bearer urbis_…` → an
 * API key; any other bearer token → a JWT from the configured OpenID Connect issuer (refused when
 * none is configured). Failures are 401 (503 when the issuer's keys cannot be fetched); messages never
 * repeat the credential.
 */
import { NgsiError, unauthorized } from '../../core/errors.js';
import { ANONYMOUS, type Principal } from '../policy/model.js';
import { KEY_PREFIX } from './api-keys.js';
import type { IdentityService } from './identity-service.js';
import { CredentialError, type OidcVerifier } from './oidc.js';

/** Longest Authorization header considered (a JWT is checked again by the verifier). */
const MAX_HEADER = 16 * 1024 + 16;
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;
/** Tenant names as the NGSILD-Tenant header accepts them (so never `*`, the platform marker). */
const TENANT = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,127}$/;

export class Authenticator {
  constructor(
    private readonly identity: IdentityService,
    private readonly oidc?: OidcVerifier,
  ) {}

  /** OpenID Connect bearer tokens are accepted. */
  get oidcEnabled(): boolean {
    return this.oidc !== undefined;
  }

  async authenticate(header: string | string[] | undefined): Promise<Principal> {
    if (header === undefined) return ANONYMOUS;
    if (Array.isArray(header)) throw unauthorized('more than one Authorization header');
    if (header.length > MAX_HEADER) throw unauthorized('the Authorization header is too long');
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) throw unauthorized('expected Authorization: Bearer <API key or token>');
    if (token.startsWith(KEY_PREFIX)) return this.identity.authenticate(token);
    if (this.oidc === undefined)
      throw unauthorized('unknown bearer token (no OpenID Connect issuer configured)');
    try {
      const verified = await this.oidc.verify(token);
      // A token names one tenant; it can never make its bearer a platform principal.
      if (verified.tenant !== undefined && !TENANT.test(verified.tenant))
        throw unauthorized('invalid bearer token (its tenant claim is not a tenant name)');
      return {
        id: `oidc:${verified.subject}`,
        kind: 'user',
        tenant: verified.tenant ?? '',
        roles: verified.roles,
        via: 'oidc',
      };
    } catch (e) {
      if (e instanceof CredentialError && e.reason === 'unavailable')
        throw new NgsiError('ServiceUnavailable', 'the identity provider cannot be reached; try again later');
      if (e instanceof CredentialError) throw unauthorized(`invalid bearer token (${e.reason})`);
      throw e;
    }
  }
}
