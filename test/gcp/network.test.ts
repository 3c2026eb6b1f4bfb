// GIVEN the network arguments of a dev-like stack (10.20.0.0/16, 3 nodes, unprotected) and of a
//       production-like one (10.0.0.0/16, 10 nodes, every flow logged, protected)
// WHEN the GCP Network component is recorded under the offline engine
// THEN the engine receives exactly the custom-mode network, the node subnet with its pods and services
//      ranges, flow logs and Private Google Access, the router and NAT, the logged deny of all ingress and
//      the private service access range and peering, wired to each other and protected where they guard
//      data; nothing admits the internet to SSH or RDP; the policy pack finds nothing; a cache built on the
//      network waits for the peering; and bad arguments are refused, naming the argument, before anything
//      is registered.
import { describe, expect, test } from "@jest/globals";
import * as gcp from "@pulumi/gcp";
import * as path from "node:path";
import { DEFAULT_FLOW_LOG_SAMPLING, Network, type NetworkArgs, PODS_RANGE_NAME, SERVICES_RANGE_NAME } from "../../components/gcp/network";
import { policies } from "../../policies/policies";
import type { RecordedResource } from "../../review/engine";
import { loadPolicyConfig } from "../../review/policy-config";
import { runPolicies } from "../../review/policy-runner";
import { documentedDefaults } from "../documented-defaults";
import { FACTS, gcpProvider, idOf, type Recorded, recordProgram, stateOf, valueOf } from "../harness";

const T = {
  component: "platform:gcp:Network",
  network: "gcp:compute/network:Network",
  subnet: "gcp:compute/subnetwork:Subnetwork",
  router: "gcp:compute/router:Router",
  nat: "gcp:compute/routerNat:RouterNat",
  firewall: "gcp:compute/firewall:Firewall",
  address: "gcp:compute/globalAddress:GlobalAddress",
  connection: "gcp:servicenetworking/connection:Connection",
};

const REGION = "europe-west1";
const DEV: NetworkArgs = { cidr: "10.20.0.0/16", region: REGION, maxNodes: 3, protect: false };
const PRODUCTION: NetworkArgs = { cidr: "10.0.0.0/16", region: REGION, maxNodes: 10, flowLogSampling: 1, protect: true };

interface Expected {
  nodes: string;
  pods: string;
  services: string;
  privateServices: string;
  sampling: number;
}

const CASES: Array<[string, NetworkArgs, Expected]> = [
  [
    "dev-like",
    DEV,
    { nodes: "10.20.0.0/20", services: "10.20.16.0/20", privateServices: "10.20.32.0/20", pods: "10.20.128.0/17", sampling: 0.5 },
  ],
  [
    "production-like",
    PRODUCTION,
    { nodes: "10.0.0.0/20", services: "10.0.16.0/20", privateServices: "10.0.32.0/20", pods: "10.0.128.0/17", sampling: 1 },
  ],
];

const LABEL = "platform-test-net";
const ROOT = path.resolve(__dirname, "..", "..");

async function build(args: NetworkArgs): Promise<{ r: Recorded; outputs: Record<string, unknown> }> {
  let outputs: Record<string, unknown> = {};
  const r = await recordProgram(async () => {
    const net = new Network("net", args, { providers: [gcpProvider()] });
    const resolved = await Promise.all(
      (
        [
          ["networkId", net.networkId],
          ["networkName", net.networkName],
          ["networkSelfLink", net.networkSelfLink],
          ["subnetId", net.subnetId],
          ["subnetName", net.subnetName],
          ["subnetSelfLink", net.subnetSelfLink],
          ["privateServiceRangeName", net.privateServiceRangeName],
          ["privateServiceConnection", net.privateServiceConnection.id],
        ] as const
      ).map(async ([key, output]) => [key, await valueOf(output)] as const),
    );
    outputs = {
      ...Object.fromEntries(resolved),
      region: net.region,
      networkCidr: net.networkCidr,
      nodesCidr: net.nodesCidr,
      podsCidr: net.podsCidr,
      servicesCidr: net.servicesCidr,
      privateServicesCidr: net.privateServicesCidr,
      podsRangeName: net.podsRangeName,
      servicesRangeName: net.servicesRangeName,
    };
  });
  return { r, outputs };
}

const recordings = new Map<NetworkArgs, ReturnType<typeof build>>();
/** Each argument set is recorded once and shared by the tests that inspect it. */
const recorded = (args: NetworkArgs) => recordings.get(args) ?? recordings.set(args, build(args)).get(args)!;

/** The rule's ports as [from, to] ranges; no ports means every port. */
const portRanges = (ports: unknown): Array<[number, number]> =>
  Array.isArray(ports) && ports.length > 0
    ? ports.map((p) => String(p).split("-").map(Number)).map(([from, to]) => [from!, to ?? from!] as [number, number])
    : [[0, 65535]];

