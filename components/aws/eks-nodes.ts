// The managed node group of an EksCluster: its IAM role, a hardened launch template and the group.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { amiTypeFor, type EksNodeGroupArgs } from "./eks-args";
import { managedPolicyArn, serviceTrustPolicy } from "./iam";

/** Attaches AWS managed policies to a role, one attachment per policy, named `<name>-<suffix>`. */
export function attachManagedPolicies(
  name: string,
  roleName: pulumi.Input<string>,
  partition: pulumi.Input<string>,
  policies: Record<string, aws.iam.ManagedPolicy>,
  parent: pulumi.Resource,
): aws.iam.RolePolicyAttachment[] {
  return Object.entries(policies).map(
    ([suffix, policy]) =>
      new aws.iam.RolePolicyAttachment(`${name}-${suffix}`, { role: roleName, policyArn: managedPolicyArn(policy, partition) }, { parent }),
  );
}

export interface NodeGroupInputs {
  clusterName: pulumi.Output<string>;
  kubernetesVersion: pulumi.Output<string>;
  clusterSecurityGroupId: pulumi.Output<string>;
  nodeSecurityGroupId: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>[];
  partition: pulumi.Output<string>;
  nodes: EksNodeGroupArgs;
  /** What must exist before nodes join: the add-ons a node needs to become Ready. */
  dependsOn: pulumi.Resource[];
}

export interface NodeGroupResult {
  role: aws.iam.Role;
  launchTemplate: aws.ec2.LaunchTemplate;
  nodeGroup: aws.eks.NodeGroup;
}

export function createNodeGroup(name: string, inputs: NodeGroupInputs, parent: pulumi.Resource): NodeGroupResult {
  const { nodes } = inputs;
  // Pod networking permissions (AmazonEKS_CNI_Policy) go to the VPC CNI's own IRSA role, not to every node.
  const role = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com") }, { parent });
  const attachments = attachManagedPolicies(
    `${name}-node`,
    role.name,
    inputs.partition,
    {
      "worker-policy": aws.iam.ManagedPolicy.AmazonEKSWorkerNodePolicy,
      "ecr-read-policy": aws.iam.ManagedPolicy.AmazonEC2ContainerRegistryReadOnly,
    },
    parent,
  );

  // No image id: EKS picks the AL2023 AMI for the version and merges its own bootstrap into the template.
  const launchTemplate = new aws.ec2.LaunchTemplate(
    `${name}-node-template`,
    {
      description: "EKS managed nodes: IMDSv2 only, no IMDS for pods, encrypted gp3 root volume",
      updateDefaultVersion: true,
      // Tokens required and one network hop: pods cannot reach the node role's credentials through IMDS;
      // they use IRSA or Pod Identity instead.
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: nodes.diskSizeGb, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      // Given security groups replace the ones EKS would add, so the cluster security group is listed too.
      vpcSecurityGroupIds: [inputs.clusterSecurityGroupId, inputs.nodeSecurityGroupId],
      tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
        resourceType,
        tags: { Name: pulumi.interpolate`${inputs.clusterName}-node` },
      })),
    },
    { parent },
  );

  const nodeGroup = new aws.eks.NodeGroup(
    `${name}-nodes`,
    {
      clusterName: inputs.clusterName,
      // Upgrading the cluster's version rolls the nodes onto the matching AMI after the control plane.
      version: inputs.kubernetesVersion,
      nodeRoleArn: role.arn,
      subnetIds: inputs.subnetIds,
      amiType: amiTypeFor(nodes.instanceType),
      instanceTypes: [nodes.instanceType],
      capacityType: nodes.capacityType,
      scalingConfig: { minSize: nodes.minSize, desiredSize: nodes.desiredSize, maxSize: nodes.maxSize },
      updateConfig: { maxUnavailablePercentage: 33 },
      nodeRepairConfig: { enabled: true },
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
    },
    {
      parent,
      dependsOn: [...attachments, ...inputs.dependsOn],
      // The cluster autoscaler moves the desired size; a deploy must not reset it.
      ignoreChanges: ["scalingConfig.desiredSize"],
    },
  );
  return { role, launchTemplate, nodeGroup };
}
