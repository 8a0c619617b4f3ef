/**
 * Small statistics for benchmark figures: medians of repetitions and exact percentiles of
 * latency samples. Exact (sorted samples) rather than histogram-bucketed, because a few hundred
 * samples are cheap to sort and a bucketed p95 would blur the 20 ms targets. And the timing of
 * batched writes that the storage baselines share.
 */
import { performance } from 'node:perf_hooks';

/**
 * The median of a list of numbers (mean of the two middle values for an even count).
 * @param {number[]} values
 * @returns {number} NaN for an empty list
 */
export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The p-th percentile (0–100) by the nearest-rank method: the smallest sample such that at
 * least p % of the samples are at or below it. Nearest-rank never invents a value that was not
 * observed, so "p95 = 12.3 ms" means a real request took that long.
 * @param {number[]} sortedAsc samples sorted ascending
 * @param {number} p
 * @returns {number} NaN for no samples
 */
export function percentile(sortedAsc, p) {
  if (sortedAsc.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length, Math.max(1, rank)) - 1];
}

/**
 * p50 / p95 / p99 / max of latency samples in milliseconds.
 * @param {number[]} samplesMs
 * @returns {{ n: number, p50: number, p95: number, p99: number, max: number }}
 */
export function latencySummary(samplesMs) {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
  };
}

/**
 * Round to a number of significant-looking decimals for printing and JSON (keeps files small
 * and diff-friendly; the raw repetitions are kept anyway).
 * @param {number} x
 * @param {number} [decimals]
 */
export function round(x, decimals = 2) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/**
 * Run `write` on consecutive slices of `items` of `batch` items each (one transaction each, as the
 * callers' writers do) and time the whole.
 * @template T
 * @param {T[]} items
 * @param {number} batch
 * @param {(slice: T[]) => void} write
 * @returns {{ count: number, seconds: number, perSec: number }}
 */
export function timeBatches(items, batch, write) {
  const t0 = performance.now();
  for (let i = 0; i < items.length; i += batch) write(items.slice(i, i + batch));
  const seconds = (performance.now() - t0) / 1000;
  return { count: items.length, seconds, perSec: items.length / seconds };
}
