// GIVEN the production stack, reviewed exactly as `npm run review` does (its stack file, the real
//       program, the production policy config)
// WHEN one safeguard is weakened at a time, by a stack transformation over the inputs or options the
//      components pass to the engine (the stack config cannot do it: its guard rails refuse every one of
//      these values before anything is registered, see test/config.test.ts)
// THEN the review fails with a mandatory violation of the policy that guards it, on the weakened
//      resource, and of no other policy; the unweakened stack passes.
import { describe, expect, test } from "@jest/globals";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { reviewStack } from "../../review/review";
import { loadProject } from "../../review/stack-file";

const ROOT = path.resolve(__dirname, "..", "..");
const project = loadProject(ROOT);

type Weakening = (args: pulumi.ResourceTransformationArgs) => pulumi.ResourceTransformationResult | undefined;

/** Changes inputs of every resource of `type` (or only the one called `name`). */
const inputs = (type: string, change: Record<string, unknown>, name?: string): Weakening => (args) =>
  args.type === type && (name === undefined || args.name === name) ? { props: { ...args.props, ...change }, opts: args.opts } : undefined;
/** Changes options of every resource of `type`. */
const options = (type: string, change: pulumi.CustomResourceOptions): Weakening => (args) =>
  args.type === type ? { props: args.props, opts: { ...args.opts, ...change } } : undefined;

async function review(weaken?: Weakening) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const main = require(project.main) as () => Promise<Record<string, unknown>>;
  const program = () => {
    if (weaken) pulumi.runtime.registerStackTransformation(weaken);
    return main();
  };
  return reviewStack({ root: ROOT, stack: "production", program }, project);
}

/** The podinfo Deployment's container runs privileged. */
const privileged: Weakening = (args) => {
  if (args.type !== "kubernetes:apps/v1:Deployment" || args.name !== "app-podinfo-deployment") return undefined;
  type Spec = { template: { spec: { containers: { securityContext: object }[] } } };
  const spec = args.props.spec as Spec;
  const pod = spec.template.spec;
  const containers = pod.containers.map((c) => ({ ...c, securityContext: { ...c.securityContext, privileged: true } }));
  return { props: { ...args.props, spec: { ...spec, template: { ...spec.template, spec: { ...pod, containers } } } }, opts: args.opts };
};

/** The podinfo namespace's default-deny admits all ingress: it no longer denies by default. */
const openDefaultDeny: Weakening = (args) =>
  args.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && args.name === "app-podinfo-ns-default-deny"
    ? { props: { ...args.props, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}] } }, opts: args.opts }
    : undefined;

/** The podinfo Service asks the cloud for a load balancer of its own, beside the gateway's. */
const loadBalancedApp: Weakening = (args) =>
  args.type === "kubernetes:core/v1:Service" && args.name === "app-podinfo-service"
    ? { props: { ...args.props, spec: { ...(args.props.spec as Record<string, unknown>), type: "LoadBalancer" } }, opts: args.opts }
    : undefined;

const mandatoryViolations = (report: Awaited<ReturnType<typeof review>>) =>
  report.policies
    .filter((p) => p.enforcementLevel === "mandatory")
    .flatMap((p) => p.violations.map((v) => ({ policy: p.name, resource: v.urn.split("::").pop() })));

describe("weakening one production safeguard fails the review on its policy", () => {
  test("the production stack as shipped has no mandatory violation", async () => {
    expect(mandatoryViolations(await review())).toEqual([]);
  });

  const RDS = "aws:rds/instance:Instance";
  test.each<[string, string, string, Weakening]>([
    ["a public database", "rds-not-public", "database-instance", inputs(RDS, { publiclyAccessible: true })],
    ["an unencrypted database", "rds-encrypted", "database-instance", inputs(RDS, { storageEncrypted: false, kmsKeyId: undefined })],
    ["1-day backup retention", "rds-backups", "database-instance", inputs(RDS, { backupRetentionPeriod: 1 })],
    ["a single-AZ database", "rds-ha", "database-instance", inputs(RDS, { multiAz: false })],
    ["no database deletion protection", "rds-deletion-protection", "database-instance", inputs(RDS, { deletionProtection: false })],
    ["a world-open cluster endpoint", "eks-endpoint-private", "cluster-cluster", inputs("aws:eks/cluster:Cluster", { vpcConfig: { subnetIds: [], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } })],
    ["a cluster endpoint open to the internet in halves", "eks-endpoint-private", "cluster-cluster", inputs("aws:eks/cluster:Cluster", { vpcConfig: { subnetIds: [], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] } })],
    ["a cluster endpoint open to a /7", "eks-endpoint-private", "cluster-cluster", inputs("aws:eks/cluster:Cluster", { vpcConfig: { subnetIds: [], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24", "10.0.0.0/7"] } })],
    ["a plaintext cache AUTH token", "no-plaintext-secrets", "cache-group", inputs("aws:elasticache/replicationGroup:ReplicationGroup", { authToken: "a-token-in-clear-text-0123456789" })],
    ["a plaintext Grafana password", "no-plaintext-secrets", "monitoring-grafana-admin", inputs("kubernetes:core/v1:Secret", { stringData: { "admin-user": "admin", "admin-password": "written-in-the-program" } }, "monitoring-grafana-admin")],
    ["an unprotected database", "stateful-protected", "database-instance", options(RDS, { protect: false })],
    ["an unencrypted cache", "redis-encryption", "cache-group", inputs("aws:elasticache/replicationGroup:ReplicationGroup", { atRestEncryptionEnabled: false, kmsKeyId: undefined })],
    ["a backup bucket without versioning", "s3-versioning", "backups-bucket", inputs("aws:s3/bucketVersioning:BucketVersioning", { versioningConfiguration: { status: "Suspended" } })],
    ["a bucket open to public policies", "s3-public-access-block", "backups-public-access-block", inputs("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { blockPublicPolicy: false })],
    ["a privileged pod", "pss-restricted", "app-podinfo-deployment", privileged],
    ["a namespace without default-deny", "namespace-default-deny", "app-podinfo-ns-namespace", openDefaultDeny],
    ["an app Service with a load balancer of its own", "load-balancer-services", "app-podinfo-service", loadBalancedApp],
    ["flow logs kept a day", "vpc-flow-logs", "network-flow-log-group", inputs("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 1 }, "network-flow-log-group")],
    ["a key that does not rotate", "kms-rotation", "database-key", inputs("aws:kms/key:Key", { enableKeyRotation: false }, "database-key")],
  ])("%s fails on %s at %s", async (_, policy, resource, weaken) => {
    const report = await review(weaken);
    expect(mandatoryViolations(report)).toEqual([{ policy, resource }]);
  });
});
