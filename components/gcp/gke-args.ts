// GkeCluster's arguments, their defaults and the checks they must pass before anything is created.
// Pure: no Pulumi resources, so the rules are tested directly and read in one place.
import type * as pulumi from "@pulumi/pulumi";
import { coversEveryAddress, parseCidr } from "../cidr";
import { GCP_IAM_MEMBER, GCP_REGION } from "../formats";
import { parseWeeklyWindow, type Window } from "../windows";
import { type Fail, failer, show } from "../args";

/** The one managed node pool: machine, disk and autoscaling bounds. */
export interface GkeNodePoolArgs {
  /** Compute Engine machine type, e.g. "e2-standard-4". */
  machineType: string;
  /** Boot disk (pd-balanced) size in GiB; COS nodes need at least 20. */
  diskSizeGb: number;
  /**
   * Nodes the pool starts with in each of its zones (a regional cluster runs three zones, so 1 makes 3
   * nodes); afterwards the cluster autoscaler owns the count.
   */
  initialNodesPerZone: number;
  /** Fewest nodes the autoscaler keeps, over all zones (`autoscaling.totalMinNodeCount`). */
  minNodes: number;
  /** Most nodes the autoscaler may run, over all zones (`autoscaling.totalMaxNodeCount`); at least 1. */
  maxNodes: number;
}

export interface GkeClusterArgs {
  /**
   * Where the cluster runs: a region (e.g. "europe-west1", a regional control plane and nodes in three
   * zones) or, for a throwaway cluster, a zone (e.g. "europe-west1-b", one control plane replica).
   */
  location: string;
  /** The VPC network, as a self link or id (`projects/<p>/global/networks/<n>`). */
  network: pulumi.Input<string>;
  /** The nodes' subnetwork in `location`'s region, as a self link or id. */
  subnetwork: pulumi.Input<string>;
  /** Primary range of `subnetwork`. The control plane's private endpoint takes an address from it. */
  nodesCidr: string;
  /** Name of `subnetwork`'s secondary range pods take their addresses from. */
  podsRangeName: string;
  /** Name of `subnetwork`'s secondary range Services take their addresses from. */
  servicesRangeName: string;
  /**
   * Addresses given HTTPS to the control plane's public IP endpoint (master authorized networks): the
   * operators' and CI's egress ranges. Empty turns the public IP endpoint off: the IP endpoint is private,
   * and deploys reach the API through the DNS-based endpoint, which admits only callers whose Google
   * identity IAM allows (no address allow-list). At most 50 blocks (GKE's limit); the list may not cover
   * the whole internet unless `allowWorldOpenEndpoint`, nor hold a block wider than
   * `authorizedNetworksWidestPrefix`.
   * @default [] (DNS-based endpoint, IP endpoint private)
   */
  authorizedNetworks?: string[];
  /**
   * The widest block `authorizedNetworks` may hold, as a prefix length: 8 admits a /8 and refuses a /7, 0
   * admits any width. @default 8
   */
  authorizedNetworksWidestPrefix?: number;
  /**
   * Admit an `authorizedNetworks` that covers the whole internet: 0.0.0.0/0, or blocks that add up to
   * every address. A convenience for a throwaway cluster. @default false (refused)
   */
  allowWorldOpenEndpoint?: boolean;
  /** GKE release channel the control plane and nodes are upgraded from. @default "REGULAR" */
  releaseChannel?: "RAPID" | "REGULAR" | "STABLE" | "EXTENDED";
  /**
   * Weekly maintenance window, UTC, as `ddd:hh:mm-ddd:hh:mm` (the format of the stack's other maintenance
   * windows). GKE asks for 48 hours of maintenance availability in any 32 days, so a weekly window lasts
   * at least 12 hours. @default "sat:22:00-sun:10:00"
   */
  maintenanceWindow?: string;
  /**
   * Members given `roles/container.admin` on the project (`user:`, `group:` or `serviceAccount:` members):
   * the CI deploy identity and the operators, so access does not hang on the identity that created the
   * cluster. @default [] (only those the project already grants)
   */
  adminMembers?: string[];
  /**
   * GKE deletion protection: the provider refuses to delete the cluster until it is turned off, whatever
   * deletes it through Pulumi. Turning it off is explicit.
   */
  deletionProtection: boolean;
  /** Pulumi `protect` on the cluster and its secrets key. */
  protect: boolean;
  /**
   * Days the project's `_Default` log bucket keeps what the cluster sends to Cloud Logging: every container's
   * stdout/stderr and the system components' logs, 1-3650. Audit logs (Admin Activity) go to `_Required`,
   * which Google keeps 400 days whatever this says. @default 30
   */
  applicationLogRetentionDays?: number;
  /** The one managed node pool. */
  nodes: GkeNodePoolArgs;
  /**
   * Binary Authorization: the control plane admits a pod only if its images pass the project's Binary
   * Authorization policy (`PROJECT_SINGLETON_POLICY_ENFORCE`); needs binaryauthorization.googleapis.com on.
   * The project's default policy admits every image, so enforcing changes nothing until the team tightens it.
   * @default true
   */
  binaryAuthorization?: boolean;
  /**
   * Managed Service for Prometheus collection. Off by default: the platform's own monitoring stack scrapes
   * the cluster, and managed collection would add a second collector and a per-sample bill. @default false
   */
  managedPrometheus?: boolean;
  /**
   * Prefix of the Google service accounts' ids: `<prefix>-nodes` and `<prefix>-<binding>` for each bound
   * Kubernetes service account. Ids are unique per GCP project, so stacks sharing a project need
   * different prefixes. @default the component name
   */
  serviceAccountPrefix?: string;
  /** GKE cluster name. @default `<project>-<stack>-<component name>` */
  clusterName?: string;
}

