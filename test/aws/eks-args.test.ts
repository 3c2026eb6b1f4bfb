// GIVEN EksCluster arguments a stack could pass, and the pure helpers behind the component
// WHEN the arguments are unsafe or malformed (a world-open endpoint not asked for, a block wider than the
//      widest prefix, one subnet, node sizes out of order, ...) or a service account is bound twice
// THEN the component throws an error naming itself, its name and the argument, before registering
//      anything; and the helpers pick AMIs, write kubeconfigs and partition the controller policy as documented.
import { describe, expect, test } from "@jest/globals";
import { amiTypeFor, type EksClusterArgs } from "../../components/aws/eks-args";
import { EksCluster } from "../../components/aws/eks-cluster";
import { kubeconfigFor } from "../../components/aws/eks-kubeconfig";
import { LB_CONTROLLER_CHART_VERSION, LB_CONTROLLER_VERSION, lbControllerStatements } from "../../components/aws/eks-lb-controller";
import { awsProvider, recordProgram } from "../harness";

const BASE: EksClusterArgs = {
  vpcId: "vpc-0prod000000000001",
  subnetIds: ["subnet-0prod000000000001", "subnet-0prod000000000002", "subnet-0prod000000000003"],
  subnetCidrs: ["10.0.64.0/19", "10.0.96.0/19", "10.0.128.0/19"],
  nodeSecurityGroupId: "sg-0prodnodes0000001",
  endpointPublicAccessCidrs: ["203.0.113.0/24"],
  endpointPublicAccessWidestPrefix: 8,
  deletionProtection: true,
  logRetentionDays: 90,
  adminRoleArns: ["arn:aws:iam::123456789012:role/platform-admin"],
  nodes: { instanceType: "m7i.xlarge", minSize: 2, desiredSize: 3, maxSize: 10, capacityType: "ON_DEMAND", diskSizeGb: 100 },
  protect: true,
};
const nodes = (patch: Partial<EksClusterArgs["nodes"]>): Partial<EksClusterArgs> => ({ nodes: { ...BASE.nodes, ...patch } });

