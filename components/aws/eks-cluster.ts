// EksCluster: an EKS control plane with a private endpoint, envelope-encrypted secrets, control-plane
// logs, access entries, IRSA, managed add-ons (network policy enforced), one hardened managed node group
// and the IAM role of the AWS Load Balancer Controller. Implements KubernetesCluster for the Kubernetes layer.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster, ServiceAccountRef, WorkloadIdentity } from "../types";
import { type AccountInfo, accountInfo } from "./account";
import { type AddonInputs, afterNodesAddons, beforeNodesAddons } from "./eks-addons";
import { grantClusterAccess } from "./eks-access-entries";
import {
  checkEksClusterArgs,
  DEFAULT_ADDON_VERSIONS,
  DEFAULT_APPLICATION_LOG_RETENTION_DAYS,
  DEFAULT_KUBERNETES_VERSION,
  DEFAULT_LOG_RETENTION_DAYS,
  DNS_LABEL,
  type EksAddonVersions,
  type EksClusterArgs,
} from "./eks-args";
import { kubeconfigFor } from "./eks-kubeconfig";
import { LB_CONTROLLER_CHART_VERSION, LB_CONTROLLER_SERVICE_ACCOUNT, LB_CONTROLLER_VERSION, lbControllerPolicy } from "./eks-lb-controller";
import { attachManagedPolicies, createNodeGroup } from "./eks-nodes";
import { grantName } from "../grants";
import { grant, policyDocument, serviceTrustPolicy } from "./iam";
import { encryptionKey, logsKeyStatement } from "./kms";

export {
  DEFAULT_ADDON_VERSIONS,
  DEFAULT_APPLICATION_LOG_RETENTION_DAYS,
  DEFAULT_ENDPOINT_WIDEST_PREFIX,
  DEFAULT_KUBERNETES_VERSION,
  DEFAULT_LOG_RETENTION_DAYS,
} from "./eks-args";
export type { EksAddonVersions, EksClusterArgs, EksNodeGroupArgs } from "./eks-args";

/** What the Kubernetes layer needs to install the AWS Load Balancer Controller. */
export interface LoadBalancerControllerSetup {
  /** IAM role bound to kube-system/aws-load-balancer-controller, with the controller's published policy. */
  readonly identity: WorkloadIdentity;
  /** Controller release the policy was published for, e.g. "v3.5.0". */
  readonly version: string;
  /** eks-charts `aws-load-balancer-controller` chart version of that release. */
  readonly chartVersion: string;
}

/** Control-plane log types sent to CloudWatch: who called the API, what they did, how they authenticated. */
const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator"];

/**
 * The log groups the CloudWatch Observability add-on writes under `/aws/containerinsights/<cluster>/`:
 * containers' stdout/stderr, node components (kubelet, container runtime), host logs and performance events.
 */
export const CONTAINER_LOG_GROUPS = ["application", "dataplane", "host", "performance"] as const;

/** Where the add-on's CloudWatch agent and Fluent Bit run: the namespace and service account it creates. */
export const CLOUDWATCH_AGENT_SERVICE_ACCOUNT = { namespace: "amazon-cloudwatch", name: "cloudwatch-agent" } as const;

