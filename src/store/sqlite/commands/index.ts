/**
 * The command repository of the SQLite store (src/store/commands-port.ts, migration 0008), over the
 * store's one connection. Each status change runs read-check-write inside one IMMEDIATE transaction,
 * so a compare-and-set cannot interleave with another writer (another replica on the same file
 * included). Like the device repository, every call runs to the end before its promise resolves.
 */
import type Database from 'better-sqlite3';
import { NgsiError, alreadyExists } from '../../../core/errors.js';
import {
  COMMAND_STATUSES,
  FINAL_STATUSES,
  type CommandChange,
  type CommandRecord,
  type CommandRepository,
  type CommandStatus,
  type CommandTransition,
} from '../../commands-port.js';
import { withPresent } from '../governance/present.js';

interface CommandRow {
  seq: number;
  id: string;
  tenant: string;
  device_id: string;
  name: string;
  value: string;
  status: string;
  created_at: string;
  updated_at: string;
  expires_iso: string;
  history: string;
  info: string | null;
  result: string | null;
  created_by: string | null;
}

const COLUMNS =
  'seq, id, tenant, device_id, name, value, status, created_at, updated_at, expires_iso, history, info, result, created_by';

/**
 * The expiry sweep's query, exported for the query-plan test. `open = 1` is spelled as in the partial
 * index's WHERE clause: SQLite uses a partial index only when the query implies its condition.
 */
export const DUE_SQL = `SELECT ${COLUMNS} FROM commands WHERE open = 1 AND expires_at <= ? ORDER BY expires_at, seq LIMIT ?`;
/** A device's queue in creation order (index commands_device: equality on status, ordered by seq). */
export const QUEUED_SQL = `SELECT ${COLUMNS} FROM commands
  WHERE tenant = ? AND device_id = ? AND status = 'QUEUED' AND expires_at > ? ORDER BY seq LIMIT ?`;

/** Devices with a queue, in pages (partial index commands_queued: only QUEUED rows are read). */
export const QUEUED_DEVICES_SQL = `SELECT DISTINCT tenant, device_id FROM commands WHERE status = 'QUEUED'
  AND (tenant > ? OR (tenant = ? AND device_id > ?)) ORDER BY tenant, device_id LIMIT ?`;

const isFinal = (s: CommandStatus): boolean => FINAL_STATUSES.includes(s);

function toRecord(r: CommandRow): CommandRecord {
  return withPresent<CommandRecord>(
    {
      id: r.id,
      tenant: r.tenant,
      deviceId: r.device_id,
      name: r.name,
      value: JSON.parse(r.value) as unknown,
      status: r.status as CommandStatus,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      expiresAt: r.expires_iso,
      history: JSON.parse(r.history) as CommandTransition[],
    },
    {
      info: r.info,
      result: r.result === null ? null : (JSON.parse(r.result) as unknown),
      createdBy: r.created_by,
    },
  );
}

function millis(name: string, iso: string): number {
  const ms = typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new NgsiError('BadRequestData', `${name} must be an ISO 8601 instant, not ${JSON.stringify(iso)}`);
  return ms;
}

function status(name: string, s: string): CommandStatus {
  if (!(COMMAND_STATUSES as readonly string[]).includes(s))
    throw new NgsiError('BadRequestData', `${name} must be one of ${COMMAND_STATUSES.join(', ')}, not ${s}`);
  return s as CommandStatus;
}

function bound(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new NgsiError('BadRequestData', `${name} must be a non-negative integer, not ${String(n)}`);
  return n;
}

/** JSON text of a value; undefined is not JSON (a command always has a value). */
function json(name: string, v: unknown): string {
  const text = JSON.stringify(v);
  if (text === undefined) throw new NgsiError('BadRequestData', `${name} must be a JSON value`);
  return text;
}

