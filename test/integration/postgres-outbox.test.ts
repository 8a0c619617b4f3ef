/**
 * Integration (issue #6): PostgreSQL subscriptions and outbox against the machine's PostgreSQL.
 * (The outbox conformance suite runs on the whole store in postgres-conformance.test.ts.) What
 * several replicas need: one subscription's oids commit in increasing order
 * (a reader paging by `afterOid` skips an entry without the order lock, and misses nothing with
 * it), writers of overlapping subscriptions do not deadlock, burying entries twice counts them once,
 * deleting a subscription takes the entries a writer was committing; and the subscription
 * repository's own contract (statistics kept on replace, pages with their total, bad input → 400).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../../src/core/errors.js';
import { entity } from '../../src/store/conformance/fixtures.js';
import { subscription } from '../../src/store/conformance/outbox.js';
import type { Change, Notice } from '../../src/store/port.js';
import type { AppliedChange } from '../../src/store/postgres/change-sink.js';
import { PgOutbox } from '../../src/store/postgres/outbox.js';
import { INSERT_ENTRIES_SQL } from '../../src/store/postgres/outbox/entries.js';
import { DEAD_LETTERS_SQL, PENDING_SQL, TAKE_SQL } from '../../src/store/postgres/outbox/repository.js';
import { createPostgresPool } from '../../src/store/postgres/pool.js';
import { transaction, type Sql } from '../../src/store/postgres/sql.js';
import { PgSubscriptions } from '../../src/store/postgres/subscriptions.js';
import { freshDatabase } from './postgres-database.js';

const URL_OF_RUN = freshDatabase('urbis_it_outbox');

const poolOf = (applicationName: string, max = 4): pg.Pool =>
  createPostgresPool({ url: URL_OF_RUN, max, applicationName });

/** A change creating entity `id` of tenant `tenant`. */
const created = (tenant: string, id: string): AppliedChange => ({
  tenant,
  id,
  after: entity(id, 'T'),
  at: new Date().toISOString(),
});

/** A reactor sending every change to each of `subs`. */
const toSubs =
  (subs: string[]) =>
  (change: Change): Notice[] =>
    subs.map((subscriptionId) => ({
      subscriptionId,
      entityId: change.id,
      payload: { trigger: 'entityCreated', entity: change.after!, at: change.at },
    }));

/** Resolves when `f` is true (polled), or fails after `ms`. */
async function until(f: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sessions of `applicationName` waiting for an advisory lock. */
async function waitingOnAdvisory(db: pg.Pool, applicationName: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE application_name = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
    [applicationName],
  );
  return rows[0]!.n;
}

/** A promise and the function that resolves it. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/**
 * A transaction on `pool` that runs `f`, then stays open (holding its locks, its rows uncommitted)
 * until `commit` is called: a writer slowed down between its insert and its commit.
 */
async function heldOpen(
  pool: pg.Pool,
  f: (db: Sql) => Promise<unknown>,
): Promise<{ commit: () => Promise<void> }> {
  const written = gate();
  const release = gate();
  const done = transaction(pool, async (db) => {
    await f(db);
    written.open();
    await release.opened;
  });
  await Promise.race([written.opened, done]);
  return {
    commit: () => {
      release.open();
      return done;
    },
  };
}

