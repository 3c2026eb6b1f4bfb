// One production safeguard weakened at a time, on the AWS (production) or the GCP (gcp-production) stack, by a
// stack transformation over the inputs or options the components pass to the engine, with the policy that
// must catch it and the resources it must name.
// test/policies/weakened.test.ts asserts on the reviews; the global setup (test/setup/shared-reviews.ts)
// runs them once per jest run through `reviewWeakened`, in plain Node. Only `reviewWeakened` loads the SDK
// and the review, so the global setup reads the table without them.
import type * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import type { ReviewReport } from "../../review/review";

const ROOT = path.resolve(__dirname, "..", "..");

export type Weakening = (args: pulumi.ResourceTransformationArgs) => pulumi.ResourceTransformationResult | undefined;

/** The production stack of each cloud, the stacks weakened here. */
export const WEAKENED_STACKS = ["production", "gcp-production"] as const;
export type WeakenedStack = (typeof WEAKENED_STACKS)[number];

/** Changes inputs of every resource of `type` (or only the one called `name`). */
const inputs =
  (type: string, change: Record<string, unknown>, name?: string): Weakening =>
  (args) =>
    args.type === type && (name === undefined || args.name === name) ? { props: { ...args.props, ...change }, opts: args.opts } : undefined;
/** Changes options of every resource of `type`. */
const options =
  (type: string, change: pulumi.CustomResourceOptions): Weakening =>
  (args) =>
    args.type === type ? { props: args.props, opts: { ...args.opts, ...change } } : undefined;

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

/** The namespace registered as `resource` enforces `level` instead of its own Pod Security level. */
const namespaceEnforcing =
  (resource: string, level: string): Weakening =>
  (args) => {
    if (args.type !== "kubernetes:core/v1:Namespace" || args.name !== resource) return undefined;
    const metadata = args.props.metadata as { labels: Record<string, string> };
    const labels = { ...metadata.labels, "pod-security.kubernetes.io/enforce": level };
    return { props: { ...args.props, metadata: { ...metadata, labels } }, opts: args.opts };
  };

/** The log collector's namespace keeps its privileged label but loses its default-deny. */
const openCollectorNamespace: Weakening = (args) =>
  args.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && args.name === "log-collector-default-deny"
    ? { props: { ...args.props, spec: { podSelector: {}, policyTypes: ["Ingress"] } }, opts: args.opts }
    : undefined;

/** The podinfo Service asks the cloud for a load balancer of its own, beside the gateway's. */
const loadBalancedApp: Weakening = (args) =>
  args.type === "kubernetes:core/v1:Service" && args.name === "app-podinfo-service"
    ? { props: { ...args.props, spec: { ...(args.props.spec as Record<string, unknown>), type: "LoadBalancer" } }, opts: args.opts }
    : undefined;

/** Cloud SQL takes connections on a public IPv4 address besides its private one. */
const publicCloudSql: Weakening = (args) => {
  if (args.type !== "gcp:sql/databaseInstance:DatabaseInstance") return undefined;
  type Settings = { ipConfiguration: object };
  const settings = args.props.settings as Settings;
  const ipConfiguration = { ...settings.ipConfiguration, ipv4Enabled: true };
  return { props: { ...args.props, settings: { ...settings, ipConfiguration } }, opts: args.opts };
};

/**
 * The cluster has no workload pool, and its nodes leave the metadata mode unset: GKE refuses GKE_METADATA on
 * a cluster without Workload Identity, and unset means the node's own metadata server there.
 */
const noWorkloadIdentity: Weakening = (args) => {
  if (args.type === "gcp:container/cluster:Cluster")
    return { props: { ...args.props, workloadIdentityConfig: undefined }, opts: args.opts };
  if (args.type !== "gcp:container/nodePool:NodePool") return undefined;
  const nodeConfig = { ...(args.props.nodeConfig as object), workloadMetadataConfig: undefined };
  return { props: { ...args.props, nodeConfig }, opts: args.opts };
};

const RDS = "aws:rds/instance:Instance";

