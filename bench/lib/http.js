/**
 * A minimal keep-alive HTTP client over `node:http` for the benchmark's own requests (bulk load,
 * latency loops, checks). Lighter than fetch, so less of the measured time is the client's.
 * With `apiKey`, every request carries it as a bearer token (Urbis since issue #4).
 */
import { Agent, request as httpRequest } from 'node:http';
import { Buffer } from 'node:buffer';

/**
 * The header that authenticates a request with `apiKey` (none without a key).
 * @param {string} [apiKey]
 * @returns {Record<string, string>}
 */
export function authHeaders(apiKey) {
  if (apiKey === undefined) return {};
  if (typeof apiKey !== 'string' || apiKey === '' || /\s/.test(apiKey))
    throw new Error('apiKey must be a non-empty string without spaces');
  return { authorization: `Bearer ${apiKey}` };
}

/**
 * An HTTP client bound to one base URL with its own connection pool.
 * @param {string} baseUrl e.g. http://127.0.0.1:8080
 * @param {{ maxSockets?: number, timeoutMs?: number, apiKey?: string }} [opts] `apiKey`: sent with
 *   every request (a request's own `authorization` header wins)
 */
export function httpClient(baseUrl, { maxSockets = 8, timeoutMs = 60_000, apiKey } = {}) {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const auth = authHeaders(apiKey);

  /**
   * Send one request and read the whole answer.
   * @param {string} method
   * @param {string} path path and query string
   * @param {{ body?: string | Buffer, headers?: Record<string, string> }} [o]
   * @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, body: string }>}
   */
  function send(method, path, { body, headers = {} } = {}) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
      const h = { ...auth, ...headers };
      if (payload !== undefined) h['content-length'] = String(payload.length);
      const req = httpRequest(
        { host: base.hostname, port: base.port, method, path, headers: h, agent, timeout: timeoutMs },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  return {
    send,
    /** GET a path. */
    get: (path, headers) => send('GET', path, { headers }),
    /** POST a JSON body (a string, already serialised). */
    postJson: (path, json) =>
      send('POST', path, { body: json, headers: { 'content-type': 'application/json' } }),
    /** Close the pooled connections. */
    close: () => agent.destroy(),
  };
}
