/**
 * Migration 0005: hourly rollups of numeric history, kept by triggers (a continuous aggregate).
 *
 * An hourly average over a month of minute data reads 43,200 index entries from the instances
 * (~5–10 ms on the reference machine before any HTTP); the same from `temporal_hourly` reads 720
 * rows. One row per (series, UTC hour of observedAt): how many instances (`n_all`), how many of
 * them numeric (`n`), and the sum, sum of squares, minimum and maximum of the numeric values. The
 * aggregator uses it when the question fits (observedAt, whole-hour periods on hour boundaries,
 * methods that compose from these sums) and reads the instances otherwise.
 *
 * Triggers keep it exact under every write path: an insert adds to its hour; a delete subtracts and,
 * when the value removed was the hour's minimum or maximum, recomputes that hour from its
 * instances (at most one hour's rows, through the (sid, observed_at) index); an update recomputes the
 * hours before and after. `hour` is floor(observed_at / 1 h), also for instants before 1970.
 */
const H = 3_600_000;
const hourOf = (t: string): string => `((${t} - ((${t} % ${H}) + ${H}) % ${H}) / ${H})`;
/** Insert hour `h` of series `sid` (SQL expressions) computed from its instances, unless its row exists. */
const refill = (sid: string, h: string): string => `
  INSERT INTO temporal_hourly (sid, hour, n_all, n, s, ss, mn, mx)
    SELECT ${sid}, ${h}, count(*), count(num), sum(num), sum(num * num), min(num), max(num)
    FROM temporal_instances WHERE sid = ${sid} AND observed_at >= ${h} * ${H} AND observed_at < (${h} + 1) * ${H}
    HAVING count(*) > 0 AND NOT EXISTS (SELECT 1 FROM temporal_hourly WHERE sid = ${sid} AND hour = ${h});`;
/** Recompute hour `h` of series `sid` from its instances. */
const recompute = (sid: string, h: string): string => `
  DELETE FROM temporal_hourly WHERE sid = ${sid} AND hour = ${h};${refill(sid, h)}`;

export const sql = `
CREATE TABLE temporal_hourly (
  sid   INTEGER NOT NULL,
  hour  INTEGER NOT NULL,
  n_all INTEGER NOT NULL,
  n     INTEGER NOT NULL,
  s     REAL,
  ss    REAL,
  mn    REAL,
  mx    REAL,
  PRIMARY KEY (sid, hour)
) WITHOUT ROWID;

INSERT INTO temporal_hourly (sid, hour, n_all, n, s, ss, mn, mx)
  SELECT sid, ${hourOf('observed_at')}, count(*), count(num), sum(num), sum(num * num), min(num), max(num)
  FROM temporal_instances WHERE observed_at IS NOT NULL GROUP BY 1, 2;

CREATE TRIGGER temporal_hourly_insert AFTER INSERT ON temporal_instances WHEN NEW.observed_at IS NOT NULL
BEGIN
  INSERT INTO temporal_hourly (sid, hour, n_all, n, s, ss, mn, mx)
    VALUES (NEW.sid, ${hourOf('NEW.observed_at')}, 1, NEW.num IS NOT NULL, NEW.num, NEW.num * NEW.num, NEW.num, NEW.num)
    ON CONFLICT (sid, hour) DO UPDATE SET
      n_all = n_all + 1,
      n = n + excluded.n,
      s = CASE WHEN excluded.s IS NULL THEN s ELSE coalesce(s, 0) + excluded.s END,
      ss = CASE WHEN excluded.ss IS NULL THEN ss ELSE coalesce(ss, 0) + excluded.ss END,
      mn = CASE WHEN excluded.mn IS NULL OR excluded.mn >= mn THEN mn ELSE excluded.mn END,
      mx = CASE WHEN excluded.mx IS NULL OR excluded.mx <= mx THEN mx ELSE excluded.mx END;
END;

CREATE TRIGGER temporal_hourly_delete AFTER DELETE ON temporal_instances WHEN OLD.observed_at IS NOT NULL
BEGIN
  UPDATE temporal_hourly SET
      n_all = n_all - 1,
      n = n - (OLD.num IS NOT NULL),
      s = CASE WHEN OLD.num IS NULL THEN s ELSE s - OLD.num END,
      ss = CASE WHEN OLD.num IS NULL THEN ss ELSE ss - OLD.num * OLD.num END
    WHERE sid = OLD.sid AND hour = ${hourOf('OLD.observed_at')};
  DELETE FROM temporal_hourly WHERE sid = OLD.sid AND hour = ${hourOf('OLD.observed_at')} AND n_all = 0;
  -- The hour's minimum or maximum left with the row: recompute the hour (this also clears the sums' rounding).
  DELETE FROM temporal_hourly WHERE sid = OLD.sid AND hour = ${hourOf('OLD.observed_at')}
    AND OLD.num IS NOT NULL AND (OLD.num <= mn OR OLD.num >= mx);
  ${refill('OLD.sid', hourOf('OLD.observed_at'))}
END;

CREATE TRIGGER temporal_hourly_update AFTER UPDATE OF observed_at, num ON temporal_instances
BEGIN
  ${recompute('OLD.sid', hourOf('OLD.observed_at'))}
  ${recompute('NEW.sid', hourOf('NEW.observed_at'))}
END;
`;
