/**
 * The sign-in screen: paste an API key (`urbis_…`), checked with one request before it is kept in
 * sessionStorage. With OIDC configured, a "Sign in with <issuer>" button is shown disabled: the
 * Authorization Code + PKCE flow is not implemented yet (docs/dashboard.md says so).
 */
import type { DashboardConfig } from '../api/config.js';
import { h, uid } from '../ui/dom.js';

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

/** The sign-in form; `done(key)` once the key is accepted. */
export function signInView(
  config: DashboardConfig,
  tenant: string,
  done: (key: string) => void,
): HTMLElement {
  const keyId = uid('api-key');
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
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to Urbis'),
    h('label', { for: keyId }, 'API key'),
    key,
    h(
      'p',
      { id: hintId, class: 'muted' },
      'Kept for this browser tab only (sessionStorage); signing out forgets it.',
    ),
    error,
    submit,
    config.oidc !== null
      ? h(
          'div',
          { class: 'oidc' },
          h(
            'button',
            { type: 'button', disabled: true, 'aria-describedby': 'oidc-note' },
            `Sign in with ${config.oidc.issuer}`,
          ),
          h(
            'p',
            { id: 'oidc-note', class: 'muted' },
            'Single sign-on from the dashboard is not available yet: use an API key.',
          ),
        )
      : null,
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
    submit.disabled = true;
    error.textContent = '';
    void checkKey(value, tenant).then((r) => {
      submit.disabled = false;
      if (r === 'ok' || r === 'forbidden') done(value);
      else
        error.textContent =
          r === 'invalid' ? 'This key is not accepted.' : 'Urbis could not be reached; try again.';
    });
  });
  return form;
}
