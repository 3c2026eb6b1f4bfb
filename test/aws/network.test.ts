// GIVEN the network arguments of a dev-like stack (2 zones, one shared NAT, /16) and of a production-like
//       one (3 zones, a NAT per zone)
// WHEN the Network component is recorded under the offline engine
// THEN the engine receives exactly the VPC, subnets, gateways, routes, endpoint, flow logs and security
//      groups the production bar asks for, wired to each other; and bad arguments are refused, naming
//      the argument, before anything is registered.
import { describe, expect, test } from "@jest/globals";
import * as pulumi from "@pulumi/pulumi";
import { Network, type NetworkArgs } from "../../components/aws/network";
import { CLOUDWATCH_RETENTION_DAYS } from "../../components/formats";
import type { RecordedResource } from "../../review/engine";
import { awsProvider, FACTS, idOf, type Recorded, recordProgram, stateOf, valueOf } from "../harness";

const T = {
  component: "platform:aws:Network",
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  igw: "aws:ec2/internetGateway:InternetGateway",
  eip: "aws:ec2/eip:Eip",
  nat: "aws:ec2/natGateway:NatGateway",
  table: "aws:ec2/routeTable:RouteTable",
  route: "aws:ec2/route:Route",
  association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  flowLog: "aws:ec2/flowLog:FlowLog",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
};

const DEV: NetworkArgs = { cidr: "10.20.0.0/16", zones: 2, natGateways: "single", flowLogRetentionDays: 7, protect: false };
const PRODUCTION: NetworkArgs = { cidr: "10.0.0.0/16", zones: 3, natGateways: "perZone", flowLogRetentionDays: 90, protect: true };

interface Expected {
  zones: string[];
  public: string[];
  private: string[];
  isolated: string[];
  /** Index of the NAT gateway each zone's private subnets route through. */
  natOfZone: number[];
}

const CASES: Array<[string, NetworkArgs, Expected]> = [
  [
    "dev-like",
    DEV,
    {
      zones: ["eu-west-1a", "eu-west-1b"],
      private: ["10.20.0.0/19", "10.20.32.0/19"],
      public: ["10.20.192.0/23", "10.20.194.0/23"],
      isolated: ["10.20.208.0/23", "10.20.210.0/23"],
      natOfZone: [0, 0],
    },
  ],
  [
    "production-like",
    PRODUCTION,
    {
      zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      private: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
      public: ["10.0.192.0/23", "10.0.194.0/23", "10.0.196.0/23"],
      isolated: ["10.0.208.0/23", "10.0.210.0/23", "10.0.212.0/23"],
      natOfZone: [0, 1, 2],
    },
  ],
];

