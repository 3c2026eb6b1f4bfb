// Who can reach each EKS cluster the program registers, checked as EKS itself would answer the deploy:
// - EKS keeps one access entry per principal (EKS User Guide, "Create access entries"), and answers a second one
//   with 409 ResourceInUseException. Two listed entries for one role collide, and so does a listed entry for the
//   identity that creates the cluster while EKS bootstraps that creator's own entry
//   (`accessConfig.bootstrapClusterCreatorAdminPermissions`, true unless said otherwise):
//   terraform-aws-modules/terraform-aws-eks#2969, #3293, pulumi/pulumi-eks#2373.
// - Without that bootstrap the creator has no access of its own, so the Kubernetes provider that deploys into the
//   cluster must wait for the cluster-admin access policy associations, or its first calls are refused.
import type { RecordedResource } from "./engine";
import { sameRole } from "../components/aws/eks-access";
import { ReviewError } from "./stack-file";

const CLUSTER = "aws:eks/cluster:Cluster";
const ENTRY = "aws:eks/accessEntry:AccessEntry";
const ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";
const CLUSTER_ADMIN_POLICY = /^arn:aws[a-z-]*:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/;

const label = (r: RecordedResource) => `${r.type} ${r.name}`;
const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/** Whether `r` names `cluster` in its clusterName: through an output of it, or by the same literal name. */
function ofCluster(r: RecordedResource, cluster: RecordedResource): boolean {
  return (
    (r.propertyDependencies.clusterName ?? []).includes(cluster.urn) || (text(r.inputs.clusterName) ?? "") === text(cluster.inputs.name)
  );
}

/** EKS makes the creator's entry unless the cluster says `bootstrapClusterCreatorAdminPermissions: false`. */
function bootstrapsCreator(cluster: RecordedResource): boolean {
  const accessConfig = cluster.inputs.accessConfig as { bootstrapClusterCreatorAdminPermissions?: unknown } | undefined;
  return accessConfig?.bootstrapClusterCreatorAdminPermissions !== false;
}

/**
 * One line per access problem EKS or the deploy would hit, naming the resources; `creatorArn` is the identity the
 * program runs as, which creates the clusters (an assumed-role session ARN, as `sts get-caller-identity` gives it).
 */
export function accessEntryProblems(resources: readonly RecordedResource[], creatorArn: string): string[] {
  const problems: string[] = [];
  for (const cluster of resources.filter((r) => r.type === CLUSTER)) {
    const entries = resources.filter((r) => r.type === ENTRY && ofCluster(r, cluster));
    const principal = (entry: RecordedResource) => text(entry.inputs.principalArn) ?? "";
    entries.forEach((entry, i) => {
      const earlier = entries.slice(0, i).find((other) => sameRole(principal(other), principal(entry)));
      if (earlier)
        problems.push(
          `${label(entry)}: ${principal(entry)} already has ${label(earlier)} on ${label(cluster)}; EKS keeps one access entry per principal and refuses the second (409 ResourceInUseException)`,
        );
    });
    if (bootstrapsCreator(cluster)) {
      for (const entry of entries.filter((e) => sameRole(principal(e), creatorArn)))
        problems.push(
          `${label(entry)}: ${label(cluster)} bootstraps an access entry for the identity that creates it (${creatorArn}), the same principal, so EKS refuses this one (409 ResourceInUseException): set accessConfig.bootstrapClusterCreatorAdminPermissions to false, or drop the entry`,
        );
      continue;
    }
    const admins = resources.filter(
      (r) =>
        r.type === ASSOCIATION &&
        ofCluster(r, cluster) &&
        CLUSTER_ADMIN_POLICY.test(text(r.inputs.policyArn) ?? "") &&
        (r.inputs.accessScope as { type?: unknown } | undefined)?.type === "cluster",
    );
    if (admins.length === 0) {
      problems.push(
        `${label(cluster)}: no access entry has the cluster admin access policy at cluster scope, and the creator gets none (bootstrapClusterCreatorAdminPermissions is false), so nobody can administer the cluster`,
      );
      continue;
    }
    for (const provider of resources.filter((r) => r.type === KUBERNETES_PROVIDER && r.dependencies.includes(cluster.urn))) {
      const missing = admins.filter((a) => !provider.dependencies.includes(a.urn));
      if (missing.length > 0)
        problems.push(
          `${label(provider)}: does not wait for ${missing.map(label).join(", ")}; the creator of ${label(cluster)} has no access of its own, so the provider's first calls would be refused until the association exists (add it to dependsOn)`,
        );
    }
  }
  return problems;
}

/** Throws a ReviewError listing every access problem; EKS or the Kubernetes half of the deploy would fail on it. */
export function checkAccessEntries(resources: readonly RecordedResource[], creatorArn: string): void {
  const problems = accessEntryProblems(resources, creatorArn);
  if (problems.length > 0) throw new ReviewError(problems.join("\n"));
}
