// The Kubernetes half of the platform, the same on every cloud: it reads only the resolved config and the
// cloud-neutral contracts the cloud half returns (components/types.ts).
import type * as pulumi from "@pulumi/pulumi";
import { AppService } from "../components/kubernetes/app-service";
import {
  BACKUP_CRONJOB,
  CREDENTIALS_SECRET,
  DEFAULT_MAX_DUMP_AGE_HOURS,
  PostgresBackups,
  RESTORE_CRONJOB,
} from "../components/kubernetes/backups";
import { CERT_MANAGER_METRICS_PODS, CERT_MANAGER_METRICS_PORT, CertManager, type IssuerName } from "../components/kubernetes/cert-manager";
import { GATEWAY_NAME, HTTP_LISTENER, IngressGateway, PROXY_PODS, PROXY_PORTS } from "../components/kubernetes/gateway";
import { logCollectorNamespace } from "../components/kubernetes/log-collector";
import { Monitoring, PROMETHEUS_PODS } from "../components/kubernetes/monitoring";
import type { PodSecurity } from "../components/kubernetes/namespace";
import type { PodPeer } from "../components/kubernetes/network-policy";
import { EXTERNAL_SECRETS_CONTROLLER_PODS, EXTERNAL_SECRETS_METRICS_PORT, SecretsSync } from "../components/kubernetes/secrets";
import type { BackupStore, ClusterServices, KubernetesCluster, PostgresEndpoint, RedisEndpoint } from "../components/types";
import type { PlatformConfig } from "./config";

/** What a cloud half (infra/aws.ts, infra/gcp.ts) hands to the Kubernetes layer: only the cloud-neutral contracts. */
export interface CloudPlatform {
  cluster: KubernetesCluster;
  services: ClusterServices;
  database: PostgresEndpoint;
  cache: RedisEndpoint;
  backups: BackupStore;
  /** Stack outputs of the cloud half. */
  outputs: Record<string, pulumi.Input<unknown>>;
}

/** The cloud half's contracts the layer builds on, and where alerts go (a secret, when the stack sets one). */
type KubernetesInputs = Omit<CloudPlatform, "outputs"> & { alertWebhookUrl?: pulumi.Output<string> };

const NAMESPACES = {
  gateway: "gateway",
  certManager: "cert-manager",
  monitoring: "monitoring",
  backups: "backups",
  externalSecrets: "external-secrets",
};

/** Pod Security per environment: restricted is enforced in staging and production; dev enforces baseline and warns on restricted. */
function podSecurityFor(config: PlatformConfig): PodSecurity {
  const version = `v${config.cluster.version}`;
  return config.environment === "dev"
    ? { enforce: "baseline", warn: "restricted", version }
    : { enforce: "restricted", warn: "restricted", version };
}

/** What every Kubernetes component of the platform is built with. */
interface Layer {
  config: PlatformConfig;
  k: KubernetesInputs;
  /** Every Kubernetes resource goes through the cluster's provider. */
  opts: pulumi.ComponentResourceOptions;
  podSecurity: PodSecurity;
  /** Replicas of the system controllers: two survive a node drain, dev runs one. */
  replicas: number;
  /** Prometheus pods, admitted to every metrics port. */
  scrapers: Required<PodPeer>;
}

/**
 * Builds the Kubernetes layer on the cluster the cloud half made: secrets sync, monitoring, the gateway
 * with cert-manager, database backups, then the apps, each given what the earlier steps returned.
 */
export function kubernetesPlatform(config: PlatformConfig, k: KubernetesInputs): Record<string, pulumi.Input<unknown>> {
  const layer: Layer = {
    config,
    k,
    opts: { providers: [k.cluster.provider] },
    podSecurity: podSecurityFor(config),
    replicas: config.environment === "dev" ? 1 : 2,
    scrapers: { namespace: NAMESPACES.monitoring, pods: PROMETHEUS_PODS },
  };
  logCollector(layer);
  const secrets = secretsSync(layer);
  const monitoring = platformMonitoring(layer, secrets);
  secrets.monitor(monitoring.crds);
  const gateway = ingressGateway(layer, monitoring);
  databaseBackups(layer, secrets);
  appServices(layer, secrets, monitoring, gateway);
  return { grafanaAdminPassword: monitoring.grafanaAdminPassword, gatewayNamespace: gateway.namespace };
}

