// EksCluster's arguments, their defaults and the checks they must pass before anything is created.
// Pure: no Pulumi resources, so the rules are tested directly and read in one place.
import type * as pulumi from "@pulumi/pulumi";
import { coversEveryAddress, isPrivate, parseCidr } from "../cidr";
import { logRetentionProblem } from "../formats";
import { type Fail, failer, show } from "../args";
import { accessListConflicts, roleOf } from "./eks-access";

/** The managed node group: size, purchase option and root disk. */
export interface EksNodeGroupArgs {
  /** EC2 instance type, e.g. "m7i.xlarge". Graviton types (m7g, c8g, t4g, ...) get ARM64 AMIs. */
  instanceType: string;
  /** Fewest nodes the group (and the cluster autoscaler) keeps. */
  minSize: number;
  /** Only used when the group is created; afterwards the cluster autoscaler owns it. */
  desiredSize: number;
  /** Most nodes the group (and the cluster autoscaler) may run; at least 1. */
  maxSize: number;
  /** On-demand instances, or spot instances that AWS may reclaim at two minutes' notice. */
  capacityType: "ON_DEMAND" | "SPOT";
  /** Root volume (gp3, encrypted) size in GiB; the EKS AL2023 AMIs need at least 20. */
  diskSizeGb: number;
}

/** Versions of the EKS managed add-ons. Each must be published for the cluster's Kubernetes version. */
export interface EksAddonVersions {
  /** `vpc-cni`: pod networking and NetworkPolicy enforcement. */
  vpcCni: string;
  /** `coredns`: cluster DNS. */
  coredns: string;
  /** `kube-proxy`: Service routing; a build of the cluster's Kubernetes minor. */
  kubeProxy: string;
  /** `aws-ebs-csi-driver`: EBS volumes for persistent volume claims. */
  ebsCsiDriver: string;
  /** `eks-pod-identity-agent`: credentials for EKS Pod Identity associations. */
  podIdentityAgent: string;
  /** `amazon-cloudwatch-observability`: Fluent Bit ships every container's stdout/stderr to CloudWatch Logs. */
  cloudwatchObservability: string;
}

