// Monitoring: kube-prometheus-stack (Prometheus, Alertmanager, Grafana, kube-state-metrics) with its CRDs
// in a release of their own so chart upgrades update them; exporters pointed at the managed Postgres and
// Redis; the platform's alert rules and dashboards as code. Grafana's admin password is generated and
// held as a secret; the Alertmanager webhook URL reaches Alertmanager as a mounted Secret, never as a
// Helm value.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type {
  ClusterDns,
  KubernetesCluster,
  LogDatasource,
  PostgresEndpoint,
  RedisEndpoint,
  WebhookCaller,
  WorkloadIdentity,
} from "../types";
import { alertRuleGroups, type AlertRulesArgs, EXTERNAL_SECRETS_DATA_HASH } from "./alert-rules";
import { APP_VARIABLE, appLogsDashboardJson, dashboardJson, type DashboardArgs, platformDashboards } from "./dashboards";
import { helmRelease } from "../helm";
import { KUBE_PROMETHEUS_STACK_CHART, PROMETHEUS_CRDS_CHART } from "./charts";
import { type SecretTarget, syncPostgresCredentials, syncRedisAuth } from "./credentials";
import { PlatformNamespace, type PodSecurity } from "./namespace";
import { type ServerCaTarget, type TrustedServerCa, trustServerCa } from "./server-ca";
import {
  type Allowance,
  apiServerEgress,
  dnsEgress,
  identityEgress,
  internetHttpsEgress,
  type Labels,
  type PodPeer,
} from "./network-policy";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./pod-security";
import type { SecretsSync } from "./secrets";

/** Helm release name of kube-prometheus-stack: the chart names its objects, and the estimate finds its volumes, by it. */
export const STACK_RELEASE = "kube-prometheus-stack";
export const PROMETHEUS_PODS: Labels = { "app.kubernetes.io/name": "prometheus" };
const ALERTMANAGER_PODS: Labels = { "app.kubernetes.io/name": "alertmanager" };
const OPERATOR_PODS: Labels = { app: "kube-prometheus-stack-operator" };
/** The grafana subchart's selector label (its chart name). */
const GRAFANA_PODS: Labels = { "app.kubernetes.io/name": "grafana" };
/** Grafana's service account, named here rather than left to the chart so its workload identity can name it. */
export const GRAFANA_SERVICE_ACCOUNT = "grafana";

export type ExporterKind = "postgres" | "redis";
/** What one kind of exporter differs in; everything else about an exporter is the same for both. */
export interface Exporter {
  image: string;
  /** Port the metrics are served on. */
  port: number;
  /** The image's unprivileged user: named users cannot be verified by kubelet, so the id is given. */
  userId: number;
  /**
   * Syncs the exporter's credentials into `target` and returns them with the env that points it at its
   * endpoint; when the endpoint's certificate needs a CA bundle, also that bundle, as the ConfigMap `ca`.
   */
  connect(target: SecretTarget, ca: ServerCaTarget, endpoints: Pick<MonitoringArgs, "database" | "cache">): ExporterConnection;
}
/** What an exporter's Deployment needs to reach its endpoint. */
export interface ExporterConnection {
  synced: k8s.apiextensions.CustomResource;
  env: pulumi.Output<k8s.types.input.core.v1.EnvVar[]>;
  /** The server CA bundle to mount. @default - none: the system trust store verifies the endpoint */
  trust?: TrustedServerCa;
}
/** The exporters, one entry per kind: the managed Postgres and Redis, each reached over TLS. */
export const EXPORTERS: Readonly<Record<ExporterKind, Exporter>> = {
  postgres: {
    image: "quay.io/prometheuscommunity/postgres-exporter:v0.20.1",
    port: 9187,
    userId: 65534,
    connect: (target, _ca, { database }) => {
      const credentials = syncPostgresCredentials(target, database, { user: "DATA_SOURCE_USER", password: "DATA_SOURCE_PASS" });
      return {
        synced: credentials.sync,
        env: pulumi
          .output(database.host)
          .apply((host) => [
            { name: "DATA_SOURCE_URI", value: `${host}:${database.port}/${database.databaseName}?sslmode=require` },
            ...credentials.env,
          ]),
      };
    },
  },
  redis: {
    image: "quay.io/oliver006/redis_exporter:v1.88.0",
    port: 9121,
    userId: 59000,
    connect: (target, ca, { cache }) => {
      const credentials = syncRedisAuth(target, cache, { password: "REDIS_PASSWORD" });
      // redis_exporter's --tls-ca-cert-file: the roots it verifies the server with, in place of the system's.
      const trust = trustServerCa(ca, cache, "REDIS_EXPORTER_TLS_CA_CERT_FILE");
      return {
        synced: credentials.sync,
        env: pulumi
          .output(cache.host)
          .apply((host) => [
            { name: "REDIS_ADDR", value: `rediss://${host}:${cache.port}` },
            ...(trust ? [trust.env] : []),
            ...credentials.env,
          ]),
        ...(trust && { trust }),
      };
    },
  },
};
/** An exporter's name: its Deployment, Service, ServiceMonitor and pod label. */
const exporterName = (kind: ExporterKind) => `${kind}-exporter`;
/** Ports monitoring's own pods serve each other: Prometheus, Alertmanager, Grafana, kube-state-metrics, the operator, reloaders, exporters. */
const MONITORING_INTERNAL_PORTS = [9090, 9093, 3000, 8080, 8081, 10250, EXPORTERS.postgres.port, EXPORTERS.redis.port];
const WEBHOOK_SECRET = "alertmanager-webhook";
const GRAFANA_SECRET = "grafana-admin";

