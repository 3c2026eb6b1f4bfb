// GIVEN a GkeCluster for a dev-like stack (a zone, the public IP endpoint allow-listed to an operator's
//       range, 1-3 nodes, unprotected) and for a production-like one (a region, the DNS-based endpoint only,
//       3 nodes to start in 2-10, admin members, protected)
// WHEN the component is recorded under the offline engine
// THEN the engine receives exactly the cluster, secrets key, node account and its grants, node pool, admin
//      grants, Workload Identity bindings and Kubernetes provider the production bar asks for, with the
//      dependencies that order a real deployment, the protect flags and a secret kubeconfig; and the pack's
//      GKE, IAM, KMS and platform policies find nothing to report.
import { describe, expect, test } from "@jest/globals";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { ADMIN_ROLE, GkeCluster, type GkeClusterArgs, kubeconfigFor, NODE_ROLES } from "../../components/gcp/gke-cluster";
import type { WorkloadIdentity } from "../../components/types";
import { check } from "../policies/harness";
import { gcpProvider, type Recorded, recordProgram, stateOf, valueOf } from "../harness";

const NETWORK = "projects/example-platform/global/networks/platform";
const SUBNET = "projects/example-platform/regions/europe-west1/subnetworks/platform-nodes";

const DEV: GkeClusterArgs = {
  location: "europe-west1-b",
  network: NETWORK,
  subnetwork: SUBNET,
  nodesCidr: "10.20.0.0/20",
  podsRangeName: "pods",
  servicesRangeName: "services",
  authorizedNetworks: ["198.51.100.0/24"],
  deletionProtection: false,
  protect: false,
  applicationLogRetentionDays: 7,
  binaryAuthorization: false,
  nodes: { machineType: "e2-standard-2", diskSizeGb: 50, initialNodesPerZone: 1, minNodes: 1, maxNodes: 3 },
};

const PROD: GkeClusterArgs = {
  location: "europe-west1",
  network: NETWORK,
  subnetwork: SUBNET,
  nodesCidr: "10.0.0.0/20",
  podsRangeName: "pods",
  servicesRangeName: "services",
  releaseChannel: "REGULAR",
  maintenanceWindow: "sat:22:00-sun:10:00",
  adminMembers: ["group:platform-admins@example.com", "serviceAccount:deploy@example-platform.iam.gserviceaccount.com"],
  deletionProtection: true,
  protect: true,
  nodes: { machineType: "e2-standard-4", diskSizeGb: 100, initialNodesPerZone: 1, minNodes: 2, maxNodes: 10 },
};

interface Run {
  r: Recorded;
  cluster: GkeCluster;
  kubeconfig: string;
  kubeconfigIsSecret: boolean;
  backups: WorkloadIdentity;
  backupsAnnotations: Record<string, string>;
  backupsPrincipal: string;
  backupsPrincipalId: string;
}

const runs = new Map<string, Promise<Run>>();
/** Records the component once per argument set, with one service account bound. */
function run(label: string, args: GkeClusterArgs): Promise<Run> {
  if (!runs.has(label)) {
    runs.set(
      label,
      (async () => {
        let out: Omit<Run, "r"> | undefined;
        const r = await recordProgram(async () => {
          const cluster = new GkeCluster("gke", args, { providers: [gcpProvider()] });
          const backups = cluster.bindServiceAccount("backups", { namespace: "backups", name: "pg-dump" });
          out = {
            cluster,
            backups,
            kubeconfig: await valueOf(cluster.kubeconfig),
            kubeconfigIsSecret: await pulumi.isSecret(cluster.kubeconfig),
            backupsAnnotations: await valueOf(backups.serviceAccountAnnotations),
            backupsPrincipal: await valueOf(backups.principal),
            backupsPrincipalId: await valueOf(backups.principalId),
          };
        });
        return { r, ...out! };
      })(),
    );
  }
  return runs.get(label)!;
}

