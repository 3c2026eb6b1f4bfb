// Grafana reads the cluster's container logs from CloudWatch Logs: Grafana's built-in CloudWatch datasource,
// authenticated by the AWS SDK's default chain (the pod's IRSA web identity), queries the application log
// group the amazon-cloudwatch-observability add-on's Fluent Bit writes to, with Logs Insights.
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type GrafanaDatasource, LOG_DATASOURCE_UID, type LogDatasource, type WorkloadIdentity } from "../types";
import { CONTAINER_LOG_GROUPS, type EksCluster } from "./eks-cluster";

/** What the datasource needs of the cluster: its region, its application log group, and the grant. */
export type LogCluster = Pick<EksCluster, "region" | "containerLogGroups"> & {
  grantContainerLogsRead(identity: WorkloadIdentity): aws.iam.RolePolicy;
};

/** Most lines a logs panel shows: Logs Insights returns up to 10,000, a panel needs far fewer. */
export const LOG_PANEL_LINES = 1000;

/** CloudWatch Logs as Grafana's container-log datasource, reading `/aws/containerinsights/<cluster>/application`. */
export function cloudWatchLogDatasource(cluster: LogCluster): LogDatasource {
  const application = cluster.containerLogGroups[CONTAINER_LOG_GROUPS.indexOf("application")];
  if (application === undefined) throw new Error("cloudWatchLogDatasource: the cluster has no container log groups");
  return {
    datasource: cluster.region.apply((region): GrafanaDatasource => ({
      name: "Container logs",
      type: "cloudwatch",
      uid: LOG_DATASOURCE_UID,
      access: "proxy",
      editable: false,
      // "default": the AWS SDK's credential chain, which takes the web identity token IRSA mounts.
      jsonData: { authType: "default", defaultRegion: region },
    })),
    plugins: [],
    namespaceLogsTarget: (namespace) =>
      pulumi.all([cluster.region, application.name, application.arn]).apply(([region, name, arn]): Record<string, unknown> => ({
        refId: "A",
        id: "",
        queryMode: "Logs",
        region,
        logGroups: [{ arn, name }],
        // Fluent Bit's Kubernetes filter adds the pod's namespace and name to every record.
        expression: `fields @timestamp, kubernetes.pod_name, @message | filter kubernetes.namespace_name = "${namespace}" | sort @timestamp desc | limit ${LOG_PANEL_LINES}`,
      })),
    grantRead: (identity) => {
      cluster.grantContainerLogsRead(identity);
    },
  };
}