export const DEFAULT_RELEASE_CHANNEL = "REGULAR";
export const DEFAULT_MAINTENANCE_WINDOW = "sat:22:00-sun:10:00";
export const DEFAULT_AUTHORIZED_NETWORKS_WIDEST_PREFIX = 8;
/** Cloud Logging's own default for `_Default`: container logs kept a month. */
export const DEFAULT_APPLICATION_LOG_RETENTION_DAYS = 30;
/** GKE's smallest weekly window: 48 hours in 32 days, which hold at least four of each weekday. */
export const MINIMUM_WEEKLY_WINDOW_HOURS = 12;

/** The arguments with every default applied, and what the checks derived from them. */
export interface ResolvedGkeClusterArgs extends GkeClusterArgs {
  clusterName: string;
  serviceAccountPrefix: string;
  /** The region of `location` (itself, or the zone's region): where the secrets key lives. */
  region: string;
  authorizedNetworks: string[];
  releaseChannel: NonNullable<GkeClusterArgs["releaseChannel"]>;
  maintenance: Window;
  adminMembers: string[];
  managedPrometheus: boolean;
  binaryAuthorization: boolean;
  applicationLogRetentionDays: number;
}

/** GKE's limit on master authorized networks. */
const MAX_AUTHORIZED_NETWORKS = 50;
const WORLD = ["0.0.0.0/0", "::/0"];
const CHANNELS = ["RAPID", "REGULAR", "STABLE", "EXTENDED"];
const ZONE = /^([a-z]+-[a-z]+\d+)-[a-z]$/;
const CLUSTER_NAME = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const RANGE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const MACHINE_TYPE = /^[a-z][a-z0-9]*-[a-z0-9-]+$/;
/** A Google service account id: 6-30 lower-case letters, digits and hyphens, from a letter to a letter or digit. */
export const ACCOUNT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/** Checks the arguments and applies the defaults; throws naming the component and the argument at the first problem. */
export function resolveGkeClusterArgs(name: string, args: GkeClusterArgs, project: string, stack: string): ResolvedGkeClusterArgs {
  const fail: Fail = failer("GkeCluster", name);
  const clusterName = args.clusterName ?? `${project}-${stack}-${name}`;
  if (!CLUSTER_NAME.test(clusterName))
    fail(
      `args.clusterName must be 1-40 lower-case letters, digits and hyphens, starting with a letter and ending with a letter or digit (got ${show(clusterName)})`,
    );
  const serviceAccountPrefix = args.serviceAccountPrefix ?? name;
  if (!ACCOUNT_ID.test(nodeAccountId(serviceAccountPrefix)))
    fail(
      `args.serviceAccountPrefix must make a service account id "<prefix>-nodes" of 6-30 lower-case letters, digits and hyphens, from a letter (got ${show(serviceAccountPrefix)})`,
    );
  const region = regionOf(args.location);
  if (!region) fail(`args.location must be a region such as europe-west1 or a zone such as europe-west1-b (got ${show(args.location)})`);
  checkNetwork(args, fail);
  const authorizedNetworks = checkAuthorizedNetworks(args, fail);
  const releaseChannel = args.releaseChannel ?? DEFAULT_RELEASE_CHANNEL;
  if (!CHANNELS.includes(releaseChannel)) fail(`args.releaseChannel must be one of ${CHANNELS.join(", ")} (got ${show(releaseChannel)})`);
  const maintenance = checkMaintenanceWindow(args.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW, fail);
  const adminMembers = checkAdmins(args.adminMembers ?? [], fail);
  checkNodes(args.nodes, fail);
  const applicationLogRetentionDays = args.applicationLogRetentionDays ?? DEFAULT_APPLICATION_LOG_RETENTION_DAYS;
  if (!Number.isInteger(applicationLogRetentionDays) || applicationLogRetentionDays < 1 || applicationLogRetentionDays > 3650)
    fail(`args.applicationLogRetentionDays must be a whole number of days from 1 to 3650 (got ${show(applicationLogRetentionDays)})`);
  return {
    ...args,
    clusterName,
    serviceAccountPrefix,
    region: region,
    authorizedNetworks,
    releaseChannel,
    maintenance,
    adminMembers,
    managedPrometheus: args.managedPrometheus ?? false,
    binaryAuthorization: args.binaryAuthorization ?? true,
    applicationLogRetentionDays,
  };
}

