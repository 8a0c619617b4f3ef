/**
 * The command repository of the PostgreSQL store (src/store/commands-port.ts, migration 0001) over
 * the pool. Every status change is one UPDATE whose WHERE names the statuses it may leave, appending
 * to the jsonb history in the same statement: a compare-and-set that PostgreSQL's row lock makes
 * atomic across replicas, with no read-then-write round trip. The expiry sweep takes due commands
 * `FOR UPDATE SKIP LOCKED` through the partial index on `expires_at WHERE open`, so sweepers on
 * several replicas each expire (and report) a different set, and a sweep reads only due commands.
 */
import type pg from 'pg';
import { NgsiError, alreadyExists } from '../../core/errors.js';
import {
  COMMAND_STATUSES,
  type CommandRecord,
  type CommandRepository,
  type CommandStatus,
  type CommandTransition,
} from '../commands-port.js';
import { rows, run } from './sql.js';
import { bound, instant, json, withPresent } from './values.js';

interface CommandRow {
  id: string;
  tenant: string;
  device_id: string;
  name: string;
  value: unknown;
  status: string;
  created_at: string;
  updated_at: string;
  expires_iso: string;
  history: CommandTransition[];
  info: string | null;
  result: unknown;
  created_by: string | null;
}

const COLUMNS =
  'id, tenant, device_id, name, value, status, created_at, updated_at, expires_iso, history, info, result, created_by';
/** The same columns of the row an UPDATE … RETURNING names `c`. */
const C_COLUMNS = COLUMNS.split(', ')
  .map((c) => `c.${c}`)
  .join(', ');

/**
 * The expiry sweep, exported for a query-plan test: $1 now (timestamptz), $2 limit, $3 the instant
 * written into the history (the caller's spelling).
 */
export const EXPIRE_SQL = `WITH due AS (
    SELECT seq FROM commands WHERE open AND expires_at <= $1::timestamptz
    ORDER BY expires_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED
  ), expired AS (
    UPDATE commands c SET status = 'EXPIRED', updated_at = $3::text,
      history = c.history || jsonb_build_array(jsonb_build_object('status', 'EXPIRED', 'at', $3::text))
    FROM due WHERE c.seq = due.seq
    RETURNING c.seq, c.expires_at, ${C_COLUMNS}
  )
  SELECT ${COLUMNS} FROM expired ORDER BY expires_at, seq`;

/** A device's queue in creation order (index commands_device: equality on status, ordered by seq). */
export const QUEUED_SQL = `SELECT ${COLUMNS} FROM commands
  WHERE tenant = $1 AND device_id = $2 AND status = 'QUEUED' AND expires_at > $3::timestamptz
  ORDER BY seq LIMIT $4`;

/** Devices with a queue, in pages (partial index commands_queued: only QUEUED rows are read). */
export const QUEUED_DEVICES_SQL = `SELECT DISTINCT tenant, device_id FROM commands
  WHERE status = 'QUEUED' AND (tenant, device_id) > ($1::text, $2::text)
  ORDER BY tenant, device_id LIMIT $3`;

/** A compare-and-set: $1 tenant, $2 id, $3 allowed statuses, $4 new status, $5 at, $6 info, $7 result. */
const TRANSITION_SQL = `UPDATE commands c SET status = $4::text, updated_at = $5::text,
    history = c.history || jsonb_build_array(jsonb_build_object('status', $4::text, 'at', $5::text)),
    info = coalesce($6::text, c.info), result = coalesce($7::json, c.result)
  WHERE c.tenant = $1 AND c.id = $2 AND c.status = ANY($3::text[])
  RETURNING ${C_COLUMNS}`;

function toRecord(r: CommandRow): CommandRecord {
  return withPresent<CommandRecord>(
    {
      id: r.id,
      tenant: r.tenant,
      deviceId: r.device_id,
      name: r.name,
      value: r.value,
      status: r.status as CommandStatus,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      expiresAt: r.expires_iso,
      history: r.history,
    },
    { info: r.info, result: r.result, createdBy: r.created_by },
  );
}

function status(name: string, s: string): CommandStatus {
  if (!(COMMAND_STATUSES as readonly string[]).includes(s))
    throw new NgsiError('BadRequestData', `${name} must be one of ${COMMAND_STATUSES.join(', ')}, not ${s}`);
  return s as CommandStatus;
}

