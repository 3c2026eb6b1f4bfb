// The AWS network: a VPC over 2-6 zones with public, private and isolated (data) subnets planned by
// subnet-plan.ts, NAT gateways, per-tier route tables, VPC flow logs, an S3 gateway endpoint, the default
// security group emptied, and the security group that identifies the cluster's worker nodes.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logRetentionProblem } from "../formats";
import { isPrivate, parseCidr } from "../cidr";
import { type AccountInfo, accountInfo, endpointServiceName } from "./account";
import { policyDocument } from "./iam";
import { encryptionKey, logsKeyStatement } from "./kms";
import { planSubnets, type SubnetPlan, SubnetPlanError, type Tier } from "./subnet-plan";

export type NatGateways = "single" | "perZone";

export interface NetworkArgs {
  /** The VPC block: a private (RFC 1918) /16 to /20, e.g. 10.0.0.0/16. */
  cidr: string;
  /** Availability zones to spread over, 2 to 6: the first `zones` available zones of the region. */
  zones: number;
  /**
   * "perZone": a NAT gateway in each zone, so losing a zone cuts only that zone's egress (staging and
   * production). "single": one NAT gateway in the first zone shared by all, a third of the cost (dev).
   */
  natGateways: NatGateways;
  /** Days CloudWatch keeps the VPC flow logs; one of the periods CloudWatch accepts (1, 3, 5, 7, 14, 30, ...). */
  flowLogRetentionDays: number;
  /** Pulumi `protect` on the flow logs' KMS key (deleting the key makes the logs unreadable). */
  protect: boolean;
}

const NAT_MODES: readonly NatGateways[] = ["single", "perZone"];

/** Checks every argument before anything is registered; returns the subnet plan. */
export function validateNetworkArgs(name: string, args: NetworkArgs): SubnetPlan {
  const fail = (argument: string, problem: string) => new Error(`Network ${name}: args.${argument} ${problem}`);
  let plan: SubnetPlan;
  try {
    plan = planSubnets({ cidr: args.cidr, zones: args.zones });
  } catch (err) {
    if (err instanceof SubnetPlanError) throw fail(err.argument, err.problem);
    throw err;
  }
  if (!isPrivate(parseCidr(plan.vpc)!)) {
    throw fail(
      "cidr",
      `must be a private (RFC 1918) block such as 10.0.0.0/16; a public range would hide those internet addresses from the VPC (got ${JSON.stringify(args.cidr)})`,
    );
  }
  if (!NAT_MODES.includes(args.natGateways)) {
    throw fail("natGateways", `must be "single" or "perZone" (got ${JSON.stringify(args.natGateways)})`);
  }
  const retentionRefused = logRetentionProblem(args.flowLogRetentionDays);
  if (retentionRefused) throw fail("flowLogRetentionDays", `${retentionRefused} (got ${JSON.stringify(args.flowLogRetentionDays)})`);
  if (typeof args.protect !== "boolean") throw fail("protect", `must be true or false (got ${JSON.stringify(args.protect)})`);
  return plan;
}

interface FlowLogArgs {
  vpcId: pulumi.Input<string>;
  account: AccountInfo;
  /** A CloudWatch retention period, already validated. */
  retentionDays: number;
  /** Pulumi `protect` on the KMS key. */
  protect: boolean;
  /** Human-readable prefix for names and tags, e.g. platform-production-network. */
  label: string;
}

/**
 * VPC flow logs: every accepted and rejected flow goes to a KMS-encrypted CloudWatch log group with a
 * fixed retention, written by a role only the flow-logs service of this account can assume and only
 * into that group. Children are named `${name}-flow-log-*` under `parent`, which carries the provider.
 */
function vpcFlowLogs(name: string, args: FlowLogArgs, parent: pulumi.Resource): void {
  const logGroup = flowLogGroup(name, args, parent);
  const { role, delivery } = flowLogRole(name, args, logGroup, parent);
  new aws.ec2.FlowLog(
    `${name}-flow-log`,
    {
      vpcId: args.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      // The AWS default, stated: 10-minute windows, a tenth of the records 1-minute windows give for
      // long-lived connections.
      maxAggregationInterval: 600,
      tags: { Name: `${args.label}-flow-log` },
    },
    // Without the policy in place the first deliveries fail and the flow log reports an access error.
    { parent, dependsOn: [delivery] },
  );
}

