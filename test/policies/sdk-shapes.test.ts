// GIVEN a reference program that builds every checked kind of resource with the real provider SDKs the
//       way the platform's architecture asks (hardened), recorded by the review engine
// WHEN the whole pack runs over that recording with the production config
// THEN nothing is reported: the policies read the property names, nesting, JSON text, secrets and
//      property dependencies exactly as the SDKs send them, custom resources included.
import { expect, test } from "@jest/globals";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as path from "node:path";
import { policies } from "../../policies/policies";
import { loadPolicyConfig } from "../../review/policy-config";
import { runPolicies } from "../../review/policy-runner";
import { awsProvider, gcpProvider, recordProgram } from "../harness";
import { PACK } from "./harness";

const ROOT = path.resolve(__dirname, "..", "..");
const IMAGE = "ghcr.io/stefanprodan/podinfo:6.14.1@sha256:4a1f8c0a9e5e3d3c4b7f2d6e1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b";
const json = (value: unknown) => pulumi.jsonStringify(value);

function awsPart() {
  const opts = { provider: awsProvider() };
  const kept = { ...opts, protect: true };
  const vpc = new aws.ec2.Vpc("net", { cidrBlock: "10.0.0.0/16" }, opts);
  new aws.ec2.FlowLog(
    "net-flow-log",
    {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: "arn:aws:logs:eu-west-1:123456789012:log-group:flow",
      iamRoleArn: "arn:aws:iam::123456789012:role/flow",
    },
    opts,
  );
  new aws.cloudwatch.LogGroup("container-logs", { name: "/aws/containerinsights/platform/application", retentionInDays: 30 }, opts);
  new aws.ec2.DefaultSecurityGroup("net-default-sg", { vpcId: vpc.id }, opts);
  const igw = new aws.ec2.InternetGateway("net-igw", { vpcId: vpc.id }, opts);
  const publicTable = new aws.ec2.RouteTable("net-public-rt", { vpcId: vpc.id }, opts);
  new aws.ec2.Route("net-public-default", { routeTableId: publicTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, opts);
  const publicSubnet = new aws.ec2.Subnet("net-public-a", { vpcId: vpc.id, cidrBlock: "10.0.0.0/20", mapPublicIpOnLaunch: true }, opts);
  new aws.ec2.RouteTableAssociation("net-public-a", { subnetId: publicSubnet.id, routeTableId: publicTable.id }, opts);
  const privateSubnet = new aws.ec2.Subnet("net-private-a", { vpcId: vpc.id, cidrBlock: "10.0.16.0/20" }, opts);
  const nodes = new aws.ec2.SecurityGroup("nodes", { vpcId: vpc.id, description: "cluster nodes" }, opts);
  new aws.vpc.SecurityGroupIngressRule(
    "nodes-https",
    { securityGroupId: nodes.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/16" },
    opts,
  );
  new aws.vpc.SecurityGroupEgressRule("nodes-out", { securityGroupId: nodes.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, opts);
  new aws.ec2.LaunchTemplate(
    "nodes-lt",
    { metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } },
    opts,
  );
  const key = new aws.kms.Key("platform-key", { enableKeyRotation: true, deletionWindowInDays: 30 }, kept);
  new aws.eks.Cluster(
    "platform",
    {
      roleArn: "arn:aws:iam::123456789012:role/cluster",
      version: "1.35",
      vpcConfig: { subnetIds: [privateSubnet.id], endpointPrivateAccess: true, endpointPublicAccess: false },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
      enabledClusterLogTypes: ["api", "audit", "authenticator"],
    },
    kept,
  );
  const parameters = new aws.rds.ParameterGroup(
    "db-pg",
    { family: "postgres17", parameters: [{ name: "rds.force_ssl", value: "1" }] },
    opts,
  );
  new aws.rds.Instance(
    "db",
    {
      engine: "postgres",
      engineVersion: "17",
      instanceClass: "db.m7g.large",
      allocatedStorage: 100,
      maxAllocatedStorage: 500,
      manageMasterUserPassword: true,
      username: "platform",
      publiclyAccessible: false,
      storageEncrypted: true,
      kmsKeyId: key.arn,
      backupRetentionPeriod: 30,
      multiAz: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "db-final",
      parameterGroupName: parameters.name,
      performanceInsightsEnabled: true,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      iamDatabaseAuthenticationEnabled: true,
    },
    kept,
  );
  const auth = new random.RandomPassword("cache-auth", { length: 32, special: false });
  new aws.elasticache.ReplicationGroup(
    "cache",
    {
      description: "platform cache",
      engine: "valkey",
      engineVersion: "8.0",
      nodeType: "cache.m7g.large",
      numCacheClusters: 3,
      atRestEncryptionEnabled: true,
      kmsKeyId: key.arn,
      transitEncryptionEnabled: true,
      authToken: auth.result,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      snapshotRetentionLimit: 14,
    },
    kept,
  );
  const bucket = new aws.s3.Bucket("backups", {}, kept);
  new aws.s3.BucketPublicAccessBlock(
    "backups",
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    "backups",
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
    },
    opts,
  );
  new aws.s3.BucketVersioning("backups", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts);
  new aws.s3.BucketLifecycleConfiguration(
    "backups",
    {
      bucket: bucket.id,
      rules: [{ id: "expire", status: "Enabled", expiration: { days: 30 }, noncurrentVersionExpiration: { noncurrentDays: 7 } }],
    },
    opts,
  );
  const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
  const role = new aws.iam.Role(
    "backup",
    {
      assumeRolePolicy: json({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { [`${issuer}:sub`]: "system:serviceaccount:backups:pg-dump", [`${issuer}:aud`]: "sts.amazonaws.com" },
            },
          },
        ],
      }),
    },
    opts,
  );
  new aws.iam.RolePolicy(
    "backup-write",
    {
      role: role.name,
      policy: json({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: pulumi.interpolate`${bucket.arn}/*` }],
      }),
    },
    opts,
  );
}

