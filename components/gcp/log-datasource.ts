// Grafana reads the cluster's container logs from Cloud Logging: Google's Cloud Logging datasource plugin
// (`googlecloud-logging-datasource`, not built into Grafana: the chart's `plugins` installs it when Grafana
// starts), authenticated as the pod's Google service account through the GKE metadata server ("gce").
import type * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { type GrafanaDatasource, LOG_DATASOURCE_UID, type LogDatasource, type WorkloadIdentity } from "../types";
import type { GkeCluster } from "./gke-cluster";

/** The plugin id of Google's Cloud Logging datasource for Grafana. */
export const CLOUD_LOGGING_PLUGIN = "googlecloud-logging-datasource";

/** What the datasource needs of the cluster: its project and name, and the grant. */
export type LogCluster = Pick<GkeCluster, "projectId" | "clusterName"> & {
  grantLogsRead(identity: WorkloadIdentity): gcp.projects.IAMMember;
};

/** Cloud Logging as Grafana's container-log datasource, reading the GKE containers' entries of the project. */
export function cloudLoggingDatasource(cluster: LogCluster): LogDatasource {
  return {
    datasource: pulumi.output<GrafanaDatasource>({
      name: "Container logs",
      type: CLOUD_LOGGING_PLUGIN,
      uid: LOG_DATASOURCE_UID,
      access: "proxy",
      editable: false,
      // "gce": credentials from the metadata server, which Workload Identity answers as the pod's Google account.
      jsonData: { authenticationType: "gce" },
    }),
    plugins: [CLOUD_LOGGING_PLUGIN],
    namespaceLogsTarget: (namespace) =>
      pulumi.all([cluster.projectId, cluster.clusterName]).apply(([projectId, clusterName]): Record<string, unknown> => ({
        refId: "A",
        projectId,
        // GKE writes container logs as the k8s_container monitored resource, labelled with cluster and namespace.
        queryText: `resource.type="k8s_container" AND resource.labels.cluster_name="${clusterName}" AND resource.labels.namespace_name="${namespace}"`,
      })),
    grantRead: (identity) => {
      cluster.grantLogsRead(identity);
    },
  };
}
