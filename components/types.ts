// Cloud-neutral contracts. The Kubernetes layer (components/kubernetes) depends only on these; each
// cloud implements them (components/aws, components/gcp). No `if (cloud === ...)` on the consuming side.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** A Kubernetes service account, by namespace and name. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/**
 * A cloud identity one Kubernetes service account acts as: an IAM role trusted through IRSA or EKS Pod
 * Identity on AWS, a Google service account through Workload Identity on GCP. Cloud resources grant
 * access to it (`bucket.grantWrite(identity)`); the Kubernetes layer only annotates the account.
 */
export interface WorkloadIdentity {
  /** The service account this identity is bound to; no other account can assume it. */
  readonly serviceAccount: ServiceAccountRef;
  /** Annotations the ServiceAccount object must carry (empty where the binding lives in the cloud). */
  readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** IAM role ARN (AWS) or Google service account e-mail (GCP). */
  readonly principal: pulumi.Output<string>;
  /** What grants attach to: IAM role name (AWS) or Google service account resource name (GCP). */
  readonly principalId: pulumi.Output<string>;
}

/**
 * A source of the API server's calls to in-cluster webhooks: address ranges it calls from, or the pods that
 * relay its calls (which a network policy sees as the source).
 */
export type WebhookCaller =
  { readonly cidrs: pulumi.Input<string[]> } | { readonly namespace: string; readonly pods: Readonly<Record<string, string>> };

/** A managed Kubernetes cluster with what the Kubernetes layer needs to build on it. */
export interface KubernetesCluster {
  readonly clusterName: pulumi.Output<string>;
  /** Provider for the cluster's API; every Kubernetes resource of the platform goes through it. */
  readonly provider: k8s.Provider;
  /** Kubeconfig for people and pipelines (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** Address ranges the API server is reached at from pods, for egress network policies. */
  readonly apiServerCidrs: pulumi.Input<string[]>;
  /**
   * Where a pod acting as a workload identity fetches its credentials, when that is not HTTPS to the
   * internet: GKE's metadata server. @default none: on EKS the IRSA exchange goes to STS over HTTPS
   */
  readonly identityEndpoint?: IdentityEndpoint;
  /** Creates a cloud identity that only the given service account can use. */
  bindServiceAccount(name: string, account: ServiceAccountRef): WorkloadIdentity;
}

/** An address a workload identity's credentials come from, for egress network policies. */
export interface IdentityEndpoint {
  readonly cidrs: string[];
  readonly port: number;
}

/** A network endpoint in private address space that network policies may open egress to. */
export interface PrivateEndpoint {
  readonly host: pulumi.Output<string>;
  readonly port: number;
  /** Address ranges the service's addresses come from (its subnets or reserved range). */
  readonly privateCidrs: pulumi.Input<string[]>;
}

/** PostgreSQL, reachable only from the cluster, with its credentials in the cloud's secret store. */
export interface PostgresEndpoint extends PrivateEndpoint {
  /**
   * Where read-only queries may go: the first read replica's address, or the primary's (`host`) when there is
   * no replica, so a client can always use it. A replica lags the primary by up to seconds.
   */
  readonly readerHost: pulumi.Output<string>;
  readonly databaseName: string;
  /** PostgreSQL major version, e.g. "17": clients (pg_dump) must be at least this new. */
  readonly engineMajor: string;
  readonly username: pulumi.Output<string>;
  /** Secret-store reference of the credentials: a JSON value `{"username", "password"}` (Secrets Manager ARN, Secret Manager secret id). */
  readonly credentialsSecret: pulumi.Output<string>;
  /**
   * Days between the store's rotations of the password.
   * @default - none: the password does not rotate on a schedule (Cloud SQL's generated one)
   */
  readonly credentialRotationDays?: number;
  /** Lets the identity read the credentials from the secret store. */
  grantCredentialsRead(identity: WorkloadIdentity): void;
}

/** Redis-compatible cache with TLS and an AUTH token in the cloud's secret store. */
export interface RedisEndpoint extends PrivateEndpoint {
  readonly tls: true;
  /** Secret-store reference of the AUTH token. */
  readonly authSecret: pulumi.Output<string>;
  /**
   * PEM certificates a client must trust for the server's TLS certificate when it is not signed by a public
   * CA (Memorystore's per-instance CA; more than one during a CA rotation); absent where the system trust
   * store verifies it (ElastiCache).
   * @default - none: the system trust store verifies the server's certificate
   */
  readonly serverCaCertificates?: pulumi.Output<string[]>;
  /** Lets the identity read the AUTH token from the secret store. */
  grantAuthRead(identity: WorkloadIdentity): void;
}