/** The cloud's log collector namespace, where it has one: the declared exception below restricted, with its own default-deny. */
function logCollector({ k, podSecurity, opts }: Layer): void {
  const collector = k.services.logCollector;
  if (!collector) return;
  logCollectorNamespace(
    "log-collector",
    {
      collector,
      podSecurityVersion: podSecurity.version,
      nodeCidrs: k.services.nodeCidrs,
      webhookCallers: k.services.webhookCallers,
      apiServerCidrs: k.cluster.apiServerCidrs,
    },
    opts,
  );
}

/** The External Secrets operator, allowed to read the database credentials and the cache token, and nothing else. */
function secretsSync({ k, podSecurity, scrapers, opts }: Layer): SecretsSync {
  const secrets = new SecretsSync(
    "secrets",
    {
      cluster: k.cluster,
      namespace: NAMESPACES.externalSecrets,
      podSecurity,
      storeProvider: k.services.secretStoreProvider,
      webhookCallers: k.services.webhookCallers,
      scrapers,
    },
    opts,
  );
  // The operator reads the credentials it syncs, and nothing else.
  k.database.grantCredentialsRead(secrets.identity);
  k.cache.grantAuthRead(secrets.identity);
  return secrets;
}

/** Prometheus, Alertmanager and Grafana, scraping the gateway, cert-manager, the External Secrets controller, CoreDNS and every app. */
function platformMonitoring({ config, k, podSecurity, opts }: Layer, secrets: SecretsSync): Monitoring {
  return new Monitoring(
    "monitoring",
    {
      cluster: k.cluster,
      namespace: NAMESPACES.monitoring,
      podSecurity,
      storageClassName: k.services.storageClassName,
      nodeCidrs: k.services.nodeCidrs,
      webhookCallers: k.services.webhookCallers,
      prometheusRetentionDays: config.monitoring.prometheusRetentionDays,
      prometheusStorageGb: config.monitoring.prometheusStorageGb,
      grafanaStorageGb: config.monitoring.grafanaStorageGb,
      ...(k.alertWebhookUrl && { alertWebhookUrl: k.alertWebhookUrl }),
      database: k.database,
      cache: k.cache,
      secrets,
      clusterDns: k.services.clusterDns,
      scrapeTargets: [
        { namespace: NAMESPACES.gateway, port: PROXY_PORTS.metrics, pods: PROXY_PODS },
        { namespace: NAMESPACES.certManager, port: CERT_MANAGER_METRICS_PORT, pods: CERT_MANAGER_METRICS_PODS },
        { namespace: NAMESPACES.externalSecrets, port: EXTERNAL_SECRETS_METRICS_PORT, pods: EXTERNAL_SECRETS_CONTROLLER_PODS },
        ...k.services.clusterDns.metricsPorts.map((port) => ({ namespace: "kube-system", port, pods: { "k8s-app": "kube-dns" } })),
        ...config.apps.map((a) => ({ namespace: a.name, port: a.port })),
      ],
      rules: {
        backupNamespace: NAMESPACES.backups,
        backupCronJob: BACKUP_CRONJOB,
        restoreCronJob: RESTORE_CRONJOB,
        maxBackupAgeHours: DEFAULT_MAX_DUMP_AGE_HOURS,
        maxVerificationAgeHours: 8 * 24,
        databaseMaxStorageGb: config.database.maxStorageGb,
        databaseReadReplicas: config.database.readReplicas,
        externalSecretsJob: secrets.metricsJob,
        // The backups' copy of the credentials: the one Secret every stack syncs from the database's.
        ...(k.database.credentialRotationDays !== undefined && {
          rotatedDatabaseCredentials: {
            namespace: NAMESPACES.backups,
            secret: CREDENTIALS_SECRET,
            rotationDays: k.database.credentialRotationDays,
          },
        }),
      },
      dashboards: { backupNamespace: NAMESPACES.backups, backupCronJob: BACKUP_CRONJOB, restoreCronJob: RESTORE_CRONJOB },
      logs: k.services.logDatasource,
      apps: config.apps.map((a) => a.name),
    },
    opts,
  );
}