/** The ports of `wanted` a firewall rule admits from anywhere on the internet (0.0.0.0/0 or ::/0). */
function worldOpen(rule: RecordedResource, wanted: number[]): number[] {
  const inputs = rule.inputs as {
    direction?: string;
    disabled?: boolean;
    sourceRanges?: string[];
    allows?: Array<{ protocol: string; ports?: string[] }>;
  };
  if ((inputs.direction ?? "INGRESS") !== "INGRESS" || inputs.disabled === true) return [];
  if (!(inputs.sourceRanges ?? []).some((range) => range === "0.0.0.0/0" || range === "::/0")) return [];
  return wanted.filter((port) =>
    (inputs.allows ?? []).some(
      (allow) => ["tcp", "all", "6"].includes(allow.protocol) && portRanges(allow.ports).some(([from, to]) => from <= port && port <= to),
    ),
  );
}

describe("the world-open check", () => {
  const rule = (inputs: Record<string, unknown>) => ({ inputs }) as unknown as RecordedResource;
  test("finds SSH and RDP open to the internet however the rule writes it, and nothing else", () => {
    const world = { sourceRanges: ["0.0.0.0/0"] };
    expect(worldOpen(rule({ ...world, allows: [{ protocol: "tcp", ports: ["22"] }] }), [22, 3389])).toEqual([22]);
    expect(worldOpen(rule({ ...world, allows: [{ protocol: "tcp", ports: ["3000-4000"] }] }), [22, 3389])).toEqual([3389]);
    expect(worldOpen(rule({ sourceRanges: ["::/0"], allows: [{ protocol: "all" }] }), [22, 3389])).toEqual([22, 3389]);
    expect(worldOpen(rule({ ...world, allows: [{ protocol: "udp", ports: ["22"] }] }), [22])).toEqual([]);
    expect(worldOpen(rule({ sourceRanges: ["10.0.0.0/8"], allows: [{ protocol: "tcp" }] }), [22])).toEqual([]);
    expect(worldOpen(rule({ ...world, direction: "EGRESS", allows: [{ protocol: "tcp" }] }), [22])).toEqual([]);
    expect(worldOpen(rule({ ...world, denies: [{ protocol: "all" }] }), [22, 3389])).toEqual([]);
  });
});

