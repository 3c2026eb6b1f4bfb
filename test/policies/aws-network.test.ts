// GIVEN AWS network resources as the engine receives them
// WHEN the network policies run over them through the offline runner
// THEN open or unlogged networks are reported with what to change, and the platform's shapes pass.
import { describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import { check, linked, resource } from "./harness";

const vpc = resource("aws:ec2/vpc:Vpc", "net-vpc", { cidrBlock: "10.0.0.0/16" });

describe("vpc-flow-logs", () => {
  test("GIVEN a VPC with a flow log on its id THEN it passes", async () => {
    const log = linked(resource("aws:ec2/flowLog:FlowLog", "net-flow-log", { vpcId: "vpc-0a1b", trafficType: "ALL" }), "vpcId", vpc);
    expect(await check("vpc-flow-logs", [vpc, log])).toMatchObject({ evaluated: 1, messages: [] });
  });

  const group = (retentionInDays?: number) =>
    resource("aws:cloudwatch/logGroup:LogGroup", "net-flow-log-group", {
      name: "/platform/test/vpc-flow-logs",
      ...(retentionInDays !== undefined && { retentionInDays }),
    });
  const into = (logGroup: RecordedResource) =>
    linked(
      linked(
        resource("aws:ec2/flowLog:FlowLog", "net-flow-log", {
          vpcId: "vpc-0a1b",
          trafficType: "ALL",
          logDestination: "arn:aws:logs:eu-west-1:123456789012:log-group:x",
        }),
        "vpcId",
        vpc,
      ),
      "logDestination",
      logGroup,
    );

  test.each<[string, number | undefined]>([
    ["90 days", 90],
    ["a year", 365],
    ["forever (no retention set)", undefined],
  ])("GIVEN a flow log kept %s THEN it passes in production", async (_, days) => {
    expect(
      (await check("vpc-flow-logs", [vpc, group(days), into(group(days))], { environment: "production", minimumRetentionDays: 90 }))
        .messages,
    ).toEqual([]);
  });

  test("GIVEN a flow log kept 1 day THEN its log group is reported with the key to raise", async () => {
    const result = await check("vpc-flow-logs", [vpc, group(1), into(group(1))], { environment: "production", minimumRetentionDays: 90 });
    expect(result.violations).toEqual([
      {
        urn: group(1).urn,
        message:
          "log group net-flow-log-group keeps the flow log net-flow-log 1 days: keep it at least 90 in production (platform:network.flowLogRetentionDays)",
      },
    ]);
  });

  test("GIVEN a VPC whose only flow log watches another VPC THEN the VPC is reported", async () => {
    const other = resource("aws:ec2/vpc:Vpc", "other-vpc", {});
    const log = linked(resource("aws:ec2/flowLog:FlowLog", "other-flow-log", { vpcId: "vpc-0c0d" }), "vpcId", other);
    const result = await check("vpc-flow-logs", [vpc, other, log]);
    expect(result.violations).toEqual([
      { urn: vpc.urn, message: "VPC net-vpc has no flow log: create an aws.ec2.FlowLog with vpcId set to this VPC's id" },
    ]);
  });
});

describe("default-sg-closed", () => {
  const adopted = linked(
    resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "net-default-sg", { vpcId: "vpc-0a1b" }),
    "vpcId",
    vpc,
  );

  test("GIVEN the default group adopted with no rules THEN it passes", async () => {
    expect((await check("default-sg-closed", [vpc, adopted])).messages).toEqual([]);
  });

  test.each<[string, RecordedResource[], string[]]>([
    [
      "not adopted",
      [],
      [
        "VPC net-vpc leaves its default security group open (AWS creates it allowing all traffic between members and all egress): adopt it with an aws.ec2.DefaultSecurityGroup with no rules",
      ],
    ],
    [
      "adopted with an inline rule",
      [{ ...adopted, inputs: { vpcId: "vpc-0a1b", egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] } }],
      ["default security group net-default-sg has 1 inline rule(s): remove every ingress and egress rule"],
    ],
    [
      "given a rule resource",
      [
        adopted,
        linked(
          resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "self-in", { ipProtocol: "-1", securityGroupId: "sg-1" }),
          "securityGroupId",
          adopted,
        ),
      ],
      [
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule self-in adds a rule to the default security group net-default-sg: attach it to a dedicated security group instead",
      ],
    ],
  ])("GIVEN the default group %s THEN it is reported", async (_, extra, messages) => {
    expect((await check("default-sg-closed", [vpc, ...extra])).messages).toEqual(messages);
  });
});

