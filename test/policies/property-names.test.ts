// GIVEN the input shapes the policies read and the type tokens they match
// THEN every property name is an input of the provider SDK's Args type (checked by the compiler: a name
//      the provider does not take fails `npm run typecheck` with that name), and every type token is the
//      `__pulumiType` of an SDK class, except the custom resources the SDKs have no class for.
import { expect, test } from "@jest/globals";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as network from "../../policies/aws-network";
import type * as cloudsql from "../../policies/cloudsql";
import type * as eks from "../../policies/eks";
import type * as elasticache from "../../policies/elasticache";
import type * as gcpIam from "../../policies/gcp-iam";
import type * as gcs from "../../policies/gcs";
import type * as gke from "../../policies/gke";
import type * as iam from "../../policies/iam";
import type * as kubernetes from "../../policies/kubernetes";
import type * as pods from "../../policies/lib/pods";
import type * as memorystore from "../../policies/memorystore";
import type * as rds from "../../policies/rds";
import type * as s3 from "../../policies/s3";

/** Keys of every member of a union (keyof on a union gives only the common ones). */
type AnyKey<T> = T extends unknown ? keyof T : never;
/** "ok", or the names the policy reads that the provider does not take. */
type Checked<Mine, Theirs> = [Exclude<keyof Mine, AnyKey<Theirs>>] extends [never] ? "ok" : Exclude<keyof Mine, AnyKey<Theirs>>;
type Field<T, K extends keyof T> = NonNullable<T[K]>;
type Item<T> = T extends readonly (infer I)[] ? I : never;

const checked = {
  securityGroup: "ok" satisfies Checked<network.SecurityGroupProps, aws.ec2.SecurityGroupArgs>,
  inlineRule: "ok" satisfies Checked<network.InlineRule, aws.types.input.ec2.SecurityGroupIngress>,
  securityGroupRule: "ok" satisfies Checked<network.SecurityGroupRuleProps, aws.ec2.SecurityGroupRuleArgs>,
  ingressRule: "ok" satisfies Checked<network.IngressRuleProps, aws.vpc.SecurityGroupIngressRuleArgs>,
  subnet: "ok" satisfies Checked<network.SubnetProps, aws.ec2.SubnetArgs>,
  logGroup: "ok" satisfies Checked<network.LogGroupProps, aws.cloudwatch.LogGroupArgs>,
  launchTemplate: "ok" satisfies Checked<network.LaunchTemplateProps, aws.ec2.LaunchTemplateArgs & aws.ec2.InstanceArgs>,
  metadataOptions: "ok" satisfies Checked<network.MetadataOptions, aws.types.input.ec2.LaunchTemplateMetadataOptions>,
  eksCluster: "ok" satisfies Checked<eks.EksClusterProps, aws.eks.ClusterArgs>,
  eksVpc: "ok" satisfies Checked<Field<eks.EksClusterProps, "vpcConfig">, aws.types.input.eks.ClusterVpcConfig>,
  eksEncryption: "ok" satisfies Checked<Field<eks.EksClusterProps, "encryptionConfig">, aws.types.input.eks.ClusterEncryptionConfig>,
  eksNodeGroup: "ok" satisfies Checked<eks.EksNodeGroupProps, aws.eks.NodeGroupArgs>,
  rdsInstance: "ok" satisfies Checked<rds.RdsInstanceProps, aws.rds.InstanceArgs>,
  rdsCluster: "ok" satisfies Checked<rds.RdsClusterProps, aws.rds.ClusterArgs>,
  rdsParameterGroup: "ok" satisfies Checked<rds.RdsParameterGroupProps, aws.rds.ParameterGroupArgs>,
  rdsParameter: "ok" satisfies Checked<Item<Field<rds.RdsParameterGroupProps, "parameters">>, aws.types.input.rds.ParameterGroupParameter>,
  replicationGroup: "ok" satisfies Checked<elasticache.ReplicationGroupProps, aws.elasticache.ReplicationGroupArgs>,
  bucket: "ok" satisfies Checked<s3.BucketProps, aws.s3.BucketArgs>,
  publicAccessBlock: "ok" satisfies Checked<s3.PublicAccessBlockProps, aws.s3.BucketPublicAccessBlockArgs>,
  encryption: "ok" satisfies Checked<s3.EncryptionConfigurationProps, aws.s3.BucketServerSideEncryptionConfigurationArgs>,
  encryptionRule: "ok" satisfies Checked<
    Item<Field<s3.EncryptionConfigurationProps, "rules">>,
    aws.types.input.s3.BucketServerSideEncryptionConfigurationRule
  >,
  versioning: "ok" satisfies Checked<s3.VersioningProps, aws.s3.BucketVersioningArgs>,
  lifecycle: "ok" satisfies Checked<s3.LifecycleConfigurationProps, aws.s3.BucketLifecycleConfigurationArgs>,
  lifecycleRule: "ok" satisfies Checked<
    Item<Field<s3.LifecycleConfigurationProps, "rules">>,
    aws.types.input.s3.BucketLifecycleConfigurationRule
  >,
  policyDocument: "ok" satisfies Checked<
    iam.PolicyDocumentProps,
    aws.iam.PolicyArgs & aws.iam.RolePolicyArgs & aws.iam.UserPolicyArgs & aws.iam.GroupPolicyArgs
  >,
  role: "ok" satisfies Checked<iam.RoleProps, aws.iam.RoleArgs>,
  attachment: "ok" satisfies Checked<iam.PolicyAttachmentProps, aws.iam.RolePolicyAttachmentArgs & aws.iam.PolicyAttachmentArgs>,
  kmsKey: "ok" satisfies Checked<iam.KmsKeyProps, aws.kms.KeyArgs>,
  cryptoKey: "ok" satisfies Checked<iam.CryptoKeyProps, gcp.kms.CryptoKeyArgs>,
  gkeCluster: "ok" satisfies Checked<gke.GkeClusterProps, gcp.container.ClusterArgs>,
  gkePrivate: "ok" satisfies Checked<
    Field<gke.GkeClusterProps, "privateClusterConfig">,
    gcp.types.input.container.ClusterPrivateClusterConfig
  >,
  gkeNodePool: "ok" satisfies Checked<gke.GkeNodePoolProps, gcp.container.NodePoolArgs>,
  gkeNodeConfig: "ok" satisfies Checked<
    gke.NodeConfigProps,
    gcp.types.input.container.NodePoolNodeConfig & gcp.types.input.container.ClusterNodeConfig
  >,
  sqlInstance: "ok" satisfies Checked<cloudsql.SqlInstanceProps, gcp.sql.DatabaseInstanceArgs>,
  sqlSettings: "ok" satisfies Checked<Field<cloudsql.SqlInstanceProps, "settings">, gcp.types.input.sql.DatabaseInstanceSettings>,
  sqlIp: "ok" satisfies Checked<
    Field<Field<cloudsql.SqlInstanceProps, "settings">, "ipConfiguration">,
    gcp.types.input.sql.DatabaseInstanceSettingsIpConfiguration
  >,
  sqlBackup: "ok" satisfies Checked<
    Field<Field<cloudsql.SqlInstanceProps, "settings">, "backupConfiguration">,
    gcp.types.input.sql.DatabaseInstanceSettingsBackupConfiguration
  >,
  memorystore: "ok" satisfies Checked<memorystore.MemorystoreProps, gcp.redis.InstanceArgs>,
  gcsBucket: "ok" satisfies Checked<gcs.GcsBucketProps, gcp.storage.BucketArgs>,
  gcsLifecycleCondition: "ok" satisfies Checked<
    Field<Item<Field<gcs.GcsBucketProps, "lifecycleRules">>, "condition">,
    gcp.types.input.storage.BucketLifecycleRuleCondition
  >,
  gcsGrants: "ok" satisfies Checked<
    gcs.GcsIamProps,
    | gcp.storage.BucketIAMMemberArgs
    | gcp.storage.BucketIAMBindingArgs
    | gcp.storage.BucketIAMPolicyArgs
    | gcp.storage.BucketACLArgs
    | gcp.storage.BucketAccessControlArgs
  >,
  projectGrants: "ok" satisfies Checked<
    gcpIam.GcpIamProps,
    gcp.projects.IAMMemberArgs | gcp.projects.IAMBindingArgs | gcp.projects.IAMPolicyArgs
  >,
  computeInstance: "ok" satisfies Checked<gcpIam.ComputeInstanceProps, gcp.compute.InstanceArgs>,
  container: "ok" satisfies Checked<pods.Container, k8s.types.input.core.v1.Container>,
  containerSecurity: "ok" satisfies Checked<Field<pods.Container, "securityContext">, k8s.types.input.core.v1.SecurityContext>,
  podSpec: "ok" satisfies Checked<pods.PodSpec, k8s.types.input.core.v1.PodSpec>,
  service: "ok" satisfies Checked<Field<kubernetes.ServiceProps, "spec">, k8s.types.input.core.v1.ServiceSpec>,
};