/** A row: what is weakened (also the name of its review), the policy that fails, the resources it names, and the weakening. */
type Row = [string, string, string | string[], Weakening];
/** The rows on `stack`, each with the stack as its fifth element. */
const on = (stack: WeakenedStack, rows: Row[]): Array<[...Row, WeakenedStack]> => rows.map((row) => [...row, stack]);

/** On the production stack (AWS). */
const PRODUCTION: Row[] = [
  ["a public database", "rds-not-public", "database-instance", inputs(RDS, { publiclyAccessible: true }, "database-instance")],
  // The read replica inherits the primary's encryption, so it is named too.
  [
    "an unencrypted database",
    "rds-encrypted",
    ["database-instance", "database-replica-0"],
    inputs(RDS, { storageEncrypted: false, kmsKeyId: undefined }, "database-instance"),
  ],
  [
    "a read replica given its own key in its source's region",
    "rds-encrypted",
    "database-replica-0",
    inputs(RDS, { kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/replica" }, "database-replica-0"),
  ],
  [
    "an unencrypted read replica",
    "rds-encrypted",
    "database-replica-0",
    inputs(RDS, { storageEncrypted: false, kmsKeyId: undefined }, "database-replica-0"),
  ],
  ["1-day backup retention", "rds-backups", "database-instance", inputs(RDS, { backupRetentionPeriod: 1 }, "database-instance")],
  ["a single-AZ database", "rds-ha", "database-instance", inputs(RDS, { multiAz: false }, "database-instance")],
  // Every instance, the read replica too: both must refuse deletion.
  [
    "no database deletion protection",
    "rds-deletion-protection",
    ["database-instance", "database-replica-0"],
    inputs(RDS, { deletionProtection: false }),
  ],
  [
    "a world-open cluster endpoint",
    "eks-endpoint-private",
    "cluster-cluster",
    inputs("aws:eks/cluster:Cluster", {
      vpcConfig: { subnetIds: [], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] },
    }),
  ],
  [
    "a cluster endpoint open to the internet in halves",
    "eks-endpoint-private",
    "cluster-cluster",
    inputs("aws:eks/cluster:Cluster", {
      vpcConfig: {
        subnetIds: [],
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"],
      },
    }),
  ],
  [
    "a cluster endpoint open to a /7",
    "eks-endpoint-private",
    "cluster-cluster",
    inputs("aws:eks/cluster:Cluster", {
      vpcConfig: {
        subnetIds: [],
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ["198.51.100.0/24", "10.0.0.0/7"],
      },
    }),
  ],
  [
    "a plaintext cache AUTH token",
    "no-plaintext-secrets",
    "cache-group",
    inputs("aws:elasticache/replicationGroup:ReplicationGroup", { authToken: "a-token-in-clear-text-0123456789" }),
  ],
  [
    "a plaintext Grafana password",
    "no-plaintext-secrets",
    "monitoring-grafana-admin",
    inputs(
      "kubernetes:core/v1:Secret",
      { stringData: { "admin-user": "admin", "admin-password": "written-in-the-program" } },
      "monitoring-grafana-admin",
    ),
  ],
  ["an unprotected database", "stateful-protected", ["database-instance", "database-replica-0"], options(RDS, { protect: false })],
  [
    "an unencrypted cache",
    "redis-encryption",
    "cache-group",
    inputs("aws:elasticache/replicationGroup:ReplicationGroup", { atRestEncryptionEnabled: false, kmsKeyId: undefined }),
  ],
  [
    "a backup bucket without versioning",
    "s3-versioning",
    "backups-bucket",
    inputs("aws:s3/bucketVersioning:BucketVersioning", { versioningConfiguration: { status: "Suspended" } }),
  ],
  [
    "a bucket open to public policies",
    "s3-public-access-block",
    "backups-public-access-block",
    inputs("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { blockPublicPolicy: false }),
  ],
  ["a privileged pod", "pss-restricted", "app-podinfo-deployment", privileged],
  ["a namespace without default-deny", "namespace-default-deny", "app-podinfo-ns-namespace", openDefaultDeny],
  [
    "a namespace enforcing baseline in production",
    "namespace-pss-labels",
    "app-podinfo-ns-namespace",
    namespaceEnforcing("app-podinfo-ns-namespace", "baseline"),
  ],
  [
    "a second namespace running privileged beside the log collector's",
    "namespace-pss-labels",
    "monitoring-ns-namespace",
    namespaceEnforcing("monitoring-ns-namespace", "privileged"),
  ],
  [
    "the log collector's namespace without its default-deny for egress",
    "namespace-default-deny",
    "log-collector-namespace-labels",
    openCollectorNamespace,
  ],
  ["an app Service with a load balancer of its own", "load-balancer-services", "app-podinfo-service", loadBalancedApp],
  // A month passes log-retention's floor, so only the flow logs' own minimum (90 days) catches it.
  [
    "flow logs kept a month",
    "vpc-flow-logs",
    "network-flow-log-group",
    inputs("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 30 }, "network-flow-log-group"),
  ],
  [
    "application logs kept a day",
    "log-retention",
    "cluster-container-logs-application",
    inputs("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 1 }, "cluster-container-logs-application"),
  ],
  [
    "audit logs kept a month",
    "log-retention",
    "cluster-control-plane-logs",
    inputs("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 30 }, "cluster-control-plane-logs"),
  ],
  // A month passes log-retention's floor for other groups; the database's audit log needs 90 days.
  [
    "database audit logs kept a month",
    "log-retention",
    "database-logs-0-postgresql",
    inputs("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 30 }, "database-logs-0-postgresql"),
  ],
  ["a key that does not rotate", "kms-rotation", "database-key", inputs("aws:kms/key:Key", { enableKeyRotation: false }, "database-key")],
];

/** On the gcp-production stack. A row naming several resources expects a violation on each, in that order. */
const GCP_PRODUCTION: Row[] = [
  ["a public Cloud SQL IP", "sql-private-tls", ["database-instance", "database-replica-0"], publicCloudSql],
  [
    "a Cloud SQL read replica on Google's default key",
    "sql-cmek",
    "database-replica-0",
    inputs("gcp:sql/databaseInstance:DatabaseInstance", { encryptionKeyName: undefined }, "database-replica-0"),
  ],
  ["BASIC Memorystore in production", "memorystore-secure", "cache-instance", inputs("gcp:redis/instance:Instance", { tier: "BASIC" })],
  ["a GKE cluster without Workload Identity", "gke-workload-identity", ["cluster-cluster", "cluster-nodes"], noWorkloadIdentity],
  [
    "a GKE cluster that does not enforce Binary Authorization",
    "gke-binary-authorization",
    "cluster-cluster",
    inputs("gcp:container/cluster:Cluster", { binaryAuthorization: { evaluationMode: "DISABLED" } }),
  ],
  [
    "a bucket without public access prevention",
    "gcs-no-public",
    "backups-bucket",
    inputs("gcp:storage/bucket:Bucket", { publicAccessPrevention: "inherited" }),
  ],
  [
    "container logs kept a day",
    "log-retention",
    "cluster-default-log-bucket",
    inputs("gcp:logging/projectBucketConfig:ProjectBucketConfig", { retentionDays: 1 }, "cluster-default-log-bucket"),
  ],
  [
    "database audit logs kept a month",
    "log-retention",
    "database-audit-log-bucket",
    inputs("gcp:logging/projectBucketConfig:ProjectBucketConfig", { retentionDays: 30 }, "database-audit-log-bucket"),
  ],
];

/** Every weakening, with the stack it weakens as its fifth element. */
export const WEAKENINGS = [...on("production", PRODUCTION), ...on("gcp-production", GCP_PRODUCTION)];

/**
 * Reviews `stack` exactly as `npm run review` does (its stack file, the real program, the production policy
 * config), with the program run under `weaken` as a stack transformation.
 */
export async function reviewWeakened(stack: WeakenedStack, weaken: Weakening): Promise<ReviewReport> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { runtime } = require("@pulumi/pulumi") as typeof pulumi;
  const { reviewStack } = require("../../review/review") as typeof import("../../review/review");
  const { loadProject } = require("../../review/stack-file") as typeof import("../../review/stack-file");
  const project = loadProject(ROOT);
  const main = require(project.main) as () => Promise<Record<string, unknown>>;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const program = () => {
    runtime.registerStackTransformation(weaken);
    return main();
  };
  return reviewStack({ root: ROOT, stack, program }, project);
}