export interface EksClusterArgs {
  /** Kubernetes minor version of the control plane and the nodes. @default "1.35" */
  version?: string;
  /** The VPC the subnets belong to; the Load Balancer Controller is told it (nodes block IMDS for pods). */
  vpcId: pulumi.Input<string>;
  /** Private subnets, one per zone (at least 2): control-plane ENIs and nodes live here. */
  subnetIds: pulumi.Input<string>[];
  /** CIDRs of `subnetIds`, in the same order. Pods reach the private API endpoint at these addresses. */
  subnetCidrs: string[];
  /** Security group made by the network that marks worker nodes; attached besides the cluster security group. */
  nodeSecurityGroupId: pulumi.Input<string>;
  /**
   * CIDRs allowed to reach the public API endpoint. Empty keeps the endpoint private only. The list may not
   * cover the whole internet unless `allowWorldOpenEndpoint`, nor hold a block wider than
   * `endpointPublicAccessWidestPrefix`. @default [] (private endpoint only)
   */
  endpointPublicAccessCidrs?: string[];
  /**
   * The widest block `endpointPublicAccessCidrs` may hold, as a prefix length: 8 admits a /8 and refuses a
   * /7, 0 admits any width. An allow-list names the operators' and CI's egress ranges, which are narrow;
   * a wide block lets a whole provider's or country's addresses reach the API. @default 8
   */
  endpointPublicAccessWidestPrefix?: number;
  /**
   * Admit an `endpointPublicAccessCidrs` that covers the whole internet: 0.0.0.0/0, or blocks that add up to
   * every address. A convenience for a throwaway cluster; it also needs `endpointPublicAccessWidestPrefix`
   * wide enough for the blocks listed. @default false (refused)
   */
  allowWorldOpenEndpoint?: boolean;
  /**
   * Addresses inside the VPC admitted to the private API endpoint on 443, where `pulumi up` runs when it
   * deploys from the VPC (a self-hosted runner, a VPN's or an SSM instance's subnets). EKS otherwise admits
   * only members of the cluster security group. @default [] (nodes and the control plane only)
   */
  endpointPrivateAccessCidrs?: string[];
  /**
   * EKS deletion protection: AWS refuses to delete the cluster until it is turned off, whatever deletes it
   * (a destroy, the console, another tool). Turning it off is explicit. @default true
   */
  deletionProtection?: boolean;
  /** CloudWatch retention of the control-plane logs (api, audit, authenticator). @default 90 */
  logRetentionDays?: number;
  /**
   * CloudWatch retention of the container logs the CloudWatch Observability add-on writes: every pod's
   * stdout/stderr (`/aws/containerinsights/<cluster>/application`) and the node and performance groups
   * beside it. @default 30
   */
  applicationLogRetentionDays?: number;
  /**
   * IAM roles given cluster admin through access entries (the cluster admin access policy, cluster-wide): the
   * CI deploy role and the operators' roles. At least one: the identity that creates the cluster gets no access
   * of its own (EKS's creator bootstrap is off), so these are the only way in, and `pulumi up` must run as one
   * of them. An SSO role is listed with its path (`role/aws-reserved/sso.amazonaws.com/...`).
   */
  adminRoleArns: string[];
  /**
   * IAM roles that may read the cluster through access entries (the admin view access policy, cluster-wide:
   * get, list and watch on everything, Secrets included, and no change): the CI preview role, so previews and
   * drift checks can read the Kubernetes objects. A role is listed here or in `adminRoleArns`, not both (EKS
   * allows one entry per principal). @default []
   */
  viewerRoleArns?: string[];
  /** The one managed node group, in `subnetIds`. */
  nodes: EksNodeGroupArgs;
  /** Pulumi `protect` on the cluster, its KMS keys and its log group. */
  protect: boolean;
  /**
   * Add-on versions; any left out use the pinned defaults, which are for Kubernetes 1.35 (kube-proxy must
   * match the cluster's minor version, so another `version` needs at least `kubeProxy` here).
   * @default DEFAULT_ADDON_VERSIONS: vpc-cni v1.21.1-eksbuild.7, coredns v1.13.2-eksbuild.4, kube-proxy
   * v1.35.3-eksbuild.13, aws-ebs-csi-driver v1.60.0-eksbuild.1, eks-pod-identity-agent v1.3.10-eksbuild.2,
   * amazon-cloudwatch-observability v4.5.0-eksbuild.1
   */
  addonVersions?: Partial<EksAddonVersions>;
  /** EKS cluster name (also names the log group). @default `<project>-<stack>-<component name>` */
  clusterName?: string;
}

export const DEFAULT_KUBERNETES_VERSION = "1.35";
export const DEFAULT_LOG_RETENTION_DAYS = 90;
/** Container logs kept a month unless told otherwise: long enough to look back past a release cycle. */
export const DEFAULT_APPLICATION_LOG_RETENTION_DAYS = 30;
/** The widest block a public API allow-list holds unless told otherwise: an egress range, not a continent's. */
export const DEFAULT_ENDPOINT_WIDEST_PREFIX = 8;

/**
 * Pinned add-on versions for Kubernetes 1.35, each a build EKS publishes for that minor. Pinned rather than
 * left to EKS's default so a deploy never changes an add-on unasked and every stack runs the same builds.
 * A bump takes a build that `aws eks describe-addon-versions --kubernetes-version <minor> --addon-name
 * <add-on>` lists for the cluster's minor. kube-proxy is built per minor, so it moves with `version`
 * (checkEksClusterArgs refuses a build of another minor).
 */
export const DEFAULT_ADDON_VERSIONS: Readonly<EksAddonVersions> = {
  vpcCni: "v1.21.1-eksbuild.7",
  coredns: "v1.13.2-eksbuild.4",
  kubeProxy: "v1.35.3-eksbuild.13",
  ebsCsiDriver: "v1.60.0-eksbuild.1",
  podIdentityAgent: "v1.3.10-eksbuild.2",
  // A build other EKS 1.35 stacks pin beside kube-proxy v1.35.3 (one build serves several minors, unlike
  // kube-proxy); check it with `aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name
  // amazon-cloudwatch-observability` before a deploy, as for every bump.
  cloudwatchObservability: "v4.5.0-eksbuild.1",
};