/** Object storage for logical backups. */
export interface BackupStore {
  readonly bucketName: pulumi.Output<string>;
  /** `s3://bucket` or `gs://bucket`. */
  readonly url: pulumi.Output<string>;
  /**
   * Environment variables that configure an rclone remote named `backup` for this store, authenticated by
   * the pod's workload identity (no keys). Paths are `backup:<bucketName>/<key>`.
   */
  readonly rcloneEnv: pulumi.Output<Record<string, string>>;
  /** Lets the identity write (and list) backups; it cannot delete versions or change the bucket. */
  grantWrite(identity: WorkloadIdentity): void;
  /** Lets the identity read backups, for restore verification. */
  grantRead(identity: WorkloadIdentity): void;
}

/** How the gateway's Service gets a cloud L4 load balancer. */
export interface LoadBalancerClass {
  /** Annotations for the gateway's `type: LoadBalancer` Service (empty where the cloud's default is right). */
  readonly serviceAnnotations: Record<string, string>;
  /** What must run before that Service is created (the controller that reconciles it), or none. */
  readonly dependsOn: pulumi.Resource[];
  /**
   * Whether the load balancer prepends PROXY protocol v2 (so the gateway learns each client's address
   * from it rather than from the TCP source, which is then the load balancer's).
   */
  readonly proxyProtocol: boolean;
  /** Where the load balancer's connections and health checks reach the gateway pods from. */
  readonly sourceCidrs: pulumi.Input<string[]>;
}

/** What the cloud adds to the cluster so the Kubernetes layer can build on it. */
export interface ClusterServices {
  readonly loadBalancer: LoadBalancerClass;
  /** StorageClass for persistent volumes: encrypted, expandable, bound where the pod lands. */
  readonly storageClassName: pulumi.Output<string>;
  /**
   * `spec.provider` of a ClusterSecretStore for the cloud's secret store, authenticated as the External
   * Secrets controller's own service account (whose identity the cloud resources grant reads to).
   */
  readonly secretStoreProvider: pulumi.Output<Record<string, unknown>>;
  /** Addresses of the nodes, for scraping kubelets and node exporters. */
  readonly nodeCidrs: pulumi.Input<string[]>;
  /** Where the API server's calls to the cluster's webhooks arrive from, for the webhooks' ingress network policies. */
  readonly webhookCallers: readonly WebhookCaller[];
  /** The cluster's DNS server, whose metrics Prometheus scrapes. */
  readonly clusterDns: ClusterDns;
  /** Grafana's view of the cloud's store of container logs (CloudWatch Logs, Cloud Logging). */
  readonly logDatasource: LogDatasource;
  /**
   * The namespace where the cloud's log collector runs below the restricted Pod Security level, made by the
   * cloud (an EKS add-on); absent where the collector is part of the managed control plane (GKE).
   * @default none: no namespace runs below the environment's level
   */
  readonly logCollector?: LogCollectorNamespace;
}

/**
 * A namespace the cloud's own add-on makes for its log collector, whose DaemonSets need hostPath and the
 * host network: the platform labels it as the one declared exception below restricted and gives its pods
 * that are not on the host network a default-deny with these paths.
 */
export interface LogCollectorNamespace {
  readonly name: string;
  /** The add-on's pods that serve admission webhooks (called by the API server from the node subnets), and their port. */
  readonly webhook: { readonly pods: Readonly<Record<string, string>>; readonly port: number };
  /** Metrics ports of the namespace's pods that the host-network agent scrapes from the node's address. */
  readonly nodeScrapedPorts: readonly number[];
}

/** The uid of the container-log datasource in Grafana, which dashboards' log panels name. */
export const LOG_DATASOURCE_UID = "container-logs";

/** A Grafana datasource as a provisioning file (the chart's `grafana.additionalDataSources`) lists it. */
export interface GrafanaDatasource {
  readonly name: string;
  /** The datasource plugin's id. */
  readonly type: string;
  readonly uid: typeof LOG_DATASOURCE_UID;
  readonly access: "proxy";
  readonly editable: false;
  readonly jsonData: Record<string, string>;
}

/**
 * The cloud's container log store as a Grafana datasource, authenticated as the Grafana pod's workload
 * identity (no keys), with the read-only grant that identity needs and the query of a namespace's logs.
 */
export interface LogDatasource {
  readonly datasource: pulumi.Output<GrafanaDatasource>;
  /** Plugin ids Grafana must install for the datasource (the chart's `grafana.plugins`); none for built-in ones. */
  readonly plugins: readonly string[];
  /**
   * A logs panel's query target for every container log line of `namespace` (a name, or a dashboard variable
   * such as `$app` that Grafana replaces before it queries).
   */
  namespaceLogsTarget(namespace: string): pulumi.Output<Record<string, unknown>>;
  /** Lets the identity read the cluster's container logs, and nothing else of the log store. */
  grantRead(identity: WorkloadIdentity): void;
}

/**
 * The cluster's DNS server, in kube-system with the label k8s-app=kube-dns on every cloud: CoreDNS serves
 * its metrics on 9153 (EKS); kube-dns serves them from its dnsmasq sidecar on 10054 and from kube-dns
 * itself on 10055 (GKE).
 */
export interface ClusterDns {
  readonly server: "coredns" | "kube-dns";
  readonly metricsPorts: number[];
}
