/**
 * The exclusive runner of a periodic job on a shared bus: a LeaderGate named after the job, whose
 * lease lasts three of the job's intervals (a late round does not hand the job over; a dead replica's
 * job moves within three intervals). Every replica must use the same intervals (same configuration),
 * since a lease's ttl is part of its identity on NATS (decision 0008).
 */
import type { ExclusiveRunner } from '../core/jobs/exclusive.js';
import { LeaderGate } from './leader-gate.js';
import type { Bus } from './port.js';

export const INTERVALS_PER_LEASE = 3;

export function jobGate(bus: Pick<Bus, 'acquire'>): (job: string, intervalMs: number) => ExclusiveRunner {
  return (job, intervalMs) => new LeaderGate(bus, `job.${job}`, INTERVALS_PER_LEASE * intervalMs);
}
