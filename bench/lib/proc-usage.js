/**
 * CPU time and resident memory of a process from Linux's /proc (the machines this runs on), so the
 * ingest suite can give the server's CPU share and RSS beside its throughput (and the ngsi-ld suite
 * can tell when the server has gone quiet).
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
export const TICKS_PER_SEC = 100;

/**
 * utime + stime in seconds from the text of /proc/<pid>/stat. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted after its last ')'.
 * @param {string} stat
 */
export function cpuSecondsOf(stat) {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) … utime is field 14, stime 15 → indices 11 and 12 of `rest`.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unreadable /proc stat');
  return (utime + stime) / TICKS_PER_SEC;
}

/**
 * VmRSS in MiB from the text of /proc/<pid>/status.
 * @param {string} status
 */
export function rssMiBOf(status) {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (m === null) throw new Error('no VmRSS in /proc status');
  return Number(m[1]) / 1024;
}

/** @param {number} pid */
export function usage(pid) {
  return {
    cpuS: cpuSecondsOf(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    rssMiB: rssMiBOf(readFileSync(`/proc/${pid}/status`, 'utf8')),
  };
}
