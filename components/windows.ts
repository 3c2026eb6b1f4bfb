// Maintenance and backup windows, defined once for the stack config (infra/config.ts) and the components
// that take them (PostgresDatabase, RedisCache): the formats AWS writes them in, and the rules each kind of
// window must meet, as "must ..." sentences both layers print after the key or argument they check.
// Times are UTC; a window is [start, end) in minutes, from Sunday 00:00 for weekly windows and from 00:00
// for daily ones; `end` passes the week (or day) when the window wraps. Pure, so it is tested directly.

export type Window = readonly [number, number];

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY = 24 * 60;
const WEEK = 7 * DAY;

function clock(hhmm: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

const hhmm = (minutes: number): string => {
  const m = ((minutes % DAY) + DAY) % DAY;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
};

/** `hh:mm-hh:mm`, as RDS backup and ElastiCache snapshot windows are written. */
export function parseDailyWindow(text: string): Window | undefined {
  const m = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(text);
  const [start, end] = m ? [clock(m[1]!), clock(m[2]!)] : [undefined, undefined];
  if (start === undefined || end === undefined || start === end) return undefined;
  return [start, end > start ? end : end + DAY];
}

/** `ddd:hh:mm-ddd:hh:mm` in lower case, as RDS and ElastiCache maintenance windows are written. */
export function parseWeeklyWindow(text: string): Window | undefined {
  const m = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const [startDay, endDay] = [DAYS.indexOf(m[1]!), DAYS.indexOf(m[3]!)];
  const [startClock, endClock] = [clock(m[2]!), clock(m[4]!)];
  if (startDay < 0 || endDay < 0 || startClock === undefined || endClock === undefined) return undefined;
  const start = startDay * DAY + startClock;
  const end = endDay * DAY + endClock;
  if (start === end) return undefined;
  return [start, end > start ? end : end + WEEK];
}

const windowMinutes = ([start, end]: Window): number => end - start;

function busyMinutes(weekly: Window): Uint8Array {
  const busy = new Uint8Array(WEEK);
  for (let minute = weekly[0]; minute < weekly[1]; minute++) busy[minute % WEEK] = 1;
  return busy;
}

function hits(busy: Uint8Array, daily: Window): boolean {
  for (let day = 0; day < 7; day++) {
    for (let minute = daily[0]; minute < daily[1]; minute++) {
      if (busy[(day * DAY + minute) % WEEK]) return true;
    }
  }
  return false;
}

/** Whether a daily window, repeated on every day of the week, shares a minute with a weekly window. */
export function dailyOverlapsWeekly(daily: Window, weekly: Window): boolean {
  return hits(busyMinutes(weekly), daily);
}

/**
 * The daily snapshot window for a weekly maintenance window: the 60-minute window that ends closest before
 * the maintenance window's start time (counting back across midnight), on whole hours when such an hour
 * is free, never crossing midnight, and overlapping the maintenance window on no day. So the newest
 * snapshot is taken just before patching. Undefined when nothing qualifies (only possible for maintenance
 * windows longer than 22 hours).
 */
export function snapshotWindowBefore(maintenance: Window): string | undefined {
  const busy = busyMinutes(maintenance);
  const start = maintenance[0] % DAY;
  const gapToStart = (from: number) => (start - (from + 60) + DAY) % DAY;
  // Starts from 00:00 to 22:59, so every window ends by 23:59 on the day it starts.
  const starts = Array.from({ length: DAY - 60 }, (_, minute) => minute).sort((a, b) => gapToStart(a) - gapToStart(b));
  const found = [...starts.filter((minute) => minute % 60 === 0), ...starts].find((from) => !hits(busy, [from, from + 60]));
  return found === undefined ? undefined : `${hhmm(found)}-${hhmm(found + 60)}`;
}

/** What a kind of window must satisfy, beyond its format. */
export interface WindowRule {
  /** An example the format error shows. */
  example: string;
  minMinutes: number;
  /** The longest window allowed, with the reason shown when it is longer. @default - no limit */
  max?: { minutes: number; why: string };
}

/** RDS daily backup window (PostgresDatabase backupWindow, platform:database.backupWindow). */
export const DATABASE_BACKUP_WINDOW: WindowRule = { example: "03:00-04:00", minMinutes: 30 };
/** RDS weekly maintenance window (PostgresDatabase maintenanceWindow, platform:database.maintenanceWindow). */
export const DATABASE_MAINTENANCE_WINDOW: WindowRule = { example: "sun:04:30-sun:05:30", minMinutes: 30 };
/**
 * ElastiCache weekly maintenance window (RedisCache maintenanceWindow, platform:cache.maintenanceWindow): at
 * least the hour ElastiCache asks for, and short enough to leave the daily snapshot hour before it.
 */
export const CACHE_MAINTENANCE_WINDOW: WindowRule = {
  example: "sun:05:30-sun:06:30",
  minMinutes: 60,
  max: { minutes: 23 * 60, why: "leaving a daily hour for snapshots" },
};

const duration = (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60} hours` : `${minutes} minutes`);

function lengthProblem(window: Window, rule: WindowRule): string | undefined {
  const minutes = windowMinutes(window);
  if (rule.max && (minutes < rule.minMinutes || minutes > rule.max.minutes))
    return `must last from ${rule.minMinutes} minutes to ${duration(rule.max.minutes)}, ${rule.max.why}`;
  if (minutes < rule.minMinutes) return `must last at least ${rule.minMinutes} minutes`;
  return undefined;
}

/** Why a daily window breaks its rule ("must ..."), or undefined when it does not. */
export function dailyWindowProblem(text: string, rule: WindowRule): string | undefined {
  const window = parseDailyWindow(text);
  return window ? lengthProblem(window, rule) : `must be a daily UTC window such as "${rule.example}"`;
}

/** Why a weekly window breaks its rule ("must ..."), or undefined when it does not. */
export function weeklyWindowProblem(text: string, rule: WindowRule): string | undefined {
  const window = parseWeeklyWindow(text);
  if (!window) return `must be a weekly UTC window such as "${rule.example}"`;
  const problem = lengthProblem(window, rule);
  if (problem || !rule.max) return problem;
  return snapshotWindowBefore(window) === undefined ? `must leave a daily hour for snapshots` : undefined;
}

/** Why a daily backup window may not run beside a weekly maintenance window, or undefined; both must be valid. */
export function backupOverlapProblem(backup: string, maintenance: string, maintenanceKey: string): string | undefined {
  return dailyOverlapsWeekly(parseDailyWindow(backup)!, parseWeeklyWindow(maintenance)!)
    ? `must not overlap ${maintenanceKey} ${JSON.stringify(maintenance)}`
    : undefined;
}
