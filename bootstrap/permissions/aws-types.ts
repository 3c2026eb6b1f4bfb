// What each AWS resource type, data source and provider the platform registers asks of the role running
// Pulumi, one line per type. The calls are those of the resource's file in hashicorp/terraform-provider-aws
// (internal/service/<service>/*.go, main of 2026-08; @pulumi/aws 7.48 bridges provider v6); the action names
// are the Service Authorization Reference's (docs.aws.amazon.com/service-authorization/latest/reference,
// checked against iann0036/iam-dataset aws/iam_definition.json of 2026-08-22). Beyond each service's own
// actions, the non-obvious ones: iam:PassRole for every role handed to a service, iam:CreateServiceLinkedRole
// for services that make their role on first use (EKS, EKS node groups, RDS, ElastiCache), and KMS for
// customer-managed keys (kms:CreateGrant/DescribeKey where the service keeps using the key).
//
// `kms:Decrypt@secretsmanager` is kms:Decrypt that Secrets Manager calls with the caller's credentials
// (the kms:ViaService condition sees secretsmanager.<region>.amazonaws.com).
//
// A type missing here fails test/bootstrap/coverage.test.ts with the line to add.
import { always, NOTHING, type Needs } from "./needs";

/** read: the provider's Read; write: what create, update and delete call beyond it. */
function aws(read: readonly string[], write: readonly string[]): Needs {
  const both = [...read, ...write];
  return { create: both, read, update: both, delete: both };
}

const TAG_EC2 = "ec2:CreateTags";