const INVALID: Array<[string, Partial<EksClusterArgs>, string]> = [
  [
    "0.0.0.0/0 without allowWorldOpenEndpoint",
    { endpointPublicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] },
    'args.endpointPublicAccessCidrs must not include 0.0.0.0/0 or ::/0 unless args.allowWorldOpenEndpoint is true (got ["203.0.113.0/24","0.0.0.0/0"])',
  ],
  [
    "::/0 without allowWorldOpenEndpoint",
    { endpointPublicAccessCidrs: ["::/0"] },
    'args.endpointPublicAccessCidrs must not include 0.0.0.0/0 or ::/0 unless args.allowWorldOpenEndpoint is true (got ["::/0"])',
  ],
  [
    "0.0.0.0/0 allowed as world-open but wider than the widest prefix",
    { endpointPublicAccessCidrs: ["0.0.0.0/0"], allowWorldOpenEndpoint: true },
    'args.endpointPublicAccessCidrs must not hold blocks wider than /8, the widest args.endpointPublicAccessWidestPrefix admits (got ["0.0.0.0/0"])',
  ],
  [
    "a block wider than /8, the default widest prefix",
    { endpointPublicAccessCidrs: ["203.0.113.0/24", "198.0.0.0/7"], endpointPublicAccessWidestPrefix: undefined },
    'args.endpointPublicAccessCidrs must not hold blocks wider than /8, the widest args.endpointPublicAccessWidestPrefix admits (got ["198.0.0.0/7"])',
  ],
  [
    "a block wider than a narrower widest prefix",
    { endpointPublicAccessCidrs: ["203.0.113.0/24", "198.51.0.0/16"], endpointPublicAccessWidestPrefix: 20 },
    'args.endpointPublicAccessCidrs must not hold blocks wider than /20, the widest args.endpointPublicAccessWidestPrefix admits (got ["198.51.0.0/16"])',
  ],
  [
    "a widest prefix that is no prefix length",
    { endpointPublicAccessWidestPrefix: 33 },
    "args.endpointPublicAccessWidestPrefix must be a prefix length from 0 to 32 (got 33)",
  ],
  [
    "a malformed public CIDR",
    { endpointPublicAccessCidrs: ["203.0.113.7/24"] },
    'args.endpointPublicAccessCidrs must hold IPv4 CIDR blocks such as 203.0.113.0/24 (got "203.0.113.7/24")',
  ],
  [
    "fewer than 2 subnets",
    { subnetIds: ["subnet-0prod000000000001"], subnetCidrs: ["10.0.64.0/19"] },
    "args.subnetIds must list at least 2 subnets in different zones (got 1)",
  ],
  [
    "CIDRs not matching the subnets",
    { subnetCidrs: ["10.0.64.0/19", "10.0.96.0/19"] },
    "args.subnetCidrs must give one CIDR per subnet in args.subnetIds (got 2 for 3)",
  ],
  [
    "a malformed subnet CIDR",
    { subnetCidrs: ["10.0.64.0/19", "10.0.96.0/19", "10.0.128.0"] },
    'args.subnetCidrs must hold IPv4 CIDR blocks such as 10.0.32.0/19 (got "10.0.128.0")',
  ],
  ["minSize > desiredSize", nodes({ minSize: 4 }), "args.nodes must satisfy minSize <= desiredSize <= maxSize (got 4 <= 3 <= 10)"],
  ["desiredSize > maxSize", nodes({ desiredSize: 12 }), "args.nodes must satisfy minSize <= desiredSize <= maxSize (got 2 <= 12 <= 10)"],
  ["a fractional size", nodes({ maxSize: 2.5 }), "args.nodes.maxSize must be a whole number >= 0 (got 2.5)"],
  ["maxSize 0", nodes({ minSize: 0, desiredSize: 0, maxSize: 0 }), "args.nodes.maxSize must be at least 1 (got 0)"],
  ["a root disk under 20 GiB", nodes({ diskSizeGb: 10 }), "args.nodes.diskSizeGb must be a whole number >= 20 (got 10)"],
  [
    "a malformed instance type",
    nodes({ instanceType: "xlarge" }),
    'args.nodes.instanceType must be an EC2 instance type such as m7i.xlarge (got "xlarge")',
  ],
  ["a malformed version", { version: "1.35.2" }, 'args.version must be a Kubernetes minor version such as "1.35" (got "1.35.2")'],
  [
    "a cluster name EKS refuses",
    { clusterName: "platform.prod" },
    'args.clusterName must be 1-100 letters, digits, - and _, starting with a letter or digit (got "platform.prod")',
  ],
  [
    "a zero log retention",
    { logRetentionDays: 0 },
    "args.logRetentionDays must be a CloudWatch retention period: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 0)",
  ],
  [
    "a container log retention CloudWatch does not offer",
    { applicationLogRetentionDays: 10 },
    "args.applicationLogRetentionDays must be a CloudWatch retention period: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)",
  ],
  [
    "an admin ARN that is not a role",
    { adminRoleArns: ["arn:aws:iam::123456789012:user/alice"] },
    'args.adminRoleArns must hold IAM role ARNs such as arn:aws:iam::123456789012:role/platform-admin (got "arn:aws:iam::123456789012:user/alice")',
  ],
  [
    "a public block admitted to the private endpoint",
    { endpointPrivateAccessCidrs: ["10.0.64.0/19", "198.51.100.0/24"] },
    'args.endpointPrivateAccessCidrs must hold private (RFC 1918) IPv4 blocks such as 10.0.64.0/19 (got "198.51.100.0/24")',
  ],
  [
    "an admin role twice",
    { adminRoleArns: ["arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:role/ci"] },
    'args.adminRoleArns must not repeat a role (got ["arn:aws:iam::123456789012:role/ci","arn:aws:iam::123456789012:role/ci"])',
  ],
  [
    "no admin role: the creator gets no access of its own",
    { adminRoleArns: [] },
    "args.adminRoleArns must list at least one IAM role: the identity that creates the cluster gets no access of its own, so without one nobody can use its API",
  ],
  [
    "a viewer ARN that is not a role",
    { viewerRoleArns: ["arn:aws:iam::123456789012:user/ci"] },
    'args.viewerRoleArns must hold IAM role ARNs such as arn:aws:iam::123456789012:role/platform-admin (got "arn:aws:iam::123456789012:user/ci")',
  ],
  [
    "an SSO role listed with its path and again without it",
    {
      viewerRoleArns: [
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_ReadOnly_0a1b2c",
        "arn:aws:iam::123456789012:role/AWSReservedSSO_ReadOnly_0a1b2c",
      ],
    },
    'args.viewerRoleArns must not repeat a role (got ["arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_ReadOnly_0a1b2c","arn:aws:iam::123456789012:role/AWSReservedSSO_ReadOnly_0a1b2c"])',
  ],
  [
    "a role ARN with a path but no name",
    { viewerRoleArns: ["arn:aws:iam::123456789012:role/ci/"] },
    'args.viewerRoleArns must hold IAM role ARNs such as arn:aws:iam::123456789012:role/platform-admin (got "arn:aws:iam::123456789012:role/ci/")',
  ],
  [
    "a role both admin and viewer: EKS allows one entry per principal",
    { viewerRoleArns: ["arn:aws:iam::123456789012:role/platform-admin"] },
    'args.viewerRoleArns must not list a role args.adminRoleArns lists: EKS allows one access entry per role (got ["arn:aws:iam::123456789012:role/platform-admin"])',
  ],
  [
    "an endpoint open to the internet in halves, even with any width admitted",
    { endpointPublicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"], endpointPublicAccessWidestPrefix: 0 },
    'args.endpointPublicAccessCidrs must not cover the whole internet, whole or in pieces, unless args.allowWorldOpenEndpoint is true (got ["0.0.0.0/1","128.0.0.0/1"])',
  ],
  [
    "a version the pinned kube-proxy does not match",
    { version: "1.36" },
    'args.addonVersions.kubeProxy must be a kube-proxy 1.36 build to match args.version (got "v1.35.3-eksbuild.13")',
  ],
  [
    "a malformed add-on version",
    { addonVersions: { vpcCni: "1.21.1" } },
    'args.addonVersions.vpcCni must be an EKS add-on version such as v1.21.1-eksbuild.7 (got "1.21.1")',
  ],
];