function gcpPart() {
  const opts = { provider: gcpProvider() };
  const kept = { ...opts, protect: true };
  new gcp.container.Cluster(
    "gke",
    {
      location: "europe-west1",
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      // The default pool, which runs until the cluster removes it.
      nodeConfig: {
        imageType: "COS_CONTAINERD",
        serviceAccount: "gke-nodes@example-platform.iam.gserviceaccount.com",
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        workloadMetadataConfig: { mode: "GKE_METADATA" },
      },
      deletionProtection: true,
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true, masterIpv4CidrBlock: "172.16.0.0/28" },
      workloadIdentityConfig: { workloadPool: "example-platform.svc.id.goog" },
      datapathProvider: "ADVANCED_DATAPATH",
      releaseChannel: { channel: "REGULAR" },
      binaryAuthorization: { evaluationMode: "PROJECT_SINGLETON_POLICY_ENFORCE" },
    },
    kept,
  );
  new gcp.container.NodePool(
    "gke-nodes",
    {
      cluster: "gke",
      location: "europe-west1",
      autoscaling: { minNodeCount: 2, maxNodeCount: 10 },
      management: { autoRepair: true, autoUpgrade: true },
      nodeConfig: {
        machineType: "n2-standard-4",
        imageType: "COS_CONTAINERD",
        serviceAccount: "gke-nodes@example-platform.iam.gserviceaccount.com",
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        workloadMetadataConfig: { mode: "GKE_METADATA" },
      },
    },
    opts,
  );
  new gcp.sql.DatabaseInstance(
    "sql",
    {
      databaseVersion: "POSTGRES_17",
      region: "europe-west1",
      deletionProtection: true,
      encryptionKeyName: "projects/p/locations/europe-west1/keyRings/platform-database/cryptoKeys/database",
      settings: {
        tier: "db-custom-2-7680",
        availabilityType: "REGIONAL",
        deletionProtectionEnabled: true,
        ipConfiguration: {
          ipv4Enabled: false,
          privateNetwork: "projects/example-platform/global/networks/platform",
          sslMode: "ENCRYPTED_ONLY",
        },
        backupConfiguration: {
          enabled: true,
          startTime: "03:00",
          pointInTimeRecoveryEnabled: true,
          backupRetentionSettings: { retainedBackups: 30 },
        },
      },
    },
    kept,
  );
  new gcp.redis.Instance(
    "redis",
    {
      memorySizeGb: 5,
      tier: "STANDARD_HA",
      authEnabled: true,
      transitEncryptionMode: "SERVER_AUTHENTICATION",
      connectMode: "PRIVATE_SERVICE_ACCESS",
    },
    kept,
  );
  new gcp.storage.Bucket(
    "gcs-backups",
    {
      location: "EU",
      publicAccessPrevention: "enforced",
      uniformBucketLevelAccess: true,
      versioning: { enabled: true },
      lifecycleRules: [
        { action: { type: "Delete" }, condition: { age: 30 } },
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 7 } },
      ],
    },
    kept,
  );
  new gcp.projects.IAMMember(
    "nodes-logging",
    {
      project: "example-platform",
      role: "roles/logging.logWriter",
      member: "serviceAccount:gke-nodes@example-platform.iam.gserviceaccount.com",
    },
    opts,
  );
  new gcp.logging.ProjectBucketConfig(
    "default-log-bucket",
    { project: "example-platform", location: "global", bucketId: "_Default", retentionDays: 30 },
    opts,
  );
}

