// AWS network: flow logs, the default security group, world-open ingress, public IPs in private subnets,
// and IMDSv2 on instances. Anchors: CKV2_AWS_11/12, CKV_AWS_24/25/260/130/79, AVD-AWS-0107/0178.
import {
  configSchema,
  eachKnown,
  ENVIRONMENT,
  forTypes,
  known,
  type PlatformResourcePolicy,
  type PlatformStackPolicy,
  type PolicyResource,
  propsOf,
  settings,
} from "./lib/policy";
import { label, ofType, refersTo } from "./lib/stack";
import { isWorld, list, record, strings, text } from "./lib/values";

const VPC = "aws:ec2/vpc:Vpc";
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"];
const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE_TABLE = "aws:ec2/routeTable:RouteTable";
const ROUTE = "aws:ec2/route:Route";
const ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation";
const INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway";

/** Inline rule of aws.ec2.SecurityGroup / DefaultSecurityGroup (SecurityGroupIngress, SecurityGroupEgress). */
export interface InlineRule {
  cidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
  fromPort?: number;
  toPort?: number;
  protocol?: string;
}
export interface SecurityGroupProps {
  ingress?: InlineRule[];
  egress?: InlineRule[];
  vpcId?: string;
}
export interface SecurityGroupRuleProps {
  type?: string;
  cidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
  fromPort?: number;
  toPort?: number;
  protocol?: string;
  securityGroupId?: string;
}
export interface IngressRuleProps {
  cidrIpv4?: string;
  cidrIpv6?: string;
  fromPort?: number;
  toPort?: number;
  ipProtocol?: string;
  securityGroupId?: string;
}
/** aws.cloudwatch.LogGroupArgs as far as these policies read it. */
export interface LogGroupProps {
  retentionInDays?: number;
}
export interface SubnetProps {
  mapPublicIpOnLaunch?: boolean;
}
export interface MetadataOptions {
  httpEndpoint?: string;
  httpTokens?: string;
  httpPutResponseHopLimit?: number;
}
export interface LaunchTemplateProps {
  metadataOptions?: MetadataOptions;
}

const flowLogConfig = configSchema({
  environment: ENVIRONMENT,
  minimumRetentionDays: {
    type: "integer",
    minimum: 1,
    default: 90,
    description: "Days a flow log's CloudWatch log group must keep records at least.",
  },
});

const vpcFlowLogs: PlatformStackPolicy = {
  name: "vpc-flow-logs",
  description:
    "Every VPC has a flow log, kept in CloudWatch at least as long as the environment asks, so traffic can be investigated after an incident.",
  rationale:
    "Flow logs are the only record of which addresses talked to what inside the VPC; without them, or when they expire too soon, an intrusion or a leak found weeks later cannot be traced.",
  anchors: ["CKV2_AWS_11", "AVD-AWS-0178"],
  remediationSteps:
    "Create an aws.ec2.FlowLog with vpcId set to the VPC's id, trafficType ALL, delivering to a CloudWatch log group whose retentionInDays is at least the environment's minimum (platform:network.flowLogRetentionDays).",
  enforcementLevel: "mandatory",
  configSchema: flowLogConfig,
  validateStack: (args, report) => {
    const { environment, minimumRetentionDays } = settings(flowLogConfig, args);
    const logs = ofType(args.resources, FLOW_LOG);
    for (const vpc of ofType(args.resources, VPC)) {
      if (!logs.some((log) => refersTo(log, "vpcId", vpc)))
        report(`VPC ${vpc.name} has no flow log: create an aws.ec2.FlowLog with vpcId set to this VPC's id`, vpc.urn);
    }
    // A log group that keeps records forever has no retentionInDays (or 0); only a shorter one is reported.
    eachKnown(logs, (log) => {
      for (const group of ofType(args.resources, LOG_GROUP).filter((g) => refersTo(log, "logDestination", g, ["arn"]))) {
        const days = propsOf<LogGroupProps>(group).retentionInDays;
        if (typeof days === "number" && days > 0 && days < minimumRetentionDays) {
          report(
            `log group ${group.name} keeps the flow log ${log.name} ${days} days: keep it at least ${minimumRetentionDays} in ${environment} (platform:network.flowLogRetentionDays)`,
            group.urn,
          );
        }
      }
    });
  },
};

function ruleCount(group: PolicyResource): number {
  const props = propsOf<SecurityGroupProps>(group);
  return list(props.ingress).length + list(props.egress).length;
}

