// GIVEN EksCluster arguments that vary what the dev/production recordings in eks-cluster.test.ts fix: admin
//       and viewer roles, Graviton nodes, another Kubernetes version with its kube-proxy, a named
//       cluster, a world-open endpoint asked for, deletion protection left out, a China region
// WHEN the component is recorded under the offline engine
// THEN access entries, AMI type, versions, names, endpoint access, deletion protection and ARN partitions
//      follow the arguments.
import { describe, expect, test } from "@jest/globals";
import { EksCluster, type EksClusterArgs } from "../../components/aws/eks-cluster";
import { lbControllerStatements } from "../../components/aws/eks-lb-controller";
import { awsProvider, recordProgram } from "../harness";

const DEV: EksClusterArgs = {
  vpcId: "vpc-0dev0000000000001",
  subnetIds: ["subnet-0dev0000000000001", "subnet-0dev0000000000002"],
  subnetCidrs: ["10.20.64.0/19", "10.20.96.0/19"],
  nodeSecurityGroupId: "sg-0devnodes00000001",
  endpointPublicAccessWidestPrefix: 0,
  deletionProtection: false,
  adminRoleArns: ["arn:aws:iam::123456789012:role/platform-github-deploy"],
  nodes: { instanceType: "t3.large", minSize: 1, desiredSize: 1, maxSize: 3, capacityType: "SPOT", diskSizeGb: 50 },
  protect: false,
};
const PROD: EksClusterArgs = {
  ...DEV,
  subnetIds: ["subnet-0prod000000000001", "subnet-0prod000000000002", "subnet-0prod000000000003"],
  subnetCidrs: ["10.0.64.0/19", "10.0.96.0/19", "10.0.128.0/19"],
  endpointPublicAccessCidrs: ["203.0.113.0/24"],
  endpointPublicAccessWidestPrefix: 8,
  deletionProtection: true,
  adminRoleArns: ["arn:aws:iam::123456789012:role/platform-admin"],
  nodes: { instanceType: "m7i.xlarge", minSize: 2, desiredSize: 3, maxSize: 10, capacityType: "ON_DEMAND", diskSizeGb: 100 },
  protect: true,
};
const CLUSTER_NAME = "platform-test-eks";
const parse = (text: unknown) => JSON.parse(text as string) as unknown;
const record = (args: EksClusterArgs, region?: string) =>
  recordProgram(() => new EksCluster("eks", args, { providers: [awsProvider(region)] }), region ? { facts: { region } } : {});