const CASES = [
  {
    env: "dev",
    args: DEV,
    location: "europe-west1-b",
    endpoints: {
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false },
      controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: false } },
      masterAuthorizedNetworksConfig: {
        cidrBlocks: [{ cidrBlock: "198.51.100.0/24", displayName: "operators 198.51.100.0/24" }],
        gcpPublicCidrsAccessEnabled: false,
      },
    },
    protect: false,
    deletionProtection: false,
    nodes: { machineType: "e2-standard-2", diskSizeGb: 50, min: 1, max: 3 },
    admins: [] as string[],
    nodesCidr: "10.20.0.0/20",
    logDays: 7,
    // DEV turns it off; the component enforces it unless told not to.
    binaryAuthorization: "DISABLED",
  },
  {
    env: "production",
    args: PROD,
    location: "europe-west1",
    endpoints: {
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true },
      controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
      masterAuthorizedNetworksConfig: { gcpPublicCidrsAccessEnabled: false },
    },
    protect: true,
    deletionProtection: true,
    nodes: { machineType: "e2-standard-4", diskSizeGb: 100, min: 2, max: 10 },
    admins: ["group:platform-admins@example.com", "serviceAccount:deploy@example-platform.iam.gserviceaccount.com"],
    nodesCidr: "10.0.0.0/20",
    // Left out of PROD: the component's defaults.
    logDays: 30,
    binaryAuthorization: "PROJECT_SINGLETON_POLICY_ENFORCE",
  },
] as const;

const NODE_ACCOUNT = "gke-nodes@example-platform.iam.gserviceaccount.com";
/** What every node runs with, the default pool's included. */
const HARDENED_NODES = {
  imageType: "COS_CONTAINERD",
  serviceAccount: NODE_ACCOUNT,
  oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
  shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
  workloadMetadataConfig: { mode: "GKE_METADATA" },
};
const GKE_AGENT = "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com";
const names = (resources: { name: string }[]) => resources.map((x) => x.name).sort();

