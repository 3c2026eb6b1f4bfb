// GkeCluster: a regional GKE Standard cluster with private nodes, a DNS-based or allow-listed control
// plane, Workload Identity, Dataplane V2 (network policy enforced), shielded nodes on a release channel,
// Binary Authorization, secrets encrypted with a customer-managed key, and one hardened autoscaled node pool
// run by a least-privilege service account. Implements KubernetesCluster for the Kubernetes layer.
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { grantName } from "../grants";
import type { IdentityEndpoint, KubernetesCluster, ServiceAccountRef, WorkloadIdentity } from "../types";
import { ACCOUNT_ID, type GkeClusterArgs, recurringWindowOf, resolveGkeClusterArgs, type ResolvedGkeClusterArgs } from "./gke-args";
import { CONTAINER_API } from "./apis";
import { createNodeIdentity, createNodePool, hardenedNodes, type NodeIdentity } from "./gke-nodes";
import { serviceAgentKey } from "./kms";

export {
  DEFAULT_AUTHORIZED_NETWORKS_WIDEST_PREFIX,
  DEFAULT_MAINTENANCE_WINDOW,
  DEFAULT_RELEASE_CHANNEL,
  resolveGkeClusterArgs,
} from "./gke-args";
export type { GkeClusterArgs, GkeNodePoolArgs } from "./gke-args";
export { NODE_ROLES } from "./gke-nodes";

/**
 * What a platform admin is given on the project. roles/container.clusterAdmin manages clusters but reads
 * no Kubernetes object, so it cannot administer what runs in one; roles/container.admin is the one
 * predefined role that reaches the Kubernetes API as cluster-admin does, as EKS's cluster admin access
 * policy does on AWS. GKE has no per-cluster IAM: it spans the project's clusters, one per platform here.
 */
export const ADMIN_ROLE = "roles/container.admin";

/**
 * Where a pod gets its Workload Identity token: the GKE metadata server on its node. Dataplane V2 checks
 * network policy before the node redirects the address to the server, so egress to it on port 80 is what
 * a policy must allow.
 */
export const METADATA_SERVER: IdentityEndpoint = { cidrs: ["169.254.169.254/32"], port: 80 };

