// The platform's alert rules, as the spec of one PrometheusRule. Pure data: tested rule by rule
// (test/kubernetes/alert-rules.test.ts). Metrics come from the gateway's Envoy proxies, cAdvisor and
// kube-state-metrics (kube-prometheus-stack), cert-manager, the Postgres and Redis exporters, and the
// External Secrets controller.
import { routeErrorRatio } from "./dashboards";

/** The annotation External Secrets writes on every Secret it manages: a hash of the Secret's data. */
export const EXTERNAL_SECRETS_DATA_HASH = "reconcile.external-secrets.io/data-hash";
/**
 * The label kube-state-metrics gives that annotation on kube_secret_annotations (`annotation_` and the key with
 * every character outside [a-zA-Z0-9_] made `_`), once its metricAnnotationsAllowList lists it for secrets.
 */
export const DATA_HASH_LABEL = `annotation_${EXTERNAL_SECRETS_DATA_HASH.replace(/[^a-zA-Z0-9_]/g, "_")}`;

/** A synced Secret holding a credential the cloud rotates on a schedule. */
export interface RotatedSecret {
  namespace: string;
  /** Name of the Kubernetes Secret External Secrets writes. */
  secret: string;
  /** Days between rotations in the secret store. */
  rotationDays: number;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "critical" | "warning" };
  annotations: { summary: string; description: string; runbook: string };
}

export interface AlertRuleGroup {
  name: string;
  rules: AlertRule[];
}

export interface AlertRulesArgs {
  /** Namespace of the backup CronJobs. */
  backupNamespace: string;
  backupCronJob: string;
  restoreCronJob: string;
  /** Hours after which a missing backup alerts. */
  maxBackupAgeHours: number;
  /** Hours after which a missing restore verification alerts: a week plus slack. */
  maxVerificationAgeHours: number;
  /** Ceiling of the database's storage in GiB (storage autoscaling's maximum). */
  databaseMaxStorageGb: number;
  /** Read replicas the database has (platform:database.readReplicas); each should stream from the primary. */
  databaseReadReplicas: number;
  /** The Prometheus job of the External Secrets controller's metrics (SecretsSync.metricsJob). */
  externalSecretsJob: string;
  /**
   * A synced copy of the database's master credentials, where the store rotates them on a schedule.
   * @default - none: no rotation alert (a database whose password does not rotate)
   */
  rotatedDatabaseCredentials?: RotatedSecret;
}

/** Thresholds, stated once so the rules and their descriptions agree. */
const THRESHOLDS = {
  errorRatio: 0.05,
  p95LatencyMs: 500,
  memoryOfLimit: 0.9,
  jobHours: 4,
  certificateDays: 14,
  databaseStorageRatio: 0.8,
  connectionsRatio: 0.8,
  cacheMemoryRatio: 0.9,
  /** WAL a read replica may have left to replay: at a busy primary's few MB/s, minutes behind. */
  replicaLagBytes: 1024 ** 3,
};

const RUNBOOK = "docs/runbook.md";

function rule(
  alert: string,
  severity: "critical" | "warning",
  expr: string,
  forDuration: string,
  summary: string,
  description: string,
): AlertRule {
  return {
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, description, runbook: `${RUNBOOK}#${alert.toLowerCase()}` },
  };
}

const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;

/** Errors and latency of the gateway's routes, from the Envoy proxies' upstream statistics. */
function gatewayRules(): AlertRuleGroup {
  const t = THRESHOLDS;
  return {
    name: "platform.gateway",
    rules: [
      rule(
        "HighErrorRate",
        "critical",
        `${routeErrorRatio()} > ${t.errorRatio}`,
        "5m",
        "More than 5% of requests fail",
        `{{ $labels.envoy_cluster_name }} answered {{ $value | humanizePercentage }} of requests with 5xx over 5 minutes (threshold ${pct(t.errorRatio)}).`,
      ),
      rule(
        "HighLatencyP95",
        "warning",
        `histogram_quantile(0.95, sum by (le, envoy_cluster_name) (rate(envoy_cluster_upstream_rq_time_bucket[5m]))) > ${t.p95LatencyMs}`,
        "10m",
        "p95 latency above 500 ms",
        `{{ $labels.envoy_cluster_name }} p95 upstream latency is {{ $value }} ms (threshold ${t.p95LatencyMs} ms).`,
      ),
    ],
  };
}