describe("sg-no-world-ingress", () => {
  const lbGroup = resource("aws:ec2/securityGroup:SecurityGroup", "lb-sg", {
    ingress: [
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
      { protocol: "tcp", fromPort: 80, toPort: 80, ipv6CidrBlocks: ["::/0"] },
    ],
  });
  const lb = linked(
    resource("aws:lb/loadBalancer:LoadBalancer", "nlb", { loadBalancerType: "network", securityGroups: ["sg-1"] }),
    "securityGroups",
    lbGroup,
  );

  test("GIVEN HTTP and HTTPS from anywhere to a load balancer's group, and private sources elsewhere THEN it passes", async () => {
    const nodes = resource("aws:ec2/securityGroup:SecurityGroup", "nodes-sg", {
      ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }],
    });
    expect((await check("sg-no-world-ingress", [lbGroup, lb, nodes])).messages).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "SSH from anywhere inline",
      { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
      "security group db-sg ingress rule 1 admits 0.0.0.0/0 on port 22 (tcp): only a load balancer's security group may be open to the internet, on TCP 80 and 443; narrow the source to known CIDRs or a security group",
    ],
    [
      "HTTPS from anywhere to a group no load balancer uses",
      { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }] },
      "security group db-sg ingress rule 1 admits ::/0 on port 443 (tcp): only a load balancer's security group may be open to the internet, on TCP 80 and 443; narrow the source to known CIDRs or a security group",
    ],
    [
      "all traffic from anywhere",
      { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] },
      "security group db-sg ingress rule 1 admits 0.0.0.0/0 on all ports (-1): only a load balancer's security group may be open to the internet, on TCP 80 and 443; narrow the source to known CIDRs or a security group",
    ],
  ])("GIVEN %s THEN it is reported", async (_, inputs, message) => {
    expect((await check("sg-no-world-ingress", [resource("aws:ec2/securityGroup:SecurityGroup", "db-sg", inputs)])).messages).toEqual([
      message,
    ]);
  });

  test("GIVEN a port range open to the world on a load balancer's group THEN it is reported", async () => {
    const group = { ...lbGroup, inputs: { ingress: [{ protocol: "tcp", fromPort: 80, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] } };
    expect((await check("sg-no-world-ingress", [group, lb])).messages).toEqual([
      "security group lb-sg ingress rule 1 admits 0.0.0.0/0 on ports 80-443 (tcp): only TCP 80 and 443 may be open to the internet; narrow the source to known CIDRs or a security group",
    ]);
  });

  test("GIVEN world-open rule resources (aws.vpc and aws.ec2) THEN each is reported, egress and private ones are not", async () => {
    const group = resource("aws:ec2/securityGroup:SecurityGroup", "app-sg", {});
    const rules = [
      linked(
        resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "app-ssh", {
          ipProtocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrIpv4: "0.0.0.0/0",
          securityGroupId: "sg-2",
        }),
        "securityGroupId",
        group,
      ),
      linked(
        resource("aws:ec2/securityGroupRule:SecurityGroupRule", "app-rdp", {
          type: "ingress",
          protocol: "tcp",
          fromPort: 3389,
          toPort: 3389,
          cidrBlocks: ["0.0.0.0/0"],
          securityGroupId: "sg-2",
        }),
        "securityGroupId",
        group,
      ),
      linked(
        resource("aws:ec2/securityGroupRule:SecurityGroupRule", "app-out", {
          type: "egress",
          protocol: "-1",
          fromPort: 0,
          toPort: 0,
          cidrBlocks: ["0.0.0.0/0"],
          securityGroupId: "sg-2",
        }),
        "securityGroupId",
        group,
      ),
      linked(
        resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "app-vpc", {
          ipProtocol: "tcp",
          fromPort: 8080,
          toPort: 8080,
          cidrIpv4: "10.0.0.0/16",
          securityGroupId: "sg-2",
        }),
        "securityGroupId",
        group,
      ),
    ];
    const result = await check("sg-no-world-ingress", [group, ...rules]);
    expect(result.violations).toEqual([
      {
        urn: rules[1]!.urn,
        message:
          "security group rule app-rdp admits 0.0.0.0/0 on port 3389 (tcp): only a load balancer's security group may be open to the internet, on TCP 80 and 443; narrow the source to known CIDRs or a security group",
      },
      {
        urn: rules[0]!.urn,
        message:
          "security group ingress rule app-ssh admits 0.0.0.0/0 on port 22 (tcp): only a load balancer's security group may be open to the internet, on TCP 80 and 443; narrow the source to known CIDRs or a security group",
      },
    ]);
  });
});