const defaultSgClosed: PlatformStackPolicy = {
  name: "default-sg-closed",
  description: "The default security group of every VPC has no rules, so nothing attached to it by default can talk.",
  rationale:
    "AWS puts anything created without a security group into the default one, whose stock rules let its members talk to each other and reach anywhere; emptied, a forgotten security group denies instead of allowing.",
  anchors: ["CKV2_AWS_12"],
  remediationSteps:
    "Adopt each VPC's default security group with an aws.ec2.DefaultSecurityGroup that sets no ingress and no egress rules, and attach no rule resources to it.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const defaults = ofType(args.resources, DEFAULT_SECURITY_GROUP);
    for (const vpc of ofType(args.resources, VPC)) {
      if (!defaults.some((group) => refersTo(group, "vpcId", vpc))) {
        report(
          `VPC ${vpc.name} leaves its default security group open (AWS creates it allowing all traffic between members and all egress): adopt it with an aws.ec2.DefaultSecurityGroup with no rules`,
          vpc.urn,
        );
      }
    }
    const rules = ofType(args.resources, SECURITY_GROUP_RULE, INGRESS_RULE, EGRESS_RULE);
    eachKnown(defaults, (group) => {
      const inline = ruleCount(group);
      if (inline > 0)
        report(`default security group ${group.name} has ${inline} inline rule(s): remove every ingress and egress rule`, group.urn);
      for (const rule of rules.filter((r) => refersTo(r, "securityGroupId", group))) {
        report(
          `${label(rule)} adds a rule to the default security group ${group.name}: attach it to a dedicated security group instead`,
          rule.urn,
        );
      }
    });
  },
};

/** Ports a world-open rule may admit, and only on a load balancer's security group. */
const WEB_PORTS = [80, 443];

/** Why a world-open ingress rule is refused, or undefined when it is the allowed web-to-load-balancer case. */
function worldIngressProblem(
  rule: { cidrs: string[]; protocol: unknown; fromPort: unknown; toPort: unknown },
  onLoadBalancer: boolean,
): string | undefined {
  const open = rule.cidrs.filter(isWorld);
  if (open.length === 0) return undefined;
  const protocol = typeof rule.protocol === "string" || typeof rule.protocol === "number" ? String(rule.protocol).toLowerCase() : "";
  const tcp = protocol === "tcp" || protocol === "6";
  const port = typeof rule.fromPort === "number" && rule.fromPort === rule.toPort ? rule.fromPort : undefined;
  if (onLoadBalancer && tcp && port !== undefined && WEB_PORTS.includes(port)) return undefined;
  const ports =
    protocol === "-1" || protocol === "all"
      ? "all ports"
      : port !== undefined
        ? `port ${port}`
        : `ports ${String(rule.fromPort)}-${String(rule.toPort)}`;
  const why = onLoadBalancer
    ? "only TCP 80 and 443 may be open to the internet"
    : "only a load balancer's security group may be open to the internet, on TCP 80 and 443";
  return `admits ${open.join(" and ")} on ${ports} (${protocol || "any protocol"}): ${why}; narrow the source to known CIDRs or a security group`;
}

const sgNoWorldIngress: PlatformStackPolicy = {
  name: "sg-no-world-ingress",
  description:
    "No security group admits 0.0.0.0/0 or ::/0, except HTTP and HTTPS to a load balancer, whether the rule is inline or a rule resource.",
  rationale:
    "Scanners find a port open to the whole internet within minutes; only the load balancers face the internet, and only for HTTP and HTTPS.",
  anchors: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "AVD-AWS-0107"],
  remediationSteps:
    "Replace the world-open source with the CIDRs or security group that need access. Only a load balancer's security group may admit 0.0.0.0/0 or ::/0, and only on TCP 80 and 443.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const balancers = ofType(args.resources, ...LOAD_BALANCERS);
    const groups = ofType(args.resources, SECURITY_GROUP, DEFAULT_SECURITY_GROUP);
    const fronted = (group: PolicyResource | undefined) =>
      group !== undefined && balancers.some((lb) => refersTo(lb, "securityGroups", group));
    eachKnown(groups, (group) => {
      list(propsOf<SecurityGroupProps>(group).ingress).forEach((entry, index) => {
        const rule = record(entry);
        const problem = worldIngressProblem(
          {
            cidrs: [...strings(rule.cidrBlocks), ...strings(rule.ipv6CidrBlocks)],
            protocol: rule.protocol,
            fromPort: rule.fromPort,
            toPort: rule.toPort,
          },
          fronted(group),
        );
        if (problem) report(`security group ${group.name} ingress rule ${index + 1} ${problem}`, group.urn);
      });
    });
    const groupOf = (rule: PolicyResource) => groups.find((g) => refersTo(rule, "securityGroupId", g, ["id"]));
    eachKnown(ofType(args.resources, SECURITY_GROUP_RULE), (resource) => {
      const rule = propsOf<SecurityGroupRuleProps>(resource);
      if (rule.type !== "ingress") return;
      const problem = worldIngressProblem(
        {
          cidrs: [...strings(rule.cidrBlocks), ...strings(rule.ipv6CidrBlocks)],
          protocol: rule.protocol,
          fromPort: rule.fromPort,
          toPort: rule.toPort,
        },
        fronted(groupOf(resource)),
      );
      if (problem) report(`security group rule ${resource.name} ${problem}`, resource.urn);
    });
    eachKnown(ofType(args.resources, INGRESS_RULE), (resource) => {
      const rule = propsOf<IngressRuleProps>(resource);
      const problem = worldIngressProblem(
        { cidrs: strings([rule.cidrIpv4, rule.cidrIpv6]), protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort },
        fronted(groupOf(resource)),
      );
      if (problem) report(`security group ingress rule ${resource.name} ${problem}`, resource.urn);
    });
  },
};

