// GkeCluster's nodes: a dedicated least-privilege Google service account and the one managed node pool,
// hardened (Container-Optimized OS, shielded, GKE metadata server only) and autoscaled.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { type GkeNodePoolArgs, nodeAccountId } from "./gke-args";

/**
 * What nodes need and nothing more. roles/container.defaultNodeServiceAccount is the least-privilege role GKE's
 * hardening guide gives node accounts (https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster
 * #use_least_privilege_sa): the system logging, monitoring and autoscaling metrics GKE's agents write, in place
 * of logging.logWriter, monitoring.metricWriter and monitoring.viewer (terraform-google-kubernetes-engine made
 * the same change in #1844; #1943 added metricWriter back only for a metrics adapter that runs as the node
 * account, which pods here never do). roles/artifactregistry.reader pulls images from Artifact Registry. Pods
 * get their own identities through Workload Identity; the node account is never theirs.
 */
export const NODE_ROLES = ["roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader"];

/** The scope admits every API; what the nodes may do is what NODE_ROLES grant their account. */
const NODE_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];

/** The nodes' service account, its e-mail, and its project grants (which the node pool waits for). */
export interface NodeIdentity {
  email: pulumi.Output<string>;
  grants: gcp.projects.IAMMember[];
}

/** A service account `<name>-nodes` holding only NODE_ROLES on the project. */
export function createNodeIdentity(
  name: string,
  names: { clusterName: string; serviceAccountPrefix: string },
  projectId: pulumi.Output<string>,
  parent: pulumi.Resource,
): NodeIdentity {
  const account = new gcp.serviceaccount.Account(
    `${name}-nodes`,
    {
      accountId: nodeAccountId(names.serviceAccountPrefix),
      displayName: `GKE ${names.clusterName} nodes`,
      description: "Nodes of the cluster: write logs and metrics, pull images. Pods use Workload Identity instead.",
    },
    { parent },
  );
  // The address GCP gives every account, built from its id so it is known as soon as the account is.
  const email = pulumi.interpolate`${account.accountId}@${projectId}.iam.gserviceaccount.com`;
  const grants = NODE_ROLES.map(
    (role) =>
      new gcp.projects.IAMMember(
        `${name}-nodes-${role.replace(/^roles\//, "").replace(/\./g, "-")}`,
        { project: projectId, role, member: pulumi.interpolate`serviceAccount:${email}` },
        { parent },
      ),
  );
  return { email, grants };
}

/** What the node pool is made in besides its arguments. */
export interface NodePoolInputs {
  cluster: gcp.container.Cluster;
  location: string;
  nodes: GkeNodePoolArgs;
  identity: NodeIdentity;
}

/**
 * The node pool: Container-Optimized OS with containerd, shielded VMs with secure boot and integrity
 * monitoring, the GKE metadata server (pods never see the node's token), automatic repair and upgrade,
 * surge upgrades that never take a node away before its replacement is ready, and total autoscaling
 * bounds over all zones.
 */
export function createNodePool(name: string, inputs: NodePoolInputs, parent: pulumi.Resource): gcp.container.NodePool {
  const { nodes } = inputs;
  return new gcp.container.NodePool(
    `${name}-nodes`,
    {
      cluster: inputs.cluster.name,
      location: inputs.location,
      initialNodeCount: nodes.initialNodesPerZone,
      autoscaling: { totalMinNodeCount: nodes.minNodes, totalMaxNodeCount: nodes.maxNodes, locationPolicy: "BALANCED" },
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
      nodeConfig: {
        machineType: nodes.machineType,
        diskSizeGb: nodes.diskSizeGb,
        diskType: "pd-balanced",
        ...hardenedNodes(inputs.identity),
      },
    },
    {
      parent,
      // Nodes register only once their account may write logs and pull images.
      dependsOn: inputs.identity.grants,
      // The autoscaler owns the count once the pool exists, and a change of this input replaces the pool
      // (ForceNew in the provider): ignored, as terraform-google-kubernetes-engine@v44.2.0 cluster.tf does.
      ignoreChanges: ["initialNodeCount"],
    },
  );
}

/**
 * What every node of the cluster runs with, the default pool GKE makes while it creates the cluster included:
 * the nodes' own account, Container-Optimized OS, shielded VMs with secure boot and integrity monitoring, and
 * the GKE metadata server, so pods never see the node's token.
 */
export function hardenedNodes(
  identity: Pick<NodeIdentity, "email">,
): Pick<
  gcp.types.input.container.NodePoolNodeConfig,
  "imageType" | "serviceAccount" | "oauthScopes" | "shieldedInstanceConfig" | "workloadMetadataConfig"
> {
  return {
    imageType: "COS_CONTAINERD",
    serviceAccount: identity.email,
    oauthScopes: NODE_SCOPES,
    shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
    workloadMetadataConfig: { mode: "GKE_METADATA" },
  };
}