function kubernetesPart() {
  const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
  const opts = { provider };
  const labels = { "app.kubernetes.io/name": "podinfo" };
  const ns = new k8s.core.v1.Namespace(
    "podinfo",
    {
      metadata: {
        name: "podinfo",
        labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" },
      },
    },
    opts,
  );
  const namespace = ns.metadata.name;
  new k8s.networking.v1.NetworkPolicy(
    "podinfo-default-deny",
    { metadata: { name: "default-deny", namespace }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    opts,
  );
  new k8s.apps.v1.Deployment(
    "podinfo",
    {
      metadata: { name: "podinfo", namespace, labels },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "podinfo",
                image: IMAGE,
                ports: [{ containerPort: 9898 }],
                env: [{ name: "PODINFO_TOKEN", valueFrom: { secretKeyRef: { name: "podinfo", key: "token" } } }],
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                livenessProbe: { httpGet: { path: "/healthz", port: 9898 } },
                readinessProbe: { httpGet: { path: "/readyz", port: 9898 } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
    opts,
  );
  new k8s.policy.v1.PodDisruptionBudget(
    "podinfo",
    { metadata: { name: "podinfo", namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    opts,
  );
  new k8s.core.v1.Service(
    "podinfo",
    {
      metadata: { name: "podinfo", namespace, labels },
      spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: 80, targetPort: 9898 }] },
    },
    opts,
  );
  // Proxies of an internal Gateway outside the gateway namespace: reachable only from inside the cluster.
  new k8s.apiextensions.CustomResource(
    "internal-proxy",
    {
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "EnvoyProxy",
      metadata: { name: "internal", namespace },
      spec: { provider: { type: "Kubernetes", kubernetes: { envoyService: { type: "ClusterIP" } } } },
    },
    opts,
  );
  new k8s.apiextensions.CustomResource(
    "gateway",
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: "platform", namespace },
      spec: {
        gatewayClassName: "envoy",
        listeners: [
          { name: "http", protocol: "HTTP", port: 80 },
          { name: "https", protocol: "HTTPS", port: 443, tls: { mode: "Terminate", certificateRefs: [{ name: "platform-tls" }] } },
        ],
      },
    },
    opts,
  );
  new k8s.apiextensions.CustomResource(
    "redirect",
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "redirect", namespace },
      spec: {
        parentRefs: [{ name: "platform", sectionName: "http" }],
        rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
      },
    },
    opts,
  );
  new k8s.apiextensions.CustomResource(
    "podinfo-route",
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "podinfo", namespace },
      spec: { parentRefs: [{ name: "platform", sectionName: "https" }], rules: [{ backendRefs: [{ name: "podinfo", port: 9898 }] }] },
    },
    opts,
  );
  new k8s.helm.v3.Release(
    "monitoring",
    {
      chart: "kube-prometheus-stack",
      version: "77.0.0",
      namespace,
      values: { grafana: { admin: { existingSecret: "grafana-admin", passwordKey: "password" } } },
    },
    opts,
  );
}

test("GIVEN the hardened reference program WHEN the pack runs with the production config THEN nothing is reported", async () => {
  const recorded = await recordProgram(() => {
    awsPart();
    gcpPart();
    kubernetesPart();
  });
  expect(recorded.ofType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")).toHaveLength(2);
  const config = loadPolicyConfig(policies, path.join(ROOT, "policies", "config", "production.json"), ROOT);
  const results = await runPolicies(recorded.resources, policies, config, PACK);
  expect(results.filter((r) => r.violations.length > 0 || r.skipped)).toEqual([]);
  // Every policy found something of its own to check in the program.
  expect(results.filter((r) => r.evaluated === 0).map((r) => r.name)).toEqual([]);
});