const SERVICE_ACCOUNT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const BINDING_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export class GkeCluster extends pulumi.ComponentResource implements KubernetesCluster {
  readonly clusterName: pulumi.Output<string>;
  /** Kubernetes provider for this cluster; it waits for the node pool. */
  readonly provider: k8s.Provider;
  /** Kubeconfig that authenticates with gke-gcloud-auth-plugin (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** The node subnet's range: the control plane's private endpoint takes its address there. */
  readonly apiServerCidrs: string[];
  /** The address clients reach the API at: the DNS-based endpoint's name, or the public IP endpoint. */
  readonly endpoint: pulumi.Output<string>;
  /**
   * `<project>.svc.id.goog`, the pool Kubernetes service accounts are Google principals in, as the cluster
   * reports it: GCP creates the pool with the project's first Workload Identity cluster, so whatever names it
   * waits for the cluster (terraform-google-modules/terraform-google-kubernetes-engine#916).
   */
  readonly workloadPool: pulumi.Output<string>;
  /** E-mail of the nodes' service account. */
  readonly nodeServiceAccount: pulumi.Output<string>;
  readonly identityEndpoint = METADATA_SERVER;
  /** The project the cluster (and its service accounts) live in. */
  readonly projectId: pulumi.Output<string>;

  private readonly baseName: string;
  private readonly accountPrefix: string;
  private readonly bindings = new Set<string>();

  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const resolved = resolveGkeClusterArgs(name, args, pulumi.getProject(), pulumi.getStack());
    super("platform:gcp:GkeCluster", name, {}, opts);
    this.baseName = name;
    const project = gcp.organizations.getProjectOutput({}, { parent: this });
    this.projectId = project.apply((p) => p.projectId ?? "");

    // The key and the GKE service agent's use of it come first: GKE checks the key when creating the cluster.
    const secretsKey = createSecretsKey(name, resolved, project.number, this);
    this.accountPrefix = resolved.serviceAccountPrefix;
    const nodeIdentity = createNodeIdentity(name, resolved, this.projectId, this);
    this.nodeServiceAccount = nodeIdentity.email;
    const workloadPool = pulumi.interpolate`${this.projectId}.svc.id.goog`;
    const cluster = createControlPlane(name, resolved, { workloadPool, nodeIdentity, ...secretsKey }, this);
    // The pool as the cluster reports it, so every member naming it waits for the cluster. A cluster without
    // one (which gke-workload-identity refuses) leaves the name the pool would have.
    this.workloadPool = pulumi
      .all([cluster.workloadIdentityConfig, workloadPool])
      .apply(([config, named]) => config?.workloadPool ?? named);
    this.clusterName = cluster.name;
    this.apiServerCidrs = [resolved.nodesCidr];
    grantClusterAdmins(name, this.projectId, resolved.adminMembers, this);
    keepContainerLogs(name, this.projectId, resolved.applicationLogRetentionDays, this);
    const nodePool = createNodePool(name, { cluster, location: resolved.location, nodes: resolved.nodes, identity: nodeIdentity }, this);

    const access = accessOf(cluster, resolved.authorizedNetworks.length === 0);
    this.endpoint = access.server;
    this.kubeconfig = pulumi.secret(
      pulumi.all([cluster.name, access.server, access.ca]).apply(([clusterName, server, ca]) => kubeconfigFor(clusterName, server, ca)),
    );
    // Kubernetes objects wait for nodes to run on, not just for the API server.
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, { parent: this, dependsOn: [nodePool] });

    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      apiServerCidrs: this.apiServerCidrs,
      endpoint: this.endpoint,
      workloadPool: this.workloadPool,
      nodeServiceAccount: this.nodeServiceAccount,
    });
  }

  /**
   * A Google service account `<serviceAccountPrefix>-<name>` only the given Kubernetes service account can act as
   * (roles/iam.workloadIdentityUser for its Workload Identity principal, on that account alone).
   * `name` must be unique per cluster and make an account id of at most 30 characters.
   */
  bindServiceAccount(name: string, account: ServiceAccountRef): WorkloadIdentity {
    const fail = (message: string): never => {
      throw new Error(`GkeCluster ${this.baseName}: bindServiceAccount ${message}`);
    };
    const accountId = `${this.accountPrefix}-${name}`;
    if (!BINDING_NAME.test(name)) fail(`name must be lower-case kebab-case (got ${JSON.stringify(name)})`);
    if (!ACCOUNT_ID.test(accountId))
      fail(`name must make a service account id "<prefix>-<name>" of 6-30 characters (got ${JSON.stringify(accountId)})`);
    if (this.bindings.has(name)) fail(`name ${JSON.stringify(name)} is already bound on this cluster`);
    if (!NAMESPACE.test(account.namespace))
      fail(`namespace must be a Kubernetes namespace name (got ${JSON.stringify(account.namespace)})`);
    if (!SERVICE_ACCOUNT_NAME.test(account.name))
      fail(`account name must be a Kubernetes object name (got ${JSON.stringify(account.name)})`);
    this.bindings.add(name);

    const google = new gcp.serviceaccount.Account(
      `${this.baseName}-${name}`,
      { accountId, displayName: `Workload Identity: ${account.namespace}/${account.name}` },
      { parent: this },
    );
    const email = pulumi.interpolate`${google.accountId}@${this.projectId}.iam.gserviceaccount.com`;
    const resourceName = pulumi.interpolate`projects/${this.projectId}/serviceAccounts/${email}`;
    new gcp.serviceaccount.IAMMember(
      `${this.baseName}-${name}-workload-identity`,
      {
        serviceAccountId: resourceName,
        role: "roles/iam.workloadIdentityUser",
        member: pulumi.interpolate`serviceAccount:${this.workloadPool}[${account.namespace}/${account.name}]`,
      },
      { parent: this },
    );
    return {
      serviceAccount: { namespace: account.namespace, name: account.name },
      serviceAccountAnnotations: email.apply((e): Record<string, string> => ({ "iam.gke.io/gcp-service-account": e })),
      principal: email,
      principalId: resourceName,
    };
  }

  /**
   * Lets the identity read the project's logs, the cluster's container logs among them: roles/logging.viewer
   * on the project (`<cluster>-logs-read-<namespace>-<account>`), read-only. Cloud Logging has no narrower
   * predefined role; its log views, not IAM, are what could narrow it to one cluster.
   */
  grantLogsRead(identity: WorkloadIdentity): gcp.projects.IAMMember {
    return new gcp.projects.IAMMember(
      grantName(this.baseName, "logs-read", identity),
      { project: this.projectId, role: "roles/logging.viewer", member: pulumi.interpolate`serviceAccount:${identity.principal}` },
      { parent: this },
    );
  }
}

