// GIVEN a VPC block from /16 to /20 and 2 to 6 availability zones
// WHEN the subnets are planned
// THEN every tier has one subnet per zone, inside the VPC, none overlapping; private subnets get most of
//      the space; each zone keeps its subnets whatever the zone count; reserved and free space overlap no
//      subnet; bad arguments are refused with an error naming the argument.
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { type Cidr, contains, formatCidr, overlaps, parseCidr, size } from "../../components/cidr";
import { MAX_ZONES, planSubnets, type SubnetPlan, SubnetPlanError, TIERS } from "../../components/aws/subnet-plan";

const cidr = (text: string): Cidr => {
  const block = parseCidr(text);
  if (!block) throw new Error(`test bug: ${text} is not a CIDR block`);
  return block;
};
const subnetsOf = (plan: SubnetPlan) => TIERS.flatMap((tier) => plan[tier]).map(cidr);
const reservedOf = (plan: SubnetPlan) => [...TIERS.flatMap((tier) => plan.reserved.zones[tier]), plan.reserved.spareTier].map(cidr);
const pairs = <T>(items: T[]) => items.flatMap((a, i) => items.slice(i + 1).map((b) => [a, b] as const));

/** A VPC block of /16 to /20 anywhere in one of the RFC 1918 ranges. */
const vpcBlock = fc
  .tuple(fc.constantFrom("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16").map(cidr), fc.integer({ min: 16, max: 20 }), fc.nat())
  .map(([range, prefix, pick]) => {
    const count = size(range.prefix) / size(prefix);
    return formatCidr({ base: range.base + (pick % count) * size(prefix), prefix });
  });
const zoneCount = fc.integer({ min: 2, max: MAX_ZONES });

