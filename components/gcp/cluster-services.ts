// What GKE needs beyond the cluster before the platform's Kubernetes layer can run on it: the gateway's
// Service as an external passthrough Network Load Balancer, a StorageClass on balanced persistent disks,
// the Secret Manager store the External Secrets controller reads through Workload Identity, and where
// kube-dns serves its metrics. Nothing here runs a controller: GKE reconciles load balancers itself.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterDns, ClusterServices, LoadBalancerClass, LogDatasource, WebhookCaller } from "../types";
import type { GkeCluster } from "./gke-cluster";
import { KONNECTIVITY_AGENTS } from "./konnectivity";
import { cloudLoggingDatasource, type LogCluster } from "./log-datasource";

/**
 * A backend-service-based external passthrough Network Load Balancer. It does not proxy: packets reach the
 * nodes with the client's address, and the gateway's `externalTrafficPolicy: Local` keeps it to the pod, so
 * no PROXY protocol is needed. TLS passes through to the gateway, which terminates it.
 */
export const PASSTHROUGH_NLB_ANNOTATIONS: Readonly<Record<string, string>> = { "cloud.google.com/l4-rbs": "enabled" };

/** GKE runs kube-dns: its dnsmasq sidecar serves metrics on 10054, kube-dns itself on 10055 (not CoreDNS's 9153). */
export const KUBE_DNS: ClusterDns = { server: "kube-dns", metricsPorts: [10054, 10055] };

/** The platform's StorageClass: balanced persistent disks, made in the zone the pod is scheduled to. */
export const STORAGE_CLASS_NAME = "pd-balanced";

export interface GcpClusterServicesArgs {
  cluster: Pick<GkeCluster, "provider" | "projectId"> & LogCluster;
  /** The node subnet's primary range: where the nodes and the control plane's private endpoint live. */
  nodeCidrs: string[];
  /** Keep persistent disks when their claim is deleted (staging, production): a deleted PVC never loses data. */
  retainVolumes: boolean;
}

export class GcpClusterServices extends pulumi.ComponentResource implements ClusterServices {
  readonly loadBalancer: LoadBalancerClass;
  readonly storageClassName: pulumi.Output<string>;
  readonly secretStoreProvider: pulumi.Output<Record<string, unknown>>;
  readonly nodeCidrs: string[];
  /**
   * The Konnectivity agents GKE relays the API server's webhook calls through, and the node subnet, where the
   * control plane's private endpoint sits.
   */
  readonly webhookCallers: WebhookCaller[];
  readonly clusterDns = KUBE_DNS;
  readonly logDatasource: LogDatasource;

  constructor(name: string, args: GcpClusterServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.nodeCidrs.length === 0) throw new Error(`GcpClusterServices ${name}: args.nodeCidrs must list the node subnet's range`);
    super("platform:gcp:ClusterServices", name, {}, { ...opts, providers: [args.cluster.provider] });

    this.loadBalancer = {
      serviceAnnotations: { ...PASSTHROUGH_NLB_ANNOTATIONS },
      // GKE's own controller makes the load balancer: nothing to install first.
      dependsOn: [],
      proxyProtocol: false,
      // Clients connect from anywhere and keep their address; Google's health checks probe the nodes, not the pods.
      sourceCidrs: ["0.0.0.0/0"],
    };

    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-pd-balanced`,
      {
        // Not marked default: GKE's standard-rwo stays the default, and every claim of the platform names this class.
        metadata: { name: STORAGE_CLASS_NAME },
        provisioner: "pd.csi.storage.gke.io",
        // Persistent disks are encrypted at rest by Google.
        parameters: { type: "pd-balanced", "csi.storage.k8s.io/fstype": "ext4" },
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: args.retainVolumes ? "Retain" : "Delete",
      },
      { parent: this },
    );
    this.storageClassName = storageClass.metadata.name;
    // No auth block: the controller authenticates as its own Kubernetes service account, which Workload
    // Identity maps to the Google service account the secrets grant reads to (SecretsSync.identity).
    this.secretStoreProvider = args.cluster.projectId.apply((projectID): Record<string, unknown> => ({ gcpsm: { projectID } }));
    this.nodeCidrs = [...args.nodeCidrs];
    this.webhookCallers = [KONNECTIVITY_AGENTS, { cidrs: this.nodeCidrs }];
    this.logDatasource = cloudLoggingDatasource(args.cluster);
    this.registerOutputs({ storageClassName: this.storageClassName, nodeCidrs: this.nodeCidrs });
  }
}