/** The flow logs' KMS key and the log group it encrypts, kept for the validated retention. */
function flowLogGroup(name: string, args: FlowLogArgs, parent: pulumi.Resource): aws.cloudwatch.LogGroup {
  const { account } = args;
  const key = encryptionKey(
    `${name}-flow-log-key`,
    { description: `VPC flow logs of ${args.label}`, account, statements: [logsKeyStatement(account)], protect: args.protect },
    parent,
  );
  return new aws.cloudwatch.LogGroup(
    `${name}-flow-log-group`,
    {
      // A fixed, readable name: people look for it in the console and in queries.
      name: `/${pulumi.getProject()}/${pulumi.getStack()}/${name}/vpc-flow-logs`,
      retentionInDays: args.retentionDays,
      kmsKeyId: key.arn,
      tags: { Name: `${args.label}-flow-logs` },
    },
    { parent },
  );
}

/**
 * The role the flow-logs service assumes, only for flow logs of this account, and its inline policy
 * allowing delivery into `logGroup` alone.
 */
function flowLogRole(
  name: string,
  args: FlowLogArgs,
  logGroup: aws.cloudwatch.LogGroup,
  parent: pulumi.Resource,
): { role: aws.iam.Role; delivery: aws.iam.RolePolicy } {
  const { account } = args;
  const role = new aws.iam.Role(
    `${name}-flow-log-role`,
    {
      description: `Delivers the VPC flow logs of ${args.label} to CloudWatch Logs`,
      assumeRolePolicy: policyDocument([
        {
          Sid: "VpcFlowLogsAssume",
          Effect: "Allow",
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Action: "sts:AssumeRole",
          // Confused-deputy guard: the service may use the role only for flow logs of this account. The
          // flow log's own id is not known before the role exists, hence the wildcard.
          Condition: {
            StringEquals: { "aws:SourceAccount": account.accountId },
            ArnLike: {
              "aws:SourceArn": pulumi.interpolate`arn:${account.partition}:ec2:${account.region}:${account.accountId}:vpc-flow-log/*`,
            },
          },
        },
      ]),
      tags: { Name: `${args.label}-flow-logs` },
    },
    { parent },
  );
  const delivery = new aws.iam.RolePolicy(
    `${name}-flow-log-delivery`,
    {
      role: role.name,
      policy: policyDocument([
        {
          Sid: "WriteFlowLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          // The group itself and its streams (log-group:<name>:log-stream:<stream>).
          Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
        },
        {
          // AWS lists it among the permissions the role needs at least. A listing cannot be narrowed to
          // one group; it reveals only group metadata of this account and region.
          Sid: "FindLogGroup",
          Effect: "Allow",
          Action: "logs:DescribeLogGroups",
          Resource: pulumi.interpolate`arn:${account.partition}:logs:${account.region}:${account.accountId}:log-group:*`,
        },
      ]),
    },
    { parent },
  );
  return { role, delivery };
}

/** Local Zones and Wavelength Zones need an opt-in and lack NAT gateways; only regular zones qualify. */
export const REGULAR_ZONES: aws.GetAvailabilityZonesArgs = {
  state: "available",
  filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
};

/** What every step inside the VPC shares: the names' prefixes, the component as parent, the VPC and its zones. */
interface VpcScope {
  /** The component's name, the prefix of every resource name. */
  name: string;
  /** `<project>-<stack>-<name>`, the prefix of every Name tag. */
  label: string;
  parent: pulumi.Resource;
  vpcId: pulumi.Output<string>;
  /** The i-th zone used, in the order of the subnet lists. */
  zone: (i: number) => pulumi.Output<string>;
}

/** The first `zones` regular zones of the region; refuses a region with fewer. */
function pickZones(name: string, zones: number, parent: pulumi.Resource): pulumi.Output<string[]> {
  const available = aws.getAvailabilityZonesOutput(REGULAR_ZONES, { parent });
  return pulumi.all([available.names, available.region]).apply(([names, region]) => {
    if (names.length < zones)
      throw new Error(`Network ${name}: args.zones asks for ${zones} zones but ${region} has ${names.length} available`);
    return names.slice(0, zones);
  });
}

// Load balancer discovery: the AWS Load Balancer Controller puts internet-facing load balancers in
// subnets tagged elb and internal ones in subnets tagged internal-elb.
const TIER_TAGS: Record<Tier, Record<string, string>> = {
  public: { "kubernetes.io/role/elb": "1" },
  private: { "kubernetes.io/role/internal-elb": "1" },
  isolated: {},
};

/** One subnet of the tier per zone, `<name>-<tier>-<i>`, on the planned blocks. */
function createSubnets(scope: VpcScope, tier: Tier, blocks: string[]): aws.ec2.Subnet[] {
  const { name, label, zone } = scope;
  return blocks.map(
    (cidrBlock, i) =>
      new aws.ec2.Subnet(
        `${name}-${tier}-${i}`,
        {
          vpcId: scope.vpcId,
          cidrBlock,
          availabilityZone: zone(i),
          // No subnet hands out public addresses: NATs use Elastic IPs, load balancers get their own.
          mapPublicIpOnLaunch: false,
          tags: { Name: pulumi.interpolate`${label}-${tier}-${zone(i)}`, ...TIER_TAGS[tier] },
        },
        { parent: scope.parent },
      ),
  );
}