describe("private-subnet-no-public-ip", () => {
  const igw = resource("aws:ec2/internetGateway:InternetGateway", "net-igw", {});
  const publicTable = resource("aws:ec2/routeTable:RouteTable", "net-public-rt", {});
  const route = linked(
    linked(
      resource("aws:ec2/route:Route", "net-public-default", {
        destinationCidrBlock: "0.0.0.0/0",
        routeTableId: "rtb-1",
        gatewayId: "igw-1",
      }),
      "routeTableId",
      publicTable,
    ),
    "gatewayId",
    igw,
  );
  const subnet = (name: string, map: boolean) =>
    resource("aws:ec2/subnet:Subnet", name, { cidrBlock: "10.0.0.0/20", mapPublicIpOnLaunch: map });
  const associate = (s: RecordedResource, table: RecordedResource) =>
    linked(
      linked(
        resource("aws:ec2/routeTableAssociation:RouteTableAssociation", `${s.name}-rta`, { subnetId: "subnet-1", routeTableId: "rtb-1" }),
        "subnetId",
        s,
      ),
      "routeTableId",
      table,
    );

  test("GIVEN a public subnet routed to the internet gateway with public IPs, and private subnets without THEN it passes", async () => {
    const pub = subnet("net-public-a", true);
    const inline = resource("aws:ec2/routeTable:RouteTable", "net-inline-rt", {
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-0123" }],
    });
    const pub2 = subnet("net-public-b", true);
    const priv = subnet("net-private-a", false);
    expect(
      (
        await check("private-subnet-no-public-ip", [
          igw,
          publicTable,
          route,
          inline,
          pub,
          associate(pub, publicTable),
          pub2,
          associate(pub2, inline),
          priv,
        ])
      ).messages,
    ).toEqual([]);
  });

  test("GIVEN public IPs on a subnet routed only through NAT THEN it is reported", async () => {
    const natTable = resource("aws:ec2/routeTable:RouteTable", "net-private-rt", {
      routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: "nat-1" }],
    });
    const priv = subnet("net-private-a", true);
    const result = await check("private-subnet-no-public-ip", [natTable, priv, associate(priv, natTable)]);
    expect(result.violations).toEqual([
      {
        urn: priv.urn,
        message: "subnet net-private-a sets mapPublicIpOnLaunch but has no route to an internet gateway: set mapPublicIpOnLaunch to false",
      },
    ]);
  });
});

describe("imdsv2", () => {
  test.each(["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"])(
    "GIVEN a %s requiring tokens with hop limit 1 THEN it passes",
    async (type) => {
      const lt = resource(type, "nodes-lt", {
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      });
      expect(await check("imdsv2", [lt])).toMatchObject({ evaluated: 1, messages: [] });
    },
  );

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "no metadata options",
      {},
      [
        'metadataOptions.httpTokens is unset (IMDSv1 allowed): set it to "required"',
        "metadataOptions.httpPutResponseHopLimit is unset: set it to 1 so containers cannot reach the instance metadata service",
      ],
    ],
    [
      "optional tokens and hop limit 2",
      { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 } },
      [
        'metadataOptions.httpTokens is optional: set it to "required"',
        "metadataOptions.httpPutResponseHopLimit is 2: set it to 1 so containers cannot reach the instance metadata service",
      ],
    ],
  ])("GIVEN a launch template with %s THEN it is reported", async (_, inputs, messages) => {
    expect((await check("imdsv2", [resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes-lt", inputs)])).messages).toEqual(messages);
  });
});