/** A metrics endpoint outside the monitoring namespace that Prometheus scrapes. */
export interface ScrapeTarget {
  namespace: string;
  port: number;
  /** @default every pod of the namespace */
  pods?: Labels;
}

export interface MonitoringArgs {
  cluster: KubernetesCluster;
  /** @default "monitoring" */
  namespace?: string;
  podSecurity: PodSecurity;
  storageClassName: pulumi.Input<string>;
  /** Addresses of the nodes (kubelet and cAdvisor metrics on 10250). */
  nodeCidrs: pulumi.Input<string[]>;
  /** Where the API server's calls to the Prometheus operator's webhook arrive from (ClusterServices.webhookCallers). */
  webhookCallers: readonly WebhookCaller[];
  prometheusRetentionDays: number;
  prometheusStorageGb: number;
  grafanaStorageGb: number;
  /** Where alerts go: a webhook URL (Slack, PagerDuty, ...), secret. @default none: alerts stay in Alertmanager */
  alertWebhookUrl?: pulumi.Output<string>;
  database: PostgresEndpoint;
  cache: RedisEndpoint;
  secrets: SecretsSync;
  /** Metrics endpoints in other namespaces (the cluster DNS's among them, on `clusterDns.metricsPorts`). */
  scrapeTargets: ScrapeTarget[];
  /** The cluster's DNS server: the chart monitors CoreDNS or kube-dns, whichever the cluster runs. */
  clusterDns: ClusterDns;
  rules: AlertRulesArgs;
  dashboards: DashboardArgs;
  /** The cloud's container log store (ClusterServices.logDatasource), which Grafana reads as its own identity. */
  logs: LogDatasource;
  /** Apps the "App logs and errors" dashboard offers, each in the namespace of its name; none makes no such dashboard. */
  apps: string[];
}

