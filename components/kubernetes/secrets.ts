// Secrets sync: External Secrets Operator reads the cloud's secret store with workload identity and
// writes Kubernetes Secrets, so no credential ever passes through Pulumi values, stack files or Helm
// values. Workloads reference the Secrets by name.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster, WebhookCaller, WorkloadIdentity } from "../types";
import { localArchive } from "../charts";
import { helmRelease } from "../helm";
import { EXTERNAL_SECRETS_CHART, EXTERNAL_SECRETS_CRDS } from "./charts";
import { CredentialRollout, type RolloutTarget, rolloutAllowances } from "./credential-rollout";
import { PlatformNamespace, type PodSecurity } from "./namespace";
import {
  type Allowance,
  apiServerEgress,
  dnsEgress,
  identityEgress,
  internetHttpsEgress,
  type Labels,
  type PodPeer,
} from "./network-policy";

const EXTERNAL_SECRETS_API = "external-secrets.io/v1";
/**
 * How often each ExternalSecret reads its store. After RDS rotates the master password the old one fails for
 * every new connection, so this bounds how long pods can hold a dead password. Each refresh reads the store
 * once per key (Secrets Manager bills $0.05 per 10,000 calls; README "Secret rotation policy" has the figure).
 */
export const REFRESH_INTERVAL = "5m";
/** Port of the chart's conversion/validation webhook, which the API server calls. */
const EXTERNAL_SECRETS_WEBHOOK_PORT = 10250;
/** The controller's metrics port (the chart's `metrics.listen.port`, container port `metrics`). */
export const EXTERNAL_SECRETS_METRICS_PORT = 8080;
/** The PodMonitor through which Prometheus scrapes the controller. */
const POD_MONITOR = "external-secrets";
/**
 * The chart's controller pods, which serve the `externalsecret_*` metrics; the webhook and cert-controller
 * pods carry other `app.kubernetes.io/name` values.
 */
export const EXTERNAL_SECRETS_CONTROLLER_PODS: Labels = {
  "app.kubernetes.io/name": "external-secrets",
  "app.kubernetes.io/instance": "external-secrets",
};

export interface SecretsSyncArgs {
  cluster: KubernetesCluster;
  /** Namespace created for the operator. @default "external-secrets" */
  namespace?: string;
  podSecurity: PodSecurity;
  /** `spec.provider` of the ClusterSecretStore (ClusterServices.secretStoreProvider). */
  storeProvider: pulumi.Input<Record<string, unknown>>;
  /** Where the API server's calls to the webhook arrive from (ClusterServices.webhookCallers). */
  webhookCallers: readonly WebhookCaller[];
  /** Prometheus pods, admitted to the controller's metrics port. */
  scrapers: Required<PodPeer>;
}

/** One key of a synced Secret: where its value lives in the cloud's store. */
export interface SyncedKey {
  /** Key in the Kubernetes Secret. */
  secretKey: string;
  /** Secret-store reference (ARN, Secret Manager id). */
  remoteKey: pulumi.Input<string>;
  /** JSON property of the stored value. @default the whole value */
  property?: string;
}

/** The chart's webhook pods (conversion and validation), which the API server calls. */
const WEBHOOK_PODS: Labels = { "app.kubernetes.io/name": "external-secrets-webhook", "app.kubernetes.io/instance": "external-secrets" };

export class SecretsSync extends pulumi.ComponentResource {
  /** Name of the ClusterSecretStore every ExternalSecret of the platform reads from. */
  readonly storeName = "platform-secrets";
  readonly namespace: string;
  /**
   * The Prometheus job of the controller's metrics: the operator names a PodMonitor's job
   * `<namespace>/<PodMonitor name>` when the monitor sets no jobLabel.
   */
  readonly metricsJob: string;
  /** The operator's cloud identity: grant it read access to each secret it must sync. */
  readonly identity: WorkloadIdentity;
  readonly store: k8s.apiextensions.CustomResource;
  /** The API server's addresses, which the job restarting a synced credential's readers calls. */
  private readonly apiServerCidrs: pulumi.Input<string[]>;
  private readonly release: k8s.helm.v3.Release;
  private readonly componentName: string;

