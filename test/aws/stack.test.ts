// GIVEN the shipped AWS stacks (dev, staging, production)
// WHEN each is reviewed as `pulumi up` would run it
// THEN infra/ hands the environment profile to the components: dev is cheap (one NAT, spot nodes, a
//      single-zone database, one cache node, nothing protected), production is not (a NAT per zone,
//      3 desired nodes scaling 2-10, Multi-AZ, 3 cache nodes with failover, every stateful resource
//      protected); and the database, cache and bucket never wait for the cluster, so a first deploy
//      builds them while EKS is still creating.
import { beforeAll, describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { descendants, reach } from "../graph";
import { shippedReview } from "../reviews";

const reports: Record<string, ReviewReport> = {};

beforeAll(() => {
  for (const stack of ["dev", "staging", "production"] as const) reports[stack] = shippedReview(stack);
});

const ofType = (stack: string, type: string) => reports[stack]!.resources.filter((r) => r.type === type);
const named = (stack: string, name: string): RecordedResource => {
  const found = reports[stack]!.resources.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`${stack}: expected one resource named ${name}, found ${found.length}`);
  return found[0]!;
};
const one = (stack: string, type: string): RecordedResource => {
  const found = ofType(stack, type);
  if (found.length !== 1) throw new Error(`${stack}: expected one ${type}, found ${found.length}`);
  return found[0]!;
};

describe("environment profiles reach the AWS components", () => {
  test.each([
    // stack, zones, NAT gateways, node scaling, capacity, Multi-AZ, retention, read replicas, cache nodes, failover, protect
    ["dev", 2, 1, { minSize: 1, desiredSize: 1, maxSize: 3 }, "SPOT", false, 7, 0, 1, false, false],
    ["staging", 3, 3, { minSize: 2, desiredSize: 2, maxSize: 6 }, "ON_DEMAND", true, 14, 0, 2, true, true],
    ["production", 3, 3, { minSize: 2, desiredSize: 3, maxSize: 10 }, "ON_DEMAND", true, 30, 1, 3, true, true],
  ] as const)(
    "%s: %i zones, %i NAT gateways, nodes %j",
    (stack, zones, nats, scaling, capacity, multiAz, retention, replicas, cacheNodes, failover, protect) => {
      expect(ofType(stack, "aws:ec2/subnet:Subnet")).toHaveLength(zones * 3);
      expect(ofType(stack, "aws:ec2/natGateway:NatGateway")).toHaveLength(nats);
      const nodeGroup = one(stack, "aws:eks/nodeGroup:NodeGroup");
      expect(nodeGroup.inputs).toMatchObject({ scalingConfig: scaling, capacityType: capacity });
      expect(nodeGroup.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
      const instances = ofType(stack, "aws:rds/instance:Instance");
      expect(instances.map((i) => i.name)).toEqual(["database-instance", ...(replicas ? ["database-replica-0"] : [])]);
      expect(instances[0]!.inputs).toMatchObject({
        multiAz,
        backupRetentionPeriod: retention,
        deletionProtection: stack !== "dev",
      });
      // The cluster's deletion protection is production's guard rail; staging's cluster can be replaced.
      expect(one(stack, "aws:eks/cluster:Cluster").inputs.deletionProtection).toBe(stack === "production");
      expect(one(stack, "aws:elasticache/replicationGroup:ReplicationGroup").inputs).toMatchObject({
        numCacheClusters: cacheNodes,
        automaticFailoverEnabled: failover,
        multiAzEnabled: failover,
      });
      const stateful = [
        "aws:rds/instance:Instance",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:s3/bucket:Bucket",
        "aws:eks/cluster:Cluster",
        "aws:kms/key:Key",
      ];
      const resources = stateful.flatMap((type) => ofType(stack, type));
      // seven keys: flow logs, cluster secrets and logs, database and its logs, cache, backups; the replicas are databases too
      expect(resources).toHaveLength(4 + 7 + replicas);
      for (const r of resources) expect({ urn: r.urn, protect: r.protect }).toEqual({ urn: r.urn, protect });
    },
  );

  test.each([
    ["dev", 7, 7],
    ["staging", 30, 30],
    ["production", 90, 30],
  ] as const)("%s keeps control-plane logs %i days and container logs %i", (stack, controlPlane, containers) => {
    const retention = Object.fromEntries(
      ofType(stack, "aws:cloudwatch/logGroup:LogGroup")
        .filter((g) => String(g.inputs.name).includes(`platform-${stack}-cluster`))
        .map((g): [string, unknown] => [String(g.inputs.name), g.inputs.retentionInDays]),
    );
    const groups = `/aws/containerinsights/platform-${stack}-cluster`;
    expect(retention).toEqual({
      [`/aws/eks/platform-${stack}-cluster/cluster`]: controlPlane,
      [`${groups}/application`]: containers,
      [`${groups}/dataplane`]: containers,
      [`${groups}/host`]: containers,
      [`${groups}/performance`]: containers,
    });
  });

  test("production pins the cluster to the profile: version 1.35, private endpoint, 4 vCPU / 16 GiB nodes", () => {
    expect(one("production", "aws:eks/cluster:Cluster").inputs).toMatchObject({
      name: "platform-production-cluster",
      version: "1.35",
      vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false },
      deletionProtection: true,
    });
    expect(one("production", "aws:eks/nodeGroup:NodeGroup").inputs).toMatchObject({
      instanceTypes: ["m7i.xlarge"],
      amiType: "AL2023_x86_64_STANDARD",
    });
  });
});