/** The region of a region or zone name, or undefined when it is neither. */
export function regionOf(location: string): string | undefined {
  if (GCP_REGION.test(location)) return location;
  return ZONE.exec(location)?.[1];
}

/** The id of the nodes' service account for a service account prefix. */
export const nodeAccountId = (prefix: string): string => `${prefix}-nodes`;

function checkNetwork(args: GkeClusterArgs, fail: Fail): void {
  const nodes = parseCidr(args.nodesCidr);
  if (!nodes) fail(`args.nodesCidr must be an IPv4 CIDR block such as 10.0.0.0/20 (got ${show(args.nodesCidr)})`);
  for (const key of ["podsRangeName", "servicesRangeName"] as const) {
    if (!RANGE_NAME.test(args[key])) fail(`args.${key} must be a secondary range name such as "pods" (got ${show(args[key])})`);
  }
  if (args.podsRangeName === args.servicesRangeName)
    fail(`args.servicesRangeName must differ from args.podsRangeName (got ${show(args.servicesRangeName)} for both)`);
}

/** The public IP endpoint's allow-list: well-formed, not the whole internet unless allowed, no block wider than the widest prefix. */
function checkAuthorizedNetworks(args: GkeClusterArgs, fail: Fail): string[] {
  const cidrs = args.authorizedNetworks ?? [];
  const worldOpen = args.allowWorldOpenEndpoint ?? false;
  const widest = args.authorizedNetworksWidestPrefix ?? DEFAULT_AUTHORIZED_NETWORKS_WIDEST_PREFIX;
  if (!Number.isInteger(widest) || widest < 0 || widest > 32)
    fail(`args.authorizedNetworksWidestPrefix must be a prefix length from 0 to 32 (got ${show(widest)})`);
  if (!worldOpen && cidrs.some((c) => WORLD.includes(c)))
    fail(`args.authorizedNetworks must not include 0.0.0.0/0 or ::/0 unless args.allowWorldOpenEndpoint is true (got ${show(cidrs)})`);
  for (const cidr of cidrs) {
    if (!parseCidr(cidr)) fail(`args.authorizedNetworks must hold IPv4 CIDR blocks such as 203.0.113.0/24 (got ${show(cidr)})`);
  }
  if (cidrs.length > MAX_AUTHORIZED_NETWORKS)
    fail(`args.authorizedNetworks must hold at most ${MAX_AUTHORIZED_NETWORKS} blocks, GKE's limit (got ${cidrs.length})`);
  if (new Set(cidrs).size !== cidrs.length) fail(`args.authorizedNetworks must not repeat a block (got ${show(cidrs)})`);
  if (!worldOpen && coversEveryAddress(cidrs))
    fail(
      `args.authorizedNetworks must not cover the whole internet, whole or in pieces, unless args.allowWorldOpenEndpoint is true (got ${show(cidrs)})`,
    );
  const wide = cidrs.filter((c) => (parseCidr(c)?.prefix ?? 32) < widest);
  if (wide.length > 0)
    fail(
      `args.authorizedNetworks must not hold blocks wider than /${widest}, the widest args.authorizedNetworksWidestPrefix admits (got ${show(wide)})`,
    );
  return [...cidrs];
}