const LABEL = "platform-test-net";
const ACCOUNT = FACTS.accountId;
const REGION = FACTS.region;
const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/platform/test/net/vpc-flow-logs`;

/** The id and computed state the offline cloud gives a recorded resource (review/cloud-state.ts). */

async function build(args: NetworkArgs, region?: string): Promise<{ r: Recorded; outputs: Record<string, unknown> }> {
  let outputs: Record<string, unknown> = {};
  const r = await recordProgram(
    async () => {
      const net = new Network("net", args, { providers: [awsProvider(region)] });
      const ids: Record<string, pulumi.Output<unknown>> = {
        vpcId: net.vpcId,
        availabilityZones: net.availabilityZones,
        publicSubnetIds: pulumi.all(net.publicSubnetIds),
        privateSubnetIds: pulumi.all(net.privateSubnetIds),
        isolatedSubnetIds: pulumi.all(net.isolatedSubnetIds),
        nodeSecurityGroupId: net.nodeSecurityGroupId,
      };
      const values = await Promise.all(Object.entries(ids).map(async ([key, output]) => [key, await valueOf(output)] as const));
      outputs = {
        ...Object.fromEntries(values),
        vpcCidr: net.vpcCidr,
        privateSubnetCidrs: net.privateSubnetCidrs,
        isolatedSubnetCidrs: net.isolatedSubnetCidrs,
      };
    },
    region ? { facts: { region } } : {},
  );
  return { r, outputs };
}

const recordings = new Map<NetworkArgs, ReturnType<typeof build>>();
/** Each argument set is recorded once and shared by the tests that inspect it. */
const recorded = (args: NetworkArgs) => recordings.get(args) ?? recordings.set(args, build(args)).get(args)!;

/** The resources of a type whose input `property` came from `source`. */
function wiredTo(r: Recorded, type: string, property: string, source: RecordedResource): RecordedResource[] {
  return r.ofType(type).filter((x) => (x.propertyDependencies[property] ?? []).includes(source.urn));
}

describe.each(CASES)("Network, %s", (_label, args, expected) => {
  const zones = expected.zones.map((_, i) => i);

  test("registers the expected number of each resource, all under the component and its provider, no secrets", async () => {
    const { r } = await recorded(args);
    const counts: Record<string, number> = {};
    for (const x of r.resources) counts[x.type] = (counts[x.type] ?? 0) + 1;
    const n = args.zones;
    const nats = args.natGateways === "perZone" ? n : 1;
    expect(counts).toEqual({
      "pulumi:pulumi:Stack": 1,
      "pulumi:providers:aws": 1,
      [T.component]: 1,
      [T.vpc]: 1,
      [T.subnet]: 3 * n,
      [T.igw]: 1,
      [T.eip]: nats,
      [T.nat]: nats,
      [T.table]: 1 + 2 * n,
      [T.route]: 1 + n,
      [T.association]: 3 * n,
      [T.endpoint]: 1,
      [T.flowLog]: 1,
      [T.logGroup]: 1,
      [T.key]: 1,
      [T.alias]: 1,
      [T.role]: 1,
      [T.rolePolicy]: 1,
      [T.defaultSg]: 1,
      [T.sg]: 1,
    });
    const component = r.one(T.component);
    const provider = r.one("pulumi:providers:aws");
    for (const child of r.resources.filter((x) => x.custom && x.type !== "pulumi:providers:aws")) {
      expect({ name: child.name, parent: child.parent, provider: child.provider, secrets: child.secretInputs }).toEqual({
        name: child.name,
        parent: component.urn,
        provider: provider.urn,
        secrets: [],
      });
    }
  });

  test("outputs: ids, the block, the zones and the subnet CIDRs in zone order", async () => {
    const { r, outputs } = await recorded(args);
    const subnetIds = (tier: string) => zones.map((i) => idOf(r.named(`net-${tier}-${i}`)));
    expect(outputs).toEqual({
      vpcId: idOf(r.one(T.vpc)),
      vpcCidr: args.cidr,
      availabilityZones: expected.zones,
      publicSubnetIds: subnetIds("public"),
      privateSubnetIds: subnetIds("private"),
      isolatedSubnetIds: subnetIds("isolated"),
      privateSubnetCidrs: expected.private,
      isolatedSubnetCidrs: expected.isolated,
      nodeSecurityGroupId: idOf(r.one(T.sg)),
    });
  });

  test("the VPC resolves and names hosts", async () => {
    const { r } = await recorded(args);
    expect(r.one(T.vpc).inputs).toEqual({ cidrBlock: args.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: LABEL } });
  });

  test("every subnet: CIDR, zone, tags, and no public addresses on launch", async () => {
    const { r } = await recorded(args);
    const vpc = r.one(T.vpc);
    const roleTag = { public: { "kubernetes.io/role/elb": "1" }, private: { "kubernetes.io/role/internal-elb": "1" }, isolated: {} };
    for (const tier of ["public", "private", "isolated"] as const) {
      for (const i of zones) {
        const subnet = r.named(`net-${tier}-${i}`);
        expect(subnet.type).toBe(T.subnet);
        expect(subnet.inputs).toEqual({
          vpcId: idOf(vpc),
          cidrBlock: expected[tier][i],
          availabilityZone: expected.zones[i],
          mapPublicIpOnLaunch: false,
          tags: { Name: `${LABEL}-${tier}-${expected.zones[i]}`, ...roleTag[tier] },
        });
        expect(subnet.propertyDependencies.vpcId).toEqual([vpc.urn]);
      }
    }
  });

  test("Elastic IPs and NAT gateways sit in the public subnets of their zones, after the internet gateway", async () => {
    const { r } = await recorded(args);
    const igw = r.one(T.igw);
    expect(igw.inputs).toEqual({ vpcId: idOf(r.one(T.vpc)), tags: { Name: LABEL } });
    const natZones = [...new Set(expected.natOfZone)];
    expect(
      r
        .ofType(T.nat)
        .map((x) => x.name)
        .sort(),
    ).toEqual(natZones.map((i) => `net-nat-${i}`));
    for (const i of natZones) {
      const ip = r.named(`net-nat-eip-${i}`);
      const nat = r.named(`net-nat-${i}`);
      const subnet = r.named(`net-public-${i}`);
      expect(ip.inputs).toEqual({ domain: "vpc", tags: { Name: `${LABEL}-nat-${expected.zones[i]}` } });
      expect(nat.inputs).toEqual({
        allocationId: idOf(ip),
        subnetId: idOf(subnet),
        connectivityType: "public",
        tags: { Name: `${LABEL}-nat-${expected.zones[i]}` },
      });
      expect(nat.propertyDependencies).toMatchObject({ allocationId: [ip.urn], subnetId: [subnet.urn] });
      expect(nat.dependencies).toContain(igw.urn);
    }
  });

  test("route tables: which table each subnet uses and where its default route goes", async () => {
    const { r } = await recorded(args);
    const vpc = r.one(T.vpc);
    /** table name, and the target of its 0.0.0.0/0 route (or none), for the subnet's association. */
    const routing = (subnet: RecordedResource) => {
      const [association, ...extra] = wiredTo(r, T.association, "subnetId", subnet);
      expect(extra).toEqual([]);
      const table = r.byUrn(association!.propertyDependencies.routeTableId![0]!);
      expect(association!.inputs).toEqual({ subnetId: idOf(subnet), routeTableId: idOf(table) });
      const routes = wiredTo(r, T.route, "routeTableId", table);
      const targets = routes.map((route) => {
        const { routeTableId, destinationCidrBlock, ...target } = route.inputs;
        expect({ routeTableId, destinationCidrBlock }).toEqual({ routeTableId: idOf(table), destinationCidrBlock: "0.0.0.0/0" });
        // Exactly one target, given by id, and the resource it names is the one it came from.
        expect(Object.keys(target)).toHaveLength(1);
        const via = Object.keys(target)[0]!;
        const source = r.byUrn(route.propertyDependencies[via]![0]!);
        expect(target[via]).toBe(idOf(source));
        return `${via}=${source.name}`;
      });
      return { association: association!.name, table: table.name, routes: targets };
    };
    for (const i of zones) {
      expect(routing(r.named(`net-public-${i}`))).toEqual({
        association: `net-public-rta-${i}`,
        table: "net-public-rt",
        routes: ["gatewayId=net-igw"],
      });
      expect(routing(r.named(`net-private-${i}`))).toEqual({
        association: `net-private-rta-${i}`,
        table: `net-private-rt-${i}`,
        routes: [`natGatewayId=net-nat-${expected.natOfZone[i]}`],
      });
      expect(routing(r.named(`net-isolated-${i}`))).toEqual({
        association: `net-isolated-rta-${i}`,
        table: `net-isolated-rt-${i}`,
        routes: [],
      });
    }
    expect(r.named("net-public-rt").inputs).toEqual({ vpcId: idOf(vpc), tags: { Name: `${LABEL}-public` } });
    for (const i of zones) {
      expect(r.named(`net-private-rt-${i}`).inputs).toEqual({ vpcId: idOf(vpc), tags: { Name: `${LABEL}-private-${expected.zones[i]}` } });
      expect(r.named(`net-isolated-rt-${i}`).inputs).toEqual({
        vpcId: idOf(vpc),
        tags: { Name: `${LABEL}-isolated-${expected.zones[i]}` },
      });
    }
  });

  test("the S3 gateway endpoint serves the private and isolated route tables, not the public one", async () => {
    const { r } = await recorded(args);
    const tables = [...zones.map((i) => r.named(`net-private-rt-${i}`)), ...zones.map((i) => r.named(`net-isolated-rt-${i}`))];
    const endpoint = r.one(T.endpoint);
    expect(endpoint.inputs).toEqual({
      vpcId: idOf(r.one(T.vpc)),
      serviceName: `com.amazonaws.${REGION}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: tables.map(idOf),
      tags: { Name: `${LABEL}-s3` },
    });
    expect(endpoint.propertyDependencies.routeTableIds).toEqual(tables.map((t) => t.urn).sort());
  });

  test("flow logs: all traffic to a KMS-encrypted log group with the retention asked for", async () => {
    const { r } = await recorded(args);
    const key = r.one(T.key);
    const logGroup = r.one(T.logGroup);
    const role = r.one(T.role);
    const delivery = r.one(T.rolePolicy);
    const flowLog = r.one(T.flowLog);
    expect(key.name).toBe("net-flow-log-key");
    expect(key.protect).toBe(args.protect);
    expect(key.inputs).toMatchObject({ description: `VPC flow logs of ${LABEL}`, enableKeyRotation: true, deletionWindowInDays: 30 });
    const keyPolicy = JSON.parse(key.inputs.policy as string) as { Statement: Array<{ Sid: string }> };
    expect(keyPolicy.Statement.map((s) => s.Sid)).toEqual(["AccountAdministers", "CloudWatchLogsEncrypt"]);
    expect(r.one(T.alias).inputs).toMatchObject({ name: "alias/platform-test-net-flow-log-key" });

    expect(logGroup.inputs).toEqual({
      name: "/platform/test/net/vpc-flow-logs",
      retentionInDays: args.flowLogRetentionDays,
      kmsKeyId: stateOf(key).arn,
      tags: { Name: `${LABEL}-flow-logs` },
    });
    expect(logGroup.propertyDependencies.kmsKeyId).toEqual([key.urn]);
    expect(logGroup.protect).toBe(false);

    expect(flowLog.inputs).toEqual({
      vpcId: idOf(r.one(T.vpc)),
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: LOG_GROUP_ARN,
      iamRoleArn: stateOf(role).arn,
      maxAggregationInterval: 600,
      tags: { Name: `${LABEL}-flow-log` },
    });
    // The role's policy is in place before the first delivery.
    expect(flowLog.dependencies).toContain(delivery.urn);

    expect(role.inputs).toMatchObject({
      description: `Delivers the VPC flow logs of ${LABEL} to CloudWatch Logs`,
      tags: { Name: `${LABEL}-flow-logs` },
    });
    expect(JSON.parse(role.inputs.assumeRolePolicy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "VpcFlowLogsAssume",
          Effect: "Allow",
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            ArnLike: { "aws:SourceArn": `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-flow-log/*` },
          },
        },
      ],
    });
    expect(delivery.inputs.role).toBe(stateOf(role).name);
    expect(JSON.parse(delivery.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "WriteFlowLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [LOG_GROUP_ARN, `${LOG_GROUP_ARN}:*`],
        },
        {
          Sid: "FindLogGroup",
          Effect: "Allow",
          Action: "logs:DescribeLogGroups",
          Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*`,
        },
      ],
    });
  });

  test("the default security group is adopted with no rules, and no rule resource is attached to it", async () => {
    const { r } = await recorded(args);
    const adopted = r.one(T.defaultSg);
    expect(adopted.inputs).toEqual({ vpcId: idOf(r.one(T.vpc)), ingress: [], egress: [], tags: { Name: `${LABEL}-default-unused` } });
    expect([...r.ofType(T.egressRule), ...r.ofType(T.ingressRule), ...r.ofType(T.sgRule)]).toEqual([]);
  });

  test("the node security group is an identity only: no inline rules and no rule resources", async () => {
    const { r } = await recorded(args);
    const group = r.one(T.sg);
    expect(group.name).toBe("net-node-sg");
    expect(group.inputs).toEqual({
      vpcId: idOf(r.one(T.vpc)),
      description: "Worker nodes of the platform cluster; the database and cache admit only this group",
      tags: { Name: `${LABEL}-nodes` },
    });
    expect([...r.ofType(T.egressRule), ...r.ofType(T.ingressRule), ...r.ofType(T.sgRule)]).toEqual([]);
  });
});

describe("Network over six zones", () => {
  test("takes the first six available zones of a region that has them (us-east-1) and gives each its subnets", async () => {
    const { r, outputs } = await build({ ...DEV, zones: 6, cidr: "172.16.0.0/20" }, "us-east-1");
    expect(outputs.availabilityZones).toEqual(["a", "b", "c", "d", "e", "f"].map((z) => `us-east-1${z}`));
    expect(
      r
        .ofType(T.subnet)
        .map((s) => [s.name, s.inputs.availabilityZone, s.inputs.cidrBlock])
        .filter(([name]) => String(name).includes("-private-")),
    ).toEqual([
      ["net-private-0", "us-east-1a", "172.16.0.0/23"],
      ["net-private-1", "us-east-1b", "172.16.2.0/23"],
      ["net-private-2", "us-east-1c", "172.16.4.0/23"],
      ["net-private-3", "us-east-1d", "172.16.6.0/23"],
      ["net-private-4", "us-east-1e", "172.16.8.0/23"],
      ["net-private-5", "us-east-1f", "172.16.10.0/23"],
    ]);
  });
});

describe("Network in the other partitions", () => {
  test.each([
    ["aws-cn", "cn-north-1", "cn.com.amazonaws.cn-north-1.s3"],
    ["aws-us-gov", "us-gov-west-1", "com.amazonaws.us-gov-west-1.s3"],
  ])("%s (%s): the S3 endpoint takes the partition's service name %s", async (_partition, region, serviceName) => {
    const { r } = await build(DEV, region);
    expect(r.one(T.endpoint).inputs.serviceName).toBe(serviceName);
  });
});

describe("Network refuses bad arguments before registering anything", () => {
  const retentions = CLOUDWATCH_RETENTION_DAYS.join(", ");
  test.each<[string, Partial<NetworkArgs>, string]>([
    ["one zone", { zones: 1 }, "Network prod: args.zones must be a whole number from 2 to 6 (got 1)"],
    ["no zones", { zones: 0 }, "Network prod: args.zones must be a whole number from 2 to 6 (got 0)"],
    ["seven zones", { zones: 7 }, "Network prod: args.zones must be a whole number from 2 to 6 (got 7)"],
    [
      "a block too small for the plan",
      { cidr: "10.0.0.0/22" },
      'Network prod: args.cidr must be a block from /16 to /20; a smaller one cannot fit the plan, whose public subnets must be /27 or larger for load balancers (got "10.0.0.0/22")',
    ],
    [
      "a block wider than a VPC",
      { cidr: "10.0.0.0/12" },
      'Network prod: args.cidr must be a block from /16 to /20; AWS allows no VPC wider than /16 (got "10.0.0.0/12")',
    ],
    [
      "a malformed block",
      { cidr: "10.0.0.0" },
      'Network prod: args.cidr must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 (got "10.0.0.0")',
    ],
    [
      "a public range",
      { cidr: "100.0.0.0/16" },
      'Network prod: args.cidr must be a private (RFC 1918) block such as 10.0.0.0/16; a public range would hide those internet addresses from the VPC (got "100.0.0.0/16")',
    ],
    [
      "a retention CloudWatch refuses",
      { flowLogRetentionDays: 10 },
      `Network prod: args.flowLogRetentionDays must be a CloudWatch retention period: ${retentions} (got 10)`,
    ],
    [
      "no retention (logs kept forever)",
      { flowLogRetentionDays: 0 },
      `Network prod: args.flowLogRetentionDays must be a CloudWatch retention period: ${retentions} (got 0)`,
    ],
    [
      "an unknown NAT mode",
      { natGateways: "none" as NetworkArgs["natGateways"] },
      'Network prod: args.natGateways must be "single" or "perZone" (got "none")',
    ],
  ])("%s", async (_what, change, message) => {
    let thrown: unknown;
    const r = await recordProgram(() => {
      try {
        new Network("prod", { ...PRODUCTION, ...change }, { providers: [awsProvider()] });
      } catch (err) {
        thrown = err;
      }
    });
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(message);
    expect(r.resources.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack", "pulumi:providers:aws"]);
  });
});