/** Run `f` with fresh pools named after `names`, then end them. */
async function withPools<T>(names: string[], f: (...pools: pg.Pool[]) => Promise<T>): Promise<T> {
  const pools = names.map((n) => poolOf(n));
  try {
    return await f(...pools);
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
}

describe('postgres outbox across replicas: one subscription commits its oids in order', () => {
  it('control: entries inserted without the order lock can commit out of oid order, and a paging reader skips one', async () => {
    await withPools(['it-ctl-a', 'it-ctl-b', 'it-ctl-r'], async (a, b, r) => {
      const reader = new PgOutbox(r).repository;
      const cols = (entityId: string) => [['urn:t:ctl'], ['urn:sub:ctl'], [entityId], ['{}']];
      const slow = await a.connect();
      const fast = await b.connect();
      try {
        await slow.query('BEGIN');
        await slow.query(INSERT_ENTRIES_SQL, cols('urn:slow')); // takes the lower oid, commits later
        await fast.query('BEGIN');
        await fast.query(INSERT_ENTRIES_SQL, cols('urn:fast'));
        await fast.query('COMMIT');

        // The dispatcher's way: page after its cursor.
        const seen = await reader.take('urn:t:ctl', 'urn:sub:ctl', 0, 100);
        expect(seen.map((e) => e.entityId)).toEqual(['urn:fast']);
        const cursor = seen[0]!.oid;
        await slow.query('COMMIT');
        expect(await reader.take('urn:t:ctl', 'urn:sub:ctl', cursor, 100)).toEqual([]);

        // The slow entry is there, below the cursor: skipped for good.
        const all = await reader.take('urn:t:ctl', 'urn:sub:ctl', 0, 100);
        expect(all.map((e) => e.entityId)).toEqual(['urn:slow', 'urn:fast']);
        expect(all[0]!.oid).toBeLessThan(cursor);
      } finally {
        slow.release();
        fast.release();
      }
    });
  });

  it('with record: a second writer of the subscription waits for the first to commit, and takes a higher oid', async () => {
    await withPools(['it-ord-a', 'it-ord-b', 'it-ord-r'], async (a, b, r) => {
      const outA = new PgOutbox(a);
      const outB = new PgOutbox(b);
      outA.reactor = outB.reactor = toSubs(['urn:sub:ord']);
      const reader = new PgOutbox(r).repository;
      // Writer A is slowed down between its insert and its commit.
      const slow = await heldOpen(a, (db) => outA.record(db, [created('urn:t:ord', 'urn:slow')]));
      try {
        let fastDone = false;
        const fast = transaction(b, (db) => outB.record(db, [created('urn:t:ord', 'urn:fast')])).then(() => {
          fastDone = true;
        });
        await until(async () => (await waitingOnAdvisory(r, 'it-ord-b')) === 1);
        expect(fastDone).toBe(false);
        expect(await reader.take('urn:t:ord', 'urn:sub:ord', 0, 100)).toEqual([]);
        await slow.commit();
        await fast;
      } finally {
        await slow.commit();
      }
      const all = await reader.take('urn:t:ord', 'urn:sub:ord', 0, 100);
      expect(all.map((e) => e.entityId)).toEqual(['urn:slow', 'urn:fast']);
      expect(all[1]!.oid).toBeGreaterThan(all[0]!.oid);
    });
  });

  it('does not make writers of other subscriptions wait', async () => {
    await withPools(['it-ind-a', 'it-ind-b'], async (a, b) => {
      const outA = new PgOutbox(a);
      const outB = new PgOutbox(b);
      outA.reactor = toSubs(['urn:sub:ind1']);
      outB.reactor = toSubs(['urn:sub:ind2']);
      const slow = await heldOpen(a, (db) => outA.record(db, [created('urn:t:ind', 'urn:x')]));
      try {
        // B commits while A still holds its subscription's lock.
        await transaction(b, (db) => outB.record(db, [created('urn:t:ind', 'urn:y')]));
        expect(await outB.repository.take('urn:t:ind', 'urn:sub:ind2', 0, 10)).toHaveLength(1);
      } finally {
        await slow.commit();
      }
    });
  });

  it('many writers on two pools over overlapping subscriptions: no deadlock, and readers paging by afterOid miss nothing', async () => {
    await withPools(['it-many-a', 'it-many-b', 'it-many-r'], async (a, b, r) => {
      const tenant = 'urn:t:many';
      const subs = ['urn:sub:m1', 'urn:sub:m2', 'urn:sub:m3'];
      const reader = new PgOutbox(r).repository;
      let rng = 42;
      const random = (): number => {
        rng = (rng * 48271) % 2147483647; // MINSTD: a fixed sequence, so a failure replays
        return rng / 2147483647;
      };
      // Each writer names the subscriptions in its own order, and dawdles before committing.
      const writers = Array.from({ length: 40 }, (_, n) => {
        const order = [...subs].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 3));
        const pause = Math.floor(random() * 15);
        const outbox = new PgOutbox(n % 2 === 0 ? a : b);
        outbox.reactor = toSubs(order);
        return { outbox, pause, id: `urn:e:${n}` };
      });
      let writing = true;
      const seen = new Map(subs.map((s) => [s, [] as number[]]));
      const readers = subs.map(async (s) => {
        let cursor = 0;
        const page = async (): Promise<void> => {
          const entries = await reader.take(tenant, s, cursor, 7);
          for (const e of entries) seen.get(s)!.push(e.oid);
          if (entries.length > 0) cursor = entries.at(-1)!.oid;
        };
        while (writing) await page();
        // Drain what the last commits left.
        for (let before = -1; before !== seen.get(s)!.length;) {
          before = seen.get(s)!.length;
          await page();
        }
      });
      await Promise.all(
        writers.map((w, n) =>
          transaction(n % 2 === 0 ? a : b, async (db) => {
            const after = await w.outbox.record(db, [created(tenant, w.id)]);
            await new Promise((done) => setTimeout(done, w.pause));
            return after;
          }),
        ),
      );
      writing = false;
      await Promise.all(readers);

      for (const s of subs) {
        const { rows } = await r.query<{ oid: string }>(
          'SELECT oid FROM outbox WHERE tenant = $1 AND sub = $2 ORDER BY oid',
          [tenant, s],
        );
        const committed = rows.map((row) => Number(row.oid));
        expect(committed.length).toBeGreaterThan(0);
        expect(seen.get(s)).toEqual(committed);
      }
    });
  });
});

