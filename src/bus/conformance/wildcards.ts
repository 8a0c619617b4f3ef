/**
 * Conformance: topic wildcards, with NATS's meaning on every adapter: `*` is one token, a final `>`
 * one or more. Non-matches are proven without sleeping: events from one publisher arrive in order, so
 * once a final matching sentinel arrives every earlier event that matched has arrived too.
 */
import { describe, expect, it } from 'vitest';
import { bytes, text, useCluster, waitFor, type MakeBusCluster } from './fixtures.js';

const CASES: Array<{ pattern: string; match: string[]; miss: string[] }> = [
  {
    pattern: 'entity.changed.*',
    match: ['entity.changed.city-a', 'entity.changed.city-b'],
    miss: ['entity.changed', 'entity.changed.city-a.extra', 'entity.created.city-a', 'other.changed.x'],
  },
  {
    pattern: 'entity.>',
    match: ['entity.changed', 'entity.changed.city-a', 'entity.a.b.c.d'],
    miss: ['entity', 'entities.changed', 'x.entity.changed'],
  },
  {
    pattern: '*.changed.>',
    match: ['entity.changed.city-a', 'device.changed.x.y'],
    miss: ['entity.changed', 'entity.created.city-a'],
  },
  {
    pattern: 'exact.topic',
    match: ['exact.topic'],
    miss: ['exact', 'exact.topic.more', 'exact.other'],
  },
];

/** Register the wildcard tests for a cluster factory. */
export function describeWildcards(make: MakeBusCluster): void {
  describe('topic wildcards', () => {
    const cluster = useCluster(make);

    it.each(CASES)('$pattern matches as NATS subjects do', async ({ pattern, match, miss }) => {
      const [sub, pub] = [await cluster.replica(), await cluster.replica()];
      const seen: string[] = [];
      await sub.bus.subscribe(pattern, (e) => void seen.push(e.topic));
      for (const topic of [...miss, ...match]) await pub.bus.publish(topic, bytes(topic));
      const sentinel = match[0]!;
      await pub.bus.publish(sentinel, bytes('end'));
      await waitFor(() => seen.length === match.length + 1, `the sentinel on ${pattern}`);
      expect(seen).toEqual([...match, sentinel]);
    });

    it('gives the concrete topic to a wildcard subscriber', async () => {
      const [sub, pub] = [await cluster.replica(), await cluster.replica()];
      const seen: Array<[string, string]> = [];
      await sub.bus.subscribe('entity.changed.*', (e) => void seen.push([e.topic, text(e.payload)]));
      await pub.bus.publish('entity.changed.city-a', bytes('p'));
      await waitFor(() => seen.length === 1, 'the event');
      expect(seen).toEqual([['entity.changed.city-a', 'p']]);
    });
  });
}