/** The Cloud KMS key of application-layer secrets encryption, and what the cluster must wait for. */
interface SecretsKey {
  keyName: pulumi.Output<string>;
  /** The key and the service agent's grant on it, as one resource to depend on. */
  keyAccess: pulumi.Resource;
}

/**
 * A key in the cluster's region usable only by this project's GKE service agent, requested first and granted
 * after (serviceAgentKey). Grouped under a component of its own so the cluster can wait for the agent and the
 * grant, not just for the key.
 */
function createSecretsKey(
  name: string,
  args: ResolvedGkeClusterArgs,
  projectNumber: pulumi.Output<string>,
  parent: pulumi.Resource,
): SecretsKey {
  const keyAccess = new pulumi.ComponentResource("platform:gcp:GkeSecretsKey", `${name}-secrets`, {}, { parent });
  const { key } = serviceAgentKey(
    `${name}-secrets-key`,
    { api: CONTAINER_API, agentName: `${name}-gke-agent`, projectNumber, location: args.region, protect: args.protect },
    keyAccess,
  );
  return { keyName: key.id, keyAccess };
}

/**
 * The control plane's endpoints. Either the public IP endpoint is off (private endpoint only) and clients
 * use the DNS-based endpoint, authorised by IAM, or the public IP endpoint admits only `authorizedNetworks`.
 * Master authorized networks are on either way, never open to every Google Cloud address.
 */
function controlPlaneAccess(
  authorizedNetworks: string[],
): Pick<gcp.container.ClusterArgs, "controlPlaneEndpointsConfig" | "masterAuthorizedNetworksConfig"> & { enablePrivateEndpoint: boolean } {
  const dnsOnly = authorizedNetworks.length === 0;
  return {
    enablePrivateEndpoint: dnsOnly,
    controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: dnsOnly } },
    masterAuthorizedNetworksConfig: {
      ...(!dnsOnly && { cidrBlocks: authorizedNetworks.map((cidrBlock) => ({ cidrBlock, displayName: `operators ${cidrBlock}` })) }),
      gcpPublicCidrsAccessEnabled: false,
    },
  };
}

