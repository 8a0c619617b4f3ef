import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testKit, type TestKit } from '../../../test/support/app.js';
import { applyPolicyFile } from './policy-file.js';

let kit: TestKit;
beforeEach(async () => {
  kit = await testKit();
});
afterEach(async () => kit.app.close());

const viewerOnly = { rules: [{ roles: ['viewer'], actions: ['read'] }] };

describe('the policy file', () => {
  it('stores each tenant’s policy as a new version, audited, and only when it changed', async () => {
    const file = JSON.stringify({ tenants: { '@default': viewerOnly, city: viewerOnly } });
    expect(await applyPolicyFile(kit.governance, file, 'p.json')).toEqual(['@default', 'city']);
    expect(await kit.governance.policies.current('')).toMatchObject({ version: 1, source: 'stored' });
    expect(await kit.governance.policies.current('city')).toMatchObject({ version: 1, document: viewerOnly });
    expect(await applyPolicyFile(kit.governance, file, 'p.json')).toEqual([]);
    const changed = JSON.stringify({
      tenants: { city: { rules: [{ roles: ['editor'], actions: ['write'] }] } },
    });
    expect(await applyPolicyFile(kit.governance, changed, 'p.json')).toEqual(['city']);
    expect((await kit.governance.policies.versions('city')).map((v) => v.version)).toEqual([2, 1]);
    await kit.governance.audit.flush();
    const audit = await kit.store.governance.audit.read({ limit: 100 });
    expect(audit.filter((a) => a.action === 'policy.put').map((a) => [a.tenant, a.principal])).toEqual([
      ['', 'policy-file'],
      ['city', 'policy-file'],
      ['city', 'policy-file'],
    ]);
  });

  it('refuses a file that is not JSON, not shaped as tenants, or holds an invalid policy, naming it', async () => {
    await expect(applyPolicyFile(kit.governance, '{', 'p.json')).rejects.toThrow(/p\.json: not JSON/);
    await expect(applyPolicyFile(kit.governance, '{"city": {}}', 'p.json')).rejects.toThrow(/"tenants"/);
    await expect(
      applyPolicyFile(
        kit.governance,
        JSON.stringify({ tenants: { city: { rules: [{ actions: ['read'] }] } } }),
        'p.json',
      ),
    ).rejects.toThrow(/tenant "city".*must name who/);
    expect((await kit.governance.policies.current('city')).source).toBe('default');
  });
});