const WORLD = ["0.0.0.0/0", "::/0"];
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;
/** A Kubernetes object name usable for namespaces and service accounts (RFC 1123 label). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks the arguments; throws an Error naming the component and the argument at the first problem. */
export function checkEksClusterArgs(name: string, args: EksClusterArgs, clusterName: string): void {
  const fail: Fail = failer("EksCluster", name);
  const version = args.version ?? DEFAULT_KUBERNETES_VERSION;
  if (!/^1\.\d{2}$/.test(version)) fail(`args.version must be a Kubernetes minor version such as "1.35" (got ${show(version)})`);
  if (clusterName.length > 100 || !CLUSTER_NAME.test(clusterName)) {
    fail(`args.clusterName must be 1-100 letters, digits, - and _, starting with a letter or digit (got ${show(clusterName)})`);
  }
  checkSubnets(args, fail);
  checkEndpointAccess(args, fail);
  checkLogsAndAdmins(args, fail);
  checkNodes(args.nodes, fail);
  checkAddonVersions(args.addonVersions ?? {}, version, fail);
}

function checkSubnets(args: EksClusterArgs, fail: Fail): void {
  if (args.subnetIds.length < 2) fail(`args.subnetIds must list at least 2 subnets in different zones (got ${args.subnetIds.length})`);
  if (args.subnetCidrs.length !== args.subnetIds.length) {
    fail(`args.subnetCidrs must give one CIDR per subnet in args.subnetIds (got ${args.subnetCidrs.length} for ${args.subnetIds.length})`);
  }
  for (const cidr of args.subnetCidrs) {
    if (!parseCidr(cidr)) fail(`args.subnetCidrs must hold IPv4 CIDR blocks such as 10.0.32.0/19 (got ${show(cidr)})`);
  }
}

/**
 * Who may reach the API: the public allow-list (well-formed, not the whole internet unless allowed, no block
 * wider than the widest prefix) and the private blocks admitted inside the VPC (RFC 1918 only).
 */
function checkEndpointAccess(args: EksClusterArgs, fail: Fail): void {
  const publicCidrs = args.endpointPublicAccessCidrs ?? [];
  const worldOpen = args.allowWorldOpenEndpoint ?? false;
  const widest = args.endpointPublicAccessWidestPrefix ?? DEFAULT_ENDPOINT_WIDEST_PREFIX;
  if (!Number.isInteger(widest) || widest < 0 || widest > 32)
    fail(`args.endpointPublicAccessWidestPrefix must be a prefix length from 0 to 32 (got ${show(widest)})`);
  const open = publicCidrs.filter((c) => WORLD.includes(c));
  if (!worldOpen && open.length > 0) {
    fail(
      `args.endpointPublicAccessCidrs must not include 0.0.0.0/0 or ::/0 unless args.allowWorldOpenEndpoint is true (got ${show(publicCidrs)})`,
    );
  }
  for (const cidr of publicCidrs) {
    if (!parseCidr(cidr)) fail(`args.endpointPublicAccessCidrs must hold IPv4 CIDR blocks such as 203.0.113.0/24 (got ${show(cidr)})`);
  }
  for (const cidr of args.endpointPrivateAccessCidrs ?? []) {
    const block = parseCidr(cidr);
    if (!block || !isPrivate(block))
      fail(`args.endpointPrivateAccessCidrs must hold private (RFC 1918) IPv4 blocks such as 10.0.64.0/19 (got ${show(cidr)})`);
  }
  if (!worldOpen && coversEveryAddress(publicCidrs)) {
    fail(
      `args.endpointPublicAccessCidrs must not cover the whole internet, whole or in pieces, unless args.allowWorldOpenEndpoint is true (got ${show(publicCidrs)})`,
    );
  }
  const wide = publicCidrs.filter((c) => (parseCidr(c)?.prefix ?? 32) < widest);
  if (wide.length > 0) {
    fail(
      `args.endpointPublicAccessCidrs must not hold blocks wider than /${widest}, the widest args.endpointPublicAccessWidestPrefix admits (got ${show(wide)})`,
    );
  }
}

function checkLogsAndAdmins(args: EksClusterArgs, fail: Fail): void {
  const retention = args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
  const retentionRefused = logRetentionProblem(retention);
  if (retentionRefused) fail(`args.logRetentionDays ${retentionRefused} (got ${show(retention)})`);
  const application = args.applicationLogRetentionDays ?? DEFAULT_APPLICATION_LOG_RETENTION_DAYS;
  const applicationRefused = logRetentionProblem(application);
  if (applicationRefused) fail(`args.applicationLogRetentionDays ${applicationRefused} (got ${show(application)})`);
  checkAccessRoles(args, fail);
}