  constructor(name: string, args: SecretsSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:kubernetes:SecretsSync", name, {}, opts);
    const namespace = args.namespace ?? "external-secrets";
    this.namespace = namespace;
    this.metricsJob = `${namespace}/${POD_MONITOR}`;
    this.componentName = name;
    this.apiServerCidrs = args.cluster.apiServerCidrs;
    const ns = new PlatformNamespace(
      `${name}-ns`,
      {
        name: namespace,
        podSecurity: args.podSecurity,
        allowances: [
          dnsEgress(),
          apiServerEgress(args.cluster.apiServerCidrs),
          // AWS Secrets Manager / Google Secret Manager and the cloud's STS, over HTTPS.
          internetHttpsEgress("secret-store"),
          ...identityEgress(args.cluster.identityEndpoint),
          {
            name: "webhook",
            direction: "Ingress",
            pods: WEBHOOK_PODS,
            peers: [...args.webhookCallers],
            ports: [{ port: EXTERNAL_SECRETS_WEBHOOK_PORT }],
          },
          {
            name: "from-prometheus",
            direction: "Ingress",
            pods: EXTERNAL_SECRETS_CONTROLLER_PODS,
            peers: [args.scrapers],
            ports: [{ port: EXTERNAL_SECRETS_METRICS_PORT }],
          },
        ],
      },
      { parent: this },
    );
    this.identity = args.cluster.bindServiceAccount("external-secrets", { namespace, name: "external-secrets" });
    // The chart's archive carries no CRDs: they are applied from the release's bundle (server-side, so a
    // version change updates them) before the operator that serves them.
    const crds = new k8s.yaml.v2.ConfigFile(`${name}-crds`, { file: localArchive(EXTERNAL_SECRETS_CRDS) }, { parent: this });
    this.release = helmRelease(
      `${name}-operator`,
      {
        chart: EXTERNAL_SECRETS_CHART,
        name: "external-secrets",
        namespace: ns.ready,
        values: {
          installCRDs: false,
          serviceAccount: { create: true, name: "external-secrets", annotations: this.identity.serviceAccountAnnotations },
          resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
          webhook: {
            port: EXTERNAL_SECRETS_WEBHOOK_PORT,
            resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
          },
          certController: { resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } } },
        },
        dependsOn: [crds],
      },
      this,
    );
    this.store = new k8s.apiextensions.CustomResource(
      `${name}-store`,
      {
        apiVersion: EXTERNAL_SECRETS_API,
        kind: "ClusterSecretStore",
        metadata: { name: this.storeName },
        spec: { provider: args.storeProvider },
      },
      { parent: this, dependsOn: [this.release] },
    );
    this.registerOutputs({ storeName: this.storeName, namespace: this.namespace });
  }

  /**
   * The PodMonitor through which Prometheus scrapes the controller: `externalsecret_status_condition` and
   * `externalsecret_sync_calls_error` tell when a Secret stops following its store, which an alert rule reads.
   * A PodMonitor of the platform rather than the chart's ServiceMonitor: the operator is installed before
   * monitoring (whose exporters read synced Secrets), so its release cannot wait for the Prometheus CRDs.
   */
  monitor(prometheusCrds: pulumi.Resource): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
      `${this.componentName}-metrics`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: POD_MONITOR, namespace: this.namespace },
        spec: {
          selector: { matchLabels: EXTERNAL_SECRETS_CONTROLLER_PODS },
          podMetricsEndpoints: [{ port: "metrics", interval: "30s" }],
        },
      },
      { parent: this, dependsOn: [this.release, prometheusCrds] },
    );
  }

  /** What a namespace with readers to restart must allow: its rollout job's calls to the API server. */
  rolloutAllowances(): Allowance[] {
    return rolloutAllowances(this.apiServerCidrs);
  }

  /**
   * Restarts each target Deployment when a synced Secret it reads changes (credential-rollout.ts): a pod reads
   * its credentials at start, so a rotated value reaches it only with a new pod. The namespace must carry
   * rolloutAllowances().
   */
  restartReaders(name: string, namespace: pulumi.Input<string>, targets: RolloutTarget[], parent: pulumi.Resource): CredentialRollout {
    return new CredentialRollout(name, { namespace, targets }, { parent });
  }

  /**
   * An ExternalSecret that keeps the Kubernetes Secret `secretName` in `namespace` in step with the store.
   * Returns the ExternalSecret; pods reference the Secret by name.
   */
  sync(
    name: string,
    namespace: pulumi.Input<string>,
    secretName: string,
    keys: SyncedKey[],
    parent: pulumi.Resource,
  ): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: EXTERNAL_SECRETS_API,
        kind: "ExternalSecret",
        metadata: { name: secretName, namespace },
        spec: {
          refreshInterval: REFRESH_INTERVAL,
          secretStoreRef: { kind: "ClusterSecretStore", name: this.storeName },
          // Owner: the Secret is garbage-collected with its ExternalSecret. Retain: should the stored secret
          // vanish, pods keep the last value instead of losing their credentials.
          target: { name: secretName, creationPolicy: "Owner", deletionPolicy: "Retain" },
          data: keys.map((k) => ({ secretKey: k.secretKey, remoteRef: { key: k.remoteKey, ...(k.property && { property: k.property }) } })),
        },
      },
      { parent, dependsOn: [this.store] },
    );
  }
}
