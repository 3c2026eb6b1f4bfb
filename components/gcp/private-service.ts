// Argument rules shared by the GCP data services reached through private service access (CloudSqlPostgres,
// MemorystoreRedis): where they attach to the VPC, the names Google derives from the component name, and
// how a weekly UTC window (components/windows.ts format) becomes the one-hour window both services take.
// Pure: no Pulumi resources, so it is tested directly.
import type * as pulumi from "@pulumi/pulumi";
import { isPrivate, parseCidr } from "../cidr";
import { parseWeeklyWindow, type Window } from "../windows";
import { checkComponentName, type Fail, show } from "../args";

export { checkWholeNumber, type Fail, failer, show } from "../args";

/** The component name becomes part of key ring and Secret Manager secret ids, unique per project. */
export function checkName(name: string, fail: Fail): void {
  checkComponentName(name, "it becomes part of GCP resource names", fail);
}

/** Where a private service (database, cache) attaches to the VPC: private service access, made by the network. */
export interface PrivateServiceAccessArgs {
  /** The VPC network, as its id or self link (`projects/<project>/global/networks/<name>`). */
  network: pulumi.Input<string>;
  /** Name of the global address range reserved for private service access (`gcp.compute.GlobalAddress`). */
  reservedRangeName: pulumi.Input<string>;
  /** CIDR of that range; exposed as `privateCidrs` for network policies. */
  reservedRangeCidr: string;
  /** The `gcp.servicenetworking.Connection` peering the VPC with Google's services; the service waits for it. */
  serviceConnection: pulumi.Resource;
  /** Region of the service, its key and its secret's replica, e.g. "europe-west1". */
  region: string;
  /** Number of the project (not its id): the Google service agents that use the key are named after it. */
  projectNumber: string;
}

const REGION = /^[a-z]+-[a-z]+\d+$/;
const PROJECT_NUMBER = /^[1-9]\d{5,18}$/;

export function checkPrivateServiceAccess(args: PrivateServiceAccessArgs, fail: Fail): void {
  const block = parseCidr(args.reservedRangeCidr);
  if (!block || !isPrivate(block) || block.prefix > 24)
    fail(
      `args.reservedRangeCidr must be a private (RFC 1918) IPv4 CIDR block of /24 or wider, as private service access reserves, such as 10.0.240.0/20 (got ${show(args.reservedRangeCidr)})`,
    );
  if (!REGION.test(args.region)) fail(`args.region must be a GCP region such as europe-west1 (got ${show(args.region)})`);
  if (!PROJECT_NUMBER.test(args.projectNumber))
    fail(`args.projectNumber must be the project's number, digits only, such as 123456789012 (got ${show(args.projectNumber)})`);
}

const DAY = 24 * 60;
const WEEK = 7 * DAY;

/** A one-hour maintenance window as GCP takes it: day of the week (0 Sunday to 6 Saturday) and UTC hour. */
export interface MaintenanceHour {
  dayOfWeek: number;
  hour: number;
}

/**
 * The one-hour window GCP maintains in, for a weekly window "ddd:hh:mm-ddd:hh:mm": the first whole hour
 * that starts at or after the window's start and ends by its end ("sun:04:00-sun:05:00" and
 * "sat:23:30-sun:01:00" give Sunday 04:00 and Sunday 00:00). Undefined when the text is no weekly window or
 * holds no whole hour ("sun:04:30-sun:05:30").
 */
export function maintenanceHour(text: string): MaintenanceHour | undefined {
  const window: Window | undefined = parseWeeklyWindow(text);
  if (!window) return undefined;
  const start = Math.ceil(window[0] / 60) * 60;
  if (start + 60 > window[1]) return undefined;
  const minute = start % WEEK;
  return { dayOfWeek: Math.floor(minute / DAY), hour: Math.floor((minute % DAY) / 60) };
}

/** `<project>-<stack>-<name>`: unique per stack, for names that must be unique in a GCP project. */
export function stackName(project: string, stack: string, name: string): string {
  return `${project}-${stack}-${name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-");
}
