/**
 * Helpers for tests that run the real `urbis serve` process: a free loopback port, readiness, and
 * the credentials such a process accepts. Since issue #4 every API call needs a bearer key; a server
 * started with `serverEnv()` takes ADMIN_KEY (the key of the in-process test apps) as its platform
 * administrator's key, and has no rate limits, so that a test's burst of requests is never a 429.
 */
import { createServer } from 'node:net';
import { ADMIN_KEY } from './keys.js';

export { ADMIN_KEY };

/** The environment of a spawned `urbis serve`: the caller's, the admin key, no rate limits, then `extra`. */
export function serverEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    URBIS_ADMIN_KEY: ADMIN_KEY,
    URBIS_RATE_LIMIT: '0',
    URBIS_ANONYMOUS_RATE_LIMIT: '0',
    // Mosquitto holds 1883 and CoAP's 5683 may be taken: device transports are off unless a test
    // gives them a free port.
    URBIS_MQTT_PORT: '0',
    URBIS_COAP_PORT: '0',
    // The demo city is on by default (npm start); tests that want it say so.
    URBIS_DEMO: 'false',
    ...extra,
  };
}

/** The header that makes a request the platform administrator's on a server started with `serverEnv()`. */
export function authHeader(): { authorization: string } {
  return { authorization: `Bearer ${ADMIN_KEY}` };
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

/** Wait until GET /ready on 127.0.0.1:`port` answers 200 (20 s at most). /ready needs no credentials. */
export async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server never became ready');
}
