// Argument rules shared by the data components (PostgresDatabase, RedisCache, BackupBucket) and the
// maintenance-window arithmetic they need. Pure: no Pulumi resources, so it is tested directly.
import type * as pulumi from "@pulumi/pulumi";
import { isPrivate, overlaps, parseCidr } from "../cidr";

/** Throws `<Component> <name>: <message>`; returned by `failer` so each check reads as one line. */
export type Fail = (message: string) => never;

export function failer(component: string, name: string): Fail {
  return (message: string): never => {
    throw new Error(`${component} ${name}: ${message}`);
  };
}

export const show = (value: unknown): string => JSON.stringify(value);

const COMPONENT_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,23}$/;

/**
 * The component name becomes part of AWS names (RDS identifiers and snapshots, replication group ids of at
 * most 40 characters, bucket names), which accept only lower-case letters, digits and single hyphens.
 */
export function checkName(name: string, fail: Fail): void {
  if (!COMPONENT_NAME.test(name)) {
    fail(
      `name must be 1-24 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, because it becomes part of AWS resource names (got ${show(name)})`,
    );
  }
}

/** Where a private service (database, cache) lives and who may reach it. */
export interface PrivateNetworkArgs {
  /** The VPC of the subnets; the service's security group is created in it. */
  vpcId: pulumi.Input<string>;
  /** Isolated (data) subnets, one per zone, at least 2. */
  subnetIds: pulumi.Input<string>[];
  /** CIDRs of `subnetIds`, in the same order; exposed as `privateCidrs` for network policies. */
  subnetCidrs: string[];
  /** Security groups admitted to the service's port: the worker nodes' group made by the network. */
  allowedSecurityGroupIds: pulumi.Input<string>[];
}

export function checkPrivateNetwork(args: PrivateNetworkArgs, fail: Fail): void {
  if (args.subnetIds.length < 2) fail(`args.subnetIds must list at least 2 subnets in different zones (got ${args.subnetIds.length})`);
  if (args.subnetCidrs.length !== args.subnetIds.length) {
    fail(`args.subnetCidrs must give one CIDR per subnet in args.subnetIds (got ${args.subnetCidrs.length} for ${args.subnetIds.length})`);
  }
  const blocks = args.subnetCidrs.map((text) => {
    const block = parseCidr(text);
    if (!block || !isPrivate(block))
      fail(`args.subnetCidrs must hold private (RFC 1918) IPv4 CIDR blocks such as 10.0.208.0/23 (got ${show(text)})`);
    return block;
  });
  blocks.forEach((a, i) =>
    blocks.slice(i + 1).forEach((b, j) => {
      if (overlaps(a, b)) fail(`args.subnetCidrs must not overlap (got ${args.subnetCidrs[i]} and ${args.subnetCidrs[i + 1 + j]})`);
    }),
  );
  if (args.allowedSecurityGroupIds.length < 1)
    fail("args.allowedSecurityGroupIds must name at least one security group (the cluster nodes'), or nothing could connect (got [])");
}

export function checkWholeNumber(value: number, min: number, max: number, argument: string, fail: Fail): void {
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`${argument} must be a whole number from ${min} to ${max} (got ${show(value)})`);
}

// ---------------------------------------------------------------------------------------------------
// Maintenance windows. Times are UTC; a window is [start, end) in minutes, from Sunday 00:00 for weekly
// windows and from 00:00 for daily ones; `end` passes the week (or day) when the window wraps.

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

export const windowMinutes = ([start, end]: Window): number => end - start;

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