const SERVICE_ACCOUNT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const BINDING_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export class EksCluster extends pulumi.ComponentResource implements KubernetesCluster {
  readonly clusterName: pulumi.Output<string>;
  /** Kubernetes provider for this cluster; it waits for the node group and every add-on. */
  readonly provider: k8s.Provider;
  /** Kubeconfig that authenticates with `aws eks get-token` (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** The private subnets' CIDRs: the API endpoint's ENIs live there. */
  readonly apiServerCidrs: string[];
  readonly endpoint: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  /** `https://oidc.eks.<region>.amazonaws.com/id/<id>` */
  readonly oidcIssuer: pulumi.Output<string>;
  /** Security group EKS made for the control plane and nodes; every node carries it. */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  readonly nodeRoleArn: pulumi.Output<string>;
  readonly nodeRoleName: pulumi.Output<string>;
  readonly vpcId: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  readonly addonVersions: EksAddonVersions;
  readonly loadBalancerController: LoadBalancerControllerSetup;
  /** The container log groups (`/aws/containerinsights/<cluster>/<group>`), in CONTAINER_LOG_GROUPS' order. */
  readonly containerLogGroups: { name: pulumi.Output<string>; arn: pulumi.Output<string> }[];

  private readonly baseName: string;
  private readonly account: AccountInfo;
  private readonly bindings = new Set<string>();

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const clusterName = args.clusterName ?? `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
    checkEksClusterArgs(name, args, clusterName);
    super("platform:aws:EksCluster", name, {}, opts);
    this.baseName = name;
    const account = accountInfo(this);
    this.account = account;
    this.region = account.region;
    this.addonVersions = { ...DEFAULT_ADDON_VERSIONS, ...args.addonVersions };

    // Keys and logs first: the cluster encrypts secrets from its first write and logs from its first call.
    const { secretsKey, logsKey, logGroup } = createKeysAndLogs(name, clusterName, account, args, this);
    const containerLogGroups = createContainerLogGroups(name, clusterName, logsKey, args, this);
    this.containerLogGroups = containerLogGroups.map((group) => ({ name: group.name, arn: group.arn }));
    const clusterRole = createClusterRole(name, account.partition, secretsKey, this);
    const cluster = createControlPlane(name, clusterName, args, { ...clusterRole, secretsKey, logGroup }, this);
    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    const deployerAccess = admitDeployers(name, this.clusterSecurityGroupId, args.endpointPrivateAccessCidrs ?? [], this);
    this.vpcId = pulumi.output(args.vpcId);
    this.apiServerCidrs = [...args.subnetCidrs];

    const oidc = createOidcProvider(name, cluster, this);
    this.oidcIssuer = oidc.issuer;
    this.oidcProviderArn = oidc.arn;
    const access = grantClusterAccess(name, { clusterName: cluster.name, partition: account.partition, roles: args }, this);

    // The CNI and the EBS driver get their AWS permissions through IRSA, not through the node role.
    const identities = bindAddonIdentities(this, name, account.partition);
    const addonInputs: AddonInputs = { clusterName: cluster.name, versions: this.addonVersions, containerLogGroups, ...identities };
    const earlyAddons = beforeNodesAddons(name, addonInputs, this);
    const { role: nodeRole, nodeGroup } = createNodeGroup(
      name,
      {
        clusterName: cluster.name,
        kubernetesVersion: cluster.version,
        clusterSecurityGroupId: this.clusterSecurityGroupId,
        nodeSecurityGroupId: args.nodeSecurityGroupId,
        subnetIds: args.subnetIds,
        partition: account.partition,
        nodes: args.nodes,
        dependsOn: earlyAddons,
      },
      this,
    );
    this.nodeRoleArn = nodeRole.arn;
    this.nodeRoleName = nodeRole.name;
    const lateAddons = afterNodesAddons(name, addonInputs, nodeGroup, this);
    this.loadBalancerController = createLbControllerIdentity(this, name, account.partition);

    this.kubeconfig = kubeconfigOf(cluster, account.region);
    // Kubernetes objects wait for nodes, DNS and storage, not just for the API server, and for the admins'
    // access policies: the cluster grants its creator nothing, so until they exist `pulumi up` is refused.
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig },
      { parent: this, dependsOn: [nodeGroup, ...earlyAddons, ...lateAddons, ...deployerAccess, ...access.adminPolicies] },
    );

    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      apiServerCidrs: this.apiServerCidrs,
      endpoint: this.endpoint,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      nodeRoleArn: this.nodeRoleArn,
      vpcId: this.vpcId,
      region: this.region,
      loadBalancerControllerRoleArn: this.loadBalancerController.identity.principal,
    });
  }

  /**
   * An IAM role only the given service account can assume, through the cluster's OIDC provider (IRSA).
   * The role is a child of the cluster named `<cluster>-<name>-role`; `name` must be unique per cluster.
   */
  bindServiceAccount(name: string, account: ServiceAccountRef): WorkloadIdentity {
    const fail = (message: string): never => {
      throw new Error(`EksCluster ${this.baseName}: bindServiceAccount ${message}`);
    };
    if (!BINDING_NAME.test(name)) fail(`name must be lower-case kebab-case (got ${JSON.stringify(name)})`);
    if (this.bindings.has(name)) fail(`name ${JSON.stringify(name)} is already bound on this cluster`);
    if (!DNS_LABEL.test(account.namespace))
      fail(`namespace must be a Kubernetes namespace name (got ${JSON.stringify(account.namespace)})`);
    if (!SERVICE_ACCOUNT_NAME.test(account.name))
      fail(`account name must be a Kubernetes object name (got ${JSON.stringify(account.name)})`);
    this.bindings.add(name);

    const issuerHost = this.oidcIssuer.apply((issuer) => issuer.replace(/^https:\/\//, ""));
    const trust = pulumi.all([this.oidcProviderArn, issuerHost]).apply(([providerArn, host]) => ({
      Effect: "Allow" as const,
      Principal: { Federated: providerArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${host}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
          [`${host}:aud`]: "sts.amazonaws.com",
        },
      },
    }));
    const role = new aws.iam.Role(
      `${this.baseName}-${name}-role`,
      { description: `IRSA: ${account.namespace}/${account.name}`, assumeRolePolicy: policyDocument([trust]) },
      { parent: this },
    );
    return {
      serviceAccount: { namespace: account.namespace, name: account.name },
      serviceAccountAnnotations: role.arn.apply((arn): Record<string, string> => ({ "eks.amazonaws.com/role-arn": arn })),
      principal: role.arn,
      principalId: role.name,
    };
  }

  /**
   * Lets the identity read the container log groups (Logs Insights queries and log events) and list the
   * region's log groups, as an inline policy `<cluster>-container-logs-read-<namespace>-<account>`.
   */
  grantContainerLogsRead(identity: WorkloadIdentity): aws.iam.RolePolicy {
    const groups = this.containerLogGroups.flatMap((group) => [group.arn, pulumi.interpolate`${group.arn}:*`]);
    const { partition, region, accountId } = this.account;
    return grant(
      grantName(this.baseName, "container-logs-read", identity),
      identity,
      [
        {
          Sid: "ReadContainerLogs",
          Effect: "Allow",
          // GetLogGroupFields fills the query editor's field list (Grafana's documented CloudWatch policy).
          Action: ["logs:StartQuery", "logs:GetLogGroupFields", "logs:GetLogEvents", "logs:FilterLogEvents"],
          // Each group and its streams (log-group:<name>:log-stream:<stream>).
          Resource: groups,
        },
        {
          // Grafana's log group picker lists groups; a listing cannot be narrowed to some groups and shows
          // only their names and settings, never their events.
          Sid: "ListLogGroups",
          Effect: "Allow",
          Action: "logs:DescribeLogGroups",
          Resource: pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:*`,
        },
        {
          // Each takes only a query id and names no log group, so neither can be narrowed: they read and stop
          // queries this identity could start, which StartQuery above limits to the container log groups.
          // StopQuery cancels a query Grafana gives up on (a panel closed, a timeout) instead of letting it run on.
          Sid: "ReadQueryResults",
          Effect: "Allow",
          Action: ["logs:GetQueryResults", "logs:StopQuery"],
          Resource: "*",
        },
      ],
      { parent: this },
    );
  }
}

