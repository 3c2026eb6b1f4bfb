// EKS: private API endpoint, envelope encryption of secrets, control-plane logs, a supported version.
// Anchors: CKV_AWS_37/38/39/58/339, Pulumi compliance-policies.
import { configSchema, forTypes, type PlatformResourcePolicy, settings } from "./lib/policy";
import { coversEveryAddress, ipv4Block, isSet, isWorld, sentence, strings } from "./lib/values";

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

/** aws.eks.ClusterArgs as far as these policies read it. */
export interface EksClusterProps {
  version?: string;
  vpcConfig?: { endpointPublicAccess?: boolean; endpointPrivateAccess?: boolean; publicAccessCidrs?: string[] };
  encryptionConfig?: { provider?: { keyArn?: string }; resources?: string[] };
  enabledClusterLogTypes?: string[];
}
export interface EksNodeGroupProps {
  version?: string;
}

const endpointConfig = configSchema({
  widestPrefix: {
    type: "integer",
    minimum: 0,
    maximum: 32,
    default: 8,
    description: "Widest block a public endpoint's allow-list may hold, as a prefix length (8 allows a /8, refuses a /7); 0 allows any.",
  },
});

const eksEndpointPrivate: PlatformResourcePolicy = {
  name: "eks-endpoint-private",
  description:
    "The EKS API endpoint is private, or public only to listed CIDRs that neither cover the internet, whole or in pieces, nor hold a block wider than the environment allows.",
  rationale:
    "The Kubernetes API controls every workload and secret of the cluster; open to the internet it is exposed to stolen credentials and to the next API server vulnerability, so only the VPC and the operators' and CI's addresses reach it.",
  anchors: ["CKV_AWS_38", "CKV_AWS_39", "Pulumi compliance-policies"],
  remediationSteps:
    "Set vpcConfig.endpointPublicAccess to false (with endpointPrivateAccess true) and deploy from inside the VPC (platform:cluster.deployFromVpc), or list only the operators' and CI's egress addresses in vpcConfig.publicAccessCidrs (platform:cluster.endpointPublicAccessCidrs).",
  enforcementLevel: "mandatory",
  configSchema: endpointConfig,
  validateResource: forTypes<EksClusterProps>([CLUSTER], (props, args, report) => {
    const vpc = props.vpcConfig ?? {};
    if (vpc.endpointPublicAccess === false) return;
    const cidrs = strings(vpc.publicAccessCidrs);
    const { widestPrefix } = settings(endpointConfig, args);
    const wide = cidrs.filter((c) => (ipv4Block(c)?.prefix ?? 32) < widestPrefix);
    // AWS opens a public endpoint to 0.0.0.0/0 when no CIDRs are listed.
    if (cidrs.length === 0)
      report(
        "the API endpoint is public to 0.0.0.0/0 (endpointPublicAccess is not false and publicAccessCidrs is empty): set vpcConfig.endpointPublicAccess to false or list the allowed CIDRs",
      );
    else if (cidrs.some(isWorld))
      report(`vpcConfig.publicAccessCidrs includes ${cidrs.filter(isWorld).join(" and ")}: list only the CIDRs that must reach the API`);
    else if (coversEveryAddress(cidrs))
      report(
        `vpcConfig.publicAccessCidrs covers every address in pieces (${cidrs.join(", ")}): list only the CIDRs that must reach the API (platform:cluster.endpointPublicAccessCidrs)`,
      );
    else if (wide.length > 0)
      report(
        `vpcConfig.publicAccessCidrs holds ${sentence(wide)}, wider than /${widestPrefix}: list only the operators' and CI's egress addresses (platform:cluster.endpointPublicAccessCidrs)`,
      );
  }),
};