/** The access entries' roles: well-formed role ARNs, at least one admin, and each role once across both lists. */
function checkAccessRoles(args: EksClusterArgs, fail: Fail): void {
  const lists = { adminRoleArns: args.adminRoleArns ?? [], viewerRoleArns: args.viewerRoleArns ?? [] };
  const conflicts = accessListConflicts(lists.adminRoleArns, lists.viewerRoleArns);
  for (const [key, arns] of Object.entries(lists)) {
    for (const arn of arns) {
      // roleOf as well: a role ARN whose name it cannot read (`role/a/`) names no role EKS could admit.
      if (!ROLE_ARN.test(arn) || roleOf(arn) === undefined)
        fail(`args.${key} must hold IAM role ARNs such as arn:aws:iam::123456789012:role/platform-admin (got ${show(arn)})`);
    }
    if (conflicts.some((c) => c.list === key && c.kind === "repeated")) fail(`args.${key} must not repeat a role (got ${show(arns)})`);
  }
  if (lists.adminRoleArns.length === 0) {
    fail(
      "args.adminRoleArns must list at least one IAM role: the identity that creates the cluster gets no access of its own, so without one nobody can use its API",
    );
  }
  const both = conflicts.filter((c) => c.kind === "admin").map((c) => lists.viewerRoleArns[c.index]!);
  if (both.length > 0)
    fail(`args.viewerRoleArns must not list a role args.adminRoleArns lists: EKS allows one access entry per role (got ${show(both)})`);
}

function checkNodes(n: EksNodeGroupArgs, fail: Fail): void {
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(n.instanceType))
    fail(`args.nodes.instanceType must be an EC2 instance type such as m7i.xlarge (got ${show(n.instanceType)})`);
  for (const key of ["minSize", "desiredSize", "maxSize"] as const) {
    if (!Number.isInteger(n[key]) || n[key] < 0) fail(`args.nodes.${key} must be a whole number >= 0 (got ${show(n[key])})`);
  }
  if (n.maxSize < 1) fail(`args.nodes.maxSize must be at least 1 (got ${n.maxSize})`);
  if (n.minSize > n.desiredSize || n.desiredSize > n.maxSize) {
    fail(`args.nodes must satisfy minSize <= desiredSize <= maxSize (got ${n.minSize} <= ${n.desiredSize} <= ${n.maxSize})`);
  }
  if (!Number.isInteger(n.diskSizeGb) || n.diskSizeGb < 20)
    fail(`args.nodes.diskSizeGb must be a whole number >= 20 (got ${show(n.diskSizeGb)})`);
}

function checkAddonVersions(versions: Partial<EksAddonVersions>, version: string, fail: Fail): void {
  for (const [key, value] of Object.entries(versions)) {
    if (!(key in DEFAULT_ADDON_VERSIONS))
      fail(
        `args.addonVersions.${key} is not a managed add-on of this component (known: ${Object.keys(DEFAULT_ADDON_VERSIONS).join(", ")})`,
      );
    if (typeof value !== "string" || !ADDON_VERSION.test(value))
      fail(`args.addonVersions.${key} must be an EKS add-on version such as v1.21.1-eksbuild.7 (got ${show(value)})`);
  }
  // kube-proxy is built per Kubernetes minor; EKS refuses a build for another minor.
  const kubeProxy = versions.kubeProxy ?? DEFAULT_ADDON_VERSIONS.kubeProxy;
  if (!kubeProxy.startsWith(`v${version}.`)) {
    fail(`args.addonVersions.kubeProxy must be a kube-proxy ${version} build to match args.version (got ${show(kubeProxy)})`);
  }
}

/**
 * The Pulumi name part of an access entry: the role's account and name, which are what the entry is for (EKS
 * replaces an entry whose principal changes), so reordering a list changes nothing.
 */
export function adminEntryName(roleArn: string): string {
  const [, , , , account = "", resource = ""] = roleArn.split(":");
  const roleName = resource.split("/").pop() ?? resource;
  return `${account}-${roleName}`;
}

/**
 * The EKS AMI type for an instance type: Graviton families (a letter group, a generation, then "g", as in
 * m7g, c7gn, r8gd, t4g, and the first-generation a1) run ARM64, everything else x86_64. AL2023 only: AL2
 * AMIs are end of life.
 */
export function amiTypeFor(instanceType: string): "AL2023_ARM_64_STANDARD" | "AL2023_x86_64_STANDARD" {
  const family = instanceType.split(".")[0] ?? "";
  return family === "a1" || /^[a-z]+\d+g[a-z]*$/.test(family) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}