/** The monitoring namespace's allowances. */
function monitoringAllowances(
  a: Pick<MonitoringArgs, "cluster" | "nodeCidrs" | "webhookCallers" | "database" | "cache" | "scrapeTargets">,
): Allowance[] {
  const targets = new Map<string, ScrapeTarget[]>();
  for (const t of a.scrapeTargets) targets.set(t.namespace, [...(targets.get(t.namespace) ?? []), t]);
  return [
    dnsEgress(),
    // The operator, Prometheus (discovery), Grafana's dashboard sidecar, kube-state-metrics and the chart's hook jobs.
    apiServerEgress(a.cluster.apiServerCidrs),
    { name: "operator-webhook", direction: "Ingress", pods: OPERATOR_PODS, peers: [...a.webhookCallers], ports: [{ port: 10250 }] },
    { name: "within-namespace-in", direction: "Ingress", peers: [{}], ports: MONITORING_INTERNAL_PORTS.map((port) => ({ port })) },
    { name: "within-namespace-out", direction: "Egress", peers: [{}], ports: MONITORING_INTERNAL_PORTS.map((port) => ({ port })) },
    { name: "scrape-kubelets", direction: "Egress", pods: PROMETHEUS_PODS, peers: [{ cidrs: a.nodeCidrs }], ports: [{ port: 10250 }] },
    ...[...targets].map(([namespace, list]): Allowance => ({
      name: `scrape-${namespace}`,
      direction: "Egress",
      pods: PROMETHEUS_PODS,
      peers: [...new Map(list.map((t) => [JSON.stringify(t.pods ?? {}), { namespace, ...(t.pods && { pods: t.pods }) }])).values()],
      ports: [...new Set(list.map((t) => t.port))].map((port) => ({ port })),
    })),
    internetHttpsEgress("alert-webhook", ALERTMANAGER_PODS),
    // The cloud's log API (CloudWatch Logs, Cloud Logging) and STS; on GCP also the metadata server for
    // Grafana's credentials, and grafana.com for the datasource plugin Grafana installs at start.
    internetHttpsEgress("grafana-cloud-api", GRAFANA_PODS),
    ...identityEgress(a.cluster.identityEndpoint, GRAFANA_PODS),
    {
      name: "to-postgres",
      direction: "Egress",
      pods: { "app.kubernetes.io/name": exporterName("postgres") },
      peers: [{ cidrs: a.database.privateCidrs }],
      ports: [{ port: a.database.port }],
    },
    {
      name: "to-redis",
      direction: "Egress",
      pods: { "app.kubernetes.io/name": exporterName("redis") },
      peers: [{ cidrs: a.cache.privateCidrs }],
      ports: [{ port: a.cache.port }],
    },
  ];
}

/**
 * The chart's default inhibit rules (kube-prometheus-stack 88.5.3 values.yaml), kept because a config of our
 * own replaces the chart's lists: a critical alert silences warning and info alerts of the same name and
 * namespace, a warning silences info, and the always-firing InfoInhibitor silences info alerts of its
 * namespace (and is itself silenced while anything else fires).
 */
const CHART_INHIBIT_RULES = [
  { source_matchers: ["severity = critical"], target_matchers: ["severity =~ warning|info"], equal: ["namespace", "alertname"] },
  { source_matchers: ["severity = warning"], target_matchers: ["severity = info"], equal: ["namespace", "alertname"] },
  { source_matchers: ["alertname = InfoInhibitor"], target_matchers: ["severity = info"], equal: ["namespace"] },
  { target_matchers: ["alertname = InfoInhibitor"] },
];

/**
 * Alertmanager's config: every warning and critical alert to the webhook (read from a mounted file), or
 * nowhere when none is set; info and severity-less bookkeeping alerts never leave Alertmanager.
 */
export function alertmanagerConfig(hasWebhook: boolean): Record<string, unknown> {
  const receivers = hasWebhook
    ? [
        { name: "null" },
        { name: "webhook", webhook_configs: [{ url_file: `/etc/alertmanager/secrets/${WEBHOOK_SECRET}/url`, send_resolved: true }] },
      ]
    : [{ name: "null" }];
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: hasWebhook ? "webhook" : "null",
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        // The always-firing Watchdog proves the pipeline works; it is not a page.
        { receiver: "null", matchers: ['alertname = "Watchdog"'] },
        // InfoInhibitor only exists to silence info alerts through the inhibit rules.
        { receiver: "null", matchers: ['alertname = "InfoInhibitor"'] },
        // Info alerts are for dashboards and Alertmanager's UI, not for whoever reads the webhook.
        { receiver: "null", matchers: ['severity =~ "info|none"'] },
      ],
    },
    inhibit_rules: CHART_INHIBIT_RULES,
    receivers,
    // The chart's default: templates mounted beside the config.
    templates: ["/etc/alertmanager/config/*.tmpl"],
  };
}