/** The command repository over `db`. */
export function sqliteCommands(db: Database.Database): CommandRepository {
  const s = {
    insert: db.prepare(
      `INSERT INTO commands (id, tenant, device_id, name, value, status, open, created_at, updated_at,
         expires_at, expires_iso, history, info, result, created_by)
       VALUES (@id, @tenant, @device_id, @name, @value, @status, @open, @created_at, @updated_at,
         @expires_at, @expires_iso, @history, @info, @result, @created_by)
       ON CONFLICT (id) DO NOTHING`,
    ),
    get: db.prepare<[string, string], CommandRow>(
      `SELECT ${COLUMNS} FROM commands WHERE id = ? AND tenant = ?`,
    ),
    page: db.prepare<[string, string, number, number], CommandRow>(
      `SELECT ${COLUMNS} FROM commands WHERE tenant = ? AND device_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?`,
    ),
    count: db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM commands WHERE tenant = ? AND device_id = ?',
    ),
    pageOf: db.prepare<[string, string, string, number, number], CommandRow>(
      `SELECT ${COLUMNS} FROM commands WHERE tenant = ? AND device_id = ? AND status = ?
       ORDER BY seq DESC LIMIT ? OFFSET ?`,
    ),
    countOf: db.prepare<[string, string, string], { n: number }>(
      'SELECT count(*) AS n FROM commands WHERE tenant = ? AND device_id = ? AND status = ?',
    ),
    queued: db.prepare<[string, string, number, number], CommandRow>(QUEUED_SQL),
    queuedDevices: db.prepare<[string, string, string, number], { tenant: string; device_id: string }>(
      QUEUED_DEVICES_SQL,
    ),
    update: db.prepare(
      `UPDATE commands SET status = @status, open = @open, updated_at = @updated_at, history = @history,
         info = coalesce(@info, info), result = coalesce(@result, result) WHERE seq = @seq`,
    ),
    note: db.prepare<[string, string, string, string]>(
      'UPDATE commands SET info = ?, updated_at = ? WHERE id = ? AND tenant = ? AND open = 1',
    ),
    due: db.prepare<[number, number], CommandRow>(DUE_SQL),
    latest: db.prepare<[string, string, string, string], CommandRow>(
      `SELECT ${COLUMNS} FROM commands WHERE tenant = ? AND device_id = ? AND name = ?
         AND status IN (SELECT value FROM json_each(?)) ORDER BY seq DESC LIMIT 1`,
    ),
  };

  /** Apply a change to a row already read (inside a transaction); the updated record. */
  const apply = (row: CommandRow, change: CommandChange): CommandRecord => {
    const history = [
      ...(JSON.parse(row.history) as CommandTransition[]),
      { status: change.to, at: change.at },
    ];
    const result = change.result === undefined ? null : json('result', change.result);
    s.update.run({
      seq: row.seq,
      status: change.to,
      open: isFinal(change.to) ? 0 : 1,
      updated_at: change.at,
      history: JSON.stringify(history),
      info: change.info ?? null,
      result,
    });
    return toRecord({
      ...row,
      status: change.to,
      updated_at: change.at,
      history: JSON.stringify(history),
      info: change.info ?? row.info,
      result: result ?? row.result,
    });
  };

  const transition = db.transaction((tenant: string, id: string, change: CommandChange) => {
    const row = s.get.get(id, tenant);
    if (row === undefined || !change.from.includes(row.status as CommandStatus)) return undefined;
    return apply(row, change);
  });
  const sweep = db.transaction((now: number, at: string, limit: number) =>
    s.due.all(now, limit).map((row) => apply(row, { from: [], to: 'EXPIRED', at })),
  );

  return {
    create: async (c) => {
      const st = status('status', c.status);
      const result = s.insert.run({
        id: c.id,
        tenant: c.tenant,
        device_id: c.deviceId,
        name: c.name,
        value: json('value', c.value),
        status: st,
        open: isFinal(st) ? 0 : 1,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
        expires_at: millis('expiresAt', c.expiresAt),
        expires_iso: c.expiresAt,
        history: JSON.stringify(c.history),
        info: c.info ?? null,
        result: c.result === undefined ? null : json('result', c.result),
        created_by: c.createdBy ?? null,
      });
      if (result.changes === 0) throw alreadyExists(`command ${c.id} already exists`);
    },
    get: async (tenant, id) => {
      const row = s.get.get(id, tenant);
      return row && toRecord(row);
    },
    list: async (tenant, deviceId, o) => {
      const limit = bound('limit', o.limit);
      const offset = bound('offset', o.offset);
      if (o.status === undefined)
        return {
          items: s.page.all(tenant, deviceId, limit, offset).map(toRecord),
          count: s.count.get(tenant, deviceId)?.n ?? 0,
        };
      const st = status('status', o.status);
      return {
        items: s.pageOf.all(tenant, deviceId, st, limit, offset).map(toRecord),
        count: s.countOf.get(tenant, deviceId, st)?.n ?? 0,
      };
    },
    queued: async (tenant, deviceId, now, limit) =>
      s.queued.all(tenant, deviceId, millis('now', now), bound('limit', limit)).map(toRecord),
    queuedDevices: async (limit, after) =>
      s.queuedDevices
        .all(after?.tenant ?? '', after?.tenant ?? '', after?.deviceId ?? '', bound('limit', limit))
        // Device ids are never empty, so ('', '') comes before every device of every tenant.
        .map((r) => ({ tenant: r.tenant, deviceId: r.device_id })),
    latest: async (tenant, deviceId, name, statuses) => {
      if (statuses.length === 0) return undefined;
      statuses.forEach((st) => status('statuses', st));
      const row = s.latest.get(tenant, deviceId, name, JSON.stringify(statuses));
      return row && toRecord(row);
    },
    transition: async (tenant, id, change) => {
      status('to', change.to);
      millis('at', change.at);
      return transition.immediate(tenant, id, change);
    },
    note: async (tenant, id, info, at) => {
      millis('at', at);
      return s.note.run(info, at, id, tenant).changes > 0;
    },
    expire: async (now, limit) => sweep.immediate(millis('now', now), now, bound('limit', limit)),
  };
}
