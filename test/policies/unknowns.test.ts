// GIVEN a stack holding a resource of every type the pack checks, as a preview would send it: with
//       every input unknown, with every nested value unknown, and with the SDK's own unknown marker
// WHEN every policy runs over it, at every environment's config
// THEN no policy fails with an error: unknown values only skip checks (advisory "can't run during
//      preview", as the CLI reports them) or are passed over by stack policies.
import { describe, expect, test } from "@jest/globals";
import * as path from "node:path";
import { ENVIRONMENTS } from "../../infra/profiles";
import { policies } from "../../policies/policies";
import type { RecordedResource } from "../../review/engine";
import { loadPolicyConfig } from "../../review/policy-config";
import { runPolicies, UNKNOWN } from "../../review/policy-runner";
import { linked, PACK, resource, stack } from "./harness";

const ROOT = path.resolve(__dirname, "..", "..");

/** One resource per checked type, with realistic (known) inputs, so unknowns can be planted at every depth. */
const TYPES: Record<string, Record<string, unknown>> = {
  "aws:ec2/vpc:Vpc": { cidrBlock: "10.0.0.0/16" },
  "aws:ec2/flowLog:FlowLog": { vpcId: "vpc-1", trafficType: "ALL" },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
    vpcId: "vpc-1",
    ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }],
  },
  "aws:ec2/securityGroup:SecurityGroup": { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
  "aws:ec2/securityGroupRule:SecurityGroupRule": {
    type: "ingress",
    protocol: "tcp",
    fromPort: 22,
    toPort: 22,
    cidrBlocks: ["0.0.0.0/0"],
    securityGroupId: "sg-1",
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
    ipProtocol: "tcp",
    fromPort: 22,
    toPort: 22,
    cidrIpv4: "0.0.0.0/0",
    securityGroupId: "sg-1",
  },
  "aws:lb/loadBalancer:LoadBalancer": { securityGroups: ["sg-1"] },
  "aws:ec2/subnet:Subnet": { mapPublicIpOnLaunch: true },
  "aws:ec2/routeTable:RouteTable": { routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-1" }] },
  "aws:ec2/route:Route": { routeTableId: "rtb-1", gatewayId: "igw-1" },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": { subnetId: "subnet-1", routeTableId: "rtb-1" },
  "aws:ec2/launchTemplate:LaunchTemplate": { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 } },
  "aws:eks/cluster:Cluster": {
    version: "1.29",
    vpcConfig: { publicAccessCidrs: ["0.0.0.0/0"] },
    encryptionConfig: { resources: [] },
    enabledClusterLogTypes: ["api"],
  },
  "aws:eks/nodeGroup:NodeGroup": { version: "1.29" },
  "aws:rds/instance:Instance": {
    engine: "postgres",
    publiclyAccessible: true,
    parameterGroupName: "pg",
    password: "hunter22",
    enabledCloudwatchLogsExports: ["postgresql"],
  },
  "aws:rds/cluster:Cluster": { engine: "aurora-postgresql", dbClusterParameterGroupName: "cpg" },
  "aws:rds/parameterGroup:ParameterGroup": { name: "pg", parameters: [{ name: "rds.force_ssl", value: "0" }] },
  "aws:elasticache/replicationGroup:ReplicationGroup": { numCacheClusters: 1, authToken: "" },
  "aws:s3/bucket:Bucket": { bucket: "backups", lifecycleRules: [{ enabled: true, expiration: { days: 1 } }] },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { bucket: "backups", blockPublicAcls: false },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    bucket: "backups",
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  },
  "aws:s3/bucketVersioning:BucketVersioning": { bucket: "backups", versioningConfiguration: { status: "Suspended" } },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    bucket: "backups",
    rules: [{ status: "Enabled", expiration: { days: 3 } }],
  },
  "aws:iam/policy:Policy": { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
  "aws:iam/role:Role": {
    assumeRolePolicy: JSON.stringify({
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity", Principal: { Federated: "x" } }],
    }),
    inlinePolicies: [{ name: "a", policy: "{}" }],
    managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
  "aws:kms/key:Key": { enableKeyRotation: false },
  "aws:cloudwatch/logGroup:LogGroup": { name: "/aws/eks/platform/cluster", retentionInDays: 1 },
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": { bucketId: "_Default", retentionDays: 1 },
  "gcp:kms/cryptoKey:CryptoKey": { rotationPeriod: "100000000s" },
  "gcp:container/cluster:Cluster": {
    removeDefaultNodePool: false,
    nodeConfig: { imageType: "UBUNTU" },
    masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "0.0.0.0/0" }] },
    enableLegacyAbac: true,
  },
  "gcp:container/nodePool:NodePool": { nodeConfig: { serviceAccount: "default" }, management: { autoRepair: false } },
  "gcp:sql/databaseInstance:DatabaseInstance": {
    settings: { ipConfiguration: { authorizedNetworks: [{ value: "0.0.0.0/0" }] }, backupConfiguration: { enabled: true } },
  },
  "gcp:redis/instance:Instance": { tier: "BASIC" },
  "gcp:storage/bucket:Bucket": { name: "backups", lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 1 } }] },
  "gcp:storage/bucketIAMBinding:BucketIAMBinding": { role: "roles/storage.objectViewer", members: ["allUsers"] },
  "gcp:projects/iAMPolicy:IAMPolicy": {
    policyData: JSON.stringify({ bindings: [{ role: "roles/owner", members: ["user:a@example.com"] }] }),
  },
  "gcp:compute/instance:Instance": { serviceAccount: { email: "default" } },
  "kubernetes:core/v1:Namespace": { metadata: { name: "apps", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": { metadata: { namespace: "apps" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } },
  "kubernetes:apps/v1:Deployment": {
    metadata: { name: "app", namespace: "apps" },
    spec: {
      replicas: 1,
      template: {
        metadata: { labels: { app: "a" } },
        spec: {
          hostNetwork: true,
          volumes: [{ name: "h", hostPath: {} }],
          containers: [{ name: "app", image: "app:latest", env: [{ name: "API_TOKEN", value: "x" }], ports: [{ hostPort: 80 }] }],
        },
      },
    },
  },
  "kubernetes:batch/v1:CronJob": {
    metadata: { namespace: "default" },
    spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "job", image: "job" }] } } } } },
  },
  "kubernetes:policy/v1:PodDisruptionBudget": { metadata: { namespace: "apps" }, spec: { selector: { matchLabels: { app: "b" } } } },
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": {
    metadata: { namespace: "apps" },
    spec: { minReplicas: 1, scaleTargetRef: { name: "app" } },
  },
  "kubernetes:core/v1:ConfigMap": { data: { PASSWORD: "x" } },
  "kubernetes:gateway.networking.k8s.io/v1:Gateway": {
    metadata: { name: "gw", namespace: "gateway" },
    spec: {
      listeners: [
        { name: "http", protocol: "HTTP", port: 80 },
        { name: "https", protocol: "HTTPS", port: 443 },
      ],
    },
  },
  "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": {
    metadata: { namespace: "gateway" },
    spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [] }] },
  },
  "kubernetes:networking.k8s.io/v1:Ingress": { spec: { rules: [{ host: "a.example.com" }] } },
  "kubernetes:helm.sh/v3:Release": { values: { adminPassword: "admin" } },
  "kubernetes:core/v1:Service": { metadata: { name: "web", namespace: "apps" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } },
  "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy": {
    metadata: { name: "proxy", namespace: "apps" },
    spec: { provider: { type: "Kubernetes", kubernetes: { envoyService: { type: "LoadBalancer" } } } },
  },
};

