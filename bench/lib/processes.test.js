// Smoke test of `startUrbis` (run with `node --test bench/`, after `npm run build`): the server it starts
// takes the key it returns and refuses anonymous API calls, so the suites' figures are of
// authenticated requests and not of 401s.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cleanup } from './cleanup.js';
import { httpClient } from './http.js';
import { REPO_ROOT, startUrbis } from './processes.js';

describe('startUrbis', () => {
  it('starts a server that accepts the returned key and answers 401 without it', async () => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist/cli/main.js')), 'dist/ is missing: run `npm run build` first');
    const cleanup = new Cleanup();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-smoke-'));
      cleanup.removeDir(dir);
      const urbis = await startUrbis({ dataDir: join(dir, 'data'), cleanup });
      const client = httpClient(urbis.url, { maxSockets: 1, apiKey: urbis.apiKey, timeoutMs: 10_000 });
      const anonymous = httpClient(urbis.url, { maxSockets: 1, timeoutMs: 10_000 });
      cleanup.add('close clients', async () => {
        client.close();
        anonymous.close();
      });
      const entity = {
        id: 'urn:ngsi-ld:BenchSmoke:1',
        type: 'BenchSmoke',
        n: { type: 'Property', value: 1 },
      };
      const created = await client.postJson('/ngsi-ld/v1/entities', JSON.stringify(entity));
      assert.equal(created.status, 201, created.body);
      const back = await client.get('/ngsi-ld/v1/entities/urn:ngsi-ld:BenchSmoke:1?options=keyValues');
      assert.equal(back.status, 200, back.body);
      assert.deepEqual(JSON.parse(back.body), { id: entity.id, type: entity.type, n: 1 });
      const refused = await anonymous.get('/ngsi-ld/v1/entities/urn:ngsi-ld:BenchSmoke:1');
      assert.equal(refused.status, 401, refused.body);
    } finally {
      await cleanup.runAll();
    }
  });
});