export const AWS_TYPE_NEEDS: Readonly<Record<string, Needs>> = {
  "aws:cloudwatch/logGroup:LogGroup": aws(
    ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:TagResource", "logs:DeleteLogGroup"],
  ),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": aws(
    ["ec2:DescribeSecurityGroups"],
    ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", TAG_EC2],
  ),
  "aws:ec2/eip:Eip": aws(["ec2:DescribeAddresses"], ["ec2:AllocateAddress", "ec2:ReleaseAddress", TAG_EC2]),
  // The role that writes to CloudWatch Logs is passed to the flow log.
  "aws:ec2/flowLog:FlowLog": aws(["ec2:DescribeFlowLogs"], ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "iam:PassRole", TAG_EC2]),
  "aws:ec2/internetGateway:InternetGateway": aws(
    ["ec2:DescribeInternetGateways"],
    ["ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway", TAG_EC2],
  ),
  "aws:ec2/launchTemplate:LaunchTemplate": aws(
    ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
    ["ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate", TAG_EC2],
  ),
  "aws:ec2/natGateway:NatGateway": aws(["ec2:DescribeNatGateways"], ["ec2:CreateNatGateway", "ec2:DeleteNatGateway", TAG_EC2]),
  "aws:ec2/route:Route": aws(["ec2:DescribeRouteTables"], ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"]),
  "aws:ec2/routeTable:RouteTable": aws(["ec2:DescribeRouteTables"], ["ec2:CreateRouteTable", "ec2:DeleteRouteTable", TAG_EC2]),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": aws(
    ["ec2:DescribeRouteTables"],
    ["ec2:AssociateRouteTable", "ec2:ReplaceRouteTableAssociation", "ec2:DisassociateRouteTable"],
  ),
  "aws:ec2/securityGroup:SecurityGroup": aws(
    ["ec2:DescribeSecurityGroups"],
    ["ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:DeleteSecurityGroup", TAG_EC2],
  ),
  "aws:ec2/subnet:Subnet": aws(["ec2:DescribeSubnets"], ["ec2:CreateSubnet", "ec2:ModifySubnetAttribute", "ec2:DeleteSubnet", TAG_EC2]),
  "aws:ec2/vpc:Vpc": aws(
    ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"],
    ["ec2:CreateVpc", "ec2:ModifyVpcAttribute", "ec2:DeleteVpc", TAG_EC2],
  ),
  "aws:ec2/vpcEndpoint:VpcEndpoint": aws(
    ["ec2:DescribeVpcEndpoints"],
    ["ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints", TAG_EC2],
  ),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": aws(
    ["ec2:DescribeSecurityGroupRules"],
    ["ec2:AuthorizeSecurityGroupIngress", "ec2:ModifySecurityGroupRules", "ec2:RevokeSecurityGroupIngress", TAG_EC2],
  ),
  "aws:eks/accessEntry:AccessEntry": aws(
    ["eks:DescribeAccessEntry"],
    ["eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:TagResource"],
  ),
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": aws(
    ["eks:ListAssociatedAccessPolicies"],
    ["eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy"],
  ),
  // Add-ons with an IRSA role are handed that role.
  "aws:eks/addon:Addon": aws(
    ["eks:DescribeAddon"],
    ["eks:CreateAddon", "eks:UpdateAddon", "eks:DeleteAddon", "eks:TagResource", "iam:PassRole"],
  ),
  // The cluster role is passed; secrets encryption grants EKS use of the key; EKS makes its service-linked role.
  "aws:eks/cluster:Cluster": aws(
    ["eks:DescribeCluster"],
    [
      "eks:CreateCluster",
      "eks:UpdateClusterConfig",
      "eks:UpdateClusterVersion",
      "eks:DeleteCluster",
      "eks:TagResource",
      "iam:PassRole",
      "iam:CreateServiceLinkedRole",
      "kms:DescribeKey",
      "kms:CreateGrant",
      "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups",
    ],
  ),
  "aws:eks/nodeGroup:NodeGroup": aws(
    ["eks:DescribeNodegroup"],
    [
      "eks:CreateNodegroup",
      "eks:UpdateNodegroupConfig",
      "eks:UpdateNodegroupVersion",
      "eks:DeleteNodegroup",
      "eks:TagResource",
      "iam:PassRole",
      "iam:CreateServiceLinkedRole",
      "ec2:DescribeLaunchTemplateVersions",
    ],
  ),
  "aws:elasticache/replicationGroup:ReplicationGroup": aws(
    ["elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters", "elasticache:ListTagsForResource"],
    [
      "elasticache:CreateReplicationGroup",
      "elasticache:ModifyReplicationGroup",
      "elasticache:DeleteReplicationGroup",
      "elasticache:AddTagsToResource",
      "iam:CreateServiceLinkedRole",
      "kms:DescribeKey",
      "kms:CreateGrant",
    ],
  ),
  "aws:elasticache/subnetGroup:SubnetGroup": aws(
    ["elasticache:DescribeCacheSubnetGroups"],
    ["elasticache:CreateCacheSubnetGroup", "elasticache:ModifyCacheSubnetGroup", "elasticache:DeleteCacheSubnetGroup"],
  ),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": aws(
    ["iam:GetOpenIDConnectProvider"],
    [
      "iam:CreateOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
      "iam:TagOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider",
    ],
  ),
  "aws:iam/policy:Policy": aws(
    ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"],
    ["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:DeletePolicy"],
  ),
  "aws:iam/role:Role": aws(
    ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
    ["iam:CreateRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:DeleteRole"],
  ),
  "aws:iam/rolePolicy:RolePolicy": aws(["iam:GetRolePolicy"], ["iam:PutRolePolicy", "iam:DeleteRolePolicy"]),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": aws(
    ["iam:ListAttachedRolePolicies"],
    ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
  ),
  "aws:kms/alias:Alias": aws(["kms:ListAliases"], ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]),
  "aws:kms/key:Key": aws(
    ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
    [
      "kms:CreateKey",
      "kms:PutKeyPolicy",
      "kms:EnableKeyRotation",
      "kms:UpdateKeyDescription",
      "kms:TagResource",
      "kms:ScheduleKeyDeletion",
    ],
  ),
  // The monitoring role is passed; RDS makes its service-linked role, encrypts with the key, and creates the
  // master user's secret in Secrets Manager as the caller (AmazonRDS/latest/UserGuide/rds-secrets-manager.html).
  "aws:rds/instance:Instance": aws(
    ["rds:DescribeDBInstances", "rds:ListTagsForResource"],
    [
      "rds:CreateDBInstance",
      "rds:CreateDBInstanceReadReplica",
      "rds:ModifyDBInstance",
      "rds:AddTagsToResource",
      "rds:DeleteDBInstance",
      "iam:PassRole",
      "iam:CreateServiceLinkedRole",
      "kms:DescribeKey",
      "kms:CreateGrant",
      "secretsmanager:CreateSecret",
      "secretsmanager:TagResource",
      "secretsmanager:RotateSecret",
    ],
  ),
  "aws:rds/parameterGroup:ParameterGroup": aws(
    ["rds:DescribeDBParameterGroups", "rds:DescribeDBParameters"],
    ["rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup", "rds:AddTagsToResource", "rds:DeleteDBParameterGroup"],
  ),
  "aws:rds/subnetGroup:SubnetGroup": aws(
    ["rds:DescribeDBSubnetGroups"],
    ["rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:AddTagsToResource", "rds:DeleteDBSubnetGroup"],
  ),
  // v7's Bucket reads a bucket's sub-configurations one call each; the side resources own their settings.
  "aws:s3/bucket:Bucket": aws(
    [
      "s3:ListBucket",
      "s3:GetBucketTagging",
      "s3:GetBucketPolicy",
      "s3:GetBucketVersioning",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
    ],
    ["s3:CreateBucket", "s3:PutBucketTagging", "s3:DeleteBucket"],
  ),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": aws(
    ["s3:GetLifecycleConfiguration"],
    ["s3:PutLifecycleConfiguration"],
  ),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": aws(["s3:GetBucketOwnershipControls"], ["s3:PutBucketOwnershipControls"]),
  "aws:s3/bucketPolicy:BucketPolicy": aws(["s3:GetBucketPolicy"], ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": aws(["s3:GetBucketPublicAccessBlock"], ["s3:PutBucketPublicAccessBlock"]),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": aws(
    ["s3:GetEncryptionConfiguration"],
    ["s3:PutEncryptionConfiguration"],
  ),
  "aws:s3/bucketVersioning:BucketVersioning": aws(["s3:GetBucketVersioning"], ["s3:PutBucketVersioning"]),
  "aws:secretsmanager/secret:Secret": aws(
    ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
    [
      "secretsmanager:CreateSecret",
      "secretsmanager:UpdateSecret",
      "secretsmanager:TagResource",
      "secretsmanager:DeleteSecret",
      "kms:DescribeKey",
    ],
  ),
  // RDS rotates its managed secret itself; the schedule is set on the secret.
  "aws:secretsmanager/secretRotation:SecretRotation": aws(
    ["secretsmanager:DescribeSecret"],
    ["secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret"],
  ),
  // Read is GetSecretValue of the version and fails when refused (secret_version.go findSecretVersion); a
  // customer-managed key also needs kms:Decrypt through Secrets Manager.
  "aws:secretsmanager/secretVersion:SecretVersion": aws(
    ["secretsmanager:GetSecretValue", "kms:Decrypt@secretsmanager"],
    ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage", "kms:GenerateDataKey@secretsmanager"],
  ),
  "random:index/randomPassword:RandomPassword": NOTHING,
  // The provider checks its credentials and the allowed account (skipCredentialsValidation false).
  "pulumi:providers:aws": always("sts:GetCallerIdentity"),
  "pulumi:providers:random": NOTHING,
  // EKS tokens are presigned sts:GetCallerIdentity requests, which need no permission; the cluster's access
  // entries (components/aws) decide what the role may do inside.
  "pulumi:providers:kubernetes": NOTHING,
};