/** The size checks, before anything is registered. */
function checkMonitoringArgs(name: string, args: MonitoringArgs): void {
  for (const [key, value] of [
    ["prometheusRetentionDays", args.prometheusRetentionDays],
    ["prometheusStorageGb", args.prometheusStorageGb],
    ["grafanaStorageGb", args.grafanaStorageGb],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`Monitoring ${name}: args.${key} must be a whole number >= 1 (got ${JSON.stringify(value)})`);
  }
}

/**
 * Requests and memory limits of the operator, its admission Jobs and kube-state-metrics, which the chart leaves
 * unset; and the Secret annotation kube-state-metrics exports.
 */
const OPERATOR_VALUES = {
  prometheusOperator: {
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    // The Jobs that create and patch the admission webhook's certificate.
    admissionWebhooks: { patch: { resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } } } },
  },
  "kube-state-metrics": {
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    // The data-hash annotation of Secrets as a label of kube_secret_annotations: the rotation alert counts its values.
    metricAnnotationsAllowList: [`secrets=[${EXTERNAL_SECRETS_DATA_HASH}]`],
  },
};

/**
 * kube-prometheus-stack's values: no CRDs (a release of their own), nothing for the control plane a
 * managed cluster hides, Prometheus selecting every rule and monitor of the cluster, Alertmanager routing
 * to the webhook when there is one, Grafana with the admin Secret and a persistent volume.
 */