/** Type tokens with no SDK class: Kubernetes custom resources, matched by their type string. */
const CUSTOM_RESOURCES = [
  "kubernetes:gateway.networking.k8s.io/v1:Gateway",
  "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway",
  "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute",
  "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy",
];

function sdkClass(token: string): unknown {
  const cloud = /^(aws|gcp):([^/]+)\/[^:]+:(\w+)$/.exec(token);
  if (cloud) return Reflect.get((Reflect.get(cloud[1] === "aws" ? aws : gcp, cloud[2]!) as object | undefined) ?? {}, cloud[3]!);
  const kube = /^kubernetes:([^/]+)\/(\w+):(\w+)$/.exec(token);
  if (!kube) return undefined;
  const group = Reflect.get(k8s, kube[1]!.split(".")[0]!) as object | undefined;
  const version = group && (Reflect.get(group, kube[2]!) as object | undefined);
  return version && Reflect.get(version, kube[3]!);
}

const sources = ["", "lib"].flatMap((dir) => {
  const folder = path.resolve(__dirname, "..", "..", "policies", dir);
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => fs.readFileSync(path.join(folder, f), "utf8"));
});
const tokens = [
  ...new Set(sources.flatMap((s) => [...s.matchAll(/"((?:aws|gcp|kubernetes):[\w.-]+\/[\w.-]+:\w+)"/g)].map((m) => m[1]!))),
].sort();

test("every input shape the policies read uses the providers' own property names", () => {
  expect(Object.entries(checked).filter(([, v]) => v !== "ok")).toEqual([]);
});

test("the policies match on dozens of type tokens", () => {
  expect(tokens.length).toBeGreaterThan(60);
});

test.each(tokens.filter((t) => !CUSTOM_RESOURCES.includes(t)))("%s is the type token of an SDK class", (token) => {
  const found = sdkClass(token);
  expect(typeof found === "function" ? Reflect.get(found, "__pulumiType") : `no SDK class for ${token}`).toBe(token);
});