/**
 * The secrets key, and the control-plane log group with its own key. EKS writes to the group's exact name;
 * made here first, it gets retention and encryption instead of EKS's defaults.
 */
function createKeysAndLogs(
  name: string,
  clusterName: string,
  account: AccountInfo,
  args: Pick<EksClusterArgs, "logRetentionDays" | "protect">,
  parent: pulumi.Resource,
): { secretsKey: aws.kms.Key; logsKey: aws.kms.Key; logGroup: aws.cloudwatch.LogGroup } {
  const secretsKey = encryptionKey(
    `${name}-secrets-key`,
    { description: `EKS ${clusterName}: envelope encryption of Kubernetes secrets`, account, protect: args.protect },
    parent,
  );
  const logsKey = encryptionKey(
    `${name}-logs-key`,
    { description: `EKS ${clusterName}: control-plane logs`, account, statements: [logsKeyStatement(account)], protect: args.protect },
    parent,
  );
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-control-plane-logs`,
    {
      name: `/aws/eks/${clusterName}/cluster`,
      retentionInDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
      kmsKeyId: logsKey.arn,
    },
    { parent, protect: args.protect },
  );
  return { secretsKey, logsKey, logGroup };
}

/**
 * The container log groups, made before the add-on so it writes into them with the logs key and retention
 * instead of making its own groups kept forever and unencrypted.
 */
function createContainerLogGroups(
  name: string,
  clusterName: string,
  logsKey: aws.kms.Key,
  args: Pick<EksClusterArgs, "applicationLogRetentionDays" | "protect">,
  parent: pulumi.Resource,
): aws.cloudwatch.LogGroup[] {
  return CONTAINER_LOG_GROUPS.map(
    (group) =>
      new aws.cloudwatch.LogGroup(
        `${name}-container-logs-${group}`,
        {
          name: `/aws/containerinsights/${clusterName}/${group}`,
          retentionInDays: args.applicationLogRetentionDays ?? DEFAULT_APPLICATION_LOG_RETENTION_DAYS,
          kmsKeyId: logsKey.arn,
        },
        { parent, protect: args.protect },
      ),
  );
}

/**
 * The role EKS assumes to run the control plane: the managed cluster policy, and use of the secrets key for
 * envelope encryption. `permissions` are what the cluster must depend on.
 */
function createClusterRole(
  name: string,
  partition: pulumi.Output<string>,
  secretsKey: aws.kms.Key,
  parent: pulumi.Resource,
): { role: aws.iam.Role; permissions: pulumi.Resource[] } {
  const role = new aws.iam.Role(`${name}-cluster-role`, { assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com") }, { parent });
  const managed = attachManagedPolicies(
    `${name}-cluster`,
    role.name,
    partition,
    { "eks-policy": aws.iam.ManagedPolicy.AmazonEKSClusterPolicy },
    parent,
  );
  const keyAccess = new aws.iam.RolePolicy(
    `${name}-cluster-key-access`,
    {
      role: role.name,
      policy: policyDocument([
        {
          Sid: "SecretsEnvelopeEncryption",
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
          Resource: secretsKey.arn,
        },
      ]),
    },
    { parent },
  );
  return { role, permissions: [...managed, keyAccess] };
}

/** What the control plane is made with besides the arguments. */
interface ControlPlaneInputs {
  role: aws.iam.Role;
  /** The role's policies: made before the cluster, deleted after it. */
  permissions: pulumi.Resource[];
  secretsKey: aws.kms.Key;
  /** Made before the cluster, so EKS writes into it instead of making its own. */
  logGroup: aws.cloudwatch.LogGroup;
}

/**
 * The EKS cluster: private endpoint (public only to the allow-list), secrets encrypted with the key,
 * control-plane logs, access entries as the only authentication, no self-managed add-ons.
 */
function createControlPlane(
  name: string,
  clusterName: string,
  args: EksClusterArgs,
  inputs: ControlPlaneInputs,
  parent: pulumi.Resource,
): aws.eks.Cluster {
  const publicCidrs = args.endpointPublicAccessCidrs ?? [];
  return new aws.eks.Cluster(
    `${name}-cluster`,
    {
      name: clusterName,
      version: args.version ?? DEFAULT_KUBERNETES_VERSION,
      roleArn: inputs.role.arn,
      vpcConfig: {
        subnetIds: args.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        ...(publicCidrs.length > 0 && { publicAccessCidrs: publicCidrs }),
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: inputs.secretsKey.arn } },
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
      // API only: who may do what lives in access entries, not in the aws-auth ConfigMap, and only in the
      // entries the config lists. EKS's entry for the creator would depend on who runs the first deploy and
      // collide (409) with a listed entry for the same role (terraform-aws-modules/terraform-aws-eks#2969,
      // #3293; pulumi/pulumi-eks#2373), so the creator gets none.
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      // The managed add-ons replace the self-managed copies EKS would otherwise install.
      bootstrapSelfManagedAddons: false,
      deletionProtection: args.deletionProtection ?? true,
    },
    {
      parent,
      protect: args.protect,
      // The role's permissions must outlive the cluster, or EKS cannot clean up its ENIs and security groups.
      dependsOn: [inputs.logGroup, ...inputs.permissions],
      // Read only at creation, and ForceNew in the provider (terraform-provider-aws internal/service/eks/cluster.go):
      // a cluster made when the creator was bootstrapped keeps its entry instead of being replaced.
      ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions"],
    },
  );
}

/** HTTPS to the API from each given block inside the VPC, where deploys run; EKS otherwise admits only the cluster security group. */
function admitDeployers(
  name: string,
  clusterSecurityGroupId: pulumi.Output<string>,
  cidrs: string[],
  parent: pulumi.Resource,
): aws.vpc.SecurityGroupIngressRule[] {
  return cidrs.map(
    (cidr, i) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-api-from-vpc-${i}`,
        {
          securityGroupId: clusterSecurityGroupId,
          cidrIpv4: cidr,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          description: `Kubernetes API from ${cidr}, where deploys run inside the VPC`,
        },
        { parent },
      ),
  );
}

