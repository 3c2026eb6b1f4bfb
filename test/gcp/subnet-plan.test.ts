// GIVEN a private network block from /16 to /20 and the most nodes the cluster may run
// WHEN the GCP address ranges are planned
// THEN the nodes, pods, services and private service ranges lie inside the block, are private and overlap
//      neither each other nor the free space, which covers the rest of the block exactly once; the pods
//      range holds every node at 110 pods (a /24) each, the services range is a sixteenth of the block (a
//      /20 in a /16) and the private service range never below /24; the layout does not move with the node
//      count; and bad arguments are refused with an error naming the argument.
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { type Cidr, contains, formatCidr, isPrivate, overlaps, parseCidr, size } from "../../components/cidr";
import { MAX_PODS_PER_NODE, NODE_POD_PREFIX, planSubnet, RANGES, type SubnetPlan, SubnetPlanError } from "../../components/gcp/subnet-plan";

const cidr = (text: string): Cidr => {
  const block = parseCidr(text);
  if (!block) throw new Error(`test bug: ${text} is not a CIDR block`);
  return block;
};
const rangesOf = (plan: SubnetPlan) => RANGES.map((name) => cidr(plan[name]));
const pairs = <T>(items: T[]) => items.flatMap((a, i) => items.slice(i + 1).map((b) => [a, b] as const));

/** A block of /16 to /20 anywhere in one of the RFC 1918 ranges. */
const networkBlock = fc
  .tuple(fc.constantFrom("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16").map(cidr), fc.integer({ min: 16, max: 20 }), fc.nat())
  .map(([range, prefix, pick]) => {
    const count = size(range.prefix) / size(prefix);
    return formatCidr({ base: range.base + (pick % count) * size(prefix), prefix });
  });
/** A block with a node count the plan must accept: 1 to the pods range's capacity (2^(23 - prefix)). */
const blockAndNodes = networkBlock.chain((block) =>
  fc.integer({ min: 1, max: 2 ** (23 - cidr(block).prefix) }).map((maxNodes) => ({ cidr: block, maxNodes })),
);

describe("planSubnet examples", () => {
  test("10.0.0.0/16 (the production profile)", () => {
    expect(planSubnet({ cidr: "10.0.0.0/16", maxNodes: 10 })).toEqual({
      network: "10.0.0.0/16",
      nodes: "10.0.0.0/20",
      services: "10.0.16.0/20",
      privateServices: "10.0.32.0/20",
      pods: "10.0.128.0/17",
      nodeCapacity: 128,
      free: ["10.0.48.0/20", "10.0.64.0/18"],
    });
  });

  test("10.20.0.0/16 (the dev profile)", () => {
    expect(planSubnet({ cidr: "10.20.0.0/16", maxNodes: 3 })).toEqual({
      network: "10.20.0.0/16",
      nodes: "10.20.0.0/20",
      services: "10.20.16.0/20",
      privateServices: "10.20.32.0/20",
      pods: "10.20.128.0/17",
      nodeCapacity: 128,
      free: ["10.20.48.0/20", "10.20.64.0/18"],
    });
  });

  test("a /20: the same shape sixteen times smaller, the private service range still /24, room for 8 nodes", () => {
    expect(planSubnet({ cidr: "192.168.16.0/20", maxNodes: 8 })).toEqual({
      network: "192.168.16.0/20",
      nodes: "192.168.16.0/24",
      services: "192.168.17.0/24",
      privateServices: "192.168.18.0/24",
      pods: "192.168.24.0/21",
      nodeCapacity: 8,
      free: ["192.168.19.0/24", "192.168.20.0/22"],
    });
  });
});

