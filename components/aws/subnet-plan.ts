// Subnet CIDRs for the AWS network: a pure function, no Pulumi resources, so every layout can be checked
// directly (test/aws/subnet-plan.test.ts) before anything is deployed.
//
// Layout, in fractions of the VPC block (figures for a /16; every size scales with the block, so a /20
// gets the same shape sixteen times smaller):
//
//   0     - 12/16   private: six zone slots of 1/8 (/19 each). With the EKS VPC CNI every pod takes a
//                   VPC address, so the private tier gets three quarters of the space.
//   12/16 - 13/16   public: eight slots of 1/128 (/23, 512 addresses; /27 in a /20, the smallest subnet
//                   a load balancer accepts). They hold only NAT gateways and load balancers.
//   13/16 - 14/16   isolated: eight slots of 1/128 (/23), for Postgres and Redis.
//   14/16 - 1       spare: 1/8 (/19) kept for a future tier, e.g. a second private subnet per zone or
//                   an intra tier for the EKS control-plane network interfaces.
//
// Zone i always gets slot i of each tier, whatever the number of zones, so adding zones later adds
// subnets and never renumbers existing ones. Reserved: the slots of zones not yet used (up to six) in
// every tier, and the spare block. Beyond that, a VPC can take secondary CIDR blocks (100.64.0.0/10 is
// the usual choice for pods) without touching this plan.
import { type Cidr, formatCidr, parseCidr, size } from "../cidr";

const MIN_ZONES = 2;
/** Six private slots of 1/8 fit in the block with room left for the small tiers and the spare. */
export const MAX_ZONES = 6;
/** The widest VPC block AWS allows. */
const WIDEST_VPC_PREFIX = 16;
/** The narrowest block whose public subnets are still a /27, as Application Load Balancers require. */
const NARROWEST_VPC_PREFIX = 20;

/** Extra prefix bits of each tier's subnets over the VPC's prefix. */
const PRIVATE_BITS = 3;
const SMALL_BITS = 7;
/** Where each tier starts, in sixteenths of the VPC block. */
const PUBLIC_AT = 12;
const ISOLATED_AT = 13;
const SPARE_AT = 14;
const SPARE_BITS = 3;

export type Tier = "public" | "private" | "isolated";
export const TIERS: readonly Tier[] = ["public", "private", "isolated"];

export interface SubnetPlanArgs {
  /** The VPC block, from /16 to /20, e.g. 10.0.0.0/16. */
  cidr: string;
  /** Number of availability zones, 2 to 6. */
  zones: number;
}

export type TierCidrs = Record<Tier, string[]>;

export interface SubnetPlan extends TierCidrs {
  /** The VPC block as given. */
  vpc: string;
  /** Space kept for growth; none of it is in a subnet. */
  reserved: {
    /** Each tier's slots for the zones after the ones in use, up to six, in zone order. */
    zones: TierCidrs;
    /** The block kept for a future tier. */
    spareTier: string;
  };
  /** Every address of the VPC outside the planned subnets, as the fewest CIDR blocks, in address order. */
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

function validVpc(text: unknown): Cidr {
  const block = typeof text === "string" ? parseCidr(text) : undefined;
  const got = JSON.stringify(text);
  if (!block) throw new SubnetPlanError("cidr", `must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got ${got})`);
  if (block.prefix < WIDEST_VPC_PREFIX) {
    throw new SubnetPlanError(
      "cidr",
      `must be a block from /${WIDEST_VPC_PREFIX} to /${NARROWEST_VPC_PREFIX}; AWS allows no VPC wider than /${WIDEST_VPC_PREFIX} (got ${got})`,
    );
  }
  if (block.prefix > NARROWEST_VPC_PREFIX) {
    throw new SubnetPlanError(
      "cidr",
      `must be a block from /${WIDEST_VPC_PREFIX} to /${NARROWEST_VPC_PREFIX}; a smaller one cannot fit the plan, whose public subnets must be /27 or larger for load balancers (got ${got})`,
    );
  }
  return block;
}

function validZones(zones: unknown): number {
  if (typeof zones !== "number" || !Number.isInteger(zones) || zones < MIN_ZONES || zones > MAX_ZONES) {
    throw new SubnetPlanError("zones", `must be a whole number from ${MIN_ZONES} to ${MAX_ZONES} (got ${JSON.stringify(zones)})`);
  }
  return zones;
}

/** The largest aligned blocks covering [start, end), in address order. */
function blocksBetween(start: number, end: number): Cidr[] {
  const blocks: Cidr[] = [];
  let at = start;
  while (at < end) {
    let prefix = 0;
    while (at % size(prefix) !== 0 || at + size(prefix) > end) prefix++;
    blocks.push({ base: at, prefix });
    at += size(prefix);
  }
  return blocks;
}

/** Plans public, private and isolated subnets, one per zone per tier; throws SubnetPlanError on bad arguments. */
export function planSubnets(args: SubnetPlanArgs): SubnetPlan {
  const vpc = validVpc(args.cidr);
  const zones = validZones(args.zones);
  const sixteenth = size(vpc.prefix + 4);

  const slot = (tier: Tier, zone: number): Cidr => {
    if (tier === "private") return { base: vpc.base + zone * size(vpc.prefix + PRIVATE_BITS), prefix: vpc.prefix + PRIVATE_BITS };
    const start = vpc.base + (tier === "public" ? PUBLIC_AT : ISOLATED_AT) * sixteenth;
    return { base: start + zone * size(vpc.prefix + SMALL_BITS), prefix: vpc.prefix + SMALL_BITS };
  };
  const slots = (tier: Tier, from: number, to: number) => Array.from({ length: to - from }, (_, i) => slot(tier, from + i));
  const tiers = (from: number, to: number): TierCidrs => ({
    public: slots("public", from, to).map(formatCidr),
    private: slots("private", from, to).map(formatCidr),
    isolated: slots("isolated", from, to).map(formatCidr),
  });

  const used = TIERS.flatMap((tier) => slots(tier, 0, zones)).sort((a, b) => a.base - b.base);
  const free: Cidr[] = [];
  let at = vpc.base;
  for (const subnet of used) {
    free.push(...blocksBetween(at, subnet.base));
    at = subnet.base + size(subnet.prefix);
  }
  free.push(...blocksBetween(at, vpc.base + size(vpc.prefix)));

  return {
    vpc: formatCidr(vpc),
    ...tiers(0, zones),
    reserved: {
      zones: tiers(zones, MAX_ZONES),
      spareTier: formatCidr({ base: vpc.base + SPARE_AT * sixteenth, prefix: vpc.prefix + SPARE_BITS }),
    },
    free: free.map(formatCidr),
  };
}
