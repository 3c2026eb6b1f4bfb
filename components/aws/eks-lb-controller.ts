// The AWS Load Balancer Controller's IAM permissions, as its maintainers publish them for one release
// (eks-lb-controller-policy.json names the release and the file it was copied from). The Kubernetes
// layer installs the chart of the same release with the role bound here.
import type * as pulumi from "@pulumi/pulumi";
import type { HelmChart } from "../charts";
import published from "./eks-lb-controller-policy.json";
import { inPartition, type Statement } from "./iam";

/** Controller release the policy belongs to, and the eks-charts chart version that installs it. */
export const LB_CONTROLLER_VERSION: string = published.controllerVersion;
export const LB_CONTROLLER_CHART_VERSION: string = published.chartVersion;
/** The eks-charts chart of that release; its archive is in charts/ like every chart the platform installs. */
export const LB_CONTROLLER_CHART: HelmChart = {
  chart: "aws-load-balancer-controller",
  version: LB_CONTROLLER_CHART_VERSION,
  repo: "https://aws.github.io/eks-charts",
};

/** The service account the chart creates; its role is trusted for this account only. */
export const LB_CONTROLLER_SERVICE_ACCOUNT = { namespace: "kube-system", name: "aws-load-balancer-controller" } as const;

/**
 * The published statements with resource ARNs moved into the deployment's partition. The upstream China
 * and GovCloud variants differ from the commercial file only in partition and in lagging behind it.
 */
export function lbControllerStatements(partition: string): Statement[] {
  return published.policy.Statement.map((s): Statement => {
    if (s.Effect !== "Allow") throw new Error(`eks-lb-controller-policy.json: unexpected Effect ${s.Effect}`);
    const resource = Array.isArray(s.Resource) ? s.Resource.map((r) => inPartition(r, partition)) : inPartition(s.Resource, partition);
    return { Effect: "Allow", Action: s.Action, Resource: resource, ...(s.Condition && { Condition: s.Condition }) };
  });
}

/** One policy statement per published statement, each resolved once the partition is known. */
export function lbControllerPolicy(partition: pulumi.Output<string>): pulumi.Output<Statement>[] {
  return published.policy.Statement.map((_, i) => partition.apply((p) => lbControllerStatements(p)[i]!));
}