function stackValues(args: MonitoringArgs, namespaceName: string, hasWebhook: boolean, grafana: WorkloadIdentity): Record<string, unknown> {
  const volume = (gb: number) => ({
    volumeClaimTemplate: {
      spec: { storageClassName: args.storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gb}Gi` } } },
    },
  });
  return {
    crds: { enabled: false },
    // Managed control planes expose no controller-manager, scheduler, etcd or kube-proxy metrics.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    coreDns: { enabled: args.clusterDns.server === "coredns" },
    kubeDns: { enabled: args.clusterDns.server === "kube-dns" },
    // node-exporter needs host namespaces and hostPath, which the restricted Pod Security level
    // refuses; node metrics come from kubelet/cAdvisor and the cloud's node monitoring instead.
    nodeExporter: { enabled: false },
    ...OPERATOR_VALUES,
    defaultRules: {
      create: true,
      rules: {
        etcd: false,
        kubeControllerManager: false,
        kubeSchedulerAlerting: false,
        kubeSchedulerRecording: false,
        kubeProxy: false,
        node: false,
        nodeExporterAlerting: false,
        nodeExporterRecording: false,
        kubePrometheusNodeRecording: false,
        windows: false,
      },
    },
    prometheus: {
      prometheusSpec: {
        retention: `${args.prometheusRetentionDays}d`,
        // Leave a tenth of the volume free so compaction never fills it.
        retentionSize: `${Math.floor(args.prometheusStorageGb * 0.9)}GB`,
        storageSpec: volume(args.prometheusStorageGb),
        // Every ServiceMonitor, PodMonitor and PrometheusRule of the cluster, not only the chart's own.
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "4Gi" } },
      },
    },
    alertmanager: {
      config: alertmanagerConfig(hasWebhook),
      alertmanagerSpec: {
        ...(hasWebhook && { secrets: [WEBHOOK_SECRET] }),
        storage: volume(2),
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      },
    },
    grafana: {
      admin: { existingSecret: GRAFANA_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
      persistence: { enabled: true, size: `${args.grafanaStorageGb}Gi`, storageClassName: args.storageClassName },
      // One pod owns the volume: replace it rather than roll a second one onto the same disk.
      deploymentStrategy: { type: "Recreate" },
      // Ownership comes from fsGroup; the chown init container would run as root.
      initChownData: { enabled: false },
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
      sidecar: {
        dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: namespaceName },
        resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      },
      "grafana.ini": { analytics: { check_for_updates: false, reporting_enabled: false } },
      // The log store's credentials come from the account's workload identity, never from keys.
      serviceAccount: { name: GRAFANA_SERVICE_ACCOUNT, annotations: grafana.serviceAccountAnnotations },
      additionalDataSources: [args.logs.datasource],
      // Installed when Grafana starts (GF_PLUGINS_PREINSTALL_SYNC), downloaded from grafana.com.
      ...(args.logs.plugins.length > 0 && { plugins: [...args.logs.plugins] }),
    },
  };
}

/** An exporter's Deployment spec: one restricted pod serving metrics on the exporter's port. */
function exporterDeploymentSpec(app: string, exporter: Exporter, labels: Labels, connection: ExporterConnection) {
  const trust = connection.trust;
  return {
    replicas: 1,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        automountServiceAccountToken: false,
        securityContext: restrictedPodSecurity(exporter.userId),
        containers: [
          {
            name: app,
            image: exporter.image,
            ports: [{ name: "metrics", containerPort: exporter.port }],
            env: connection.env,
            ...(trust && { volumeMounts: [trust.volumeMount] }),
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
            livenessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 30 },
            readinessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 10 },
            securityContext: restrictedContainerSecurity(),
          },
        ],
        ...(trust && { volumes: [trust.volume] }),
      },
    },
  };
}

export class Monitoring extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly scrapers: Required<PodPeer>;
  /** The Prometheus operator's CRDs (ServiceMonitor, PodMonitor, PrometheusRule): objects of those kinds wait for it. */
  readonly crds: k8s.helm.v3.Release;
  /** Grafana's admin password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    checkMonitoringArgs(name, args);
    super("platform:kubernetes:Monitoring", name, {}, opts);
    const namespaceName = args.namespace ?? "monitoring";
    this.namespace = namespaceName;
    this.scrapers = { namespace: namespaceName, pods: PROMETHEUS_PODS };
    const ns = new PlatformNamespace(
      `${name}-ns`,
      {
        name: namespaceName,
        podSecurity: args.podSecurity,
        allowances: [...monitoringAllowances(args), ...args.secrets.rolloutAllowances()],
      },
      { parent: this },
    );
    const namespace = ns.ready;
    this.crds = helmRelease(
      `${name}-crds`,
      { chart: PROMETHEUS_CRDS_CHART, name: "prometheus-operator-crds", namespace, values: {} },
      this,
    );
    const password = new random.RandomPassword(`${name}-grafana-password`, { length: 32, special: false }, { parent: this });
    this.grafanaAdminPassword = pulumi.secret(password.result);
    const grafana = args.cluster.bindServiceAccount("grafana", { namespace: namespaceName, name: GRAFANA_SERVICE_ACCOUNT });
    args.logs.grantRead(grafana);
    const stack = this.stack(name, args, namespace, grafana);
    const exporters = (["postgres", "redis"] as const).map((kind) => this.exporter(name, kind, args, namespace, [this.crds, stack]));
    // The exporters read their credentials at start: restarted when a rotation changes them.
    args.secrets.restartReaders(
      `${name}-rollout`,
      namespace,
      exporters.map((e) => ({ deployment: e.deployment.metadata.name, secrets: [e.secretName] })),
      this,
    );
    this.rulesAndDashboards(name, args, namespace, { parent: this, dependsOn: [this.crds, stack] });
    this.registerOutputs({ namespace: this.namespace });
  }

  /** The chart's release, after the Secrets it reads: Grafana's admin and, when alerts leave, the webhook URL. */
  private stack(name: string, args: MonitoringArgs, namespace: pulumi.Output<string>, grafana: WorkloadIdentity): k8s.helm.v3.Release {
    const grafanaSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: GRAFANA_SECRET, namespace },
        type: "Opaque",
        stringData: { "admin-user": "admin", "admin-password": this.grafanaAdminPassword },
      },
      { parent: this },
    );
    const webhook = args.alertWebhookUrl
      ? new k8s.core.v1.Secret(
          `${name}-alert-webhook`,
          { metadata: { name: WEBHOOK_SECRET, namespace }, type: "Opaque", stringData: { url: pulumi.secret(args.alertWebhookUrl) } },
          { parent: this },
        )
      : undefined;
    return helmRelease(
      `${name}-stack`,
      {
        chart: KUBE_PROMETHEUS_STACK_CHART,
        name: STACK_RELEASE,
        namespace,
        timeoutSeconds: 900,
        dependsOn: [this.crds, grafanaSecret, ...(webhook ? [webhook] : [])],
        values: stackValues(args, this.namespace, webhook !== undefined, grafana),
      },
      this,
    );
  }

  /** An exporter of EXPORTERS: credentials synced from the store, metrics scraped through a ServiceMonitor. */
  private exporter(
    name: string,
    kind: ExporterKind,
    args: MonitoringArgs,
    namespace: pulumi.Output<string>,
    monitorNeeds: pulumi.Resource[],
  ): { deployment: k8s.apps.v1.Deployment; secretName: string } {
    const app = exporterName(kind);
    const labels = { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "platform" };
    const target = {
      secrets: args.secrets,
      resourceName: `${name}-${app}-credentials`,
      namespace,
      secretName: `${app}-credentials`,
      parent: this,
    };
    const ca = { resourceName: `${name}-${app}-ca`, namespace, configMapName: `${app}-ca`, labels, parent: this };
    const exporter = EXPORTERS[kind];
    const connection = exporter.connect(target, ca, args);
    const deployment = new k8s.apps.v1.Deployment(
      `${name}-${app}`,
      { metadata: { name: app, namespace, labels }, spec: exporterDeploymentSpec(app, exporter, labels, connection) },
      { parent: this, dependsOn: [connection.synced, ...(connection.trust ? [connection.trust.configMap] : [])] },
    );
    const port = exporter.port;
    const service = new k8s.core.v1.Service(
      `${name}-${app}-service`,
      { metadata: { name: app, namespace, labels }, spec: { selector: labels, ports: [{ name: "metrics", port, targetPort: "metrics" }] } },
      { parent: this, dependsOn: [deployment] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-${app}-monitor`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: app, namespace, labels },
        spec: { selector: { matchLabels: labels }, endpoints: [{ port: "metrics", interval: "30s" }] },
      },
      { parent: this, dependsOn: [...monitorNeeds, service] },
    );
    return { deployment, secretName: target.secretName };
  }

  /** The platform's alert rules (once the operator's CRDs and the stack exist) and its Grafana dashboards. */
  private rulesAndDashboards(
    name: string,
    args: MonitoringArgs,
    namespace: pulumi.Output<string>,
    afterStack: pulumi.CustomResourceOptions,
  ): void {
    new k8s.apiextensions.CustomResource(
      `${name}-rules`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "platform-alerts", namespace },
        spec: { groups: alertRuleGroups(args.rules) },
      },
      afterStack,
    );
    for (const dashboard of platformDashboards(args.dashboards)) {
      new k8s.core.v1.ConfigMap(
        `${name}-dashboard-${dashboard.uid}`,
        {
          metadata: { name: `dashboard-${dashboard.uid}`, namespace, labels: { grafana_dashboard: "1" } },
          data: { [`${dashboard.uid}.json`]: dashboardJson(dashboard) },
        },
        { parent: this },
      );
    }
    if (args.apps.length > 0) this.appLogsDashboard(name, args, namespace);
  }

  /** "App logs and errors": the picked app's error rate beside its containers' logs, from the cloud's log store. */
  private appLogsDashboard(name: string, args: MonitoringArgs, namespace: pulumi.Output<string>): void {
    const json = pulumi
      .all([args.logs.datasource, args.logs.namespaceLogsTarget(`$${APP_VARIABLE}`)])
      .apply(([datasource, target]) =>
        appLogsDashboardJson(args.apps, { datasource: { type: datasource.type, uid: datasource.uid }, target }),
      );
    new k8s.core.v1.ConfigMap(
      `${name}-dashboard-platform-app-logs`,
      {
        metadata: { name: "dashboard-platform-app-logs", namespace, labels: { grafana_dashboard: "1" } },
        data: { "platform-app-logs.json": json },
      },
      { parent: this },
    );
  }
}