const eksSecretsKms: PlatformResourcePolicy = {
  name: "eks-secrets-kms",
  description: "Kubernetes secrets are envelope-encrypted with a customer-managed KMS key.",
  rationale:
    "Without envelope encryption, secrets in etcd are protected only by AWS's disk encryption; with a key of the account, reading them also takes kms:Decrypt, which CloudTrail logs and the key policy can revoke.",
  anchors: ["CKV_AWS_58", "Pulumi compliance-policies"],
  remediationSteps: 'Set encryptionConfig to { resources: ["secrets"], provider: { keyArn: <KMS key ARN> } } with a rotating key.',
  enforcementLevel: "mandatory",
  validateResource: forTypes<EksClusterProps>([CLUSTER], (props, _args, report) => {
    const config = props.encryptionConfig;
    if (!strings(config?.resources).includes("secrets"))
      report('encryptionConfig does not cover "secrets": set encryptionConfig.resources to ["secrets"] with a KMS key');
    else if (!isSet(config?.provider?.keyArn))
      report("encryptionConfig.provider.keyArn is not set: give the ARN of a customer-managed KMS key");
  }),
};

const logsConfig = configSchema({
  requiredLogTypes: {
    type: "array",
    items: { type: "string" },
    default: ["api", "audit", "authenticator"],
    description: "Control-plane log types that must be enabled.",
  },
});

const eksControlPlaneLogs: PlatformResourcePolicy = {
  name: "eks-control-plane-logs",
  description: "The control plane sends its api, audit and authenticator logs to CloudWatch.",
  rationale:
    "The audit log is the only record of who did what through the Kubernetes API, and the authenticator log names the IAM identity behind each request; without them a compromised cluster cannot be investigated.",
  anchors: ["CKV_AWS_37"],
  remediationSteps:
    "Add the missing types to enabledClusterLogTypes (at least api, audit and authenticator) and give the /aws/eks/<cluster>/cluster log group a retention.",
  enforcementLevel: "mandatory",
  configSchema: logsConfig,
  validateResource: forTypes<EksClusterProps>([CLUSTER], (props, args, report) => {
    const enabled = strings(props.enabledClusterLogTypes);
    const missing = settings(logsConfig, args).requiredLogTypes.filter((t) => !enabled.includes(t));
    if (missing.length > 0) report(`enabledClusterLogTypes lacks ${sentence(missing)}: add ${missing.length === 1 ? "it" : "them"}`);
  }),
};

const versionConfig = configSchema({
  minimumVersion: {
    type: "string",
    pattern: "^1\\.\\d+$",
    default: "1.34",
    description: "Oldest Kubernetes minor version in EKS standard support.",
  },
});

const minor = (version: string | undefined): number | undefined => {
  const match = /^1\.(\d+)/.exec(version ?? "");
  return match ? Number(match[1]) : undefined;
};

const eksVersion: PlatformResourcePolicy = {
  name: "eks-version",
  description: "Clusters and node groups run a Kubernetes version still in EKS standard support.",
  rationale:
    "A minor past standard support gets security fixes only as paid extended support, and clusters upgrade one minor at a time, so falling behind makes every later upgrade longer.",
  anchors: ["CKV_AWS_339"],
  remediationSteps: "Set version (platform:cluster.version) to a minor in standard support and upgrade one minor at a time.",
  enforcementLevel: "advisory",
  configSchema: versionConfig,
  validateResource: forTypes<EksClusterProps & EksNodeGroupProps>([CLUSTER, NODE_GROUP], (props, args, report) => {
    const { minimumVersion } = settings(versionConfig, args);
    if (props.version === undefined) {
      // A node group without a version follows its cluster; a cluster without one gets whatever is newest on creation day.
      if (args.type === CLUSTER)
        report(`version is not set: pin it (${minimumVersion} or newer) so the program says which Kubernetes runs`);
      return;
    }
    const [have, need] = [minor(props.version), minor(minimumVersion)];
    if (have === undefined || need === undefined || have < need)
      report(`version ${props.version} is out of standard support: upgrade to ${minimumVersion} or newer`);
  }),
};

export const eksPolicies = [eksEndpointPrivate, eksSecretsKms, eksControlPlaneLogs, eksVersion];