/** Data sources the program calls on AWS, previews included (review/answers.ts answers each offline). */
export const AWS_INVOKE_NEEDS: Readonly<Record<string, readonly string[]>> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": ["ec2:DescribeAvailabilityZones"],
  // "No permissions are required to perform this operation" (STS API reference, GetCallerIdentity); listed
  // because both roles are granted it anyway.
  "aws:index/getCallerIdentity:getCallerIdentity": ["sts:GetCallerIdentity"],
  // Answered from the provider's partition and region data: no API call (internal/service/meta).
  "aws:index/getPartition:getPartition": [],
  "aws:index/getRegion:getRegion": [],
};

/**
 * The actions an AWS managed policy attached to a CI role allows, on every resource, limited to the services
 * the platform uses. ReadOnlyAccess is version v188 (2026-07-21), from iann0036/iam-dataset
 * aws/managedpolicies/ReadOnlyAccess.json: Describe/Get/List of each service, and no secret values
 * (secretsmanager:GetSecretValue) and no kms:Decrypt.
 */
export const AWS_MANAGED_POLICY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  ReadOnlyAccess: [
    "ec2:Describe*",
    "ec2:Get*",
    "eks:Describe*",
    "eks:List*",
    "eks:AccessKubernetesApi",
    "rds:Describe*",
    "rds:List*",
    "rds:Download*",
    "elasticache:Describe*",
    "elasticache:List*",
    "s3:Get*",
    "s3:List*",
    "s3:DescribeJob",
    "kms:Describe*",
    "kms:Get*",
    "kms:List*",
    "logs:Describe*",
    "logs:Get*",
    "logs:ListTagsForResource",
    "logs:ListTagsLogGroup",
    "logs:FilterLogEvents",
    "secretsmanager:Describe*",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:List*",
    "iam:Get*",
    "iam:List*",
    "iam:Generate*",
    "iam:Simulate*",
    "sts:GetCallerIdentity",
    "sts:GetAccessKeyInfo",
    "sts:GetSessionToken",
  ],
};