describe('postgres outbox: outcomes and deletes with several replicas', () => {
  it('burying the same entries from two replicas at once counts them once', async () => {
    await withPools(['it-dead-a', 'it-dead-b'], async (a, b) => {
      const subsA = new PgSubscriptions(a).repository;
      await subsA.put('urn:t:dead', subscription('urn:sub:d'));
      const outA = new PgOutbox(a);
      const outB = new PgOutbox(b);
      outA.reactor = toSubs(['urn:sub:d']);
      await transaction(a, (db) =>
        outA.record(db, [created('urn:t:dead', 'urn:1'), created('urn:t:dead', 'urn:2')]),
      );
      const oids = (await outA.repository.take('urn:t:dead', 'urn:sub:d', 0, 10)).map((e) => e.oid);
      await Promise.all(
        Array.from({ length: 6 }, (_, n) =>
          (n % 2 === 0 ? outA : outB).repository.dead('urn:t:dead', 'urn:sub:d', oids, 'HTTP 410', 'now'),
        ),
      );
      expect((await subsA.get('urn:t:dead', 'urn:sub:d'))!.status.deadLetters).toBe(2);
      expect(await outA.repository.deadLetters('urn:t:dead', 'urn:sub:d', 10)).toHaveLength(2);
    });
  });

  it('deleting a subscription waits for a writer committing its entries, and deletes them too', async () => {
    await withPools(['it-del-a', 'it-del-b'], async (a, b) => {
      const subsB = new PgSubscriptions(b).repository;
      await subsB.put('urn:t:del', subscription('urn:sub:del'));
      const outA = new PgOutbox(a);
      outA.reactor = toSubs(['urn:sub:del']);
      const writer = await heldOpen(a, (db) => outA.record(db, [created('urn:t:del', 'urn:late')]));
      let deleting: Promise<boolean>;
      try {
        deleting = subsB.delete('urn:t:del', 'urn:sub:del');
        await until(async () => (await waitingOnAdvisory(a, 'it-del-b')) === 1);
      } finally {
        await writer.commit();
      }
      expect(await deleting).toBe(true);
      const { rows } = await a.query("SELECT count(*)::int AS n FROM outbox WHERE tenant = 'urn:t:del'");
      expect(rows[0].n).toBe(0);
      expect(await subsB.delete('urn:t:del', 'urn:sub:del')).toBe(false);
    });
  });

  it('tells the listener only through the function record returns (run after the commit)', async () => {
    await withPools(['it-tell'], async (a) => {
      const outbox = new PgOutbox(a);
      const heard: unknown[] = [];
      outbox.listener = (w) => heard.push(w);
      outbox.reactor = toSubs(['urn:sub:tell']);
      const after = await transaction(a, (db) => outbox.record(db, [created('urn:t:tell', 'urn:a')]));
      expect(heard).toEqual([]);
      after!();
      expect(heard).toEqual([[{ tenant: 'urn:t:tell', subscriptionId: 'urn:sub:tell' }]]);
      // A listener that throws does not fail the writer.
      outbox.listener = () => {
        throw new Error('listener broke');
      };
      const again = await transaction(a, (db) => outbox.record(db, [created('urn:t:tell', 'urn:b')]));
      expect(() => again!()).not.toThrow();
    });
  });

  it('reads through the partial indexes: pages, dead letters and the loose scan of pending()', async () => {
    await withPools(['it-plan'], async (a) => {
      const client = await a.connect();
      try {
        // Tables this small would be scanned whole: forbid that, to see that the index can serve.
        await client.query('SET enable_seqscan = off');
        const plan = async (sql: string, params: unknown[] = []): Promise<string> =>
          JSON.stringify((await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)).rows);
        expect(await plan(TAKE_SQL, ['t', 's', 0, 10])).toContain('outbox_pending');
        expect(await plan(DEAD_LETTERS_SQL, ['t', 's', 10])).toContain('outbox_dead');
        const pending = await plan(PENDING_SQL);
        expect(pending).toContain('outbox_pending');
        expect(pending).toContain('Recursive Union');
      } finally {
        client.release();
      }
    });
  });
});

