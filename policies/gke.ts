// GKE: private nodes and endpoint, Workload Identity, network policy enforcement, hardened nodes, no
// legacy authentication, Binary Authorization. Anchors: CKV_GCP_7/9/10/12/13/18/20/22/25/66/68/69/71/72.
import { forTypes, type PlatformResourcePolicy } from "./lib/policy";
import { isSet, isWorld, list, record, sentence, text } from "./lib/values";

const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";

/** gcp.container NodePool nodeConfig / Cluster nodeConfig, as far as these policies read it. */
export interface NodeConfigProps {
  imageType?: string;
  serviceAccount?: string;
  shieldedInstanceConfig?: { enableSecureBoot?: boolean; enableIntegrityMonitoring?: boolean };
  workloadMetadataConfig?: { mode?: string };
}
/** gcp.container.ClusterArgs as far as these policies read it. */
export interface GkeClusterProps {
  enableAutopilot?: boolean;
  privateClusterConfig?: { enablePrivateNodes?: boolean; enablePrivateEndpoint?: boolean };
  masterAuthorizedNetworksConfig?: { cidrBlocks?: { cidrBlock?: string }[]; gcpPublicCidrsAccessEnabled?: boolean };
  controlPlaneEndpointsConfig?: { ipEndpointsConfig?: { enabled?: boolean } };
  workloadIdentityConfig?: { workloadPool?: string };
  datapathProvider?: string;
  networkPolicy?: { enabled?: boolean };
  addonsConfig?: { networkPolicyConfig?: { disabled?: boolean } };
  enableShieldedNodes?: boolean;
  releaseChannel?: { channel?: string };
  removeDefaultNodePool?: boolean;
  nodeConfig?: NodeConfigProps;
  enableLegacyAbac?: boolean;
  masterAuth?: { clientCertificateConfig?: { issueClientCertificate?: boolean } };
  binaryAuthorization?: { evaluationMode?: string; enabled?: boolean };
}
/** gcp.container.NodePoolArgs as far as these policies read it. */
export interface GkeNodePoolProps {
  nodeConfig?: NodeConfigProps;
  management?: { autoRepair?: boolean; autoUpgrade?: boolean };
  networkConfig?: { enablePrivateNodes?: boolean };
}

/**
 * The node config a resource runs nodes with: a node pool's, or the default pool's. A Standard cluster always
 * makes its default pool, with the cluster's nodeConfig, also when it removes the pool once created: until
 * then its nodes run, by default as the Compute Engine default account. Autopilot manages its own nodes.
 */
function nodeConfigOf(type: string, props: GkeClusterProps & GkeNodePoolProps): NodeConfigProps | undefined {
  if (type === NODE_POOL) return props.nodeConfig ?? {};
  return props.enableAutopilot === true ? undefined : (props.nodeConfig ?? {});
}

const gkePrivate: PlatformResourcePolicy = {
  name: "gke-private",
  description: "Nodes have no public IPs, and the control plane is private or reachable only from authorized networks.",
  rationale:
    "Public node IPs expose the kubelets and node ports to the internet, and a public control plane exposes the Kubernetes API; private nodes reach out through Cloud NAT.",
  anchors: ["CKV_GCP_18", "CKV_GCP_20", "CKV_GCP_25"],
  remediationSteps:
    "Set privateClusterConfig.enablePrivateNodes to true, and either privateClusterConfig.enablePrivateEndpoint to true or masterAuthorizedNetworksConfig.cidrBlocks to the operators' CIDRs (never 0.0.0.0/0).",
  enforcementLevel: "mandatory",
  validateResource: forTypes<GkeClusterProps & GkeNodePoolProps>([CLUSTER, NODE_POOL], (props, args, report) => {
    if (args.type === NODE_POOL) {
      if (props.networkConfig?.enablePrivateNodes === false)
        report("networkConfig.enablePrivateNodes is false: remove it or set it to true so the pool's nodes get no public IPs");
      return;
    }
    if (props.enableAutopilot !== true && props.privateClusterConfig?.enablePrivateNodes !== true)
      report("privateClusterConfig.enablePrivateNodes is not true: set it to true so nodes get no public IPs");
    const privateEndpoint =
      props.privateClusterConfig?.enablePrivateEndpoint === true || props.controlPlaneEndpointsConfig?.ipEndpointsConfig?.enabled === false;
    if (privateEndpoint) return;
    const authorized = props.masterAuthorizedNetworksConfig;
    const cidrs = list(authorized?.cidrBlocks).map((b) => text(record(b).cidrBlock) ?? "");
    if (authorized === undefined || cidrs.length === 0)
      report(
        "the control plane's public endpoint accepts every address: set privateClusterConfig.enablePrivateEndpoint to true or list masterAuthorizedNetworksConfig.cidrBlocks",
      );
    else if (cidrs.some(isWorld))
      report(`masterAuthorizedNetworksConfig.cidrBlocks includes ${cidrs.filter(isWorld).join(" and ")}: list only the operators' CIDRs`);
    if (authorized?.gcpPublicCidrsAccessEnabled === true)
      report(
        "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled is true: set it to false so any Google Cloud address cannot reach the API",
      );
  }),
};

