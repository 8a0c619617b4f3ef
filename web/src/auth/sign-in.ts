/**
 * The sign-in screen: paste an API key (`urbis_…`), checked with one request before it is kept in
 * sessionStorage; or, when the server names an OpenID Connect issuer, "Sign in with <issuer>", which
 * leaves for the provider's login page (web/src/auth/oidc.ts) and comes back signed in. A notice (an
 * expired session, a refused sign-in answer) is shown above the form.
 */
import type { DashboardConfig } from '../api/config.js';
import { h, uid } from '../ui/dom.js';
import { beginSignIn } from './oidc.js';

export type KeyCheck = 'ok' | 'invalid' | 'forbidden' | 'error';

/** Ask Urbis whether `key` is accepted in `tenant` (a 404 for a tenant without data still proves the key). */
export async function checkKey(key: string, tenant: string): Promise<KeyCheck> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
  if (tenant !== '') headers['ngsild-tenant'] = tenant;
  try {
    const res = await fetch('/ngsi-ld/v1/types', { headers });
    if (res.ok || res.status === 404) return 'ok';
    if (res.status === 401) return 'invalid';
    if (res.status === 403) return 'forbidden';
    return 'error';
  } catch {
    return 'error';
  }
}

/**
 * The sign-in form; `done(key, tenant)` once the key is accepted in the tenant given (a key belongs
 * to one tenant, and only a platform administrator switches later). `notice` is shown first (role=alert).
 */
export function signInView(
  config: DashboardConfig,
  tenant: string,
  done: (key: string, tenant: string) => void,
  notice?: string,
): HTMLElement {
  const keyId = uid('api-key');
  const tenantId = uid('sign-in-tenant');
  const tenantField = h('input', {
    id: tenantId,
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    value: tenant,
    placeholder: '(default tenant)',
  });
  const hintId = uid('key-hint');
  const key = h('input', {
    id: keyId,
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'urbis_…',
    'aria-describedby': hintId,
    required: true,
  });
  const error = h('p', { class: 'error', role: 'alert' }, notice ?? '');
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to Urbis'),
    error,
    config.oidc !== null ? oidcButton(config.oidc, error) : null,
    h('label', { for: keyId }, 'API key'),
    key,
    h(
      'p',
      { id: hintId, class: 'muted' },
      'Kept for this browser tab only (sessionStorage); signing out forgets it.',
    ),
    h('label', { for: tenantId }, 'Tenant of the key'),
    tenantField,
    submit,
    config.demo
      ? h(
          'p',
          { class: 'muted' },
          h('a', { href: '#/map' }, 'Continue without signing in'),
          ' to see the demo city’s public data.',
        )
      : null,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = key.value.trim();
    const chosen = tenantField.value.trim();
    submit.disabled = true;
    error.textContent = '';
    void checkKey(value, chosen).then((r) => {
      submit.disabled = false;
      if (r === 'ok' || r === 'forbidden') done(value, chosen);
      else
        error.textContent =
          r === 'invalid' ? 'This key is not accepted.' : 'Urbis could not be reached; try again.';
    });
  });
  return form;
}

/** "Sign in with <issuer>": discovery, then off to the provider (the page comes back with a code). */
function oidcButton(oidc: NonNullable<DashboardConfig['oidc']>, error: HTMLElement): HTMLElement {
  const noteId = uid('oidc-note');
  const button = h('button', { type: 'button', 'aria-describedby': noteId }, `Sign in with ${oidc.issuer}`);
  button.addEventListener('click', () => {
    button.disabled = true;
    error.textContent = '';
    beginSignIn(oidc, window.sessionStorage, location.href).then(
      (url) => location.assign(url),
      (e: unknown) => {
        button.disabled = false;
        error.textContent = (e as Error).message;
      },
    );
  });
  return h(
    'div',
    { class: 'oidc' },
    button,
    h(
      'p',
      { id: noteId, class: 'muted' },
      'Single sign-on: your city account at the identity provider. Or use an API key below.',
    ),
  );
}