describe('postgres subscriptions repository', () => {
  it('keeps the statistics when a subscription is replaced, and the document verbatim', async () => {
    await withPools(['it-subs'], async (a) => {
      const subs = new PgSubscriptions(a).repository;
      const outbox = new PgOutbox(a);
      await subs.put('urn:t:s', subscription('urn:sub:s', { description: 'first \u0000 zero' }));
      await outbox.repository.delivered('urn:t:s', 'urn:sub:s', [], '2026-03-01T00:00:00Z');
      await subs.put('urn:t:s', subscription('urn:sub:s', { description: 'second' }));
      const got = (await subs.get('urn:t:s', 'urn:sub:s'))!;
      expect(got.subscription).toEqual(subscription('urn:sub:s', { description: 'second' }));
      expect(got.status).toEqual({
        timesSent: 1,
        timesFailed: 0,
        deadLetters: 0,
        lastNotification: '2026-03-01T00:00:00Z',
        lastSuccess: '2026-03-01T00:00:00Z',
      });
      expect(Object.keys(got.subscription)).toEqual(
        Object.keys(subscription('urn:sub:s', { description: '' })),
      );
      expect(await subs.get('urn:t:s', 'urn:sub:none')).toBeUndefined();
      // A tenant written to exists.
      const { rows } = await a.query("SELECT name FROM tenants WHERE name = 'urn:t:s'");
      expect(rows).toHaveLength(1);
    });
  });

  it('lists a page ordered by id with the total, empty past the end; all() across tenants', async () => {
    await withPools(['it-list'], async (a) => {
      const subs = new PgSubscriptions(a).repository;
      for (const id of ['urn:sub:c', 'urn:sub:a', 'urn:sub:b'])
        await subs.put('urn:t:list', subscription(id));
      await subs.put('urn:t:list2', subscription('urn:sub:z'));
      const page = await subs.list('urn:t:list', 2, 1);
      expect(page.count).toBe(3);
      expect(page.items.map((i) => i.subscription.id)).toEqual(['urn:sub:b', 'urn:sub:c']);
      expect(await subs.list('urn:t:list', 10, 5)).toEqual({ items: [], count: 3 });
      expect(await subs.list('urn:t:nobody', 10, 0)).toEqual({ items: [], count: 0 });
      const all = (await subs.all()).filter((s) => s.tenant.startsWith('urn:t:list'));
      expect(all.map((s) => [s.tenant, s.subscription.id])).toEqual([
        ['urn:t:list', 'urn:sub:a'],
        ['urn:t:list', 'urn:sub:b'],
        ['urn:t:list', 'urn:sub:c'],
        ['urn:t:list2', 'urn:sub:z'],
      ]);
    });
  });

  it('answers bad input with BadRequestData, never a 5xx', async () => {
    await withPools(['it-bad'], async (a) => {
      const subs = new PgSubscriptions(a).repository;
      const outbox = new PgOutbox(a).repository;
      const bad = async (p: Promise<unknown>): Promise<void> => {
        const e = await p.then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e).toBeInstanceOf(NgsiError);
        expect((e as NgsiError).kind).toBe('BadRequestData');
      };
      await bad(subs.list('', -1, 0));
      await bad(subs.list('', 10, 0.5));
      await bad(subs.put('urn:t:\u0000', subscription('urn:sub:x')));
      await bad(outbox.take('', 'urn:sub:x', -1, 10));
      await bad(outbox.take('', 'urn:sub:x', 0, Number.NaN));
      await bad(outbox.take('urn:t:\u0000', 'urn:sub:x', 0, 10));
      await bad(outbox.delivered('', 'urn:sub:x', [1.5], 'now'));
      await bad(outbox.deadLetters('', 'urn:sub:x', -3));
      await bad(
        outbox.enqueue('urn:t:\u0000', [{ subscriptionId: 's', entityId: 'e', payload: {} as never }]),
      );
    });
  });

  it('keeps a delivery error holding NUL (as U+FFFD) rather than losing the outcome', async () => {
    await withPools(['it-nul'], async (a) => {
      const subs = new PgSubscriptions(a).repository;
      const outbox = new PgOutbox(a);
      await subs.put('urn:t:nul', subscription('urn:sub:n'));
      await outbox.repository.enqueue('urn:t:nul', [
        {
          subscriptionId: 'urn:sub:n',
          entityId: 'urn:a',
          payload: { trigger: 'entityUpdated', entity: entity('urn:a', 'T'), at: 'x' },
        },
      ]);
      const [e] = await outbox.repository.take('urn:t:nul', 'urn:sub:n', 0, 1);
      await outbox.repository.failed('urn:t:nul', 'urn:sub:n', [e!.oid], 'nid', 'bad\u0000byte', 'then');
      expect((await subs.get('urn:t:nul', 'urn:sub:n'))!.status.lastError).toBe('bad\uFFFDbyte');
    });
  });
});
