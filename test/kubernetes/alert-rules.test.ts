// GIVEN the platform's alert rules for a backups namespace and a 500 GiB storage ceiling
// THEN each rule fires on the figure the requirements give, after the time they give, at its severity:
//      errors over 5% for 5 minutes is critical; a job over 4 hours, memory over 90% of the limit and a
//      certificate within 14 days of expiry warn; a failed or 26-hour-missing backup and a failed restore
//      verification are critical, and a later success clears a failure.
import { describe, expect, test } from "@jest/globals";
import { alertRuleGroups, type AlertRule } from "../../components/kubernetes/alert-rules";

const groups = alertRuleGroups({ backupNamespace: "backups", backupCronJob: "postgres-backup", restoreCronJob: "restore-verification", maxBackupAgeHours: 26, maxVerificationAgeHours: 192, databaseMaxStorageGb: 500 });
const rule = (name: string): AlertRule => groups.flatMap((g) => g.rules).find((r) => r.alert === name)!;

describe("alert rules", () => {
  test.each<[string, string, string, string]>([
    [
      "HighErrorRate",
      'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5"}[5m])) / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total[5m])) > 0.05',
      "5m",
      "critical",
    ],
    ["HighLatencyP95", "histogram_quantile(0.95, sum by (le, envoy_cluster_name) (rate(envoy_cluster_upstream_rq_time_bucket[5m]))) > 500", "10m", "warning"],
    [
      "ContainerMemoryNearLimit",
      'max by (namespace, pod, container) (container_memory_working_set_bytes{container!="", container!="POD"}) / max by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"}) > 0.9',
      "5m",
      "warning",
    ],
    ["JobRunningTooLong", "(time() - max by (namespace, job_name) (kube_job_status_start_time)) > 14400 and max by (namespace, job_name) (kube_job_status_active) > 0", "1m", "warning"],
    [
      "BackupJobFailed",
      'max(kube_job_status_start_time{namespace="backups", job_name=~"postgres-backup-.+"} * on (namespace, job_name) (kube_job_status_failed{namespace="backups", job_name=~"postgres-backup-.+"} > bool 0)) > max(kube_cronjob_status_last_successful_time{namespace="backups", cronjob="postgres-backup"})',
      "1m",
      "critical",
    ],
    [
      "BackupMissing",
      '(time() - max(kube_cronjob_status_last_successful_time{namespace="backups", cronjob="postgres-backup"})) > 93600 or absent(kube_cronjob_status_last_successful_time{namespace="backups", cronjob="postgres-backup"})',
      "1h",
      "critical",
    ],
    [
      "RestoreVerificationFailed",
      'max(kube_job_status_start_time{namespace="backups", job_name=~"restore-verification-.+"} * on (namespace, job_name) (kube_job_status_failed{namespace="backups", job_name=~"restore-verification-.+"} > bool 0)) > max(kube_cronjob_status_last_successful_time{namespace="backups", cronjob="restore-verification"})',
      "1m",
      "critical",
    ],
    ["CertificateExpiringSoon", "(certmanager_certificate_expiration_timestamp_seconds - time()) < 1209600", "1h", "warning"],
    ["DatabaseStorageNearMax", `sum(pg_database_size_bytes) > ${Math.round(500 * 1024 ** 3 * 0.8)}`, "30m", "warning"],
    ["DatabaseConnectionsHigh", "sum(pg_stat_database_numbackends) / max(pg_settings_max_connections) > 0.8", "10m", "warning"],
    ["CacheMemoryHigh", "max(redis_memory_used_bytes) / max(redis_memory_max_bytes > 0) > 0.9", "10m", "warning"],
    ["CacheEvictions", "sum(increase(redis_evicted_keys_total[10m])) > 0", "10m", "warning"],
  ])("%s", (name, expr, forDuration, severity) => {
    const r = rule(name);
    expect([r.expr, r.for, r.labels.severity]).toEqual([expr, forDuration, severity]);
    expect(r.annotations.summary.length).toBeGreaterThan(10);
  });

  test("rule names are unique and every group is named platform.*", () => {
    const names = groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(new Set(names).size).toBe(names.length);
    for (const g of groups) expect(g.name).toMatch(/^platform\.[a-z]+$/);
  });
});