describe("planSubnets examples", () => {
  test("a /16 over two zones (the dev profile)", () => {
    expect(planSubnets({ cidr: "10.20.0.0/16", zones: 2 })).toEqual({
      vpc: "10.20.0.0/16",
      private: ["10.20.0.0/19", "10.20.32.0/19"],
      public: ["10.20.192.0/23", "10.20.194.0/23"],
      isolated: ["10.20.208.0/23", "10.20.210.0/23"],
      reserved: {
        zones: {
          private: ["10.20.64.0/19", "10.20.96.0/19", "10.20.128.0/19", "10.20.160.0/19"],
          public: ["10.20.196.0/23", "10.20.198.0/23", "10.20.200.0/23", "10.20.202.0/23"],
          isolated: ["10.20.212.0/23", "10.20.214.0/23", "10.20.216.0/23", "10.20.218.0/23"],
        },
        spareTier: "10.20.224.0/19",
      },
      free: ["10.20.64.0/18", "10.20.128.0/18", "10.20.196.0/22", "10.20.200.0/21", "10.20.212.0/22", "10.20.216.0/21", "10.20.224.0/19"],
    });
  });

  test("a /16 over three zones (the production profile)", () => {
    const plan = planSubnets({ cidr: "10.0.0.0/16", zones: 3 });
    expect(plan.private).toEqual(["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]);
    expect(plan.public).toEqual(["10.0.192.0/23", "10.0.194.0/23", "10.0.196.0/23"]);
    expect(plan.isolated).toEqual(["10.0.208.0/23", "10.0.210.0/23", "10.0.212.0/23"]);
    expect(plan.reserved.spareTier).toBe("10.0.224.0/19");
  });

  test("a /20 over three zones: the same shape, sixteen times smaller, public subnets still /27", () => {
    expect(planSubnets({ cidr: "192.168.16.0/20", zones: 3 })).toEqual({
      vpc: "192.168.16.0/20",
      private: ["192.168.16.0/23", "192.168.18.0/23", "192.168.20.0/23"],
      public: ["192.168.28.0/27", "192.168.28.32/27", "192.168.28.64/27"],
      isolated: ["192.168.29.0/27", "192.168.29.32/27", "192.168.29.64/27"],
      reserved: {
        zones: {
          private: ["192.168.22.0/23", "192.168.24.0/23", "192.168.26.0/23"],
          public: ["192.168.28.96/27", "192.168.28.128/27", "192.168.28.160/27"],
          isolated: ["192.168.29.96/27", "192.168.29.128/27", "192.168.29.160/27"],
        },
        spareTier: "192.168.30.0/23",
      },
      free: [
        "192.168.22.0/23",
        "192.168.24.0/22",
        "192.168.28.96/27",
        "192.168.28.128/25",
        "192.168.29.96/27",
        "192.168.29.128/25",
        "192.168.30.0/23",
      ],
    });
  });

  test("six zones use every zone slot and keep only the spare tier block", () => {
    const plan = planSubnets({ cidr: "172.16.0.0/18", zones: 6 });
    expect(plan.private).toEqual([
      "172.16.0.0/21",
      "172.16.8.0/21",
      "172.16.16.0/21",
      "172.16.24.0/21",
      "172.16.32.0/21",
      "172.16.40.0/21",
    ]);
    expect(plan.reserved).toEqual({ zones: { public: [], private: [], isolated: [] }, spareTier: "172.16.56.0/21" });
    expect(plan.free).toEqual(["172.16.51.0/24", "172.16.55.0/24", "172.16.56.0/21"]);
  });
});

describe("planSubnets properties", () => {
  test("one subnet per zone per tier, all inside the VPC, none overlapping another", () => {
    fc.assert(
      fc.property(vpcBlock, zoneCount, (vpc, zones) => {
        const plan = planSubnets({ cidr: vpc, zones });
        for (const tier of TIERS) expect(plan[tier]).toHaveLength(zones);
        const subnets = subnetsOf(plan);
        expect(subnets.filter((subnet) => !contains(cidr(vpc), subnet))).toEqual([]);
        expect(pairs(subnets).filter(([a, b]) => overlaps(a, b))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test("sizes scale with the block: private 1/8 of the VPC each, public and isolated 1/128 (never below /27)", () => {
    fc.assert(
      fc.property(vpcBlock, zoneCount, (vpc, zones) => {
        const plan = planSubnets({ cidr: vpc, zones });
        const prefix = cidr(vpc).prefix;
        expect(new Set(plan.private.map((subnet) => cidr(subnet).prefix))).toEqual(new Set([prefix + 3]));
        expect(new Set([...plan.public, ...plan.isolated].map((subnet) => cidr(subnet).prefix))).toEqual(new Set([prefix + 7]));
        expect(prefix + 7).toBeLessThanOrEqual(27);
      }),
      { numRuns: 200 },
    );
  });

  test("reserved space is non-empty, overlaps no subnet nor itself, and lies in the free space", () => {
    fc.assert(
      fc.property(vpcBlock, zoneCount, (vpc, zones) => {
        const plan = planSubnets({ cidr: vpc, zones });
        const reserved = reservedOf(plan);
        const subnets = subnetsOf(plan);
        const free = plan.free.map(cidr);
        expect(reserved.length).toBeGreaterThan(0);
        expect(reserved.filter((block) => !contains(cidr(vpc), block))).toEqual([]);
        expect(reserved.filter((block) => subnets.some((subnet) => overlaps(block, subnet)))).toEqual([]);
        expect(reserved.filter((block) => !free.some((gap) => contains(gap, block)))).toEqual([]);
        expect(pairs(reserved).filter(([a, b]) => overlaps(a, b))).toEqual([]);
        // Every zone up to six keeps a slot in every tier.
        for (const tier of TIERS) expect(plan[tier].length + plan.reserved.zones[tier].length).toBe(MAX_ZONES);
      }),
      { numRuns: 300 },
    );
  });

  test("free space and subnets together cover the VPC exactly once", () => {
    fc.assert(
      fc.property(vpcBlock, zoneCount, (vpc, zones) => {
        const plan = planSubnets({ cidr: vpc, zones });
        const free = plan.free.map(cidr);
        const all = [...subnetsOf(plan), ...free];
        expect(pairs(all).filter(([a, b]) => overlaps(a, b))).toEqual([]);
        expect(all.reduce((sum, block) => sum + size(block.prefix), 0)).toBe(size(cidr(vpc).prefix));
        expect(free.map((block) => block.base)).toEqual(free.map((block) => block.base).sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  test("adding zones adds subnets and renumbers none", () => {
    fc.assert(
      fc.property(vpcBlock, zoneCount, zoneCount, (vpc, a, b) => {
        const [fewer, more] = [planSubnets({ cidr: vpc, zones: Math.min(a, b) }), planSubnets({ cidr: vpc, zones: Math.max(a, b) })];
        for (const tier of TIERS) {
          expect(more[tier].slice(0, fewer[tier].length)).toEqual(fewer[tier]);
          expect([...fewer[tier], ...fewer.reserved.zones[tier]]).toEqual([...more[tier], ...more.reserved.zones[tier]]);
        }
        expect(more.reserved.spareTier).toBe(fewer.reserved.spareTier);
      }),
      { numRuns: 200 },
    );
  });
});

describe("planSubnets refuses bad arguments", () => {
  test.each([
    [
      "a malformed block",
      { cidr: "10.0.0/16", zones: 3 },
      "cidr",
      'must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got "10.0.0/16")',
    ],
    [
      "host bits set",
      { cidr: "10.0.0.1/16", zones: 3 },
      "cidr",
      'must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got "10.0.0.1/16")',
    ],
    [
      "not text",
      { cidr: undefined as unknown as string, zones: 3 },
      "cidr",
      "must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got undefined)",
    ],
    [
      "wider than AWS allows",
      { cidr: "10.0.0.0/15", zones: 3 },
      "cidr",
      'must be a block from /16 to /20; AWS allows no VPC wider than /16 (got "10.0.0.0/15")',
    ],
    [
      "too small for the plan",
      { cidr: "10.0.0.0/21", zones: 2 },
      "cidr",
      'must be a block from /16 to /20; a smaller one cannot fit the plan, whose public subnets must be /27 or larger for load balancers (got "10.0.0.0/21")',
    ],
    ["one zone", { cidr: "10.0.0.0/16", zones: 1 }, "zones", "must be a whole number from 2 to 6 (got 1)"],
    ["seven zones", { cidr: "10.0.0.0/16", zones: 7 }, "zones", "must be a whole number from 2 to 6 (got 7)"],
    ["a fraction of a zone", { cidr: "10.0.0.0/16", zones: 2.5 }, "zones", "must be a whole number from 2 to 6 (got 2.5)"],
  ])("%s", (_what, args, argument, problem) => {
    let thrown: unknown;
    try {
      planSubnets(args);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SubnetPlanError);
    expect(thrown).toMatchObject({ argument, problem, message: `subnet plan: ${argument} ${problem}` });
  });
});
