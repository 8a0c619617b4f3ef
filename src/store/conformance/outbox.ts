/**
 * Conformance: the outbox. Notices are written in the transaction of their change (a change whose
 * reactor throws leaves neither), in commit order; the listener hears of them after the commit;
 * delivery outcomes update the subscription's statistics with the entries; dead letters leave the
 * pending set but stay readable; tenants are apart; deleting a subscription drops its entries.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Subscription } from '../../core/subscription/model.js';
import type { Change, Notice, Store } from '../port.js';
import { del, entity, iri, prop, put, type MakeStore } from './fixtures.js';

/** A minimal valid subscription (expanded terms) with the given id. */
export function subscription(id: string, extra: Partial<Subscription> = {}): Subscription {
  return {
    id,
    entities: [{ type: iri('T') }],
    notificationTrigger: ['entityCreated', 'entityUpdated', 'entityDeleted'],
    notification: {
      format: 'normalized',
      showChanges: false,
      sysAttrs: false,
      endpoint: { uri: 'http://receiver.example/notify', accept: 'application/json' },
    },
    isActive: true,
    jsonldContext: 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
    createdAt: '2026-01-01T00:00:00Z',
    modifiedAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

/** A reactor that sends every change to each of `subs`, and remembers what it saw. */
function everyChangeTo(subs: string[], seen: Change[] = []) {
  return (change: Change): Notice[] => {
    seen.push(change);
    const e = change.after ?? change.before!;
    return subs.map((subscriptionId) => ({
      subscriptionId,
      entityId: change.id,
      payload: {
        trigger:
          change.after === undefined ? 'entityDeleted' : change.before ? 'entityUpdated' : 'entityCreated',
        entity: e,
        at: change.at,
      },
    }));
  };
}

/** Register the outbox tests for a store factory. */
export function describeOutbox(makeStore: MakeStore): void {
  describe('outbox', () => {
    let store: Store;
    let work: Array<Array<{ tenant: string; subscriptionId: string }>>;
    beforeEach(async () => {
      store = await makeStore();
      work = [];
      store.onOutbox((w) => work.push(w));
    });
    afterEach(async () => {
      await store.close();
    });

    it('writes the reactor notices with the change, in commit order, and tells the listener after commit', async () => {
      const seen: Change[] = [];
      store.setReactor(everyChangeTo(['urn:sub:1', 'urn:sub:2'], seen));
      await store.mutate('', [put(entity('urn:a', 'T', { v: prop(1) })), put(entity('urn:b', 'T'))]);
      await store.mutate('', [put(entity('urn:a', 'T', { v: prop(2) }))]);
      await store.mutate('', [del('urn:b')]);

      expect(seen.map((c) => [c.id, c.before !== undefined, c.after !== undefined])).toEqual([
        ['urn:a', false, true],
        ['urn:b', false, true],
        ['urn:a', true, true],
        ['urn:b', true, false],
      ]);
      const one = await store.outbox.take('', 'urn:sub:1', 0, 100);
      expect(one.map((e) => [e.entityId, e.payload.trigger])).toEqual([
        ['urn:a', 'entityCreated'],
        ['urn:b', 'entityCreated'],
        ['urn:a', 'entityUpdated'],
        ['urn:b', 'entityDeleted'],
      ]);
      expect(one[2]?.payload.entity.attrs[iri('v')]).toEqual(prop(2));
      expect(one.every((e, n) => n === 0 || e.oid > one[n - 1]!.oid)).toBe(true);
      expect(one.every((e) => e.attempts === 0 && e.notificationId === undefined && e.tenant === '')).toBe(
        true,
      );
      expect(Date.parse(one[0]!.createdAt)).not.toBeNaN();
      expect(await store.outbox.take('', 'urn:sub:2', 0, 100)).toHaveLength(4);

      // Paging: after an oid, at most `limit`.
      const page = await store.outbox.take('', 'urn:sub:1', one[0]!.oid, 2);
      expect(page.map((e) => e.oid)).toEqual([one[1]!.oid, one[2]!.oid]);

      expect(work).toHaveLength(3);
      expect(work[0]).toEqual([
        { tenant: '', subscriptionId: 'urn:sub:1' },
        { tenant: '', subscriptionId: 'urn:sub:2' },
      ]);
      expect(await store.outbox.pending()).toEqual([
        { tenant: '', subscriptionId: 'urn:sub:1' },
        { tenant: '', subscriptionId: 'urn:sub:2' },
      ]);
      expect(await store.outbox.size()).toBe(8);
    });

    it('writes nothing and tells no one when the reactor returns no notice or there is no reactor', async () => {
      await store.mutate('', [put(entity('urn:a', 'T'))]);
      store.setReactor(() => []);
      await store.mutate('', [put(entity('urn:b', 'T'))]);
      expect(await store.outbox.size()).toBe(0);
      expect(await store.outbox.pending()).toEqual([]);
      expect(work).toEqual([]);
    });

    it('does not react to skipped mutations', async () => {
      const seen: Change[] = [];
      store.setReactor(everyChangeTo(['urn:sub:1'], seen));
      await store.mutate('', [{ id: 'urn:a', decide: () => ({ action: 'skip' }) }, del('urn:missing')]);
      expect(seen).toEqual([]);
      expect(await store.outbox.size()).toBe(0);
    });

    it('commits a change only with its notices: a reactor that throws leaves neither', async () => {
      store.setReactor((change) => {
        if (change.id === 'urn:bad') throw new Error('reactor failed');
        return everyChangeTo(['urn:sub:1'])(change);
      });
      await expect(
        store.mutate('', [put(entity('urn:good', 'T')), put(entity('urn:bad', 'T'))]),
      ).rejects.toThrow('reactor failed');
      expect(await store.getEntity('', 'urn:good')).toBeUndefined();
      expect(await store.getEntity('', 'urn:bad')).toBeUndefined();
      expect(await store.outbox.size()).toBe(0);
      expect(work).toEqual([]);

      // Two calls in one group commit: the failing one rolls back alone, the other keeps its notices.
      const [ok, bad] = await Promise.allSettled([
        store.mutate('', [put(entity('urn:good', 'T'))]),
        store.mutate('', [put(entity('urn:bad', 'T'))]),
      ]);
      expect(ok.status).toBe('fulfilled');
      expect(bad.status).toBe('rejected');
      expect(await store.getEntity('', 'urn:good')).toBeDefined();
      expect(await store.getEntity('', 'urn:bad')).toBeUndefined();
      expect((await store.outbox.take('', 'urn:sub:1', 0, 10)).map((e) => e.entityId)).toEqual(['urn:good']);
    });

    it('enqueues notices outside a change and tells the listener', async () => {
      await store.subscriptions.put('urn:t1', subscription('urn:sub:p'));
      const payload = {
        trigger: 'entityUpdated' as const,
        entity: entity('urn:a', 'T'),
        at: '2026-01-01T00:00:00Z',
      };
      await store.outbox.enqueue('urn:t1', [
        { subscriptionId: 'urn:sub:p', entityId: 'urn:a', payload },
        { subscriptionId: 'urn:sub:p', entityId: 'urn:b', payload },
      ]);
      const entries = await store.outbox.take('urn:t1', 'urn:sub:p', 0, 10);
      expect(entries.map((e) => [e.tenant, e.entityId])).toEqual([
        ['urn:t1', 'urn:a'],
        ['urn:t1', 'urn:b'],
      ]);
      expect(entries[0]?.payload).toEqual(payload);
      expect(work).toEqual([[{ tenant: 'urn:t1', subscriptionId: 'urn:sub:p' }]]);
    });

    it('delivered: removes the entries and counts one success on the subscription', async () => {
      await store.subscriptions.put('', subscription('urn:sub:1'));
      store.setReactor(everyChangeTo(['urn:sub:1']));
      await store.mutate('', [
        put(entity('urn:a', 'T')),
        put(entity('urn:b', 'T')),
        put(entity('urn:c', 'T')),
      ]);
      const [a, b, c] = await store.outbox.take('', 'urn:sub:1', 0, 10);
      await store.outbox.delivered('', 'urn:sub:1', [a!.oid, b!.oid], '2026-02-01T10:00:00.000Z');
      expect((await store.outbox.take('', 'urn:sub:1', 0, 10)).map((e) => e.oid)).toEqual([c!.oid]);
      const { status } = (await store.subscriptions.get('', 'urn:sub:1'))!;
      expect(status).toMatchObject({
        timesSent: 1,
        timesFailed: 0,
        deadLetters: 0,
        lastNotification: '2026-02-01T10:00:00.000Z',
        lastSuccess: '2026-02-01T10:00:00.000Z',
      });
      expect(status.lastFailure).toBeUndefined();
      expect(await store.outbox.size()).toBe(1);
    });

    it('failed: keeps the entries with attempts + 1 and their notification id, and counts one failure', async () => {
      await store.subscriptions.put('', subscription('urn:sub:1'));
      store.setReactor(everyChangeTo(['urn:sub:1']));
      await store.mutate('', [put(entity('urn:a', 'T')), put(entity('urn:b', 'T'))]);
      const oids = (await store.outbox.take('', 'urn:sub:1', 0, 10)).map((e) => e.oid);
      const nid = 'urn:ngsi-ld:Notification:1';
      await store.outbox.failed('', 'urn:sub:1', oids, nid, 'HTTP 500', '2026-02-01T10:00:00.000Z');
      await store.outbox.failed('', 'urn:sub:1', oids, nid, 'ECONNREFUSED', '2026-02-01T10:00:01.000Z');
      const entries = await store.outbox.take('', 'urn:sub:1', 0, 10);
      expect(entries.map((e) => [e.oid, e.attempts, e.notificationId])).toEqual(oids.map((o) => [o, 2, nid]));
      const { status } = (await store.subscriptions.get('', 'urn:sub:1'))!;
      expect(status).toMatchObject({
        timesSent: 0,
        timesFailed: 2,
        lastNotification: '2026-02-01T10:00:01.000Z',
        lastFailure: '2026-02-01T10:00:01.000Z',
        lastError: 'ECONNREFUSED',
      });
      expect(status.lastSuccess).toBeUndefined();
    });

    it('dead: moves the entries to the dead letters, counted on the subscription and out of the pending set', async () => {
      await store.subscriptions.put('', subscription('urn:sub:1'));
      store.setReactor(everyChangeTo(['urn:sub:1']));
      await store.mutate('', [
        put(entity('urn:a', 'T')),
        put(entity('urn:b', 'T')),
        put(entity('urn:c', 'T')),
      ]);
      const [a, b, c] = await store.outbox.take('', 'urn:sub:1', 0, 10);
      await store.outbox.dead('', 'urn:sub:1', [a!.oid, b!.oid], 'HTTP 503', '2026-02-01T10:00:00.000Z');
      // Burying the same entries twice counts them once.
      await store.outbox.dead('', 'urn:sub:1', [a!.oid], 'HTTP 503', '2026-02-01T10:00:00.000Z');
      expect((await store.outbox.take('', 'urn:sub:1', 0, 10)).map((e) => e.oid)).toEqual([c!.oid]);
      expect((await store.outbox.deadLetters('', 'urn:sub:1', 10)).map((e) => e.entityId)).toEqual([
        'urn:a',
        'urn:b',
      ]);
      expect(await store.outbox.deadLetters('', 'urn:sub:1', 1)).toHaveLength(1);
      const { status } = (await store.subscriptions.get('', 'urn:sub:1'))!;
      expect(status.deadLetters).toBe(2);
      expect(status.lastError).toBe('HTTP 503');
      expect(await store.outbox.size()).toBe(1);
      await store.outbox.delivered('', 'urn:sub:1', [c!.oid], '2026-02-01T10:00:01.000Z');
      expect(await store.outbox.pending()).toEqual([]);
      expect(await store.outbox.size()).toBe(0);
      expect(await store.outbox.deadLetters('', 'urn:sub:1', 10)).toHaveLength(2);
    });

    it('keeps tenants apart: same subscription id, separate entries and statistics', async () => {
      await store.subscriptions.put('urn:t1', subscription('urn:sub:1'));
      await store.subscriptions.put('urn:t2', subscription('urn:sub:1'));
      store.setReactor(everyChangeTo(['urn:sub:1']));
      await store.mutate('urn:t1', [put(entity('urn:a', 'T'))]);
      await store.mutate('urn:t2', [put(entity('urn:b', 'T')), put(entity('urn:c', 'T'))]);
      const t1 = await store.outbox.take('urn:t1', 'urn:sub:1', 0, 10);
      const t2 = await store.outbox.take('urn:t2', 'urn:sub:1', 0, 10);
      expect(t1.map((e) => [e.tenant, e.entityId])).toEqual([['urn:t1', 'urn:a']]);
      expect(t2.map((e) => e.entityId)).toEqual(['urn:b', 'urn:c']);
      expect(await store.outbox.take('urn:nobody', 'urn:sub:1', 0, 10)).toEqual([]);
      expect(await store.outbox.take('', 'urn:sub:1', 0, 10)).toEqual([]);
      // Outcomes given under the wrong tenant touch nothing.
      await store.outbox.delivered('urn:t2', 'urn:sub:1', [t1[0]!.oid], '2026-02-01T10:00:00.000Z');
      expect(await store.outbox.take('urn:t1', 'urn:sub:1', 0, 10)).toHaveLength(1);
      await store.outbox.delivered('urn:t1', 'urn:sub:1', [t1[0]!.oid], '2026-02-01T10:00:00.000Z');
      expect((await store.subscriptions.get('urn:t1', 'urn:sub:1'))!.status.timesSent).toBe(1);
      expect((await store.subscriptions.get('urn:t2', 'urn:sub:1'))!.status.timesSent).toBe(1);
      expect(await store.outbox.pending()).toEqual([{ tenant: 'urn:t2', subscriptionId: 'urn:sub:1' }]);
      expect(work.flat()).toContainEqual({ tenant: 'urn:t1', subscriptionId: 'urn:sub:1' });
      expect(work.flat()).toContainEqual({ tenant: 'urn:t2', subscriptionId: 'urn:sub:1' });
    });

    it('drops the entries of a deleted subscription, pending and dead, and only its own', async () => {
      await store.subscriptions.put('', subscription('urn:sub:1'));
      await store.subscriptions.put('', subscription('urn:sub:2'));
      store.setReactor(everyChangeTo(['urn:sub:1', 'urn:sub:2']));
      await store.mutate('', [put(entity('urn:a', 'T')), put(entity('urn:b', 'T'))]);
      const [a] = await store.outbox.take('', 'urn:sub:1', 0, 1);
      await store.outbox.dead('', 'urn:sub:1', [a!.oid], 'gone', '2026-02-01T10:00:00.000Z');
      expect(await store.subscriptions.delete('', 'urn:sub:1')).toBe(true);
      expect(await store.outbox.take('', 'urn:sub:1', 0, 10)).toEqual([]);
      expect(await store.outbox.deadLetters('', 'urn:sub:1', 10)).toEqual([]);
      expect(await store.outbox.take('', 'urn:sub:2', 0, 10)).toHaveLength(2);
      expect(await store.outbox.pending()).toEqual([{ tenant: '', subscriptionId: 'urn:sub:2' }]);
    });

    it('keeps oids increasing after the outbox empties', async () => {
      store.setReactor(everyChangeTo(['urn:sub:1']));
      await store.mutate('', [put(entity('urn:a', 'T'))]);
      const [first] = await store.outbox.take('', 'urn:sub:1', 0, 1);
      await store.outbox.delivered('', 'urn:sub:1', [first!.oid], '2026-02-01T10:00:00.000Z');
      await store.mutate('', [put(entity('urn:b', 'T'))]);
      const [second] = await store.outbox.take('', 'urn:sub:1', 0, 1);
      expect(second!.oid).toBeGreaterThan(first!.oid);
    });
  });
}