/** Routes the tier's i-th subnet through `table`, as `<name>-<tier>-rta-<i>`. */
function associate(scope: VpcScope, tier: Tier, subnet: aws.ec2.Subnet, i: number, table: aws.ec2.RouteTable): void {
  new aws.ec2.RouteTableAssociation(
    `${scope.name}-${tier}-rta-${i}`,
    { subnetId: subnet.id, routeTableId: table.id },
    { parent: scope.parent },
  );
}

/** Public: the internet gateway and one table for all public subnets, its default route to the gateway. */
function createPublicRouting(scope: VpcScope, subnets: aws.ec2.Subnet[]): aws.ec2.InternetGateway {
  const { name, label, parent } = scope;
  const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: scope.vpcId, tags: { Name: label } }, { parent });
  const table = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: scope.vpcId, tags: { Name: `${label}-public` } }, { parent });
  new aws.ec2.Route(
    `${name}-public-default-route`,
    { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
    { parent },
  );
  subnets.forEach((subnet, i) => associate(scope, "public", subnet, i, table));
  return igw;
}

/** NAT gateways in the first `count` public subnets, each with its Elastic IP. */
function createNatGateways(
  scope: VpcScope,
  count: number,
  publicSubnets: aws.ec2.Subnet[],
  igw: aws.ec2.InternetGateway,
): aws.ec2.NatGateway[] {
  const { name, label, parent, zone } = scope;
  return Array.from({ length: count }, (_, i) => {
    const ip = new aws.ec2.Eip(
      `${name}-nat-eip-${i}`,
      { domain: "vpc", tags: { Name: pulumi.interpolate`${label}-nat-${zone(i)}` } },
      { parent },
    );
    return new aws.ec2.NatGateway(
      `${name}-nat-${i}`,
      {
        allocationId: ip.allocationId,
        subnetId: publicSubnets[i]!.id,
        connectivityType: "public",
        tags: { Name: pulumi.interpolate`${label}-nat-${zone(i)}` },
      },
      // A NAT gateway forwards nothing until the VPC has its internet gateway.
      { parent, dependsOn: [igw] },
    );
  });
}

/**
 * Private: a table per zone, default route to `natOfZone(i)`, so a per-zone NAT never carries another
 * zone's traffic.
 */
function createPrivateRouting(
  scope: VpcScope,
  subnets: aws.ec2.Subnet[],
  natOfZone: (i: number) => aws.ec2.NatGateway,
): aws.ec2.RouteTable[] {
  const { name, label, parent, zone } = scope;
  return subnets.map((subnet, i) => {
    const table = new aws.ec2.RouteTable(
      `${name}-private-rt-${i}`,
      { vpcId: scope.vpcId, tags: { Name: pulumi.interpolate`${label}-private-${zone(i)}` } },
      { parent },
    );
    new aws.ec2.Route(
      `${name}-private-default-route-${i}`,
      { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: natOfZone(i).id },
      { parent },
    );
    associate(scope, "private", subnet, i, table);
    return table;
  });
}

/** Isolated: a table per zone with the local route only; the S3 endpoint is their one way out. */
function createIsolatedRouting(scope: VpcScope, subnets: aws.ec2.Subnet[]): aws.ec2.RouteTable[] {
  const { name, label, parent, zone } = scope;
  return subnets.map((subnet, i) => {
    const table = new aws.ec2.RouteTable(
      `${name}-isolated-rt-${i}`,
      { vpcId: scope.vpcId, tags: { Name: pulumi.interpolate`${label}-isolated-${zone(i)}` } },
      { parent },
    );
    associate(scope, "isolated", subnet, i, table);
    return table;
  });
}

/**
 * S3 through a gateway endpoint on `tables`: free, and image layers (ECR stores them in S3) and backups
 * skip the NAT gateways. The service name follows the partition, so the endpoint also works in China.
 */
function createS3Endpoint(scope: VpcScope, account: AccountInfo, tables: aws.ec2.RouteTable[]): void {
  new aws.ec2.VpcEndpoint(
    `${scope.name}-s3-endpoint`,
    {
      vpcId: scope.vpcId,
      serviceName: pulumi
        .all([account.dnsSuffix, account.region])
        .apply(([dnsSuffix, region]) => endpointServiceName(dnsSuffix, region, "s3")),
      vpcEndpointType: "Gateway",
      routeTableIds: tables.map((table) => table.id),
      tags: { Name: `${scope.label}-s3` },
    },
    { parent: scope.parent },
  );
}

