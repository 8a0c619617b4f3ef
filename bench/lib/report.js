/**
 * How a suite's figures are shown and kept: one table (what, figure, baseline, ratio, target,
 * pass/fail) on stdout and one JSON file under bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { dirname } from 'node:path';
import { round } from './stats.js';

/**
 * One line of a suite's table.
 * @typedef {object} Row
 * @property {string} what e.g. "create entity, c=32"
 * @property {number} figure the median over repetitions
 * @property {string} unit e.g. "req/s", "ms p95"
 * @property {number} [baseline] median of the in-run baseline
 * @property {string} [baselineWhat] what the baseline is, e.g. "node:http hello"
 * @property {string} [baselineUnit] the baseline's unit when it differs from `unit` (rows/s)
 * @property {'higher' | 'lower'} better which direction is good (decides the target's comparison)
 * @property {number} [target] the house target, in `unit`
 * @property {number[]} reps the figure of each repetition
 * @property {string[]} [problems] anything that makes the figure suspect (non-2xx, capped runs …)
 */

/** figure ÷ baseline; for latency this reads "n times the bare server's round trip". */
export function ratio(row) {
  return row.baseline === undefined || !(row.baseline > 0) ? undefined : row.figure / row.baseline;
}

/** 'pass', 'FAIL' or '' (no target); a row with problems never passes. */
export function verdict(row) {
  if (row.target === undefined) return row.problems?.length ? 'FAIL' : '';
  if (row.problems?.length) return 'FAIL';
  const ok = row.better === 'higher' ? row.figure >= row.target : row.figure <= row.target;
  return ok ? 'pass' : 'FAIL';
}

function num(x) {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/**
 * The table as text.
 * @param {Row[]} rows
 */
export function formatTable(rows) {
  const head = ['what', 'figure', 'baseline', 'ratio', 'target', 'result'];
  const lines = rows.map((r) => {
    const rt = ratio(r);
    return [
      r.what,
      `${num(r.figure)} ${r.unit}`,
      r.baseline === undefined ? '–' : `${num(r.baseline)} ${r.baselineUnit ?? r.unit} (${r.baselineWhat})`,
      rt === undefined ? '–' : `${rt >= 10 ? rt.toFixed(0) : rt.toFixed(2)}×`,
      r.target === undefined ? '–' : `${r.better === 'higher' ? '≥' : '≤'} ${num(r.target)}`,
      verdict(r),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)];
  for (const r of rows) for (const p of r.problems ?? []) out.push(`! ${r.what}: ${p}`);
  return out.join('\n');
}

/** What the figures were measured on (the machine is part of the result). */
export function machine() {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${platform()} ${release()}`,
    node: process.version,
  };
}

/**
 * Write a suite's results as JSON (creating the directory), formatted by the repository's
 * prettier settings so that `npm run lint` (prettier --check .) accepts a committed result file.
 * @param {string} file
 * @param {object} data
 * @returns {Promise<void>}
 */
export async function writeResults(file, data) {
  mkdirSync(dirname(file), { recursive: true });
  // Three decimals are more than the noise of any figure here, and keep the file readable.
  const tidy = (_key, v) => (typeof v === 'number' && !Number.isInteger(v) ? round(v, 3) : v);
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(JSON.stringify(data, tidy), { ...options, filepath: file }));
}
