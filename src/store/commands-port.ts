/**
 * The command part of the Store port (issue #5): commands to actuators with their delivery status.
 * A command is persisted QUEUED before anything is sent, and every status change is a compare-and-set
 * (`transition`), so that a device's result, a delivery report and the expiry sweep racing each other
 * leave one consistent history. What a command means (safety rules, channels) lives in
 * src/devices/commands; the store keeps records and answers the few indexed questions the service asks.
 */

/** A command's life: QUEUED → SENT → DELIVERED → SUCCEEDED | FAILED, or EXPIRED when its TTL passes first. */
export const COMMAND_STATUSES = ['QUEUED', 'SENT', 'DELIVERED', 'SUCCEEDED', 'FAILED', 'EXPIRED'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];
/** Statuses after which nothing changes any more. */
export const FINAL_STATUSES: readonly CommandStatus[] = ['SUCCEEDED', 'FAILED', 'EXPIRED'];

/** One status change and when it happened. */
export interface CommandTransition {
  status: CommandStatus;
  at: string;
}

export interface CommandRecord {
  /** `cmd_…`, unique across tenants. */
  id: string;
  tenant: string;
  deviceId: string;
  /** The command's name in the device's profile (`setpoint`, `signalPlan`). */
  name: string;
  /** Its (validated) value, any JSON. */
  value: unknown;
  status: CommandStatus;
  /** ISO instants: created, last changed, and after which it must not be executed. */
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  /** Every status, the first included, in order. */
  history: CommandTransition[];
  /** Why it waits or failed, in words (no channel for the transport, refused by the device…). */
  info?: string;
  /** The device's result payload (bounded by the service). */
  result?: unknown;
  /** Who created it (principal id), for the record. */
  createdBy?: string;
}

/** A compare-and-set status change: applied only while the command's status is one of `from`. */
export interface CommandChange {
  from: readonly CommandStatus[];
  to: CommandStatus;
  at: string;
  /** Replaces info when given. */
  info?: string;
  /** Replaces the result when given. */
  result?: unknown;
}

export interface CommandRepository {
  /** Store a new command (any status; usually QUEUED). AlreadyExists when its id is taken. */
  create(command: CommandRecord): Promise<void>;
  /** The command of this tenant with this id. */
  get(tenant: string, id: string): Promise<CommandRecord | undefined>;
  /** A page of a device's commands, newest first, optionally of one status, and the total. */
  list(
    tenant: string,
    deviceId: string,
    options: { status?: CommandStatus; limit: number; offset: number },
  ): Promise<{ items: CommandRecord[]; count: number }>;
  /** The device's QUEUED commands that expire after `now` (ISO), in creation order, at most `limit`. */
  queued(tenant: string, deviceId: string, now: string, limit: number): Promise<CommandRecord[]>;
  /** Devices that have QUEUED commands (to resume after a restart), at most `limit`, after `after`. */
  queuedDevices(
    limit: number,
    after?: { tenant: string; deviceId: string },
  ): Promise<Array<{ tenant: string; deviceId: string }>>;
  /** The device's most recently created command of this name whose status is one of `statuses`. */
  latest(
    tenant: string,
    deviceId: string,
    name: string,
    statuses: readonly CommandStatus[],
  ): Promise<CommandRecord | undefined>;
  /**
   * Apply a change atomically when the current status is one of `change.from`: status, updatedAt,
   * one more history entry, info / result when given. The updated command, or undefined when there is
   * no such command or its status was not one of `from` (nothing is written then).
   */
  transition(tenant: string, id: string, change: CommandChange): Promise<CommandRecord | undefined>;
  /** Set info (and updatedAt) of a command that is not final; false when none or final. */
  note(tenant: string, id: string, info: string, at: string): Promise<boolean>;
  /**
   * Commands not final whose expiresAt ≤ now: make them EXPIRED (history and updatedAt at `now`) and
   * return them, at most `limit` — one indexed range scan, however many commands wait (no timer each).
   */
  expire(now: string, limit: number): Promise<CommandRecord[]>;
}