/**
 * The default security group is what anything created without a group gets: adopt it and leave it with
 * no rules, so such a resource can talk to nothing.
 */
function emptyDefaultSecurityGroup(scope: VpcScope): void {
  new aws.ec2.DefaultSecurityGroup(
    `${scope.name}-default-sg`,
    { vpcId: scope.vpcId, ingress: [], egress: [], tags: { Name: `${scope.label}-default-unused` } },
    { parent: scope.parent },
  );
}

/**
 * The worker nodes' group: an identity the database and cache admit, with no rules of its own. The
 * cluster's launch template attaches it besides the EKS cluster security group, which already lets nodes
 * reach each other, the control plane and anywhere outside (EKS API, ECR, STS through the NAT; the data
 * tier inside the VPC). A second allow-all egress here would widen nothing and only hide that dependency;
 * the cluster adds any further node rules as separate rule resources, which inline rules would fight.
 */
function createNodeSecurityGroup(scope: VpcScope): aws.ec2.SecurityGroup {
  return new aws.ec2.SecurityGroup(
    `${scope.name}-node-sg`,
    {
      vpcId: scope.vpcId,
      description: "Worker nodes of the platform cluster; the database and cache admit only this group",
      tags: { Name: `${scope.label}-nodes` },
    },
    { parent: scope.parent },
  );
}

/**
 * One VPC per environment. Private subnets hold the cluster's nodes and pods, isolated subnets the
 * database and cache (no route to or from the internet), public subnets only NAT gateways and load
 * balancers. Pass the AWS provider through `{ providers: [provider] }`.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: string;
  /** The zones used, in the order of the subnet lists. */
  readonly availabilityZones: pulumi.Output<string[]>;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly isolatedSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetCidrs: string[];
  readonly isolatedSubnetCidrs: string[];
  /**
   * Identifies the cluster's worker nodes: the cluster's launch template attaches it and the database
   * and cache admit traffic only from it. It lives here so they never depend on the cluster. It has no
   * rules: attach it besides the EKS cluster security group, which carries the nodes' own traffic.
   */
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  /** The subnet plan, including the space reserved for growth. */
  readonly plan: SubnetPlan;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = validateNetworkArgs(name, args);
    super("platform:aws:Network", name, {}, opts);
    const label = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
    const account = accountInfo(this);
    const availabilityZones = pickZones(name, args.zones, this);
    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: plan.vpc, enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: label } },
      { parent: this },
    );
    const zone = (i: number) => availabilityZones.apply((names) => names[i]!);
    const scope: VpcScope = { name, label, parent: this, vpcId: vpc.id, zone };

    const publicSubnets = createSubnets(scope, "public", plan.public);
    const privateSubnets = createSubnets(scope, "private", plan.private);
    const isolatedSubnets = createSubnets(scope, "isolated", plan.isolated);
    const igw = createPublicRouting(scope, publicSubnets);
    // One NAT gateway per zone, or one in the first zone shared by all.
    const perZone = args.natGateways === "perZone";
    const nats = createNatGateways(scope, perZone ? args.zones : 1, publicSubnets, igw);
    const privateTables = createPrivateRouting(scope, privateSubnets, (i) => nats[perZone ? i : 0]!);
    const isolatedTables = createIsolatedRouting(scope, isolatedSubnets);
    createS3Endpoint(scope, account, [...privateTables, ...isolatedTables]);
    vpcFlowLogs(name, { vpcId: vpc.id, account, retentionDays: args.flowLogRetentionDays, protect: args.protect, label }, this);
    emptyDefaultSecurityGroup(scope);
    const nodeSecurityGroup = createNodeSecurityGroup(scope);

    this.vpcId = vpc.id;
    this.vpcCidr = plan.vpc;
    this.availabilityZones = availabilityZones;
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.isolatedSubnetIds = isolatedSubnets.map((s) => s.id);
    this.privateSubnetCidrs = plan.private;
    this.isolatedSubnetCidrs = plan.isolated;
    this.nodeSecurityGroupId = nodeSecurityGroup.id;
    this.plan = plan;
    this.registerOutputs({
      vpcId: this.vpcId,
      vpcCidr: this.vpcCidr,
      availabilityZones: this.availabilityZones,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      isolatedSubnetIds: this.isolatedSubnetIds,
      privateSubnetCidrs: this.privateSubnetCidrs,
      isolatedSubnetCidrs: this.isolatedSubnetCidrs,
      nodeSecurityGroupId: this.nodeSecurityGroupId,
    });
  }
}