/** The command repository over `pool`. */
export function postgresCommands(pool: pg.Pool): CommandRepository {
  return {
    create: async (c) => {
      const st = status('status', c.status);
      const inserted = await run(
        pool,
        `INSERT INTO commands (id, tenant, device_id, name, value, status, created_at, updated_at,
           expires_at, expires_iso, history, info, result, created_by)
         VALUES ($1, $2, $3, $4, $5::json, $6, $7, $8, $9::timestamptz, $10, $11::jsonb, $12, $13::json, $14)
         ON CONFLICT (id) DO NOTHING`,
        [
          c.id,
          c.tenant,
          c.deviceId,
          c.name,
          json('value', c.value),
          st,
          c.createdAt,
          c.updatedAt,
          instant('expiresAt', c.expiresAt),
          c.expiresAt,
          json('history', c.history),
          c.info ?? null,
          c.result === undefined ? null : json('result', c.result),
          c.createdBy ?? null,
        ],
      );
      if ((inserted.rowCount ?? 0) === 0) throw alreadyExists(`command ${c.id} already exists`);
    },
    get: async (tenant, id) => {
      const [r] = await rows<CommandRow>(
        pool,
        `SELECT ${COLUMNS} FROM commands WHERE id = $1 AND tenant = $2`,
        [id, tenant],
      );
      return r && toRecord(r);
    },
    list: async (tenant, deviceId, o) => {
      const limit = bound('limit', o.limit);
      const offset = bound('offset', o.offset);
      const st = o.status === undefined ? null : status('status', o.status);
      // `$3 IS NULL OR status = $3` would hide the status from the planner: two spellings instead.
      const filter =
        st === null ? 'tenant = $1 AND device_id = $2' : 'tenant = $1 AND device_id = $2 AND status = $3';
      const scope = st === null ? [tenant, deviceId] : [tenant, deviceId, st];
      const n = scope.length;
      const page = await rows<CommandRow & { total: number }>(
        pool,
        `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM commands WHERE ${filter}
         ORDER BY seq DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...scope, limit, offset],
      );
      const count =
        page[0]?.total ??
        (await rows<{ n: number }>(pool, `SELECT count(*)::int AS n FROM commands WHERE ${filter}`, scope))[0]
          ?.n ??
        0;
      return { items: page.map(toRecord), count };
    },
    queued: async (tenant, deviceId, now, limit) =>
      (
        await rows<CommandRow>(pool, QUEUED_SQL, [
          tenant,
          deviceId,
          instant('now', now),
          bound('limit', limit),
        ])
      ).map(toRecord),
    queuedDevices: async (limit, after) =>
      (
        await rows<{ tenant: string; device_id: string }>(pool, QUEUED_DEVICES_SQL, [
          // Device ids are never empty, so ('', '') comes before every device of every tenant.
          after?.tenant ?? '',
          after?.deviceId ?? '',
          bound('limit', limit),
        ])
      ).map((r) => ({ tenant: r.tenant, deviceId: r.device_id })),
    latest: async (tenant, deviceId, name, statuses) => {
      if (statuses.length === 0) return undefined;
      statuses.forEach((st) => status('statuses', st));
      const [r] = await rows<CommandRow>(
        pool,
        `SELECT ${COLUMNS} FROM commands WHERE tenant = $1 AND device_id = $2 AND name = $3
           AND status = ANY($4::text[]) ORDER BY seq DESC LIMIT 1`,
        [tenant, deviceId, name, [...statuses]],
      );
      return r && toRecord(r);
    },
    transition: async (tenant, id, change) => {
      status('to', change.to);
      instant('at', change.at);
      change.from.forEach((st) => status('from', st));
      const [r] = await rows<CommandRow>(pool, TRANSITION_SQL, [
        tenant,
        id,
        [...change.from],
        change.to,
        change.at,
        change.info ?? null,
        change.result === undefined ? null : json('result', change.result),
      ]);
      return r && toRecord(r);
    },
    note: async (tenant, id, info, at) => {
      instant('at', at);
      const r = await run(
        pool,
        'UPDATE commands SET info = $1, updated_at = $2 WHERE id = $3 AND tenant = $4 AND open',
        [info, at, id, tenant],
      );
      return (r.rowCount ?? 0) > 0;
    },
    expire: async (now, limit) => {
      const due = instant('now', now);
      const l = bound('limit', limit);
      if (l === 0) return [];
      return (await rows<CommandRow>(pool, EXPIRE_SQL, [due, l, now])).map(toRecord);
    },
  };
}
