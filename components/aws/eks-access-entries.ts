// The access entries of an EksCluster: one per role listed, each with one EKS access policy associated
// cluster-wide. Config alone decides them, never the identity that runs `pulumi up`, so a deploy from CI and
// one from a laptop register the same entries.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EKS_ACCESS_POLICY } from "./eks-access";
import { adminEntryName, type EksClusterArgs } from "./eks-args";

/** The cluster and the roles to admit: admins get the cluster admin access policy, viewers the admin view one. */
export interface AccessEntryInputs {
  clusterName: pulumi.Output<string>;
  partition: pulumi.Output<string>;
  roles: Pick<EksClusterArgs, "adminRoleArns" | "viewerRoleArns">;
}

/** The associations made: the Kubernetes provider waits for the admins', which its deploys need. */
export interface ClusterAccessResources {
  adminPolicies: aws.eks.AccessPolicyAssociation[];
  viewerPolicies: aws.eks.AccessPolicyAssociation[];
}

/**
 * An access entry per role, with its access policy associated at cluster scope. The first admin keeps the names
 * the single `adminRoleArn` argument used, so a stack that had one admin keeps its entry instead of replacing it.
 * The names carry the role's account and name, not its place in the list, so reordering a list changes nothing
 * (EKS replaces an entry whose principal changes).
 */
export function grantClusterAccess(name: string, inputs: AccessEntryInputs, parent: pulumi.Resource): ClusterAccessResources {
  const entry = (kind: "admin" | "viewer", policy: string, roleArn: string, aliasOf?: string) => {
    const id = `${name}-${kind}-${adminEntryName(roleArn)}`;
    const formerly = (suffix: string) => (aliasOf ? { aliases: [{ name: `${aliasOf}-${suffix}` }] } : {});
    const accessEntry = new aws.eks.AccessEntry(
      `${id}-access`,
      { clusterName: inputs.clusterName, principalArn: roleArn, type: "STANDARD" },
      { parent, ...formerly("access") },
    );
    return new aws.eks.AccessPolicyAssociation(
      `${id}-policy`,
      {
        clusterName: inputs.clusterName,
        principalArn: accessEntry.principalArn,
        policyArn: pulumi.interpolate`arn:${inputs.partition}:eks::aws:cluster-access-policy/${policy}`,
        accessScope: { type: "cluster" },
      },
      { parent, ...formerly("policy") },
    );
  };
  return {
    adminPolicies: inputs.roles.adminRoleArns.map((arn, i) =>
      entry("admin", EKS_ACCESS_POLICY.clusterAdmin, arn, i === 0 ? `${name}-admin` : undefined),
    ),
    viewerPolicies: (inputs.roles.viewerRoleArns ?? []).map((arn) => entry("viewer", EKS_ACCESS_POLICY.adminView, arn)),
  };
}