/** Any container nearing its memory limit and any Job stuck running (cAdvisor and kube-state-metrics). */
function workloadRules(): AlertRuleGroup {
  const t = THRESHOLDS;
  return {
    name: "platform.workloads",
    rules: [
      rule(
        "ContainerMemoryNearLimit",
        "warning",
        `max by (namespace, pod, container) (container_memory_working_set_bytes{container!="", container!="POD"}) / max by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"}) > ${t.memoryOfLimit}`,
        "5m",
        "Container memory above 90% of its limit",
        `{{ $labels.namespace }}/{{ $labels.pod }} {{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit; it will be OOM-killed at 100%.`,
      ),
      rule(
        "JobRunningTooLong",
        "warning",
        `(time() - max by (namespace, job_name) (kube_job_status_start_time)) > ${t.jobHours * 3600} and max by (namespace, job_name) (kube_job_status_active) > 0`,
        "1m",
        "Job running longer than 4 hours",
        `Job {{ $labels.namespace }}/{{ $labels.job_name }} has been running for {{ $value | humanizeDuration }}.`,
      ),
    ],
  };
}

/** The backup and restore-verification CronJobs: a failed newest run, or no success for too long. */
function backupRules(a: AlertRulesArgs): AlertRuleGroup {
  const backupJobs = `namespace="${a.backupNamespace}", job_name=~"${a.backupCronJob}-.+"`;
  const restoreJobs = `namespace="${a.backupNamespace}", job_name=~"${a.restoreCronJob}-.+"`;
  const lastSuccess = (cronjob: string) =>
    `kube_cronjob_status_last_successful_time{namespace="${a.backupNamespace}", cronjob="${cronjob}"}`;
  // The newest failed run started after the newest success: a later success clears the alert.
  const failedSinceSuccess = (jobs: string, cronjob: string) =>
    `max(kube_job_status_start_time{${jobs}} * on (namespace, job_name) (kube_job_status_failed{${jobs}} > bool 0)) > max(${lastSuccess(cronjob)})`;
  return {
    name: "platform.backups",
    rules: [
      rule(
        "BackupJobFailed",
        "critical",
        failedSinceSuccess(backupJobs, a.backupCronJob),
        "1m",
        "The Postgres backup failed",
        `The newest ${a.backupCronJob} run failed after the last successful one: read its logs (kubectl -n ${a.backupNamespace} logs job/<name>).`,
      ),
      rule(
        "BackupMissing",
        "critical",
        `(time() - max(${lastSuccess(a.backupCronJob)})) > ${a.maxBackupAgeHours * 3600} or absent(${lastSuccess(a.backupCronJob)})`,
        "1h",
        `No successful Postgres backup for ${a.maxBackupAgeHours} hours`,
        `The last successful ${a.backupCronJob} run was {{ $value | humanizeDuration }} ago, or there has been none (threshold ${a.maxBackupAgeHours} hours).`,
      ),
      rule(
        "RestoreVerificationFailed",
        "critical",
        failedSinceSuccess(restoreJobs, a.restoreCronJob),
        "1m",
        "The newest backup could not be restored",
        `The newest ${a.restoreCronJob} run failed: the latest dump may be unusable. Read its logs (kubectl -n ${a.backupNamespace} logs job/<name> -c verify).`,
      ),
      rule(
        "RestoreVerificationMissing",
        "warning",
        `(time() - max(${lastSuccess(a.restoreCronJob)})) > ${a.maxVerificationAgeHours * 3600} or absent(${lastSuccess(a.restoreCronJob)})`,
        "1h",
        "Backups have not been verified recently",
        `The last successful ${a.restoreCronJob} run was {{ $value | humanizeDuration }} ago, or there has been none (threshold ${a.maxVerificationAgeHours} hours).`,
      ),
    ],
  };
}