/** The cluster's OIDC issuer and the IAM provider trusting it, which IRSA roles name as their principal. */
function createOidcProvider(
  name: string,
  cluster: aws.eks.Cluster,
  parent: pulumi.Resource,
): { issuer: pulumi.Output<string>; arn: pulumi.Output<string> } {
  const issuer = cluster.identities.apply((identities) => {
    const url = identities[0]?.oidcs[0]?.issuer;
    if (!url) throw new Error(`EksCluster ${name}: the cluster reported no OIDC issuer`);
    return url;
  });
  const provider = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"] }, { parent });
  return { issuer, arn: provider.arn };
}

/** IRSA roles of the VPC CNI, the EBS CSI driver and the CloudWatch agent, each with its AWS managed policy. */
function bindAddonIdentities(
  cluster: EksCluster,
  name: string,
  partition: pulumi.Output<string>,
): Omit<AddonInputs, "clusterName" | "versions" | "containerLogGroups"> {
  const vpcCni = cluster.bindServiceAccount("vpc-cni", { namespace: "kube-system", name: "aws-node" });
  const vpcCniPermissions = attachManagedPolicies(
    `${name}-vpc-cni`,
    vpcCni.principalId,
    partition,
    { policy: aws.iam.ManagedPolicy.AmazonEKS_CNI_Policy },
    cluster,
  );
  const ebsCsi = cluster.bindServiceAccount("ebs-csi", { namespace: "kube-system", name: "ebs-csi-controller-sa" });
  const ebsCsiPermissions = attachManagedPolicies(
    `${name}-ebs-csi`,
    ebsCsi.principalId,
    partition,
    { policy: aws.iam.ManagedPolicy.AmazonEBSCSIDriverPolicy },
    cluster,
  );
  const cloudwatch = cluster.bindServiceAccount("cloudwatch-agent", CLOUDWATCH_AGENT_SERVICE_ACCOUNT);
  const cloudwatchPermissions = attachManagedPolicies(
    `${name}-cloudwatch-agent`,
    cloudwatch.principalId,
    partition,
    { policy: aws.iam.ManagedPolicy.CloudWatchAgentServerPolicy },
    cluster,
  );
  return {
    vpcCniRoleArn: vpcCni.principal,
    ebsCsiRoleArn: ebsCsi.principal,
    cloudwatchRoleArn: cloudwatch.principal,
    vpcCniPermissions,
    ebsCsiPermissions,
    cloudwatchPermissions,
  };
}

/** The Load Balancer Controller's IRSA role with its published policy, and the release that policy is for. */
function createLbControllerIdentity(cluster: EksCluster, name: string, partition: pulumi.Output<string>): LoadBalancerControllerSetup {
  const identity = cluster.bindServiceAccount("lb-controller", LB_CONTROLLER_SERVICE_ACCOUNT);
  grant(`${name}-lb-controller-policy`, identity, lbControllerPolicy(partition), { parent: cluster });
  return { identity, version: LB_CONTROLLER_VERSION, chartVersion: LB_CONTROLLER_CHART_VERSION };
}

/** The cluster's kubeconfig, authenticating with `aws eks get-token`, as a secret. */
function kubeconfigOf(cluster: aws.eks.Cluster, region: pulumi.Output<string>): pulumi.Output<string> {
  return pulumi.secret(
    pulumi
      .all([cluster.name, cluster.endpoint, cluster.certificateAuthority, region])
      .apply(([clusterName, endpoint, ca, region]) => kubeconfigFor({ clusterName, endpoint, certificateAuthorityData: ca.data, region })),
  );
}