describe.each(CASES)("GkeCluster ($env)", (c) => {
  test("the cluster: private nodes, endpoints, Workload Identity, Dataplane V2, encrypted secrets, maintenance, protection", async () => {
    const { r } = await run(c.env, c.args);
    const cluster = r.one("gcp:container/cluster:Cluster");
    expect(cluster.name).toBe("gke-cluster");
    expect(cluster.inputs).toEqual({
      name: "platform-test-gke",
      location: c.location,
      network: NETWORK,
      subnetwork: SUBNET,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
      ...c.endpoints,
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      // The default pool GKE makes, and removes, runs as hardened as the platform's own pool.
      nodeConfig: HARDENED_NODES,
      releaseChannel: { channel: "REGULAR" },
      workloadIdentityConfig: { workloadPool: "example-platform.svc.id.goog" },
      datapathProvider: "ADVANCED_DATAPATH",
      addonsConfig: { gcePersistentDiskCsiDriverConfig: { enabled: true }, httpLoadBalancing: { disabled: false } },
      enableShieldedNodes: true,
      enableLegacyAbac: false,
      masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
      databaseEncryption: {
        state: "ENCRYPTED",
        keyName: expect.stringMatching(
          /^projects\/example-platform\/locations\/europe-west1\/keyRings\/platform-test-gke-secrets-key-[0-9a-f]{16}\/cryptoKeys\/gke-secrets-key$/,
        ) as unknown,
      },
      loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
      monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: false } },
      maintenancePolicy: {
        recurringWindow: { startTime: "2025-01-11T22:00:00Z", endTime: "2025-01-12T10:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA" },
      },
      binaryAuthorization: { evaluationMode: c.binaryAuthorization },
      deletionProtection: c.deletionProtection,
    });
    expect(cluster.protect).toBe(c.protect);
    // Both shape only the default pool and replace the cluster when they change: a cluster made before nodeConfig
    // was set keeps its state, and is never replaced for it.
    expect(cluster.ignoreChanges).toEqual(["nodeConfig", "initialNodeCount"]);
    // GKE checks the key, and its agent's right to use it, when it creates the cluster; the default pool's nodes
    // run as the node account once it holds its roles.
    const keyGrant = r.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    const nodeGrants = r.ofType("gcp:projects/iAMMember:IAMMember").filter((g) => g.name.startsWith("gke-nodes-"));
    expect(cluster.dependencies).toEqual(
      expect.arrayContaining([keyGrant.urn, r.one("gcp:kms/cryptoKey:CryptoKey").urn, ...nodeGrants.map((g) => g.urn)]),
    );
    expect(cluster.propertyDependencies.nodeConfig).toEqual([r.one("gcp:serviceaccount/account:Account", "gke-nodes").urn]);
  });

  test("the secrets key: in the cluster's region, rotating, usable only by the GKE service agent, protected per argument", async () => {
    const { r } = await run(c.env, c.args);
    const ring = r.one("gcp:kms/keyRing:KeyRing");
    const key = r.one("gcp:kms/cryptoKey:CryptoKey");
    const suffix = stateOf(r.one("random:index/randomId:RandomId", "gke-secrets-key-ring-suffix")).hex;
    expect(ring.inputs).toEqual({ name: `platform-test-gke-secrets-key-${String(suffix)}`, location: "europe-west1" });
    expect(key.inputs).toEqual({
      name: "gke-secrets-key",
      keyRing: expect.stringMatching(
        /^projects\/example-platform\/locations\/europe-west1\/keyRings\/platform-test-gke-secrets-key-[0-9a-f]{16}$/,
      ) as unknown,
      purpose: "ENCRYPT_DECRYPT",
      rotationPeriod: "7776000s",
    });
    expect([ring.protect, key.protect]).toEqual([c.protect, c.protect]);
    const grant = r.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    expect(grant.inputs).toEqual({
      cryptoKeyId: expect.stringMatching(
        /^projects\/example-platform\/locations\/europe-west1\/keyRings\/platform-test-gke-secrets-key-[0-9a-f]{16}\/cryptoKeys\/gke-secrets-key$/,
      ) as unknown,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: GKE_AGENT,
    });
    // Google makes the agent some time after the API is on: it is requested first, and the grant waits for it.
    const agent = r.one("gcp:projects/serviceIdentity:ServiceIdentity");
    expect({ name: agent.name, inputs: agent.inputs, parent: agent.parent }).toEqual({
      name: "gke-gke-agent",
      inputs: { service: "container.googleapis.com" },
      parent: r.one("platform:gcp:GkeSecretsKey").urn,
    });
    expect(grant.dependencies).toContain(agent.urn);
  });

  test("the nodes' own account holds only GKE's least-privilege node role and image pulls", async () => {
    const { r } = await run(c.env, c.args);
    expect(r.one("gcp:serviceaccount/account:Account", "gke-nodes").inputs).toEqual({
      accountId: "gke-nodes",
      displayName: "GKE platform-test-gke nodes",
      description: "Nodes of the cluster: write logs and metrics, pull images. Pods use Workload Identity instead.",
    });
    const grants = r.ofType("gcp:projects/iAMMember:IAMMember").filter((g) => g.name.startsWith("gke-nodes-"));
    expect(grants.map((g) => g.inputs)).toEqual(
      NODE_ROLES.map((role) => ({ project: "example-platform", role, member: `serviceAccount:${NODE_ACCOUNT}` })),
    );
    expect(NODE_ROLES).toEqual(["roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader"]);
  });

  test("the node pool: COS, shielded, GKE metadata server, auto-repair and upgrade, total autoscaling bounds", async () => {
    const { r } = await run(c.env, c.args);
    const pool = r.one("gcp:container/nodePool:NodePool");
    expect(pool.inputs).toEqual({
      cluster: "platform-test-gke",
      location: c.location,
      initialNodeCount: 1,
      autoscaling: { totalMinNodeCount: c.nodes.min, totalMaxNodeCount: c.nodes.max, locationPolicy: "BALANCED" },
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
      nodeConfig: { machineType: c.nodes.machineType, diskSizeGb: c.nodes.diskSizeGb, diskType: "pd-balanced", ...HARDENED_NODES },
    });
    expect(pool.protect).toBe(false);
    // The autoscaler owns the count, and a change of it would replace the pool.
    expect(pool.ignoreChanges).toEqual(["initialNodeCount"]);
    const grants = r.ofType("gcp:projects/iAMMember:IAMMember").filter((g) => g.name.startsWith("gke-nodes-"));
    expect(pool.dependencies).toEqual(expect.arrayContaining([r.one("gcp:container/cluster:Cluster").urn, ...grants.map((g) => g.urn)]));
  });

  test("admin members get roles/container.admin on the project", async () => {
    const { r } = await run(c.env, c.args);
    const admins = r.ofType("gcp:projects/iAMMember:IAMMember").filter((g) => g.inputs.role === ADMIN_ROLE);
    expect(admins.map((a) => a.inputs)).toEqual(
      c.admins.map((member) => ({ project: "example-platform", role: "roles/container.admin", member })),
    );
    expect(names(admins)).toEqual(c.admins.map((m) => `gke-admin-${m.replace(/[^a-zA-Z0-9]+/g, "-").toLowerCase()}`).sort());
  });

  test("the project's _Default log bucket keeps the cluster's system and workload logs the days asked", async () => {
    const { r } = await run(c.env, c.args);
    const bucket = r.one("gcp:logging/projectBucketConfig:ProjectBucketConfig");
    expect(bucket.name).toBe("gke-default-log-bucket");
    expect(bucket.inputs).toEqual({ project: "example-platform", location: "global", bucketId: "_Default", retentionDays: c.logDays });
    const cluster = r.one("gcp:container/cluster:Cluster");
    expect(cluster.inputs.loggingConfig).toEqual({ enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] });
  });

  test("a bound service account: its own Google account, usable only by that Kubernetes service account", async () => {
    const run_ = await run(c.env, c.args);
    const { r } = run_;
    expect(r.one("gcp:serviceaccount/account:Account", "gke-backups").inputs).toEqual({
      accountId: "gke-backups",
      displayName: "Workload Identity: backups/pg-dump",
    });
    const email = "gke-backups@example-platform.iam.gserviceaccount.com";
    const binding = r.one("gcp:serviceaccount/iAMMember:IAMMember");
    expect(binding.inputs).toEqual({
      serviceAccountId: `projects/example-platform/serviceAccounts/${email}`,
      role: "roles/iam.workloadIdentityUser",
      member: "serviceAccount:example-platform.svc.id.goog[backups/pg-dump]",
    });
    // GCP creates the pool with the project's first Workload Identity cluster: the member is the cluster's pool.
    expect(binding.propertyDependencies.member).toEqual([r.one("gcp:container/cluster:Cluster").urn]);
    expect(run_.backups.serviceAccount).toEqual({ namespace: "backups", name: "pg-dump" });
    expect(run_.backupsAnnotations).toEqual({ "iam.gke.io/gcp-service-account": email });
    expect(run_.backupsPrincipal).toBe(email);
    expect(run_.backupsPrincipalId).toBe(`projects/example-platform/serviceAccounts/${email}`);
  });

  test("the Kubernetes provider: a secret kubeconfig through gke-gcloud-auth-plugin, waiting for the nodes", async () => {
    const { r, cluster, kubeconfig, kubeconfigIsSecret } = await run(c.env, c.args);
    expect(kubeconfigIsSecret).toBe(true);
    expect(JSON.parse(kubeconfig)).toMatchObject({
      "current-context": "platform-test-gke",
      users: [{ name: "platform-test-gke", user: { exec: { command: "gke-gcloud-auth-plugin", interactiveMode: "Never" } } }],
    });
    const provider = r.one("pulumi:providers:kubernetes");
    expect(provider.inputs).toEqual({ kubeconfig: "[secret]" });
    expect(provider.parent).toBe(r.one("platform:gcp:GkeCluster").urn);
    expect(provider.dependencies).toEqual(expect.arrayContaining([r.one("gcp:container/nodePool:NodePool").urn]));
    expect(cluster.apiServerCidrs).toEqual([c.nodesCidr]);
    // Pods acting as a Google service account fetch its token from the node's metadata server.
    expect(cluster.identityEndpoint).toEqual({ cidrs: ["169.254.169.254/32"], port: 80 });
  });

  test("every child is parented to the component (the key through its own group) and uses its GCP provider", async () => {
    const { r } = await run(c.env, c.args);
    const component = r.one("platform:gcp:GkeCluster");
    const keyGroup = r.one("platform:gcp:GkeSecretsKey");
    const gcp = r.one("pulumi:providers:gcp");
    expect(keyGroup.parent).toBe(component.urn);
    const children = r.resources.filter((x) => x.parent === component.urn || x.parent === keyGroup.urn);
    expect(children.length).toBe(r.resources.length - 3);
    for (const child of children.filter((x) => x.type.startsWith("gcp:"))) expect(child.provider).toBe(gcp.urn);
  });

  test("the pack's policies for what the component makes report nothing, at the environment's settings", async () => {
    const { r } = await run(c.env, c.args);
    const file = path.join(__dirname, "..", "..", "policies", "config", `${c.env}.json`);
    const config = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { enforcementLevel: string } & Record<string, unknown>>;
    const applied = [
      "gke-private",
      "gke-workload-identity",
      "gke-network-policy",
      "gke-node-hardening",
      "gke-legacy-auth-off",
      "gke-binary-authorization",
      "gcp-no-basic-roles",
      "kms-rotation",
      "stateful-protected",
      "no-plaintext-secrets",
    ].filter((name) => config[name]!.enforcementLevel !== "disabled");
    expect(applied.length).toBeGreaterThanOrEqual(8);
    for (const name of applied) {
      const settings = Object.fromEntries(Object.entries(config[name]!).filter(([key]) => key !== "enforcementLevel"));
      expect({ name, messages: (await check(name, r.resources, settings)).messages }).toEqual({ name, messages: [] });
    }
    // The policies read these registrations: the same cluster with public nodes is reported.
    const publicNodes = r.resources.map((x) =>
      x.type === "gcp:container/cluster:Cluster"
        ? { ...x, inputs: { ...x.inputs, privateClusterConfig: { enablePrivateNodes: false } } }
        : x,
    );
    expect((await check("gke-private", publicNodes)).messages).toContain(
      "privateClusterConfig.enablePrivateNodes is not true: set it to true so nodes get no public IPs",
    );
  });
});

