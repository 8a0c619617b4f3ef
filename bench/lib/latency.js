/**
 * Latency of queries under light, steady use: a few clients, each sending its next request as
 * soon as the previous one is answered (a closed loop), every request timed on its own. This is
 * what a dashboard sees; percentiles come from the exact samples.
 */
import { performance } from 'node:perf_hooks';
import { latencySummary } from './stats.js';

/**
 * Send `requests` GETs from `clients` concurrent loops, stopping early at `maxMs`.
 * @param {object} o
 * @param {ReturnType<import('./http.js').httpClient>} o.client with at least `clients` sockets
 * @param {number} o.clients concurrent loops
 * @param {number} o.requests total requests
 * @param {(i: number) => string} o.nextPath path (with query) of request i
 * @param {number} o.maxMs wall-clock cap for the whole run
 * @param {(res: { status: number, body: string }) => number | undefined} [o.resultCount] results in an answer
 * @returns {Promise<{ p50: number, p95: number, p99: number, max: number, n: number, failed: number,
 *   statusCounts: Record<string, number>, capped: boolean, meanResults: number, reqPerSec: number }>}
 */
export async function measureLatency({ client, clients, requests, nextPath, maxMs, resultCount }) {
  const samples = [];
  const statusCounts = {};
  let issued = 0;
  let failed = 0;
  let results = 0;
  let counted = 0;
  const start = performance.now();
  const deadline = start + maxMs;

  async function loop() {
    while (issued < requests && performance.now() < deadline) {
      const path = nextPath(issued++);
      const t0 = performance.now();
      const res = await client.get(path);
      samples.push(performance.now() - t0);
      statusCounts[res.status] = (statusCounts[res.status] ?? 0) + 1;
      if (res.status !== 200) failed++;
      else if (resultCount !== undefined) {
        // Counted after the clock stopped: parsing the answer is the client's cost, not the server's.
        const c = resultCount(res);
        if (c !== undefined) {
          results += c;
          counted++;
        }
      }
    }
  }

  await Promise.all(Array.from({ length: clients }, loop));
  const elapsedS = (performance.now() - start) / 1000;
  return {
    ...latencySummary(samples),
    failed,
    statusCounts,
    capped: samples.length < requests,
    meanResults: counted === 0 ? NaN : results / counted,
    reqPerSec: samples.length / elapsedS,
  };
}
