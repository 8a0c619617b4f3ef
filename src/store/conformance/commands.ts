/**
 * Conformance: commands to actuators (CommandRepository, issue #5) — records read back as written,
 * tenants kept apart, a device's queue in creation order without the expired, compare-and-set status
 * changes with their history, the newest-first listing with status filter and paging, lookups by name,
 * and the expiry sweep taking only open commands that are due, at most `limit` of them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRecord, CommandRepository } from '../commands-port.js';
import type { Store } from '../port.js';
import { rejectsWith, type MakeStore } from './fixtures.js';

const A = 'urn:t:a';
const B = 'urn:t:b';
const T0 = '2026-01-01T00:00:00.000Z';
const at = (s: number): string => new Date(Date.parse(T0) + s * 1000).toISOString();

/** A QUEUED command created at `s` seconds that expires 600 s later unless told. */
const command = (id: string, s = 0, extra: Partial<CommandRecord> = {}): CommandRecord => ({
  id,
  tenant: A,
  deviceId: 'd1',
  name: 'setpoint',
  value: 21.5,
  status: 'QUEUED',
  createdAt: at(s),
  updatedAt: at(s),
  expiresAt: at(s + 600),
  history: [{ status: 'QUEUED', at: at(s) }],
  ...extra,
});

/** Register the command repository tests for a store factory. */
export function describeCommands(makeStore: MakeStore): void {
  describe('commands', () => {
    let store: Store;
    let repo: CommandRepository;
    beforeEach(async () => {
      store = await makeStore();
      repo = store.commands;
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores a command and reads it back whole, only in its tenant; an id is taken once', async () => {
      const plan = { cycle: 60, phases: [{ green: ['N'], duration: 60 }], note: null };
      const c = command('cmd_1', 0, { name: 'signalPlan', value: plan, createdBy: 'ops', info: 'waiting' });
      await repo.create(c);
      expect(await repo.get(A, 'cmd_1')).toEqual(c);
      expect(await repo.get(B, 'cmd_1')).toBeUndefined();
      expect(await repo.get(A, 'cmd_2')).toBeUndefined();
      expect(await rejectsWith(repo.create(command('cmd_1', 5, { tenant: B })))).toBe('AlreadyExists');
      // Falsy values survive the round trip.
      await repo.create(command('cmd_0', 1, { value: 0 }));
      await repo.create(command('cmd_f', 1, { value: false }));
      expect((await repo.get(A, 'cmd_0'))?.value).toBe(0);
      expect((await repo.get(A, 'cmd_f'))?.value).toBe(false);
    });

    it('gives a device its QUEUED commands in creation order, without expired or other devices', async () => {
      // Created out of time order: creation order (not createdAt) is the delivery order.
      await repo.create(command('c3', 30));
      await repo.create(command('c1', 10));
      await repo.create(command('c2', 20, { expiresAt: at(100) }));
      await repo.create(command('other', 0, { deviceId: 'd2' }));
      await repo.create(command('b', 0, { tenant: B }));
      await repo.create(command('sent', 0, { status: 'SENT' }));
      expect((await repo.queued(A, 'd1', at(50), 10)).map((c) => c.id)).toEqual(['c3', 'c1', 'c2']);
      expect((await repo.queued(A, 'd1', at(100), 10)).map((c) => c.id)).toEqual(['c3', 'c1']);
      expect((await repo.queued(A, 'd1', at(50), 2)).map((c) => c.id)).toEqual(['c3', 'c1']);
      expect((await repo.queued(B, 'd1', at(50), 10)).map((c) => c.id)).toEqual(['b']);
      expect(await repo.queued(A, 'd9', at(50), 10)).toEqual([]);
    });

    it('changes a status only from the statuses named, appending to the history', async () => {
      await repo.create(command('c1'));
      expect(await repo.transition(A, 'c1', { from: ['SENT'], to: 'DELIVERED', at: at(1) })).toBeUndefined();
      expect(await repo.transition(B, 'c1', { from: ['QUEUED'], to: 'SENT', at: at(1) })).toBeUndefined();
      expect(await repo.transition(A, 'zz', { from: ['QUEUED'], to: 'SENT', at: at(1) })).toBeUndefined();
      const sent = await repo.transition(A, 'c1', {
        from: ['QUEUED'],
        to: 'SENT',
        at: at(1),
        info: 'over mqtt',
      });
      expect(sent).toMatchObject({ status: 'SENT', updatedAt: at(1), info: 'over mqtt' });
      const done = await repo.transition(A, 'c1', {
        from: ['SENT', 'DELIVERED'],
        to: 'SUCCEEDED',
        at: at(2),
        result: { applied: 21.5, list: [1, 'a', null] },
      });
      const expected = {
        ...command('c1'),
        status: 'SUCCEEDED',
        updatedAt: at(2),
        info: 'over mqtt',
        result: { applied: 21.5, list: [1, 'a', null] },
        history: [
          { status: 'QUEUED', at: at(0) },
          { status: 'SENT', at: at(1) },
          { status: 'SUCCEEDED', at: at(2) },
        ],
      };
      expect(done).toEqual(expected);
      expect(await repo.get(A, 'c1')).toEqual(expected);
      // Final: nothing more applies unless a caller names the final status (the service never does).
      expect(await repo.transition(A, 'c1', { from: ['SENT'], to: 'FAILED', at: at(3) })).toBeUndefined();
      expect(await repo.get(A, 'c1')).toEqual(expected);
    });

    it('sets info on open commands only', async () => {
      await repo.create(command('c1'));
      await repo.create(command('c2', 0, { status: 'FAILED' }));
      expect(await repo.note(A, 'c1', 'device offline', at(5))).toBe(true);
      expect(await repo.get(A, 'c1')).toMatchObject({
        info: 'device offline',
        updatedAt: at(5),
        status: 'QUEUED',
      });
      expect(await repo.note(A, 'c2', 'x', at(5))).toBe(false);
      expect(await repo.note(B, 'c1', 'x', at(5))).toBe(false);
    });

    it('lists a device’s commands newest first, by status, with a count and paging', async () => {
      for (let i = 0; i < 5; i++) await repo.create(command(`c${i}`, i, i % 2 ? { status: 'FAILED' } : {}));
      await repo.create(command('other', 0, { deviceId: 'd2' }));
      const all = await repo.list(A, 'd1', { limit: 10, offset: 0 });
      expect(all.count).toBe(5);
      expect(all.items.map((c) => c.id)).toEqual(['c4', 'c3', 'c2', 'c1', 'c0']);
      const page = await repo.list(A, 'd1', { limit: 2, offset: 1 });
      expect(page).toMatchObject({ count: 5 });
      expect(page.items.map((c) => c.id)).toEqual(['c3', 'c2']);
      const failed = await repo.list(A, 'd1', { status: 'FAILED', limit: 10, offset: 0 });
      expect(failed.count).toBe(2);
      expect(failed.items.map((c) => c.id)).toEqual(['c3', 'c1']);
      expect(await repo.list(B, 'd1', { limit: 10, offset: 0 })).toEqual({ items: [], count: 0 });
      expect(await rejectsWith(repo.list(A, 'd1', { limit: -1, offset: 0 }))).toBe('BadRequestData');
    });

    it('finds the latest command of a name among the statuses named', async () => {
      await repo.create(command('c1', 0, { status: 'SENT' }));
      await repo.create(command('c2', 1, { status: 'DELIVERED' }));
      await repo.create(command('c3', 2, { status: 'SUCCEEDED' }));
      await repo.create(command('c4', 3, { status: 'SENT', name: 'dim' }));
      expect((await repo.latest(A, 'd1', 'setpoint', ['SENT', 'DELIVERED']))?.id).toBe('c2');
      expect((await repo.latest(A, 'd1', 'setpoint', ['SENT']))?.id).toBe('c1');
      expect(await repo.latest(A, 'd1', 'setpoint', ['QUEUED'])).toBeUndefined();
      expect(await repo.latest(A, 'd1', 'setpoint', [])).toBeUndefined();
      expect(await repo.latest(B, 'd1', 'setpoint', ['SENT'])).toBeUndefined();
    });

    it('expires open commands that are due, at most limit, and never a final one', async () => {
      await repo.create(command('due1', 0, { expiresAt: at(10) }));
      await repo.create(command('due2', 0, { expiresAt: at(20), status: 'SENT' }));
      await repo.create(command('due3', 0, { expiresAt: at(30), tenant: B, status: 'DELIVERED' }));
      await repo.create(command('later', 0, { expiresAt: at(100) }));
      await repo.create(command('done', 0, { expiresAt: at(10), status: 'SUCCEEDED' }));
      const first = await repo.expire(at(50), 2);
      expect(first.map((c) => c.id)).toEqual(['due1', 'due2']);
      expect(first[0]).toMatchObject({ status: 'EXPIRED', updatedAt: at(50) });
      expect(first[0]?.history.at(-1)).toEqual({ status: 'EXPIRED', at: at(50) });
      expect((await repo.expire(at(50), 10)).map((c) => c.id)).toEqual(['due3']);
      expect(await repo.expire(at(50), 10)).toEqual([]);
      expect((await repo.get(A, 'done'))?.status).toBe('SUCCEEDED');
      expect((await repo.get(A, 'later'))?.status).toBe('QUEUED');
      expect(await repo.queued(A, 'd1', at(50), 10)).toHaveLength(1);
      expect(await repo.transition(A, 'due1', { from: ['QUEUED'], to: 'SENT', at: at(60) })).toBeUndefined();
    });

    it('lists the devices that have a queue, in pages', async () => {
      await repo.create(command('a1', 0, { deviceId: 'd1' }));
      await repo.create(command('a2', 0, { deviceId: 'd1' }));
      await repo.create(command('a3', 0, { deviceId: 'd2' }));
      await repo.create(command('a4', 0, { deviceId: 'd3', status: 'SENT' }));
      await repo.create(command('b1', 0, { deviceId: 'd1', tenant: B }));
      await repo.create(command('e1', 0, { deviceId: 'd0', tenant: '' }));
      const all = await repo.queuedDevices(10);
      expect(all).toEqual([
        { tenant: '', deviceId: 'd0' },
        { tenant: A, deviceId: 'd1' },
        { tenant: A, deviceId: 'd2' },
        { tenant: B, deviceId: 'd1' },
      ]);
      const first = await repo.queuedDevices(2);
      expect(first).toEqual(all.slice(0, 2));
      expect(await repo.queuedDevices(10, first[1])).toEqual(all.slice(2));
    });
  });
}