/**
 * The gateway serving the domain and every app's hostname over HTTPS. It builds cert-manager once its
 * Gateway API CRDs exist: cert-manager's Gateway API support refuses to start without them, and the
 * gateway's certificates in turn wait for cert-manager. Both keep the stack as parent, so their URNs do
 * not change.
 */
function ingressGateway(layer: Layer, monitoring: Monitoring): IngressGateway {
  const { config, k, podSecurity, scrapers, replicas, opts } = layer;
  return new IngressGateway(
    "gateway",
    {
      cluster: k.cluster,
      loadBalancer: k.services.loadBalancer,
      certManager: (gatewayApiCrds) => certManager(layer, monitoring, gatewayApiCrds),
      namespace: NAMESPACES.gateway,
      podSecurity,
      hostnames: [...new Set([config.domain, ...config.apps.map((a) => a.hostname)])],
      issuer: config.ingress.certificateIssuer,
      rateLimitPerMinute: config.ingress.rateLimitPerMinute,
      backends: config.apps.map((a) => ({ namespace: a.name, port: a.port })),
      scrapers,
      replicas,
      prometheusCrds: monitoring.crds,
    },
    opts,
  );
}

/** cert-manager with the stack's issuer and Let's Encrypt staging, answering HTTP-01 on the gateway's HTTP listener. */
function certManager(
  { config, k, podSecurity, scrapers, replicas, opts }: Layer,
  monitoring: Monitoring,
  gatewayApiCrds: pulumi.Resource,
): CertManager {
  const issuers: IssuerName[] = [...new Set<IssuerName>([config.ingress.certificateIssuer, "letsencrypt-staging"])];
  return new CertManager(
    "cert-manager",
    {
      cluster: k.cluster,
      namespace: NAMESPACES.certManager,
      podSecurity,
      issuers,
      http01Listener: { gatewayName: GATEWAY_NAME, gatewayNamespace: NAMESPACES.gateway, sectionName: HTTP_LISTENER },
      ...(config.ingress.acmeEmail !== undefined && { acmeEmail: config.ingress.acmeEmail }),
      webhookCallers: k.services.webhookCallers,
      scrapers,
      replicas,
      prometheusCrds: monitoring.crds,
      gatewayApiCrds,
    },
    opts,
  );
}

/** The daily dump of the database to the backup store, and the weekly restore that proves it. */
function databaseBackups({ config, k, podSecurity, opts }: Layer, secrets: SecretsSync): PostgresBackups {
  return new PostgresBackups(
    "backups",
    {
      cluster: k.cluster,
      namespace: NAMESPACES.backups,
      podSecurity,
      database: k.database,
      store: k.backups,
      secrets,
      schedule: config.backups.schedule,
      restoreVerificationSchedule: config.backups.restoreVerificationSchedule,
      storageClassName: k.services.storageClassName,
      restoreStorageGb: config.database.storageGb,
    },
    opts,
  );
}

/** One AppService per configured app, routed by the gateway and given the database or cache it asks for. */
function appServices(
  { config, k, podSecurity, scrapers, opts }: Layer,
  secrets: SecretsSync,
  monitoring: Monitoring,
  gateway: IngressGateway,
): void {
  for (const { database, cache, ...app } of config.apps) {
    new AppService(
      `app-${app.name}`,
      {
        ...app,
        podSecurity,
        gateway: gateway.attachmentFor(app.hostname),
        hstsMaxAgeSeconds: config.ingress.hstsMaxAgeSeconds,
        scrapers,
        secrets,
        crds: [...gateway.crds, monitoring.crds],
        ...(database && { database: k.database }),
        ...(cache && { cache: k.cache }),
      },
      opts,
    );
  }
}