describe("the deploy path each shipped stack declares reaches the cluster", () => {
  const apiRules = (stack: string) =>
    ofType(stack, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.name.startsWith("cluster-api-from-vpc-"))
      .map((r) => r.inputs);

  test.each(["staging", "production"])(
    "%s deploys from inside the VPC: the endpoint stays private and the private subnets reach it on 443",
    (stack) => {
      const cluster = one(stack, "aws:eks/cluster:Cluster");
      expect(cluster.inputs.vpcConfig).toEqual({ subnetIds: expect.any(Array), endpointPrivateAccess: true, endpointPublicAccess: false });
      const privateCidrs = ofType(stack, "aws:ec2/subnet:Subnet")
        .filter((s) => s.name.includes("-private-"))
        .map((s) => s.inputs.cidrBlock);
      expect(apiRules(stack)).toEqual(
        privateCidrs.map((cidr) => ({
          securityGroupId: expect.stringMatching(/^sg-/),
          cidrIpv4: cidr,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          description: `Kubernetes API from ${String(cidr)}, where deploys run inside the VPC`,
        })),
      );
      // On the security group EKS made for the cluster; the Kubernetes provider waits for the rules, so its
      // first call can reach the endpoint.
      const provider = reports[stack]!.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
      for (const rule of ofType(stack, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
        r.name.startsWith("cluster-api-from-vpc-"),
      )) {
        expect(rule.propertyDependencies.securityGroupId).toEqual([cluster.urn]);
        expect(provider.dependencies).toContain(rule.urn);
      }
    },
  );

  test("dev lists public addresses: the endpoint is public to exactly those, and nothing in the VPC is opened", () => {
    expect(one("dev", "aws:eks/cluster:Cluster").inputs.vpcConfig).toEqual({
      subnetIds: expect.any(Array),
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    });
    expect(apiRules("dev")).toEqual([]);
  });
});