/** Route tables with a default route to an internet gateway, inline or as aws.ec2.Route. */
function publicRouteTables(resources: readonly PolicyResource[]): PolicyResource[] {
  const gateways = ofType(resources, INTERNET_GATEWAY);
  const toGateway = (owner: PolicyResource, property: string, value: unknown) =>
    text(value)?.startsWith("igw-") === true || gateways.some((igw) => refersTo(owner, property, igw));
  const routes = ofType(resources, ROUTE);
  return ofType(resources, ROUTE_TABLE).filter(
    (table) =>
      known(() => list(table.props.routes).some((route) => toGateway(table, "routes", record(route).gatewayId))) === true ||
      routes.some(
        (route) => refersTo(route, "routeTableId", table) && known(() => toGateway(route, "gatewayId", route.props.gatewayId)) === true,
      ),
  );
}

const privateSubnetNoPublicIp: PlatformStackPolicy = {
  name: "private-subnet-no-public-ip",
  description: "Only public subnets (routed to an internet gateway) give instances a public IP on launch.",
  rationale:
    "An instance with a public IP is one route change away from being reachable from the internet; instances in private subnets never need one, as they reach out through NAT.",
  anchors: ["CKV_AWS_130"],
  remediationSteps:
    "Set mapPublicIpOnLaunch to false on subnets that are not routed to an internet gateway; their instances reach out through NAT.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const publicTables = publicRouteTables(args.resources);
    const associations = ofType(args.resources, ROUTE_TABLE_ASSOCIATION);
    eachKnown(ofType(args.resources, SUBNET), (subnet) => {
      if (propsOf<SubnetProps>(subnet).mapPublicIpOnLaunch !== true) return;
      const isPublic = associations.some(
        (a) => refersTo(a, "subnetId", subnet) && publicTables.some((table) => refersTo(a, "routeTableId", table)),
      );
      if (!isPublic)
        report(
          `subnet ${subnet.name} sets mapPublicIpOnLaunch but has no route to an internet gateway: set mapPublicIpOnLaunch to false`,
          subnet.urn,
        );
    });
  },
};

const imdsv2: PlatformResourcePolicy = {
  name: "imdsv2",
  description:
    "Launch templates and instances require IMDSv2 session tokens with a hop limit of 1, so pods cannot borrow the node's credentials.",
  rationale:
    "IMDSv1 answers any request from the host, so a server-side request forgery or a pod on the host network can read the node role's credentials; session tokens stop the first, a hop limit of 1 keeps pods behind the node's network bridge away from the metadata service.",
  anchors: ["CKV_AWS_79"],
  remediationSteps: 'Set metadataOptions to { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 }.',
  enforcementLevel: "mandatory",
  validateResource: forTypes<LaunchTemplateProps>(
    ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"],
    (props, _args, report) => {
      const options = props.metadataOptions ?? {};
      if (options.httpEndpoint === "disabled") return;
      if (options.httpTokens !== "required")
        report(`metadataOptions.httpTokens is ${options.httpTokens ?? "unset (IMDSv1 allowed)"}: set it to "required"`);
      if (options.httpPutResponseHopLimit !== 1) {
        report(
          `metadataOptions.httpPutResponseHopLimit is ${String(options.httpPutResponseHopLimit ?? "unset")}: set it to 1 so containers cannot reach the instance metadata service`,
        );
      }
    },
  ),
};

export const awsNetworkPolicies = [vpcFlowLogs, defaultSgClosed, sgNoWorldIngress, privateSubnetNoPublicIp, imdsv2];
