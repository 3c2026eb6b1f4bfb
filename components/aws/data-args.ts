// Argument rules shared by the data components (PostgresDatabase, RedisCache, BackupBucket); their
// maintenance windows are checked by ../windows.ts, which the stack config uses too. Pure: no Pulumi
// resources, so it is tested directly.
import type * as pulumi from "@pulumi/pulumi";
import { isPrivate, overlaps, parseCidr } from "../cidr";
import { checkComponentName, type Fail, show } from "../args";

export { checkWholeNumber, type Fail, failer, show } from "../args";

/**
 * The component name becomes part of AWS names (RDS identifiers and snapshots, replication group ids of at most 40
 * characters, bucket names), which accept only lower-case letters, digits and single hyphens.
 */
export function checkName(name: string, fail: Fail): void {
  checkComponentName(name, "it becomes part of AWS resource names", fail);
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

export type CacheEngine = "valkey" | "redis";
/**
 * The ElastiCache engine versions the platform deploys, as major.minor: what RedisCache accepts and what
 * platform:cache.engineVersion accepts on AWS.
 */
export const ELASTICACHE_ENGINE_VERSIONS: Readonly<Record<CacheEngine, readonly string[]>> = {
  valkey: ["7.2", "8.0", "8.1"],
  redis: ["7.0", "7.1"],
};