/** Replaces every value at `depth` (0: each input, 1: each value inside an input, ...) with `marker`. */
function plant(value: unknown, depth: number, marker: string): unknown {
  if (depth < 0) return value;
  if (Array.isArray(value)) return depth === 0 ? marker : value.map((v) => plant(v, depth - 1, marker));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, depth === 0 ? marker : plant(v, depth - 1, marker)]));
  return depth === 0 ? marker : value;
}

function preview(depth: number, marker: string): RecordedResource[] {
  const resources = Object.entries(TYPES).map(([type, inputs], i) =>
    resource(type, `r${i}`, plant(inputs, depth + 1, marker) as Record<string, unknown>),
  );
  // Side resources linked to their subjects, as the engine records them.
  const byType = (type: string) => resources.find((r) => r.type === type)!;
  return resources.map((r) =>
    r.type.startsWith("aws:s3/bucket") && r.type !== "aws:s3/bucket:Bucket" ? linked(r, "bucket", byType("aws:s3/bucket:Bucket")) : r,
  );
}

// The recording writes "[unknown]"; the SDK's own marker reaches the runner from hand-made inputs.
const plantings: [number, string][] = [[0, UNKNOWN], ...[0, 1, 2, 3, 4, 5].map((depth): [number, string] => [depth, "[unknown]"])];

describe.each(ENVIRONMENTS)("with the %s config", (environment) => {
  const config = loadPolicyConfig(policies, path.join(ROOT, "policies", "config", `${environment}.json`), ROOT);

  test("GIVEN the known stack THEN every policy runs and most find something (the fixture is worth planting unknowns in)", async () => {
    const results = await runPolicies([stack, ...preview(-2, UNKNOWN)], policies, config, PACK);
    const enabled = results.filter((r) => r.enforcementLevel !== "disabled");
    expect(enabled.filter((r) => r.evaluated === 0)).toEqual([]);
    expect(enabled.filter((r) => r.violations.length === 0).map((r) => r.name)).toEqual([]);
  });
});

// Production's config runs every policy (none is disabled there).
describe("with the production config", () => {
  const config = loadPolicyConfig(policies, path.join(ROOT, "policies", "config", "production.json"), ROOT);

  test.each(plantings)("GIVEN values unknown at depth %i (marker %s) THEN no policy fails", async (depth, marker) => {
    const results = await runPolicies([stack, ...preview(depth, marker)], policies, config, PACK);
    expect(results.map((r) => r.name)).toEqual(policies.map((p) => p.name));
  });
});

test("GIVEN every input unknown THEN resource policies skip with the CLI's preview message and stack policies pass over", async () => {
  const config = loadPolicyConfig(policies, path.join(ROOT, "policies", "config", "production.json"), ROOT);
  const results = await runPolicies([stack, ...preview(0, "[unknown]")], policies, config, PACK);
  const rds = results.find((r) => r.name === "rds-not-public")!;
  expect(rds).toMatchObject({
    violations: [],
    skipped: [
      {
        urn: "urn:pulumi:test::platform::aws:rds/instance:Instance::r14",
        message:
          "can't run policy 'rds-not-public' from policy pack 'platform-policies@v0.1.0' during preview: string value at .publiclyAccessible can't be known during preview",
      },
    ],
  });
  expect(results.find((r) => r.name === "vpc-flow-logs")).toMatchObject({
    evaluated: 1,
    violations: [{ message: "VPC r0 has no flow log: create an aws.ec2.FlowLog with vpcId set to this VPC's id" }],
  });
});