describe("EksCluster argument errors", () => {
  test.each(INVALID)("%s", async (_what, patch, message) => {
    const registered: string[] = [];
    let thrown: unknown;
    const r = await recordProgram(() => {
      const provider = awsProvider();
      try {
        new EksCluster("eks", { ...BASE, ...patch }, { providers: [provider] });
      } catch (err) {
        thrown = err;
      }
    });
    registered.push(...r.resources.map((x) => x.type));
    expect(thrown).toEqual(new Error(`EksCluster eks: ${message}`));
    // Nothing of the component was registered: the error comes before its first resource.
    expect(registered).toEqual(["pulumi:pulumi:Stack", "pulumi:providers:aws"]);
  });

  test("the error reaches the program as a plain rejection", async () => {
    await expect(
      recordProgram(() => new EksCluster("prod", { ...BASE, endpointPublicAccessCidrs: ["0.0.0.0/0"] }, { providers: [awsProvider()] })),
    ).rejects.toThrow(
      'EksCluster prod: args.endpointPublicAccessCidrs must not include 0.0.0.0/0 or ::/0 unless args.allowWorldOpenEndpoint is true (got ["0.0.0.0/0"])',
    );
  });
});

describe("EksCluster.bindServiceAccount errors", () => {
  test.each([
    [
      "a name bound twice",
      "backups",
      { namespace: "backups", name: "pg-dump" },
      'bindServiceAccount name "backups" is already bound on this cluster',
    ],
    [
      "a name clashing with the component's own bindings",
      "vpc-cni",
      { namespace: "x", name: "y" },
      'bindServiceAccount name "vpc-cni" is already bound on this cluster',
    ],
    [
      "a non-kebab name",
      "Backups",
      { namespace: "backups", name: "pg-dump" },
      'bindServiceAccount name must be lower-case kebab-case (got "Backups")',
    ],
    [
      "a bad namespace",
      "restore",
      { namespace: "Backups", name: "pg-dump" },
      'bindServiceAccount namespace must be a Kubernetes namespace name (got "Backups")',
    ],
    [
      "a bad account name",
      "restore",
      { namespace: "backups", name: "pg_dump" },
      'bindServiceAccount account name must be a Kubernetes object name (got "pg_dump")',
    ],
  ])("%s", async (_what, name, account, message) => {
    let thrown: unknown;
    await recordProgram(() => {
      const cluster = new EksCluster("eks", BASE, { providers: [awsProvider()] });
      cluster.bindServiceAccount("backups", { namespace: "backups", name: "pg-dump" });
      try {
        cluster.bindServiceAccount(name, account);
      } catch (err) {
        thrown = err;
      }
    });
    expect(thrown).toEqual(new Error(`EksCluster eks: ${message}`));
  });
});