function checkMaintenanceWindow(text: string, fail: Fail): Window {
  const window = parseWeeklyWindow(text);
  if (!window) fail(`args.maintenanceWindow must be a weekly UTC window such as "sat:22:00-sun:10:00" (got ${show(text)})`);
  if (window[1] - window[0] < MINIMUM_WEEKLY_WINDOW_HOURS * 60)
    fail(
      `args.maintenanceWindow must last at least ${MINIMUM_WEEKLY_WINDOW_HOURS} hours, for GKE's 48 hours of maintenance in any 32 days (got ${show(text)})`,
    );
  return window;
}

function checkAdmins(members: string[], fail: Fail): string[] {
  for (const member of members) {
    if (!GCP_IAM_MEMBER.test(member))
      fail(`args.adminMembers must hold IAM members such as group:platform-admins@example.com (got ${show(member)})`);
  }
  if (new Set(members).size !== members.length) fail(`args.adminMembers must not repeat a member (got ${show(members)})`);
  return [...members];
}

function checkNodes(n: GkeNodePoolArgs, fail: Fail): void {
  if (!MACHINE_TYPE.test(n.machineType))
    fail(`args.nodes.machineType must be a Compute Engine machine type such as e2-standard-4 (got ${show(n.machineType)})`);
  if (!Number.isInteger(n.diskSizeGb) || n.diskSizeGb < 20)
    fail(`args.nodes.diskSizeGb must be a whole number >= 20 (got ${show(n.diskSizeGb)})`);
  if (!Number.isInteger(n.initialNodesPerZone) || n.initialNodesPerZone < 1)
    fail(`args.nodes.initialNodesPerZone must be a whole number >= 1 (got ${show(n.initialNodesPerZone)})`);
  for (const key of ["minNodes", "maxNodes"] as const) {
    if (!Number.isInteger(n[key]) || n[key] < 0) fail(`args.nodes.${key} must be a whole number >= 0 (got ${show(n[key])})`);
  }
  if (n.maxNodes < 1) fail(`args.nodes.maxNodes must be at least 1 (got ${n.maxNodes})`);
  if (n.minNodes > n.maxNodes) fail(`args.nodes.minNodes must not exceed args.nodes.maxNodes (got ${n.minNodes} > ${n.maxNodes})`);
}

const DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
/** A Sunday, the first day the recurring window is counted from. */
const FIRST_SUNDAY = Date.UTC(2025, 0, 5);

/**
 * The GKE recurring window of a weekly window: RFC 3339 start and end on the first week of 2025 (whose
 * span is the window's length) and an RRULE repeating it weekly on the start's weekday.
 */
export function recurringWindowOf([start, end]: Window): { startTime: string; endTime: string; recurrence: string } {
  const at = (minutes: number) => new Date(FIRST_SUNDAY + minutes * 60_000).toISOString().replace(/\.000Z$/, "Z");
  return { startTime: at(start), endTime: at(end), recurrence: `FREQ=WEEKLY;BYDAY=${DAYS[Math.floor(start / (24 * 60))]!}` };
}
