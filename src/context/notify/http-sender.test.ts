import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressGuard } from '../net/address-guard.js';
import { HttpSender } from './http-sender.js';

let server: Server;
let base = '';
const seen: Array<{ path: string; method: string; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      seen.push({ path, method: req.method ?? '', headers: req.headers, body });
      const routes: Record<string, [number, Record<string, string>]> = {
        '/ok': [200, {}],
        '/see-other': [303, { location: '/result' }],
        '/moved': [301, { location: '/ok' }],
        '/loop': [302, { location: '/loop' }],
        '/to-ftp': [307, { location: 'ftp://example.org/x' }],
        '/no-location': [307, {}],
      };
      const [status, headers] = routes[path] ?? [404, {}];
      res.writeHead(status, headers).end('answer body');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sender = new HttpSender({ guard: new AddressGuard({ allow: ['127.0.0.1'] }), maxRedirects: 2 });
const notification = {
  body: '{"id":"urn:n:1","type":"Notification"}',
  contentType: 'application/ld+json',
  headers: { 'Content-Type': 'text/plain', 'X-Key': 'v', Link: '<http://c.org/ctx.jsonld>' },
};
const send = (path: string) =>
  sender.send({ uri: `${base}${path}`, accept: 'application/json' }, notification, {
    timeoutMs: 2_000,
    signal: new AbortController().signal,
  });

describe('HttpSender', () => {
  afterAll(() => sender.close());

  it('POSTs the body with its content type and the notification headers; 2xx is a delivery', async () => {
    seen.length = 0;
    expect(await send('/ok')).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ path: '/ok', method: 'POST', body: notification.body });
    expect(seen[0]?.headers['content-type']).toBe('application/ld+json');
    expect(seen[0]?.headers['x-key']).toBe('v');
    expect(seen[0]?.headers.link).toBe('<http://c.org/ctx.jsonld>');
  });

  it('takes 303 See Other as handled, and follows 301 with the same POST', async () => {
    seen.length = 0;
    expect(await send('/see-other')).toEqual({ ok: true });
    expect(await send('/moved')).toEqual({ ok: true });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /see-other', 'POST /moved', 'POST /ok']);
    expect(seen[2]?.body).toBe(notification.body);
  });

  it('fails with a short reason: status, redirect loop, redirect elsewhere than http(s)', async () => {
    expect(await send('/missing')).toEqual({ ok: false, error: 'HTTP 404' });
    expect(await send('/loop')).toEqual({ ok: false, error: 'more than 2 redirects' });
    expect(await send('/to-ftp')).toEqual({ ok: false, error: 'HTTP 307 to a ftp: URL, not followed' });
    expect(await send('/no-location')).toEqual({ ok: false, error: 'HTTP 307 without a usable Location' });
  });

  it('answers at once when the notifier stops', async () => {
    const stop = new AbortController();
    stop.abort();
    const outcome = await sender.send({ uri: `${base}/ok`, accept: 'application/json' }, notification, {
      timeoutMs: 2_000,
      signal: stop.signal,
    });
    expect(outcome).toEqual({ ok: false, error: 'notifier stopped' });
  });
});