/** cert-manager's certificates: close to expiry without renewal, or not ready. */
function certificateRules(): AlertRuleGroup {
  const t = THRESHOLDS;
  return {
    name: "platform.certificates",
    rules: [
      rule(
        "CertificateExpiringSoon",
        "warning",
        `(certmanager_certificate_expiration_timestamp_seconds - time()) < ${t.certificateDays * 86400}`,
        "1h",
        "A certificate expires within 14 days",
        "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }} and has not been renewed.",
      ),
      rule(
        "CertificateNotReady",
        "critical",
        `max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) == 1`,
        "15m",
        "A certificate is not ready",
        "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready: the listener serving it may have no valid certificate.",
      ),
    ],
  };
}

/**
 * Postgres, through its exporter: the exporter itself, storage against the autoscaling ceiling, connections,
 * and read replicas' lag. The exporter connects to the primary, where the replication collector's
 * pg_replication_lag_seconds is always 0 (it is measured on a replica); the lag comes instead from the primary's
 * pg_stat_replication, one row per streaming replica: postgres_exporter's default metric
 * pg_stat_replication_pg_wal_lsn_diff, the bytes of WAL the replica has yet to replay. Bytes, unlike the seconds
 * since the last replayed transaction, stay at zero while the primary is idle. No replica, no series.
 */
function databaseRules(a: AlertRulesArgs): AlertRuleGroup {
  const t = THRESHOLDS;
  const storageBytes = a.databaseMaxStorageGb * 1024 ** 3;
  return {
    name: "platform.database",
    rules: [
      rule(
        "DatabaseExporterDown",
        "critical",
        `up{job="postgres-exporter"} == 0 or absent(up{job="postgres-exporter"})`,
        "5m",
        "The database cannot be observed",
        "The Postgres exporter is down or cannot reach the database; the database alerts below cannot fire.",
      ),
      rule(
        "DatabaseStorageNearMax",
        "warning",
        `sum(pg_database_size_bytes) > ${Math.round(storageBytes * t.databaseStorageRatio)}`,
        "30m",
        "Database data above 80% of the storage ceiling",
        `The databases hold {{ $value | humanize1024 }}B, more than ${pct(t.databaseStorageRatio)} of the ${a.databaseMaxStorageGb} GiB storage autoscaling may grow to: raise database.maxStorageGb.`,
      ),
      rule(
        "DatabaseConnectionsHigh",
        "warning",
        `sum(pg_stat_database_numbackends) / max(pg_settings_max_connections) > ${t.connectionsRatio}`,
        "10m",
        "Database connections above 80% of max_connections",
        "{{ $value | humanizePercentage }} of max_connections are in use; new connections will soon be refused.",
      ),
      rule(
        "DatabaseReplicaLagging",
        "warning",
        `max by (client_addr) (pg_stat_replication_pg_wal_lsn_diff) > ${t.replicaLagBytes}`,
        "10m",
        "A database read replica is more than 1 GiB of WAL behind the primary",
        "The replica at {{ $labels.client_addr }} has {{ $value | humanize1024 }}B of WAL left to replay: reads from DATABASE_READER_HOST return stale data.",
      ),
      // A replica that stops replicating drops out of pg_stat_replication, and out of the lag rule above with
      // it: count the rows against the replicas the stack made, while the exporter itself is up.
      ...(a.databaseReadReplicas > 0
        ? [
            rule(
              "DatabaseReplicaMissing",
              "warning",
              `(count(pg_stat_replication_pg_wal_lsn_diff) or vector(0)) < ${a.databaseReadReplicas} and on() up{job="postgres-exporter"} == 1`,
              "10m",
              "A database read replica is not streaming from the primary",
              `{{ $value }} of ${a.databaseReadReplicas} read replicas stream from the primary: a replica that stopped replicating serves ever older data from DATABASE_READER_HOST, and DatabaseReplicaLagging no longer sees it.`,
            ),
          ]
        : []),
    ],
  };
}

