// The EKS managed add-ons of an EksCluster, in the order a new cluster needs them: networking and
// identity before nodes join (a node is not Ready without its CNI), DNS and storage once nodes exist
// (their pods need somewhere to run, or the add-on stays DEGRADED until creation times out).
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { EksAddonVersions } from "./eks-args";

/** The VPC CNI's documented switch for its network policy agent: NetworkPolicy objects are enforced. */
const VPC_CNI_CONFIGURATION = JSON.stringify({ enableNetworkPolicy: "true" });

export interface AddonInputs {
  clusterName: pulumi.Output<string>;
  versions: EksAddonVersions;
  vpcCniRoleArn: pulumi.Output<string>;
  ebsCsiRoleArn: pulumi.Output<string>;
  cloudwatchRoleArn: pulumi.Output<string>;
  /** The policy attachments of those roles: the add-on's pods start with their permissions in place. */
  vpcCniPermissions: pulumi.Resource[];
  ebsCsiPermissions: pulumi.Resource[];
  cloudwatchPermissions: pulumi.Resource[];
  /** The log groups the CloudWatch add-on writes: made first, so it finds them with retention and a key. */
  containerLogGroups: pulumi.Resource[];
}

function addon(
  name: string,
  clusterName: pulumi.Output<string>,
  addonName: string,
  addonVersion: string,
  extra: Partial<aws.eks.AddonArgs>,
  opts: pulumi.CustomResourceOptions,
): aws.eks.Addon {
  return new aws.eks.Addon(
    name,
    {
      clusterName,
      addonName,
      addonVersion,
      // The add-on's configuration is what this program says; drift made by hand is overwritten.
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      ...extra,
    },
    opts,
  );
}

/** Add-ons a node needs before it can become Ready. */
export function beforeNodesAddons(name: string, c: AddonInputs, parent: pulumi.Resource): aws.eks.Addon[] {
  return [
    addon(
      `${name}-vpc-cni`,
      c.clusterName,
      "vpc-cni",
      c.versions.vpcCni,
      { serviceAccountRoleArn: c.vpcCniRoleArn, configurationValues: VPC_CNI_CONFIGURATION },
      { parent, dependsOn: c.vpcCniPermissions },
    ),
    addon(`${name}-kube-proxy`, c.clusterName, "kube-proxy", c.versions.kubeProxy, {}, { parent }),
    addon(`${name}-pod-identity-agent`, c.clusterName, "eks-pod-identity-agent", c.versions.podIdentityAgent, {}, { parent }),
  ];
}

/** Add-ons whose pods need nodes to run on. */
export function afterNodesAddons(name: string, c: AddonInputs, nodeGroup: aws.eks.NodeGroup, parent: pulumi.Resource): aws.eks.Addon[] {
  return [
    addon(`${name}-coredns`, c.clusterName, "coredns", c.versions.coredns, {}, { parent, dependsOn: [nodeGroup] }),
    addon(
      `${name}-ebs-csi-driver`,
      c.clusterName,
      "aws-ebs-csi-driver",
      c.versions.ebsCsiDriver,
      { serviceAccountRoleArn: c.ebsCsiRoleArn },
      { parent, dependsOn: [nodeGroup, ...c.ebsCsiPermissions] },
    ),
    // Fluent Bit as a DaemonSet in amazon-cloudwatch: every pod's stdout/stderr to CloudWatch Logs.
    addon(
      `${name}-cloudwatch-observability`,
      c.clusterName,
      "amazon-cloudwatch-observability",
      c.versions.cloudwatchObservability,
      { serviceAccountRoleArn: c.cloudwatchRoleArn },
      { parent, dependsOn: [nodeGroup, ...c.cloudwatchPermissions, ...c.containerLogGroups] },
    ),
  ];
}