describe("EksCluster access entries", () => {
  test("production: the admin role gets an access entry with cluster-wide AmazonEKSClusterAdminPolicy", async () => {
    const r = await record(PROD);
    const entry = r.one("aws:eks/accessEntry:AccessEntry");
    expect(entry.name).toBe("eks-admin-123456789012-platform-admin-access");
    expect(entry.inputs).toEqual({
      clusterName: CLUSTER_NAME,
      principalArn: "arn:aws:iam::123456789012:role/platform-admin",
      type: "STANDARD",
    });
    const association = r.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    expect(association.inputs).toEqual({
      clusterName: CLUSTER_NAME,
      principalArn: "arn:aws:iam::123456789012:role/platform-admin",
      policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      accessScope: { type: "cluster" },
    });
    expect(association.propertyDependencies.principalArn).toEqual([entry.urn]);
  });

  test("several admin roles (CI's deploy role, operators from another account): one entry and association each, named by account and role", async () => {
    const roles = [
      "arn:aws:iam::123456789012:role/platform-admin",
      "arn:aws:iam::123456789012:role/ci/github-deploy",
      "arn:aws:iam::210987654321:role/platform-admin",
    ];
    const r = await record({ ...PROD, adminRoleArns: roles });
    // Registration order follows when each entry's options resolve; compare by name.
    const byName = (rows: unknown[][]) => rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const names = [
      "eks-admin-123456789012-platform-admin",
      "eks-admin-123456789012-github-deploy",
      "eks-admin-210987654321-platform-admin",
    ];
    const entries = r.ofType("aws:eks/accessEntry:AccessEntry");
    expect(byName(entries.map((e) => [e.name, e.inputs]))).toEqual(
      byName(roles.map((role, i) => [`${names[i]}-access`, { clusterName: CLUSTER_NAME, principalArn: role, type: "STANDARD" }])),
    );
    const associations = r.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    expect(byName(associations.map((a) => [a.name, a.inputs]))).toEqual(
      byName(
        roles.map((role, i) => [
          `${names[i]}-policy`,
          {
            clusterName: CLUSTER_NAME,
            principalArn: role,
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            accessScope: { type: "cluster" },
          },
        ]),
      ),
    );
  });

  test("the first admin role carries the names of the former single adminRoleArn, so upgrading keeps its entry instead of replacing it", async () => {
    const r = await record({
      ...PROD,
      adminRoleArns: ["arn:aws:iam::123456789012:role/platform-admin", "arn:aws:iam::123456789012:role/ci"],
    });
    const formerly = (type: string, name: string) => `urn:pulumi:test::platform::platform:aws:EksCluster$${type}::${name}`;
    expect(r.named("eks-admin-123456789012-platform-admin-access").aliases).toEqual([
      formerly("aws:eks/accessEntry:AccessEntry", "eks-admin-access"),
    ]);
    expect(r.named("eks-admin-123456789012-platform-admin-policy").aliases).toEqual([
      formerly("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "eks-admin-policy"),
    ]);
    expect(r.named("eks-admin-123456789012-ci-access").aliases).toEqual([]);
  });

  test("reordering the admin roles changes no resource name", async () => {
    const roles = ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"];
    const names = async (list: string[]) =>
      (await record({ ...PROD, adminRoleArns: list }))
        .ofType("aws:eks/accessEntry:AccessEntry")
        .map((e) => e.name)
        .sort();
    expect(await names([...roles].reverse())).toEqual(await names(roles));
  });

  test("a viewer role (CI's preview role) gets an entry with cluster-wide AmazonEKSAdminViewPolicy; the Kubernetes provider waits only for the admins'", async () => {
    const preview = "arn:aws:iam::123456789012:role/platform-github-preview";
    const r = await record({ ...DEV, viewerRoleArns: [preview] });
    const entry = r.named("eks-viewer-123456789012-platform-github-preview-access");
    expect(entry.inputs).toEqual({ clusterName: CLUSTER_NAME, principalArn: preview, type: "STANDARD" });
    expect(entry.aliases).toEqual([]);
    const viewer = r.named("eks-viewer-123456789012-platform-github-preview-policy");
    expect(viewer.inputs).toEqual({
      clusterName: CLUSTER_NAME,
      principalArn: preview,
      policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy",
      accessScope: { type: "cluster" },
    });
    expect(viewer.propertyDependencies.principalArn).toEqual([entry.urn]);
    const admin = r.named("eks-admin-123456789012-platform-github-deploy-policy");
    const provider = r.one("pulumi:providers:kubernetes");
    expect(provider.dependencies).toContain(admin.urn);
    expect(provider.dependencies).not.toContain(viewer.urn);
  });
});

describe("EksCluster variations", () => {
  test("Graviton nodes get the ARM64 AL2023 AMI; another version, overridden add-on versions and cluster name are used", async () => {
    const r = await record({
      ...DEV,
      version: "1.36",
      nodes: { ...DEV.nodes, instanceType: "m7g.large" },
      addonVersions: { kubeProxy: "v1.36.0-eksbuild.1", coredns: "v1.13.2-eksbuild.11" },
      clusterName: "acme-dev",
    });
    expect(r.one("aws:eks/nodeGroup:NodeGroup").inputs).toMatchObject({ amiType: "AL2023_ARM_64_STANDARD", version: "1.36" });
    expect(r.one("aws:eks/cluster:Cluster").inputs.version).toBe("1.36");
    const versionOf = (addon: string) => r.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === addon)!.inputs.addonVersion;
    expect([versionOf("kube-proxy"), versionOf("coredns"), versionOf("vpc-cni")]).toEqual([
      "v1.36.0-eksbuild.1",
      "v1.13.2-eksbuild.11",
      "v1.21.1-eksbuild.7",
    ]);
    expect(r.one("aws:eks/cluster:Cluster").inputs.name).toBe("acme-dev");
    expect(r.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.name)).toEqual([
      "/aws/eks/acme-dev/cluster",
      "/aws/containerinsights/acme-dev/application",
      "/aws/containerinsights/acme-dev/dataplane",
      "/aws/containerinsights/acme-dev/host",
      "/aws/containerinsights/acme-dev/performance",
    ]);
  });

  test("a world-open public endpoint when asked for, with any width admitted (a throwaway cluster)", async () => {
    const r = await record({ ...DEV, endpointPublicAccessCidrs: ["0.0.0.0/0"], allowWorldOpenEndpoint: true });
    expect(r.one("aws:eks/cluster:Cluster").inputs.vpcConfig).toEqual({
      subnetIds: DEV.subnetIds,
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["0.0.0.0/0"],
    });
  });

  test("deletion protection left out is on: turning it off is explicit", async () => {
    const r = await record({ ...DEV, deletionProtection: undefined });
    expect(r.one("aws:eks/cluster:Cluster").inputs.deletionProtection).toBe(true);
  });

  test("China regions: managed policy, access policy and Load Balancer Controller ARNs use the aws-cn partition", async () => {
    const r = await record(PROD, "cn-north-1");
    for (const a of r.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"))
      expect(a.inputs.policyArn).toMatch(/^arn:aws-cn:iam::aws:policy\//);
    expect(r.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs.policyArn).toBe(
      "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    );
    expect(parse(r.named("eks-lb-controller-policy").inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: lbControllerStatements("aws-cn"),
    });
  });
});