/** Redis, through its exporter: the exporter itself, memory against maxmemory, evictions. */
function cacheRules(): AlertRuleGroup {
  const t = THRESHOLDS;
  return {
    name: "platform.cache",
    rules: [
      rule(
        "CacheExporterDown",
        "critical",
        `up{job="redis-exporter"} == 0 or absent(up{job="redis-exporter"})`,
        "5m",
        "The cache cannot be observed",
        "The Redis exporter is down or cannot reach the cache; the cache alerts below cannot fire.",
      ),
      rule(
        "CacheMemoryHigh",
        "warning",
        `max(redis_memory_used_bytes) / max(redis_memory_max_bytes > 0) > ${t.cacheMemoryRatio}`,
        "10m",
        "Cache memory above 90% of maxmemory",
        "The cache uses {{ $value | humanizePercentage }} of its memory; keys will be evicted.",
      ),
      rule(
        "CacheEvictions",
        "warning",
        "sum(increase(redis_evicted_keys_total[10m])) > 0",
        "10m",
        "The cache is evicting keys",
        "{{ $value }} keys were evicted in 10 minutes: the cache is too small for its working set.",
      ),
    ],
  };
}

/**
 * The rotated credentials have not changed for the rotation period plus a day: rotation failed in the store,
 * or its result never reached the cluster. The data-hash annotation External Secrets keeps on the Secret changes
 * whenever its data does, and every value is a series of kube_secret_annotations of its own; fewer than two
 * values over the window means no change in it. Secrets Manager rotates within the UTC day a rotation falls
 * due, so a day on top of the period covers its window and the refresh; the hour of `for` covers the slack.
 * Only once the Secret is older than the window, so a new Secret does not alert.
 */
function rotationRule(r: RotatedSecret): AlertRule {
  const windowDays = r.rotationDays + 1;
  const selector = `namespace="${r.namespace}", secret="${r.secret}"`;
  const values = `count by (namespace, secret, ${DATA_HASH_LABEL}) (max_over_time(kube_secret_annotations{${selector}, ${DATA_HASH_LABEL}!=""}[${windowDays}d]))`;
  return rule(
    "DatabaseCredentialsNotRotated",
    "warning",
    `count by (namespace, secret) (${values}) < 2 and on (namespace, secret) (time() - max by (namespace, secret) (kube_secret_created{${selector}})) > ${windowDays * 86400}`,
    "1h",
    "The database password has not rotated on schedule",
    `Secret {{ $labels.namespace }}/{{ $labels.secret }} has kept the same data for more than ${windowDays} days, though the master password rotates every ${r.rotationDays}: rotation failed in Secrets Manager or did not reach the cluster.`,
  );
}

/**
 * Secrets sync, through the External Secrets controller's metrics: a Secret whose ExternalSecret is not
 * Ready no longer follows its store, so a rotated credential would never reach the pods that read it. And,
 * where the database's password rotates, a Secret that stopped changing with it.
 */
function secretRules(a: AlertRulesArgs): AlertRuleGroup {
  const up = `up{job="${a.externalSecretsJob}"}`;
  return {
    name: "platform.secrets",
    rules: [
      rule(
        "ExternalSecretsControllerDown",
        "critical",
        `${up} == 0 or absent(${up})`,
        "10m",
        "Secrets no longer sync from the secret store",
        "Prometheus has not scraped the External Secrets controller for 10 minutes: no Secret follows the store, and ExternalSecretNotSynced cannot fire.",
      ),
      rule(
        "ExternalSecretNotSynced",
        "warning",
        'max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"}) == 1',
        "15m",
        "A synced Secret no longer follows the secret store",
        "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} has not been Ready for 15 minutes: its Secret keeps the last value it synced.",
      ),
      ...(a.rotatedDatabaseCredentials ? [rotationRule(a.rotatedDatabaseCredentials)] : []),
    ],
  };
}

/** The platform's alert groups, one per concern, in the order the PrometheusRule lists them. */
export function alertRuleGroups(a: AlertRulesArgs): AlertRuleGroup[] {
  return [gatewayRules(), workloadRules(), backupRules(a), certificateRules(), databaseRules(a), cacheRules(), secretRules(a)];
}
