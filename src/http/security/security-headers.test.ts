/**
 * The headers worked out once are exactly those helmet's middleware sets on a live response, for
 * the defaults and for a configuration like the app's.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers.js';

/** The headers helmet sets on a real response of a real server (request over loopback). */
async function liveHeaders(options: HelmetOptions): Promise<Record<string, string>> {
  const middleware = helmet(options);
  const server = createServer((req, res) => middleware(req, res, () => res.end('ok')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        const { date, connection, 'keep-alive': _k, 'content-length': _l, ...rest } = res.headers;
        void date;
        void connection;
        resolve(rest as Record<string, string>);
      })
        .on('error', reject)
        .end();
    });
  } finally {
    server.close();
  }
}

const APP_LIKE: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      connectSrc: ["'self'", 'https://id.example.org'],
      workerSrc: ["'self'", 'blob:'],
      frameAncestors: ["'none'"],
    },
  },
};

describe('securityHeaders', () => {
  it.each([
    ['the defaults', {}],
    ['a configured CSP', APP_LIKE],
  ])('equals what helmet sets on a live response, for %s', async (_name, options) => {
    const once = Object.fromEntries(securityHeaders(options).map(([name, value]) => [name, String(value)]));
    expect(once).toEqual(await liveHeaders(options));
    expect(once['content-security-policy']).toContain("default-src 'self'");
    expect(once['x-content-type-options']).toBe('nosniff');
  });

  it('carries the configured directives', () => {
    const csp = new Map(securityHeaders(APP_LIKE)).get('content-security-policy');
    expect(csp).toContain("connect-src 'self' https://id.example.org");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
