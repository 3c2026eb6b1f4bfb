// GIVEN an EksCluster for a dev-like stack (private endpoint, 1-3 spot nodes, unprotected) and for a
//       production-like one (allow-listed public endpoint, 3 desired on-demand nodes in 2-10, admin role,
//       protected)
// WHEN the component is recorded under the offline engine
// THEN the engine receives exactly the cluster, keys, logs, roles, OIDC provider, add-ons, launch template,
//      node group, access entries and Kubernetes provider the production bar asks for, with the
//      dependencies that order a real deployment, the protect flags and a secret kubeconfig.
import { describe, expect, test } from "@jest/globals";
import * as pulumi from "@pulumi/pulumi";
import { EksCluster, type EksClusterArgs } from "../../components/aws/eks-cluster";
import { lbControllerStatements } from "../../components/aws/eks-lb-controller";
import type { WorkloadIdentity } from "../../components/types";
import { awsProvider, type Recorded, recordProgram, valueOf } from "../harness";

const DEV: EksClusterArgs = {
  vpcId: "vpc-0dev0000000000001",
  subnetIds: ["subnet-0dev0000000000001", "subnet-0dev0000000000002"],
  subnetCidrs: ["10.20.64.0/19", "10.20.96.0/19"],
  nodeSecurityGroupId: "sg-0devnodes00000001",
  endpointPublicAccessCidrs: [],
  endpointPublicAccessWidestPrefix: 0,
  deletionProtection: false,
  logRetentionDays: 7,
  applicationLogRetentionDays: 7,
  adminRoleArns: ["arn:aws:iam::123456789012:role/platform-github-deploy"],
  nodes: { instanceType: "t3.large", minSize: 1, desiredSize: 1, maxSize: 3, capacityType: "SPOT", diskSizeGb: 50 },
  protect: false,
};

const PROD: EksClusterArgs = {
  version: "1.35",
  vpcId: "vpc-0prod000000000001",
  subnetIds: ["subnet-0prod000000000001", "subnet-0prod000000000002", "subnet-0prod000000000003"],
  subnetCidrs: ["10.0.64.0/19", "10.0.96.0/19", "10.0.128.0/19"],
  nodeSecurityGroupId: "sg-0prodnodes0000001",
  endpointPublicAccessCidrs: ["203.0.113.0/24"],
  endpointPublicAccessWidestPrefix: 8,
  deletionProtection: true,
  logRetentionDays: 90,
  adminRoleArns: ["arn:aws:iam::123456789012:role/platform-admin"],
  nodes: { instanceType: "m7i.xlarge", minSize: 2, desiredSize: 3, maxSize: 10, capacityType: "ON_DEMAND", diskSizeGb: 100 },
  protect: true,
};

interface Run {
  r: Recorded;
  cluster: EksCluster;
  kubeconfig: string;
  kubeconfigIsSecret: boolean;
  endpoint: string;
  backups: WorkloadIdentity;
  backupsAnnotations: Record<string, string>;
  lbAnnotations: Record<string, string>;
}

