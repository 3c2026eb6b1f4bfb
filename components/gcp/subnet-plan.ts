// Address ranges for the GCP network: a pure function, no Pulumi resources, so every layout can be checked
// directly (test/gcp/subnet-plan.test.ts) before anything is deployed.
//
// Layout, in sixteenths of the network block (figures for a /16; every range scales with the block, so a
// /20 gets the same shape sixteen times smaller):
//
//   0     - 1/16    nodes: the subnet's primary range (/20, 4,096 addresses), for node addresses and
//                   internal load balancers.
//   1/16  - 2/16    services: the subnet's secondary range for ClusterIPs (/20, GKE's default size).
//   2/16  - 3/16    private services: the range reserved for private service access (/20), where Cloud
//                   SQL and Memorystore take their addresses through the service networking peering. At
//                   /24 in a /20 block it is still the smallest range Google accepts for it.
//   3/16  - 8/16    free: kept for growth (a second subnet, a proxy-only subnet, more private services).
//   8/16  - 1       pods: the subnet's secondary range for pod addresses (/17). GKE gives each node a
//                   /24 of it at the default 110 pods a node, so a /17 holds 128 nodes (a /20 block's /21
//                   holds 8).
//
// The layout depends on the block alone, never on the node count: raising the cluster's size within what
// the pods range holds renumbers nothing, and the ranges never move under a running cluster.
import { type Cidr, formatCidr, isPrivate, parseCidr, size } from "../cidr";

/** The widest block the plan takes: a /16 already holds 128 nodes of 110 pods. */
const WIDEST_PREFIX = 16;
/** The narrowest block whose private service range (1/16 of it) is still the /24 Google requires. */
const NARROWEST_PREFIX = 20;
/** Pods a node runs at most: GKE's default for Standard clusters. */
export const MAX_PODS_PER_NODE = 110;
/** The block GKE carves from the pods range for each node at 110 pods: twice the pods, rounded up to a power of two. */
export const NODE_POD_PREFIX = 24;

/** Where each range starts, in sixteenths of the block, and its extra prefix bits over the block's. */
const LAYOUT = {
  nodes: { at: 0, bits: 4 },
  services: { at: 1, bits: 4 },
  privateServices: { at: 2, bits: 4 },
  pods: { at: 8, bits: 1 },
} as const;
/** The free space, in address order: 3/16 - 4/16 and 4/16 - 8/16. */
const FREE = [
  { at: 3, bits: 4 },
  { at: 4, bits: 2 },
] as const;

export type Range = keyof typeof LAYOUT;
export const RANGES: readonly Range[] = ["nodes", "services", "privateServices", "pods"];

export interface SubnetPlanArgs {
  /** The network block, a private (RFC 1918) /16 to /20, e.g. 10.0.0.0/16. */
  cidr: string;
  /** The most nodes the cluster may run at once, across its zones and with upgrade surge counted. */
  maxNodes: number;
}

export interface SubnetPlan extends Record<Range, string> {
  /** The network block as given. */
  network: string;
  /** Nodes the pods range holds at a /24 (110 pods) a node. */
  nodeCapacity: number;
  /** Every address of the block outside the planned ranges, as the fewest CIDR blocks, in address order. */
  free: string[];
}

/** A bad argument; `argument` is the name of the argument the caller must change. */
export class SubnetPlanError extends Error {
  constructor(
    readonly argument: keyof SubnetPlanArgs,
    readonly problem: string,
  ) {
    super(`subnet plan: ${argument} ${problem}`);
    this.name = "SubnetPlanError";
  }
}

function validBlock(text: unknown): Cidr {
  const block = typeof text === "string" ? parseCidr(text) : undefined;
  const got = JSON.stringify(text);
  if (!block) throw new SubnetPlanError("cidr", `must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got ${got})`);
  if (block.prefix < WIDEST_PREFIX) {
    throw new SubnetPlanError(
      "cidr",
      `must be a block from /${WIDEST_PREFIX} to /${NARROWEST_PREFIX}; the plan fills no more than a /${WIDEST_PREFIX}, and a wider block only takes private space from networks that may peer with this one (got ${got})`,
    );
  }
  if (block.prefix > NARROWEST_PREFIX) {
    throw new SubnetPlanError(
      "cidr",
      `must be a block from /${WIDEST_PREFIX} to /${NARROWEST_PREFIX}; a smaller one cannot fit the plan, whose private service range must be /24 or larger for Cloud SQL and Memorystore (got ${got})`,
    );
  }
  if (!isPrivate(block)) {
    throw new SubnetPlanError(
      "cidr",
      `must be a private (RFC 1918) block such as 10.0.0.0/16; a public range would hide those internet addresses from the network (got ${got})`,
    );
  }
  return block;
}

function validMaxNodes(maxNodes: unknown, capacity: number, pods: string): number {
  if (typeof maxNodes !== "number" || !Number.isInteger(maxNodes) || maxNodes < 1 || maxNodes > capacity) {
    throw new SubnetPlanError(
      "maxNodes",
      `must be a whole number from 1 to ${capacity}: the pods range ${pods} holds ${capacity} nodes at ${MAX_PODS_PER_NODE} pods (a /${NODE_POD_PREFIX}) each; plan more nodes with a wider network block (got ${JSON.stringify(maxNodes)})`,
    );
  }
  return maxNodes;
}

/**
 * Plans the node subnet's primary range, its pods and services secondary ranges, and the private service
 * access range, all inside `cidr` and none overlapping; throws SubnetPlanError on bad arguments.
 */
export function planSubnet(args: SubnetPlanArgs): SubnetPlan {
  const block = validBlock(args.cidr);
  const sixteenth = size(block.prefix + 4);
  const range = ({ at, bits }: { at: number; bits: number }): Cidr => ({ base: block.base + at * sixteenth, prefix: block.prefix + bits });
  const ranges = Object.fromEntries(RANGES.map((name) => [name, formatCidr(range(LAYOUT[name]))])) as Record<Range, string>;
  const nodeCapacity = size(block.prefix + LAYOUT.pods.bits) / size(NODE_POD_PREFIX);
  validMaxNodes(args.maxNodes, nodeCapacity, ranges.pods);
  return { network: formatCidr(block), ...ranges, nodeCapacity, free: FREE.map((gap) => formatCidr(range(gap))) };
}