describe("GkeCluster.bindServiceAccount", () => {
  test.each([
    [
      "a name that is not kebab-case",
      "Backups",
      { namespace: "backups", name: "pg-dump" },
      'name must be lower-case kebab-case (got "Backups")',
    ],
    [
      "a name too long for an account id",
      "restore-verification-cronjob",
      { namespace: "backups", name: "pg-dump" },
      'name must make a service account id "<prefix>-<name>" of 6-30 characters (got "gke-restore-verification-cronjob")',
    ],
    [
      "a namespace Kubernetes refuses",
      "app",
      { namespace: "Apps", name: "api" },
      'namespace must be a Kubernetes namespace name (got "Apps")',
    ],
    [
      "an account name Kubernetes refuses",
      "app",
      { namespace: "apps", name: "API" },
      'account name must be a Kubernetes object name (got "API")',
    ],
    ["a name bound twice", "backups", { namespace: "apps", name: "api" }, 'name "backups" is already bound on this cluster'],
  ])("refuses %s", async (_case, name, account, message) => {
    const { cluster } = await run("production", PROD);
    expect(() => cluster.bindServiceAccount(name, account)).toThrow(new Error(`GkeCluster gke: bindServiceAccount ${message}`));
  });
});

describe("GkeCluster service account ids", () => {
  test("take the prefix given, so stacks sharing a project do not collide", async () => {
    const r = await recordProgram(() => {
      const cluster = new GkeCluster("gke", { ...DEV, serviceAccountPrefix: "dev-gke" }, { providers: [gcpProvider()] });
      cluster.bindServiceAccount("backups", { namespace: "backups", name: "pg-dump" });
    });
    expect(Object.fromEntries(r.ofType("gcp:serviceaccount/account:Account").map((a) => [a.name, a.inputs.accountId]))).toEqual({
      "gke-nodes": "dev-gke-nodes",
      "gke-backups": "dev-gke-backups",
    });
    expect(r.one("gcp:container/nodePool:NodePool").inputs.nodeConfig).toMatchObject({
      serviceAccount: "dev-gke-nodes@example-platform.iam.gserviceaccount.com",
    });
  });
});

describe("kubeconfigFor", () => {
  test("the DNS-based endpoint needs no CA; the IP endpoint carries the cluster's", () => {
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "gke-gcloud-auth-plugin",
      provideClusterInfo: true,
      interactiveMode: "Never",
    };
    expect(JSON.parse(kubeconfigFor("c", "gke-0123.europe-west1.gke.goog", undefined))).toEqual({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: "https://gke-0123.europe-west1.gke.goog" } }],
      contexts: [{ name: "c", context: { cluster: "c", user: "c" } }],
      "current-context": "c",
      preferences: {},
      users: [{ name: "c", user: { exec } }],
    });
    expect((JSON.parse(kubeconfigFor("c", "203.0.113.10", "Q0E=")) as { clusters: unknown }).clusters).toEqual([
      { name: "c", cluster: { server: "https://203.0.113.10", "certificate-authority-data": "Q0E=" } },
    ]);
  });
});