describe("planSubnet properties", () => {
  test("every range lies inside the block, is private, and overlaps no other", () => {
    fc.assert(
      fc.property(blockAndNodes, (args) => {
        const plan = planSubnet(args);
        const ranges = rangesOf(plan);
        expect(plan.network).toBe(args.cidr);
        expect(ranges.filter((range) => !contains(cidr(args.cidr), range))).toEqual([]);
        expect(ranges.filter((range) => !isPrivate(range))).toEqual([]);
        expect(pairs(ranges).filter(([a, b]) => overlaps(a, b))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test("sizes: pods hold every node at a /24 (110 pods) each, services a sixteenth, private services at least /24", () => {
    fc.assert(
      fc.property(blockAndNodes, (args) => {
        const plan = planSubnet(args);
        const prefix = cidr(args.cidr).prefix;
        const pods = cidr(plan.pods);
        expect(pods.prefix).toBe(prefix + 1);
        expect(plan.nodeCapacity).toBe(size(pods.prefix) / size(NODE_POD_PREFIX));
        expect(plan.nodeCapacity).toBeGreaterThanOrEqual(args.maxNodes);
        // A /24 per node is what GKE needs for 110 pods: at least twice the pods.
        expect(size(NODE_POD_PREFIX)).toBeGreaterThanOrEqual(2 * MAX_PODS_PER_NODE);
        expect(cidr(plan.services).prefix).toBe(prefix + 4);
        expect(cidr(plan.privateServices).prefix).toBe(prefix + 4);
        expect(cidr(plan.privateServices).prefix).toBeLessThanOrEqual(24);
        // Every node the pods range holds has an address on the primary range (4 are GCP's own).
        expect(size(cidr(plan.nodes).prefix) - 4).toBeGreaterThanOrEqual(plan.nodeCapacity);
      }),
      { numRuns: 300 },
    );
  });

  test("the free space and the ranges cover the block exactly once, the free space in address order", () => {
    fc.assert(
      fc.property(blockAndNodes, (args) => {
        const plan = planSubnet(args);
        const free = plan.free.map(cidr);
        const all = [...rangesOf(plan), ...free];
        expect(pairs(all).filter(([a, b]) => overlaps(a, b))).toEqual([]);
        expect(all.reduce((sum, block) => sum + size(block.prefix), 0)).toBe(size(cidr(args.cidr).prefix));
        expect(free.map((block) => block.base)).toEqual(free.map((block) => block.base).sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  test("the node count moves no range: only the block decides the layout", () => {
    fc.assert(
      fc.property(blockAndNodes, fc.nat(), (args, other) => {
        const plan = planSubnet(args);
        expect(planSubnet({ cidr: args.cidr, maxNodes: (other % plan.nodeCapacity) + 1 })).toEqual(plan);
      }),
      { numRuns: 200 },
    );
  });
});

describe("planSubnet refuses bad arguments", () => {
  const nodesRule = (capacity: number, pods: string, got: string) =>
    `must be a whole number from 1 to ${capacity}: the pods range ${pods} holds ${capacity} nodes at 110 pods (a /24) each; plan more nodes with a wider network block (got ${got})`;
  test.each([
    [
      "a malformed block",
      { cidr: "10.0.0/16", maxNodes: 3 },
      "cidr",
      'must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got "10.0.0/16")',
    ],
    [
      "host bits set",
      { cidr: "10.0.0.1/16", maxNodes: 3 },
      "cidr",
      'must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got "10.0.0.1/16")',
    ],
    [
      "not text",
      { cidr: 10 as unknown as string, maxNodes: 3 },
      "cidr",
      "must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got 10)",
    ],
    [
      "wider than /16",
      { cidr: "10.0.0.0/15", maxNodes: 3 },
      "cidr",
      'must be a block from /16 to /20; the plan fills no more than a /16, and a wider block only takes private space from networks that may peer with this one (got "10.0.0.0/15")',
    ],
    [
      "narrower than /20",
      { cidr: "10.0.0.0/21", maxNodes: 3 },
      "cidr",
      'must be a block from /16 to /20; a smaller one cannot fit the plan, whose private service range must be /24 or larger for Cloud SQL and Memorystore (got "10.0.0.0/21")',
    ],
    [
      "a public block",
      { cidr: "100.64.0.0/16", maxNodes: 3 },
      "cidr",
      'must be a private (RFC 1918) block such as 10.0.0.0/16; a public range would hide those internet addresses from the network (got "100.64.0.0/16")',
    ],
    ["more nodes than a /16 holds", { cidr: "10.0.0.0/16", maxNodes: 129 }, "maxNodes", nodesRule(128, "10.0.128.0/17", "129")],
    ["more nodes than a /20 holds", { cidr: "10.0.0.0/20", maxNodes: 9 }, "maxNodes", nodesRule(8, "10.0.8.0/21", "9")],
    ["no nodes", { cidr: "10.0.0.0/16", maxNodes: 0 }, "maxNodes", nodesRule(128, "10.0.128.0/17", "0")],
    ["a fraction of a node", { cidr: "10.0.0.0/16", maxNodes: 2.5 }, "maxNodes", nodesRule(128, "10.0.128.0/17", "2.5")],
  ])("%s", (_what, args, argument, problem) => {
    let thrown: unknown;
    try {
      planSubnet(args);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SubnetPlanError);
    expect(thrown).toMatchObject({ argument, problem, message: `subnet plan: ${argument} ${problem}` });
  });
});
