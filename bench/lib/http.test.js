// Tests of the benchmark's HTTP client and load runner sending the API key (run with `node --test bench/`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { authHeaders, httpClient } from './http.js';
import { runLoad } from './load.js';

const KEY = 'urbis_bench-test-key-0123456789abcdefghij';

describe('authHeaders', () => {
  it('makes a bearer header of a key, nothing without one, and refuses a key that is not one', () => {
    assert.deepEqual(authHeaders(KEY), { authorization: `Bearer ${KEY}` });
    assert.deepEqual(authHeaders(undefined), {});
    for (const bad of ['', 'two words', 42]) assert.throws(() => authHeaders(bad), /apiKey must be/);
  });
});

describe('clients with an apiKey', () => {
  /** The authorization header of every request the server saw ('' for none). */
  const seen = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  let url = '';
  before(async () => {
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${server.address().port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  });

  it('httpClient sends the key with every request, unless the request has its own authorization', async () => {
    seen.length = 0;
    const withKey = httpClient(url, { maxSockets: 1, apiKey: KEY });
    const without = httpClient(url, { maxSockets: 1 });
    try {
      await withKey.get('/a');
      await withKey.postJson('/b', '{}');
      await withKey.get('/c', { authorization: 'Bearer other' });
      await without.get('/d');
    } finally {
      withKey.close();
      without.close();
    }
    assert.deepEqual(seen, [`Bearer ${KEY}`, `Bearer ${KEY}`, 'Bearer other', '']);
  });

  it('runLoad sends the key on every request, also beside a request sequence with its own headers', async () => {
    seen.length = 0;
    const summary = await runLoad({
      url,
      apiKey: KEY,
      connections: 2,
      durationS: 1,
      requests: [{ method: 'POST', path: '/x', headers: { 'content-type': 'application/json' }, body: '{}' }],
    });
    assert.ok(summary.total > 0, 'some requests were made');
    assert.ok(seen.length >= summary.total);
    assert.ok(
      seen.every((h) => h === `Bearer ${KEY}`),
      `authorization headers seen: ${[...new Set(seen)].join(', ')}`,
    );
  });
});