const gkeWorkloadIdentity: PlatformResourcePolicy = {
  name: "gke-workload-identity",
  description:
    "Pods get Google credentials only through Workload Identity: the cluster has a workload pool and nodes serve the GKE metadata server.",
  rationale:
    "Without Workload Identity every pod can take the node's service account token from the metadata server and act with all its permissions; with it, each pod gets only the Google identity bound to its own Kubernetes service account.",
  anchors: ["CKV_GCP_69"],
  remediationSteps:
    'Set workloadIdentityConfig.workloadPool to "<project>.svc.id.goog" on the cluster and nodeConfig.workloadMetadataConfig.mode to "GKE_METADATA" on every node pool.',
  enforcementLevel: "mandatory",
  validateResource: forTypes<GkeClusterProps & GkeNodePoolProps>([CLUSTER, NODE_POOL], (props, args, report) => {
    if (args.type === CLUSTER && props.enableAutopilot !== true && !isSet(props.workloadIdentityConfig?.workloadPool)) {
      report('workloadIdentityConfig.workloadPool is not set: set it to "<project>.svc.id.goog"');
    }
    const nodes = nodeConfigOf(args.type, props);
    if (nodes && nodes.workloadMetadataConfig?.mode !== "GKE_METADATA") {
      report(
        `nodeConfig.workloadMetadataConfig.mode is ${nodes.workloadMetadataConfig?.mode ?? "unset"}: set it to "GKE_METADATA" so pods cannot read the node's service account token`,
      );
    }
  }),
};

const gkeNetworkPolicy: PlatformResourcePolicy = {
  name: "gke-network-policy",
  description: "The cluster enforces Kubernetes NetworkPolicies (Dataplane V2, or the network policy add-on).",
  rationale:
    "NetworkPolicies are only stored objects until the data plane enforces them: without enforcement every namespace's default-deny policy silently allows everything.",
  anchors: ["CKV_GCP_12"],
  remediationSteps: 'Set datapathProvider to "ADVANCED_DATAPATH" (Dataplane V2) when creating the cluster.',
  enforcementLevel: "mandatory",
  validateResource: forTypes<GkeClusterProps>([CLUSTER], (props, _args, report) => {
    if (props.enableAutopilot === true || props.datapathProvider === "ADVANCED_DATAPATH") return;
    if (props.networkPolicy?.enabled === true && props.addonsConfig?.networkPolicyConfig?.disabled !== true) return;
    report(
      `datapathProvider is ${props.datapathProvider ?? "unset"} and the network policy add-on is off, so NetworkPolicies are not enforced: set datapathProvider to "ADVANCED_DATAPATH"`,
    );
  }),
};

const CHANNELS = ["RAPID", "REGULAR", "STABLE", "EXTENDED"];
const isDefaultServiceAccount = (account: string | undefined) =>
  account === undefined || account === "default" || account.endsWith("-compute@developer.gserviceaccount.com");