const runs = new Map<string, Promise<Run>>();
/** Records the component once per argument set; a caller outside binds a service account afterwards. */
function run(label: string, args: EksClusterArgs): Promise<Run> {
  if (!runs.has(label)) {
    runs.set(
      label,
      (async () => {
        let out: Omit<Run, "r"> | undefined;
        const r = await recordProgram(async () => {
          const cluster = new EksCluster("eks", args, { providers: [awsProvider()] });
          const backups = cluster.bindServiceAccount("backups", { namespace: "backups", name: "pg-dump" });
          out = {
            cluster,
            backups,
            kubeconfig: await valueOf(cluster.kubeconfig),
            kubeconfigIsSecret: await pulumi.isSecret(cluster.kubeconfig),
            endpoint: await valueOf(cluster.endpoint),
            backupsAnnotations: await valueOf(backups.serviceAccountAnnotations),
            lbAnnotations: await valueOf(cluster.loadBalancerController.identity.serviceAccountAnnotations),
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
    version: "1.35",
    vpcConfig: { subnetIds: DEV.subnetIds, endpointPrivateAccess: true, endpointPublicAccess: false },
    protect: false,
    deletionProtection: false,
    retention: 7,
    applicationRetention: 7,
    scaling: { minSize: 1, desiredSize: 1, maxSize: 3 },
    capacityType: "SPOT",
    instanceType: "t3.large",
    disk: 50,
    subnetIds: DEV.subnetIds,
    cidrs: DEV.subnetCidrs,
    nodeSg: "sg-0devnodes00000001",
    vpcId: "vpc-0dev0000000000001",
  },
  {
    env: "production",
    args: PROD,
    version: "1.35",
    vpcConfig: {
      subnetIds: PROD.subnetIds,
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    },
    protect: true,
    deletionProtection: true,
    retention: 90,
    // Left out of PROD: the component's default.
    applicationRetention: 30,
    scaling: { minSize: 2, desiredSize: 3, maxSize: 10 },
    capacityType: "ON_DEMAND",
    instanceType: "m7i.xlarge",
    disk: 100,
    subnetIds: PROD.subnetIds,
    cidrs: PROD.subnetCidrs,
    nodeSg: "sg-0prodnodes0000001",
    vpcId: "vpc-0prod000000000001",
  },
] as const;

const CLUSTER_NAME = "platform-test-eks";
const ARN = "arn:aws:iam::123456789012";
const roleArnPattern = (name: string) => new RegExp(`^arn:aws:iam::123456789012:role/${name}-[0-9a-f]{7}$`);
const parse = (text: unknown) => JSON.parse(text as string) as unknown;

describe.each(CASES)("EksCluster ($env)", (c) => {
  test("the cluster: private subnets, endpoint access, encrypted secrets, logs, API access mode, protection", async () => {
    const { r } = await run(c.env, c.args);
    const cluster = r.one("aws:eks/cluster:Cluster");
    const key = r.one("aws:kms/key:Key", "eks-secrets-key");
    const role = r.one("aws:iam/role:Role", "eks-cluster-role");
    expect(cluster.name).toBe("eks-cluster");
    expect(cluster.inputs).toEqual({
      name: CLUSTER_NAME,
      version: c.version,
      roleArn: expect.stringMatching(roleArnPattern("eks-cluster-role")) as unknown,
      vpcConfig: c.vpcConfig,
      encryptionConfig: {
        resources: ["secrets"],
        provider: { keyArn: expect.stringMatching(/^arn:aws:kms:eu-west-1:123456789012:key\//) as unknown },
      },
      enabledClusterLogTypes: ["api", "audit", "authenticator"],
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      bootstrapSelfManagedAddons: false,
      deletionProtection: c.deletionProtection,
    });
    expect(cluster.protect).toBe(c.protect);
    // A cluster made when the creator was bootstrapped keeps that setting instead of being replaced for it.
    expect(cluster.ignoreChanges).toEqual(["accessConfig.bootstrapClusterCreatorAdminPermissions"]);
    expect(cluster.propertyDependencies.roleArn).toEqual([role.urn]);
    expect(cluster.propertyDependencies.encryptionConfig).toEqual([key.urn]);
    // The log group and the role's permissions exist before the cluster and outlive it.
    for (const before of [
      r.one("aws:cloudwatch/logGroup:LogGroup", "eks-control-plane-logs"),
      r.named("eks-cluster-eks-policy"),
      r.named("eks-cluster-key-access"),
    ]) {
      expect(cluster.dependencies).toContain(before.urn);
    }
  });

  test("control-plane log group: EKS's own name, retention, encrypted with a logs key", async () => {
    const { r } = await run(c.env, c.args);
    const logs = r.one("aws:cloudwatch/logGroup:LogGroup", "eks-control-plane-logs");
    const logsKey = r.one("aws:kms/key:Key", "eks-logs-key");
    expect(logs.inputs).toEqual({
      name: `/aws/eks/${CLUSTER_NAME}/cluster`,
      retentionInDays: c.retention,
      kmsKeyId: expect.stringMatching(/^arn:aws:kms:/) as unknown,
    });
    expect(logs.propertyDependencies).toEqual({ kmsKeyId: [logsKey.urn] });
    expect(logs.protect).toBe(c.protect);
  });

  test("container log groups: the add-on's four names, application retention, the logs key, made before the add-on", async () => {
    const { r } = await run(c.env, c.args);
    const logsKey = r.one("aws:kms/key:Key", "eks-logs-key");
    const addon = r.named("eks-cloudwatch-observability");
    for (const group of ["application", "dataplane", "host", "performance"]) {
      const logs = r.one("aws:cloudwatch/logGroup:LogGroup", `eks-container-logs-${group}`);
      expect(logs.inputs).toEqual({
        name: `/aws/containerinsights/${CLUSTER_NAME}/${group}`,
        retentionInDays: c.applicationRetention,
        kmsKeyId: expect.stringMatching(/^arn:aws:kms:/) as unknown,
      });
      expect(logs.propertyDependencies).toEqual({ kmsKeyId: [logsKey.urn] });
      expect(logs.protect).toBe(c.protect);
      expect(addon.dependencies).toContain(logs.urn);
    }
    expect(r.ofType("aws:cloudwatch/logGroup:LogGroup")).toHaveLength(5);
  });

  test("KMS keys rotate, are protected per argument, and only the logs key admits CloudWatch Logs", async () => {
    const { r } = await run(c.env, c.args);
    const secrets = r.one("aws:kms/key:Key", "eks-secrets-key");
    const logs = r.one("aws:kms/key:Key", "eks-logs-key");
    const root = { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `${ARN}:root` }, Action: "kms:*", Resource: "*" };
    expect(secrets.inputs).toMatchObject({
      description: `EKS ${CLUSTER_NAME}: envelope encryption of Kubernetes secrets`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    expect(parse(secrets.inputs.policy)).toEqual({ Version: "2012-10-17", Statement: [root] });
    expect(logs.inputs).toMatchObject({ description: `EKS ${CLUSTER_NAME}: control-plane logs`, enableKeyRotation: true });
    expect(parse(logs.inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        root,
        {
          Sid: "CloudWatchLogsEncrypt",
          Effect: "Allow",
          Principal: { Service: "logs.eu-west-1.amazonaws.com" },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*" } },
        },
      ],
    });
    expect([secrets.protect, logs.protect]).toEqual([c.protect, c.protect]);
  });

  test("cluster and node roles: service trust, managed policies in the partition, key access for the cluster", async () => {
    const { r } = await run(c.env, c.args);
    const trust = (service: string) => ({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
    expect(parse(r.named("eks-cluster-role").inputs.assumeRolePolicy)).toEqual(trust("eks.amazonaws.com"));
    expect(parse(r.named("eks-node-role").inputs.assumeRolePolicy)).toEqual(trust("ec2.amazonaws.com"));
    const attached = (roleName: string) =>
      r
        .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => String(a.inputs.role).startsWith(`${roleName}-`))
        .map((a) => a.inputs.policyArn)
        .sort();
    expect(attached("eks-cluster-role")).toEqual(["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
    expect(attached("eks-node-role")).toEqual([
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    ]);
    expect(attached("eks-vpc-cni-role")).toEqual(["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]);
    // The EBS CSI driver's policy is a service-role policy; AWS answers NoSuchEntity for policy/AmazonEBSCSIDriverPolicy.
    expect(attached("eks-ebs-csi-role")).toEqual(["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]);
    expect(attached("eks-cloudwatch-agent-role")).toEqual(["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]);
    const keyAccess = r.named("eks-cluster-key-access");
    expect(keyAccess.inputs.role).toMatch(/^eks-cluster-role-/);
    expect(parse(keyAccess.inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "SecretsEnvelopeEncryption",
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
          Resource: expect.stringMatching(/^arn:aws:kms:eu-west-1:123456789012:key\//) as unknown,
        },
      ],
    });
    expect(keyAccess.propertyDependencies.policy).toEqual([r.one("aws:kms/key:Key", "eks-secrets-key").urn]);
  });

  test("OIDC provider for IRSA, on the cluster's issuer", async () => {
    const { r, cluster } = await run(c.env, c.args);
    const oidc = r.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(oidc.inputs).toEqual({
      url: expect.stringMatching(/^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/) as unknown,
      clientIdLists: ["sts.amazonaws.com"],
    });
    expect(oidc.propertyDependencies).toEqual({ url: [r.one("aws:eks/cluster:Cluster").urn] });
    expect(await valueOf(cluster.oidcIssuer)).toBe(oidc.inputs.url);
    expect(await valueOf(cluster.oidcProviderArn)).toBe(`${ARN}:oidc-provider/${String(oidc.inputs.url).slice("https://".length)}`);
  });

  test("managed add-ons: pinned versions, network policy on, IRSA roles, networking before nodes and DNS/storage after", async () => {
    const { r } = await run(c.env, c.args);
    const addons = Object.fromEntries(r.ofType("aws:eks/addon:Addon").map((a) => [a.inputs.addonName as string, a]));
    expect(Object.keys(addons).sort()).toEqual([
      "amazon-cloudwatch-observability",
      "aws-ebs-csi-driver",
      "coredns",
      "eks-pod-identity-agent",
      "kube-proxy",
      "vpc-cni",
    ]);
    const common = { clusterName: CLUSTER_NAME, resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE" };
    expect(addons["vpc-cni"]!.inputs).toEqual({
      ...common,
      addonName: "vpc-cni",
      addonVersion: "v1.21.1-eksbuild.7",
      serviceAccountRoleArn: expect.stringMatching(roleArnPattern("eks-vpc-cni-role")) as unknown,
      configurationValues: expect.any(String) as unknown,
    });
    expect(parse(addons["vpc-cni"]!.inputs.configurationValues)).toEqual({ enableNetworkPolicy: "true" });
    expect(addons["kube-proxy"]!.inputs).toEqual({ ...common, addonName: "kube-proxy", addonVersion: "v1.35.3-eksbuild.13" });
    expect(addons["eks-pod-identity-agent"]!.inputs).toEqual({
      ...common,
      addonName: "eks-pod-identity-agent",
      addonVersion: "v1.3.10-eksbuild.2",
    });
    expect(addons.coredns!.inputs).toEqual({ ...common, addonName: "coredns", addonVersion: "v1.13.2-eksbuild.4" });
    expect(addons["aws-ebs-csi-driver"]!.inputs).toEqual({
      ...common,
      addonName: "aws-ebs-csi-driver",
      addonVersion: "v1.60.0-eksbuild.1",
      serviceAccountRoleArn: expect.stringMatching(roleArnPattern("eks-ebs-csi-role")) as unknown,
    });
    expect(addons["amazon-cloudwatch-observability"]!.inputs).toEqual({
      ...common,
      addonName: "amazon-cloudwatch-observability",
      addonVersion: "v4.5.0-eksbuild.1",
      serviceAccountRoleArn: expect.stringMatching(roleArnPattern("eks-cloudwatch-agent-role")) as unknown,
    });

    const nodes = r.one("aws:eks/nodeGroup:NodeGroup");
    for (const early of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) expect(nodes.dependencies).toContain(addons[early]!.urn);
    for (const late of ["coredns", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"])
      expect(addons[late]!.dependencies).toContain(nodes.urn);
    expect(addons["vpc-cni"]!.dependencies).toContain(r.named("eks-vpc-cni-policy").urn);
    expect(addons["aws-ebs-csi-driver"]!.dependencies).toContain(r.named("eks-ebs-csi-policy").urn);
    expect(addons["amazon-cloudwatch-observability"]!.dependencies).toContain(r.named("eks-cloudwatch-agent-policy").urn);
  });

  test("launch template: IMDSv2 with hop limit 1, encrypted gp3 root volume, cluster and node security groups", async () => {
    const { r, cluster } = await run(c.env, c.args);
    const template = r.one("aws:ec2/launchTemplate:LaunchTemplate");
    const clusterSg = await valueOf(cluster.clusterSecurityGroupId);
    expect(clusterSg).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(template.inputs).toEqual({
      description: "EKS managed nodes: IMDSv2 only, no IMDS for pods, encrypted gp3 root volume",
      updateDefaultVersion: true,
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: c.disk, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
      ],
      vpcSecurityGroupIds: [clusterSg, c.nodeSg],
      tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
        resourceType,
        tags: { Name: `${CLUSTER_NAME}-node` },
      })),
    });
    expect(template.propertyDependencies.vpcSecurityGroupIds).toEqual([r.one("aws:eks/cluster:Cluster").urn]);
  });

  test("node group: private subnets, AL2023, scaling from args with desired size ignored, 33% rolling updates", async () => {
    const { r } = await run(c.env, c.args);
    const nodes = r.one("aws:eks/nodeGroup:NodeGroup");
    const template = r.one("aws:ec2/launchTemplate:LaunchTemplate");
    expect(nodes.inputs).toEqual({
      clusterName: CLUSTER_NAME,
      version: c.version,
      nodeRoleArn: expect.stringMatching(roleArnPattern("eks-node-role")) as unknown,
      subnetIds: c.subnetIds,
      amiType: "AL2023_x86_64_STANDARD",
      instanceTypes: [c.instanceType],
      capacityType: c.capacityType,
      scalingConfig: c.scaling,
      updateConfig: { maxUnavailablePercentage: 33 },
      nodeRepairConfig: { enabled: true },
      launchTemplate: { id: expect.stringMatching(/^lt-[0-9a-f]{17}$/) as unknown, version: "1" },
    });
    expect(nodes.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
    expect(nodes.propertyDependencies.launchTemplate).toEqual([template.urn]);
    expect(nodes.protect).toBe(false);
    for (const attachment of ["eks-node-worker-policy", "eks-node-ecr-read-policy"])
      expect(nodes.dependencies).toContain(r.named(attachment).urn);
  });

  test("Kubernetes provider: secret kubeconfig with aws eks get-token, waiting for nodes, add-ons and admin access", async () => {
    const { r, kubeconfig, kubeconfigIsSecret, endpoint } = await run(c.env, c.args);
    const provider = r.one("pulumi:providers:kubernetes");
    expect(provider.name).toBe("eks-k8s");
    expect(provider.parent).toBe(r.one("platform:aws:EksCluster").urn);
    expect(provider.inputs).toEqual({ kubeconfig: "[secret]" });
    expect(provider.secretInputs).toEqual(["kubeconfig"]);
    expect(kubeconfigIsSecret).toBe(true);
    expect(endpoint).toMatch(/^https:\/\/[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com$/);
    expect(parse(kubeconfig)).toEqual({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: CLUSTER_NAME,
          cluster: {
            server: endpoint,
            "certificate-authority-data": Buffer.from(`offline review CA for ${CLUSTER_NAME}`).toString("base64"),
          },
        },
      ],
      contexts: [{ name: CLUSTER_NAME, context: { cluster: CLUSTER_NAME, user: CLUSTER_NAME } }],
      "current-context": CLUSTER_NAME,
      preferences: {},
      users: [
        {
          name: CLUSTER_NAME,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "aws",
              args: ["eks", "get-token", "--cluster-name", CLUSTER_NAME, "--region", "eu-west-1", "--output", "json"],
              interactiveMode: "Never",
            },
          },
        },
      ],
    });
    const waitsFor = [
      "aws:eks/nodeGroup:NodeGroup",
      "aws:eks/addon:Addon",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    ].flatMap((t) => r.ofType(t).map((x) => x.urn));
    expect(r.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")).toHaveLength(1);
    for (const urn of waitsFor) expect(provider.dependencies).toContain(urn);
  });

  test("bindServiceAccount: a role only <namespace>/<name> can assume through the OIDC provider", async () => {
    const { r, backups, backupsAnnotations } = await run(c.env, c.args);
    const role = r.named("eks-backups-role");
    const oidc = r.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    const host = String(oidc.inputs.url).slice("https://".length);
    expect(role.parent).toBe(r.one("platform:aws:EksCluster").urn);
    expect(role.inputs.description).toBe("IRSA: backups/pg-dump");
    expect(parse(role.inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `${ARN}:oidc-provider/${host}` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${host}:sub`]: "system:serviceaccount:backups:pg-dump", [`${host}:aud`]: "sts.amazonaws.com" } },
        },
      ],
    });
    expect(role.propertyDependencies.assumeRolePolicy).toEqual([r.one("aws:eks/cluster:Cluster").urn, oidc.urn].sort());
    expect(backups.serviceAccount).toEqual({ namespace: "backups", name: "pg-dump" });
    expect(backupsAnnotations).toEqual({
      "eks.amazonaws.com/role-arn": expect.stringMatching(roleArnPattern("eks-backups-role")) as unknown,
    });
    expect(await valueOf(backups.principal)).toBe(backupsAnnotations["eks.amazonaws.com/role-arn"]);
    expect(await valueOf(backups.principalId)).toMatch(/^eks-backups-role-[0-9a-f]{7}$/);
  });

  test("IRSA roles of the CNI, the EBS driver and the Load Balancer Controller trust only their service accounts", async () => {
    const { r } = await run(c.env, c.args);
    const subjectOf = (roleName: string) => {
      const doc = parse(r.named(roleName).inputs.assumeRolePolicy) as {
        Statement: Array<{ Condition: { StringEquals: Record<string, string> } }>;
      };
      return Object.entries(doc.Statement[0]!.Condition.StringEquals).find(([k]) => k.endsWith(":sub"))?.[1];
    };
    expect(subjectOf("eks-vpc-cni-role")).toBe("system:serviceaccount:kube-system:aws-node");
    expect(subjectOf("eks-ebs-csi-role")).toBe("system:serviceaccount:kube-system:ebs-csi-controller-sa");
    expect(subjectOf("eks-cloudwatch-agent-role")).toBe("system:serviceaccount:amazon-cloudwatch:cloudwatch-agent");
    expect(subjectOf("eks-lb-controller-role")).toBe("system:serviceaccount:kube-system:aws-load-balancer-controller");
  });

  test("Load Balancer Controller: the published v3.5.0 policy on its role, exposed with the chart version", async () => {
    const { r, cluster, lbAnnotations } = await run(c.env, c.args);
    const policy = r.named("eks-lb-controller-policy");
    expect(policy.type).toBe("aws:iam/rolePolicy:RolePolicy");
    expect(policy.inputs.role).toMatch(/^eks-lb-controller-role-[0-9a-f]{7}$/);
    expect(parse(policy.inputs.policy)).toEqual({ Version: "2012-10-17", Statement: lbControllerStatements("aws") });
    const lb = cluster.loadBalancerController;
    expect([lb.version, lb.chartVersion]).toEqual(["v3.5.0", "3.5.0"]);
    expect(lb.identity.serviceAccount).toEqual({ namespace: "kube-system", name: "aws-load-balancer-controller" });
    expect(lbAnnotations).toEqual({
      "eks.amazonaws.com/role-arn": expect.stringMatching(roleArnPattern("eks-lb-controller-role")) as unknown,
    });
  });

  test("outputs for the Kubernetes layer", async () => {
    const { cluster } = await run(c.env, c.args);
    expect(await valueOf(cluster.clusterName)).toBe(CLUSTER_NAME);
    expect(cluster.apiServerCidrs).toEqual(c.cidrs);
    expect(await valueOf(cluster.vpcId)).toBe(c.vpcId);
    expect(await valueOf(cluster.region)).toBe("eu-west-1");
    expect(await valueOf(cluster.nodeRoleArn)).toMatch(roleArnPattern("eks-node-role"));
    expect(cluster.addonVersions).toEqual({
      vpcCni: "v1.21.1-eksbuild.7",
      coredns: "v1.13.2-eksbuild.4",
      kubeProxy: "v1.35.3-eksbuild.13",
      ebsCsiDriver: "v1.60.0-eksbuild.1",
      podIdentityAgent: "v1.3.10-eksbuild.2",
      cloudwatchObservability: "v4.5.0-eksbuild.1",
    });
  });

  test("every child is parented to the component and uses its AWS provider", async () => {
    const { r } = await run(c.env, c.args);
    const component = r.one("platform:aws:EksCluster");
    const aws = r.one("pulumi:providers:aws");
    const children = r.resources.filter((x) => x.parent === component.urn);
    expect(children.length).toBe(r.resources.length - 3);
    for (const child of children.filter((x) => x.type.startsWith("aws:"))) expect(child.provider).toBe(aws.urn);
  });
});
