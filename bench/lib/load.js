/**
 * Throughput runs with autocannon: a fixed number of connections hammering one endpoint for a
 * fixed time. Returns the figures the reports need, computed from totals (not from autocannon's
 * per-second samples, which are too few in a 5 s run to average well).
 */
import autocannon from 'autocannon';
import { authHeaders } from './http.js';

/**
 * Run autocannon and summarise.
 * @param {object} o
 * @param {string} o.url base URL of the server
 * @param {number} o.connections concurrent connections (each with one request in flight)
 * @param {number} o.durationS seconds
 * @param {Array<object>} [o.requests] autocannon request sequence (setupRequest / onResponse)
 * @param {string} [o.path] fixed path, when `requests` is not given
 * @param {string} [o.apiKey] sent as a bearer token with every request (autocannon merges these
 *   headers under each request's own)
 * @returns {Promise<LoadSummary>}
 */
export async function runLoad({ url, connections, durationS, requests, path = '/', apiKey }) {
  const result = await autocannon({
    url: new URL(path, url).toString(),
    connections,
    duration: durationS,
    pipelining: 1,
    timeout: 10,
    headers: authHeaders(apiKey),
    ...(requests === undefined ? {} : { requests }),
  });
  return summariseLoad(result);
}

/**
 * @typedef {object} LoadSummary
 * @property {number} reqPerSec completed responses per second over the whole run
 * @property {number} total completed responses
 * @property {number} durationS measured seconds
 * @property {Record<string, number>} statusCounts responses by status code
 * @property {number} non2xx responses outside 2xx
 * @property {number} errors connection errors
 * @property {number} timeouts requests that got no answer in time
 * @property {{ p50: number, p90: number, p99: number, max: number }} latencyMs
 */

/** The figures of an autocannon result. */
export function summariseLoad(result) {
  const statusCounts = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statusCounts[code] = s.count;
  const total = result.requests.total;
  return {
    reqPerSec: total / result.duration,
    total,
    durationS: result.duration,
    statusCounts,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  };
}