describe.each(CASES)("Network, %s", (_label, args, expected) => {
  test("registers one of each resource, all under the component and its provider, no secrets", async () => {
    const { r } = await recorded(args);
    const counts: Record<string, number> = {};
    for (const x of r.resources) counts[x.type] = (counts[x.type] ?? 0) + 1;
    expect(counts).toEqual({
      "pulumi:pulumi:Stack": 1,
      "pulumi:providers:gcp": 1,
      [T.component]: 1,
      [T.network]: 1,
      [T.subnet]: 1,
      [T.router]: 1,
      [T.nat]: 1,
      [T.firewall]: 1,
      [T.address]: 1,
      [T.connection]: 1,
    });
    const component = r.one(T.component);
    const provider = r.one("pulumi:providers:gcp");
    for (const child of r.resources.filter((x) => x.custom && x.type !== "pulumi:providers:gcp")) {
      expect({ name: child.name, parent: child.parent, provider: child.provider, secrets: child.secretInputs }).toEqual({
        name: child.name,
        parent: component.urn,
        provider: provider.urn,
        secrets: [],
      });
    }
  });

  test("outputs: ids, names and self links, the planned CIDRs and the secondary range names", async () => {
    const { r, outputs } = await recorded(args);
    const network = r.one(T.network);
    const subnet = r.one(T.subnet);
    expect(outputs).toEqual({
      networkId: idOf(network),
      networkName: stateOf(network).name,
      networkSelfLink: stateOf(network).selfLink,
      subnetId: idOf(subnet),
      subnetName: stateOf(subnet).name,
      subnetSelfLink: stateOf(subnet).selfLink,
      region: REGION,
      networkCidr: args.cidr,
      nodesCidr: expected.nodes,
      podsCidr: expected.pods,
      servicesCidr: expected.services,
      privateServicesCidr: expected.privateServices,
      podsRangeName: "pods",
      servicesRangeName: "services",
      privateServiceRangeName: stateOf(r.one(T.address)).name,
      privateServiceConnection: idOf(r.one(T.connection)),
    });
    expect(idOf(network)).toBe(`projects/${FACTS.project}/global/networks/${String(stateOf(network).name)}`);
    expect([PODS_RANGE_NAME, SERVICES_RANGE_NAME]).toEqual(["pods", "services"]);
  });

  test("the network: custom mode, regional routing, the default route kept; protected when it guards data", async () => {
    const { r } = await recorded(args);
    const network = r.one(T.network);
    expect(network.name).toBe("net-network");
    expect(network.inputs).toEqual({ description: `Network of ${LABEL}`, autoCreateSubnetworks: false, routingMode: "REGIONAL" });
    expect(network.protect).toBe(args.protect);
  });

  test("the node subnet: planned ranges, Private Google Access, flow logs of every connection with all metadata", async () => {
    const { r } = await recorded(args);
    const subnet = r.one(T.subnet);
    expect(subnet.name).toBe("net-nodes");
    expect(subnet.inputs).toEqual({
      description: `Nodes, pods and services of ${LABEL}`,
      network: idOf(r.one(T.network)),
      region: REGION,
      stackType: "IPV4_ONLY",
      ipCidrRange: expected.nodes,
      secondaryIpRanges: [
        { rangeName: "pods", ipCidrRange: expected.pods },
        { rangeName: "services", ipCidrRange: expected.services },
      ],
      privateIpGoogleAccess: true,
      logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: expected.sampling, metadata: "INCLUDE_ALL_METADATA" },
    });
    expect(subnet.propertyDependencies.network).toEqual([r.one(T.network).urn]);
    expect(subnet.protect).toBe(false);
  });

  test("Cloud NAT on a router of the network: Google-allocated addresses for every range of the node subnet, errors logged", async () => {
    const { r } = await recorded(args);
    const router = r.one(T.router);
    const nat = r.one(T.nat);
    const subnet = r.one(T.subnet);
    expect(router.inputs).toEqual({ description: `Cloud NAT of ${LABEL}`, network: idOf(r.one(T.network)), region: REGION });
    expect(nat.inputs).toEqual({
      router: stateOf(router).name,
      region: REGION,
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
      subnetworks: [{ name: idOf(subnet), sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
      enableDynamicPortAllocation: true,
      enableEndpointIndependentMapping: false,
      minPortsPerVm: 64,
      maxPortsPerVm: 65536,
      logConfig: { enable: true, filter: "ERRORS_ONLY" },
    });
    expect(nat.propertyDependencies).toEqual({ router: [router.urn], subnetworks: [subnet.urn] });
  });

  test("firewall: one logged deny of all ingress at the lowest usable priority, and nothing admits the internet to SSH or RDP", async () => {
    const { r } = await recorded(args);
    const rule = r.one(T.firewall);
    expect(rule.name).toBe("net-deny-all-ingress");
    expect(rule.inputs).toEqual({
      description: `Denies and logs all ingress to ${LABEL} that no higher-priority rule allows`,
      network: idOf(r.one(T.network)),
      direction: "INGRESS",
      priority: 65534,
      sourceRanges: ["0.0.0.0/0"],
      denies: [{ protocol: "all" }],
      logConfig: { metadata: "INCLUDE_ALL_METADATA" },
    });
    expect(r.ofType(T.firewall).flatMap((x) => worldOpen(x, [22, 3389]).map((port) => `${x.name}:${port}`))).toEqual([]);
    expect(r.ofType(T.firewall).filter((x) => x.inputs.allows !== undefined)).toEqual([]);
  });

  test("private service access: the planned range reserved for peering, connected to service networking, protected with the network", async () => {
    const { r } = await recorded(args);
    const network = r.one(T.network);
    const address = r.one(T.address);
    const connection = r.one(T.connection);
    const [base, prefix] = expected.privateServices.split("/");
    expect(address.inputs).toEqual({
      description: `Private service access range of ${LABEL}: Cloud SQL and Memorystore`,
      network: idOf(network),
      purpose: "VPC_PEERING",
      addressType: "INTERNAL",
      ipVersion: "IPV4",
      address: base,
      prefixLength: Number(prefix),
    });
    expect(connection.inputs).toEqual({
      network: idOf(network),
      service: "servicenetworking.googleapis.com",
      reservedPeeringRanges: [stateOf(address).name],
    });
    expect(connection.propertyDependencies).toEqual({ network: [network.urn], reservedPeeringRanges: [address.urn] });
    expect([address.protect, connection.protect]).toEqual([args.protect, args.protect]);
  });

  test("the policy pack, with the production config, finds nothing", async () => {
    const { r } = await recorded(args);
    const config = loadPolicyConfig(policies, path.join(ROOT, "policies", "config", "production.json"), ROOT);
    const results = await runPolicies(r.resources, policies, config, { name: "platform-policies", version: "0.1.0" });
    expect(results.filter((x) => x.violations.length > 0 || x.skipped)).toEqual([]);
  });
});

describe("a cache built on the network", () => {
  test("takes the network and the reserved range by reference, and so waits for the peering", async () => {
    const r = await recordProgram(() => {
      const provider = gcpProvider();
      const net = new Network("net", DEV, { providers: [provider] });
      new gcp.redis.Instance(
        "cache",
        {
          memorySizeGb: 1,
          region: net.region,
          authorizedNetwork: net.networkId,
          connectMode: "PRIVATE_SERVICE_ACCESS",
          reservedIpRange: net.privateServiceRangeName,
        },
        { provider },
      );
    });
    const cache = r.one("gcp:redis/instance:Instance");
    expect(cache.inputs).toMatchObject({
      authorizedNetwork: idOf(r.one(T.network)),
      reservedIpRange: stateOf(r.one(T.address)).name,
    });
    expect(cache.propertyDependencies.reservedIpRange).toEqual([r.one(T.address).urn, r.one(T.connection).urn].sort());
  });
});

describe("the flow log sampling", () => {
  test("the documented default is the one applied", () => {
    expect(documentedDefaults("components/gcp/network.ts", "NetworkArgs")).toEqual({ flowLogSampling: DEFAULT_FLOW_LOG_SAMPLING });
    expect(DEFAULT_FLOW_LOG_SAMPLING).toBe(0.5);
  });
});

describe("Network refuses bad arguments before registering anything", () => {
  const nodes = (capacity: number, pods: string, got: string) =>
    `Network prod: args.maxNodes must be a whole number from 1 to ${capacity}: the pods range ${pods} holds ${capacity} nodes at 110 pods (a /24) each; plan more nodes with a wider network block (got ${got})`;
  const sampling = (got: string) =>
    `Network prod: args.flowLogSampling must be a number from 0.5 to 1, the share of flows recorded; fewer leave too little to investigate an incident with (got ${got})`;
  test.each<[string, string, Partial<NetworkArgs>, string]>([
    [
      "a malformed block",
      "prod",
      { cidr: "10.0.0.0" },
      'Network prod: args.cidr must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got "10.0.0.0")',
    ],
    [
      "a public block",
      "prod",
      { cidr: "34.64.0.0/16" },
      'Network prod: args.cidr must be a private (RFC 1918) block such as 10.0.0.0/16; a public range would hide those internet addresses from the network (got "34.64.0.0/16")',
    ],
    [
      "a block wider than /16",
      "prod",
      { cidr: "10.0.0.0/12" },
      'Network prod: args.cidr must be a block from /16 to /20; the plan fills no more than a /16, and a wider block only takes private space from networks that may peer with this one (got "10.0.0.0/12")',
    ],
    [
      "a block narrower than /20",
      "prod",
      { cidr: "10.0.0.0/22" },
      'Network prod: args.cidr must be a block from /16 to /20; a smaller one cannot fit the plan, whose private service range must be /24 or larger for Cloud SQL and Memorystore (got "10.0.0.0/22")',
    ],
    ["more nodes than the pods range holds", "prod", { cidr: "10.0.0.0/18", maxNodes: 33 }, nodes(32, "10.0.32.0/19", "33")],
    ["no nodes", "prod", { maxNodes: 0 }, nodes(128, "10.0.128.0/17", "0")],
    [
      "an AWS region",
      "prod",
      { region: "eu-west-1" },
      'Network prod: args.region must be a GCP region such as europe-west1 (got "eu-west-1")',
    ],
    [
      "a zone for a region",
      "prod",
      { region: "europe-west1-b" },
      'Network prod: args.region must be a GCP region such as europe-west1 (got "europe-west1-b")',
    ],
    ["a sampling under a half", "prod", { flowLogSampling: 0.1 }, sampling("0.1")],
    ["a sampling over 1", "prod", { flowLogSampling: 1.5 }, sampling("1.5")],
    ["no sampling at all", "prod", { flowLogSampling: 0 }, sampling("0")],
    [
      "a protect that is not a boolean",
      "prod",
      { protect: "yes" as unknown as boolean },
      'Network prod: args.protect must be true or false (got "yes")',
    ],
    [
      "a name GCP refuses",
      "Prod",
      {},
      'Network Prod: the name must be 1 to 30 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen: GCP names the network\'s resources after it (got "Prod")',
    ],
    [
      "a name too long for the children's names",
      "platform-production-network-eu1",
      {},
      'Network platform-production-network-eu1: the name must be 1 to 30 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen: GCP names the network\'s resources after it (got "platform-production-network-eu1")',
    ],
  ])("%s", async (_what, name, change, message) => {
    let thrown: unknown;
    const r = await recordProgram(() => {
      try {
        new Network(name, { ...PRODUCTION, ...change }, { providers: [gcpProvider()] });
      } catch (err) {
        thrown = err;
      }
    });
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(message);
    expect(r.resources.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack", "pulumi:providers:gcp"]);
  });
});