/** The GKE cluster: every security setting explicit, the default node pool removed once created. */
function createControlPlane(
  name: string,
  args: ResolvedGkeClusterArgs,
  inputs: SecretsKey & { workloadPool: pulumi.Output<string>; nodeIdentity: NodeIdentity },
  parent: pulumi.Resource,
): gcp.container.Cluster {
  const { enablePrivateEndpoint, ...access } = controlPlaneAccess(args.authorizedNetworks);
  return new gcp.container.Cluster(
    `${name}-cluster`,
    {
      name: args.clusterName,
      location: args.location,
      network: args.network,
      subnetwork: args.subnetwork,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: { clusterSecondaryRangeName: args.podsRangeName, servicesSecondaryRangeName: args.servicesRangeName },
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint },
      ...access,
      // A cluster cannot be made without a node pool: GKE's default one is made with one node and removed.
      // Until then it runs as hardened as the platform's own pool, not as the Compute Engine default account.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig: hardenedNodes(inputs.nodeIdentity),
      releaseChannel: { channel: args.releaseChannel },
      workloadIdentityConfig: { workloadPool: inputs.workloadPool },
      datapathProvider: "ADVANCED_DATAPATH",
      // What the cluster services rely on, stated rather than left to GKE's defaults: the persistent disk
      // CSI driver provisions the pd-balanced StorageClass, and the HTTP load balancing add-on serves the
      // gateway's backend-service-based passthrough Network Load Balancer.
      addonsConfig: { gcePersistentDiskCsiDriverConfig: { enabled: true }, httpLoadBalancing: { disabled: false } },
      enableShieldedNodes: true,
      enableLegacyAbac: false,
      masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
      databaseEncryption: { state: "ENCRYPTED", keyName: inputs.keyName },
      loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
      monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: args.managedPrometheus } },
      maintenancePolicy: { recurringWindow: recurringWindowOf(args.maintenance) },
      binaryAuthorization: { evaluationMode: args.binaryAuthorization ? "PROJECT_SINGLETON_POLICY_ENFORCE" : "DISABLED" },
      deletionProtection: args.deletionProtection,
    },
    {
      parent,
      protect: args.protect,
      // The default pool's nodes run as the node account: it holds its roles before they register.
      dependsOn: [inputs.keyAccess, ...inputs.nodeIdentity.grants],
      // Both shape only the default pool, which is gone once the cluster exists, and a change of either replaces
      // the cluster (ForceNew in the provider's schema): ignored, as cloud-foundation-fabric@v57.0.0
      // modules/gke-cluster-standard (node_config) and terraform-google-kubernetes-engine@v44.2.0 cluster.tf
      // (initial_node_count) do, so a cluster made before nodeConfig was set is never replaced for it.
      ignoreChanges: ["nodeConfig", "initialNodeCount"],
    },
  );
}

/** roles/container.admin on the project for each admin member. */
/**
 * Retention of the project's `_Default` log bucket, where the cluster's system and workload logs land.
 * Google made the bucket and never deletes it: this sets its retention, and removing the resource only
 * forgets it. `_Required` (Admin Activity audit logs, 400 days) is Google's and stays as it is.
 */
function keepContainerLogs(name: string, projectId: pulumi.Output<string>, retentionDays: number, parent: pulumi.Resource): void {
  new gcp.logging.ProjectBucketConfig(
    `${name}-default-log-bucket`,
    { project: projectId, location: "global", bucketId: "_Default", retentionDays },
    { parent },
  );
}

function grantClusterAdmins(name: string, projectId: pulumi.Output<string>, members: string[], parent: pulumi.Resource): void {
  for (const member of members) {
    const label = member.replace(/[^a-zA-Z0-9]+/g, "-").toLowerCase();
    new gcp.projects.IAMMember(`${name}-admin-${label}`, { project: projectId, role: ADMIN_ROLE, member }, { parent });
  }
}

/**
 * Where clients reach the API and the CA they trust: the DNS-based endpoint serves a certificate from a
 * public authority (no CA in the kubeconfig); the IP endpoint serves the cluster's own CA.
 */
function accessOf(
  cluster: gcp.container.Cluster,
  dnsOnly: boolean,
): { server: pulumi.Output<string>; ca: pulumi.Output<string | undefined> } {
  if (dnsOnly) {
    return {
      server: cluster.controlPlaneEndpointsConfig.apply((c) => c?.dnsEndpointConfig?.endpoint ?? ""),
      ca: pulumi.output<string | undefined>(undefined),
    };
  }
  return {
    server: cluster.endpoint.apply((e) => e ?? ""),
    ca: cluster.masterAuth.apply((m) => m?.clusterCaCertificate),
  };
}

/**
 * A kubeconfig (as JSON, which is YAML) that authenticates with gke-gcloud-auth-plugin: no token is
 * stored, each use gets a fresh one from the caller's Google credentials, so access follows IAM.
 */
export function kubeconfigFor(clusterName: string, server: string, ca: string | undefined): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { server: `https://${server}`, ...(ca && { "certificate-authority-data": ca }) } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    "current-context": clusterName,
    preferences: {},
    users: [
      {
        name: clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "gke-gcloud-auth-plugin",
            provideClusterInfo: true,
            // Pipelines have no terminal: fail instead of waiting for input.
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}