describe("amiTypeFor", () => {
  test.each([
    ["t3.large", "AL2023_x86_64_STANDARD"],
    ["m7i.xlarge", "AL2023_x86_64_STANDARD"],
    ["m7i-flex.large", "AL2023_x86_64_STANDARD"],
    ["g5.xlarge", "AL2023_x86_64_STANDARD"],
    ["m7g.xlarge", "AL2023_ARM_64_STANDARD"],
    ["c7gn.large", "AL2023_ARM_64_STANDARD"],
    ["r8gd.2xlarge", "AL2023_ARM_64_STANDARD"],
    ["t4g.medium", "AL2023_ARM_64_STANDARD"],
    ["a1.large", "AL2023_ARM_64_STANDARD"],
  ])("%s -> %s", (instanceType, ami) => {
    expect(amiTypeFor(instanceType)).toBe(ami);
  });
});

describe("kubeconfigFor", () => {
  test("one cluster, context and exec user; no token or key material besides the public CA", () => {
    const text = kubeconfigFor({
      clusterName: "c1",
      endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
      certificateAuthorityData: "Q0E=",
      region: "eu-west-1",
    });
    const config = JSON.parse(text) as { users: Array<{ user: Record<string, unknown> }> };
    expect(Object.keys(config.users[0]!.user)).toEqual(["exec"]);
    expect(text).not.toMatch(/"(token|password|client-key-data|client-certificate-data)"/);
  });
});

describe("Load Balancer Controller policy", () => {
  test("pinned to the v3.5.0 release and its chart", () => {
    expect([LB_CONTROLLER_VERSION, LB_CONTROLLER_CHART_VERSION]).toEqual(["v3.5.0", "3.5.0"]);
  });

  test.each(["aws", "aws-cn", "aws-us-gov"])("every ARN is in the %s partition and statements only allow", (partition) => {
    const statements = lbControllerStatements(partition);
    expect(statements).toHaveLength(16);
    const arns = statements.flatMap((s) => [s.Resource].flat()).filter((r): r is string => typeof r === "string" && r.startsWith("arn:"));
    expect(arns.length).toBeGreaterThan(0);
    for (const arn of arns) expect(arn.startsWith(`arn:${partition}:`)).toBe(true);
    for (const s of statements) expect(s.Effect).toBe("Allow");
  });

  test("fits a managed or inline IAM policy once serialised (6,144 characters without whitespace)", () => {
    expect(JSON.stringify({ Version: "2012-10-17", Statement: lbControllerStatements("aws-us-gov") }).length).toBeLessThan(6144);
  });
});