const gkeNodeHardening: PlatformResourcePolicy = {
  name: "gke-node-hardening",
  description:
    "Shielded nodes with secure boot, Container-Optimized OS, a dedicated service account, a release channel, and automatic repair and upgrade.",
  rationale:
    "Secure boot and integrity monitoring detect a tampered boot chain, Container-Optimized OS is a small read-only image, the default compute service account holds Editor on the project, and a release channel with automatic upgrade and repair keeps nodes patched and healthy.",
  anchors: ["CKV_GCP_68", "CKV_GCP_71", "CKV_GCP_72", "CKV_GCP_22", "CKV_GCP_9", "CKV_GCP_10"],
  remediationSteps:
    'On the cluster keep enableShieldedNodes and set releaseChannel.channel (REGULAR or STABLE). On each node pool set nodeConfig.imageType "COS_CONTAINERD", nodeConfig.serviceAccount to a dedicated least-privilege account, nodeConfig.shieldedInstanceConfig { enableSecureBoot: true, enableIntegrityMonitoring: true } and management { autoRepair: true, autoUpgrade: true }.',
  enforcementLevel: "mandatory",
  validateResource: forTypes<GkeClusterProps & GkeNodePoolProps>([CLUSTER, NODE_POOL], (props, args, report) => {
    if (args.type === CLUSTER) {
      if (props.enableShieldedNodes === false) report("enableShieldedNodes is false: remove it or set it to true");
      if (!CHANNELS.includes(props.releaseChannel?.channel ?? ""))
        report(
          `releaseChannel.channel is ${props.releaseChannel?.channel ?? "unset"}: set it to REGULAR or STABLE so the control plane and nodes are upgraded`,
        );
    } else {
      const off = [
        props.management?.autoRepair !== true && "management.autoRepair",
        props.management?.autoUpgrade !== true && "management.autoUpgrade",
      ].filter((x): x is string => x !== false);
      if (off.length > 0)
        report(`${sentence(off)} ${off.length === 1 ? "is" : "are"} not true: set ${off.length === 1 ? "it" : "both"} to true`);
    }
    const nodes = nodeConfigOf(args.type, props);
    if (!nodes) return;
    if (nodes.imageType !== undefined && !/^cos/i.test(nodes.imageType))
      report(`nodeConfig.imageType is ${nodes.imageType}: use "COS_CONTAINERD"`);
    if (isDefaultServiceAccount(text(nodes.serviceAccount)))
      report(
        `nodeConfig.serviceAccount is ${nodes.serviceAccount ?? "unset (the Compute Engine default account)"}: give nodes a dedicated service account with only logging and monitoring roles`,
      );
    if (nodes.shieldedInstanceConfig?.enableSecureBoot !== true)
      report("nodeConfig.shieldedInstanceConfig.enableSecureBoot is not true: set it to true");
    if (nodes.shieldedInstanceConfig?.enableIntegrityMonitoring === false)
      report("nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring is false: set it to true");
  }),
};

const gkeLegacyAuthOff: PlatformResourcePolicy = {
  name: "gke-legacy-auth-off",
  description: "No legacy ABAC authorization and no client certificate: RBAC and Google identities only.",
  rationale:
    "ABAC grants permissions that no review of RBAC roles shows, and a client certificate is a cluster credential that cannot be revoked; Google identities and RBAC can be revoked and are audited.",
  anchors: ["CKV_GCP_7", "CKV_GCP_13"],
  remediationSteps:
    "Remove enableLegacyAbac (or set it to false) and set masterAuth.clientCertificateConfig.issueClientCertificate to false.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<GkeClusterProps>([CLUSTER], (props, _args, report) => {
    if (props.enableLegacyAbac === true) report("enableLegacyAbac is true: set it to false and grant access with RBAC");
    if (props.masterAuth?.clientCertificateConfig?.issueClientCertificate === true)
      report("masterAuth.clientCertificateConfig.issueClientCertificate is true: set it to false");
  }),
};

const ENFORCE = "PROJECT_SINGLETON_POLICY_ENFORCE";

const gkeBinaryAuthorization: PlatformResourcePolicy = {
  name: "gke-binary-authorization",
  description: "The cluster admits only images the project's Binary Authorization policy allows.",
  rationale:
    "Without enforcement the cluster runs any image a caller of its API names; with it, the project's policy (attestations from the build, allowed registries) decides for every enforcing cluster at once, and tightening that one policy needs no change to the clusters.",
  anchors: ["CKV_GCP_66"],
  remediationSteps: `Set binaryAuthorization.evaluationMode to "${ENFORCE}" and enable binaryauthorization.googleapis.com in the project.`,
  enforcementLevel: "mandatory",
  validateResource: forTypes<GkeClusterProps>([CLUSTER], (props, _args, report) => {
    const authorization = props.binaryAuthorization;
    // `enabled` is the deprecated form of the same setting (the provider's binary_authorization block).
    if (authorization?.evaluationMode === ENFORCE || (authorization?.evaluationMode === undefined && authorization?.enabled === true))
      return;
    report(
      `binaryAuthorization.evaluationMode is ${authorization?.evaluationMode ?? "unset"}: set it to "${ENFORCE}" so only images the project's policy admits run`,
    );
  }),
};

export const gkePolicies = [gkePrivate, gkeWorkloadIdentity, gkeNetworkPolicy, gkeNodeHardening, gkeLegacyAuthOff, gkeBinaryAuthorization];