describe("the data tier does not wait for the cluster", () => {
  test.each(["dev", "production"])("%s: database, cache and bucket reach only the network and themselves", (stack) => {
    const report = reports[stack]!;
    const byUrn = new Map(report.resources.map((r) => [r.urn, r]));
    const component = (type: string) => one(stack, type).urn;
    const network = descendants(report, component("platform:aws:Network"));
    const cluster = descendants(report, component("platform:aws:EksCluster"));
    expect(cluster.size).toBeGreaterThan(20);
    // A grant to a workload identity (an IAM policy on the IRSA role the cluster trusts) necessarily waits
    // for that role; it is a leaf nothing else of the component waits for.
    const isGrant = (r: RecordedResource) =>
      (r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") &&
      (r.propertyDependencies.role ?? []).some((urn) => cluster.has(urn));
    const allGrants: string[] = [];
    for (const type of ["platform:aws:PostgresDatabase", "platform:aws:RedisCache", "platform:aws:BackupBucket"]) {
      const own = descendants(report, component(type));
      const grants = [...own].filter((urn) => isGrant(byUrn.get(urn)!));
      allGrants.push(...grants.map((urn) => byUrn.get(urn)!.name));
      const waits = [...own]
        .filter((urn) => !grants.includes(urn))
        .flatMap((urn) => [...reach(report, byUrn.get(urn)!)].filter((dep) => !own.has(dep)));
      // The provider is the only thing outside the network they share with the cluster.
      const outside = waits.filter((dep) => !network.has(dep) && !dep.includes("::pulumi:providers:"));
      expect({ type, outside }).toEqual({ type, outside: [] });
      expect(
        [...own].filter((urn) => [...own].some((other) => byUrn.get(other)!.dependencies.includes(urn) && grants.includes(urn))),
      ).toEqual([]);
      // Each grant names one IRSA role and waits for nothing of the node group.
      for (const urn of grants)
        expect(byUrn.get(urn)!.propertyDependencies.role!.map((role) => role.split("::").pop())).toEqual([
          expect.stringMatching(/^cluster-[a-z-]+-role$/),
        ]);
    }
    expect(allGrants.sort()).toEqual([
      "backups-read-backups-restore-verification",
      "backups-write-backups-postgres-backup",
      "cache-auth-read-external-secrets-external-secrets",
      "database-credentials-read-external-secrets-external-secrets",
    ]);
  });

  test("the cluster is built on the network's private subnets and node security group", () => {
    const cluster = one("production", "aws:eks/cluster:Cluster");
    const privateSubnets = ofType("production", "aws:ec2/subnet:Subnet")
      .filter((s) => s.name.startsWith("network-private-"))
      .map((s) => s.urn);
    expect(cluster.propertyDependencies.vpcConfig).toEqual(expect.arrayContaining(privateSubnets));
    const template = one("production", "aws:ec2/launchTemplate:LaunchTemplate");
    const nodeGroup = ofType("production", "aws:ec2/securityGroup:SecurityGroup").find((g) => g.name === "network-node-sg")!;
    expect(template.propertyDependencies.vpcSecurityGroupIds).toContain(nodeGroup.urn);
  });
});

describe("read replicas per environment", () => {
  test("production reads from its one replica, protected like the primary; dev has none and reads from the primary", () => {
    const replica = named("production", "database-replica-0");
    const primary = named("production", "database-instance");
    expect(replica.inputs).toMatchObject({
      replicateSourceDb: expect.stringMatching(/^arn:aws:rds:eu-[a-z]+-\d:\d{12}:db:/) as unknown,
      instanceClass: primary.inputs.instanceClass,
      parameterGroupName: primary.inputs.parameterGroupName,
      dbSubnetGroupName: primary.inputs.dbSubnetGroupName,
      vpcSecurityGroupIds: primary.inputs.vpcSecurityGroupIds,
      storageEncrypted: true,
      deletionProtection: true,
    });
    // Same region: RDS encrypts it with the primary's key and refuses a key of its own.
    expect(replica.inputs).not.toHaveProperty("kmsKeyId");
    expect(replica.propertyDependencies.replicateSourceDb).toEqual([primary.urn]);
    expect(replica.protect).toBe(true);
    // The replica's set identifier (its log groups are named after it), not an auto-name.
    expect(reports.production!.outputs.databaseReaderHost).toMatch(/^platform-production-database-replica-0\./);
    expect(reports.production!.outputs.databaseReaderHost).not.toBe(reports.production!.outputs.databaseHost);
    expect(reports.dev!.outputs.databaseReaderHost).toBe(reports.dev!.outputs.databaseHost);
  });
});
