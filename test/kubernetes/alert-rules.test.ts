// GIVEN the platform's alert rules for a backups namespace and a 500 GiB storage ceiling
// THEN each rule fires on the figure the requirements give, after the time they give, at its severity:
//      errors over 5% for 5 minutes is critical; a job over 4 hours, memory over 90% of the limit and a
//      certificate within 14 days of expiry warn; a failed or 26-hour-missing backup and a failed restore
//      verification are critical, and a later success clears a failure.
// AND GIVEN Alertmanager's config with a webhook
// THEN warning and critical alerts (every platform rule among them) reach the webhook, info and
//      severity-less ones (Watchdog, InfoInhibitor) go to the null receiver, and the chart's inhibitions
//      hold: critical over warning and info, warning over info, InfoInhibitor over info, each within the
//      same namespace (and alert name).
import { describe, expect, test } from "@jest/globals";
import { alertRuleGroups, type AlertRule, type AlertRulesArgs } from "../../components/kubernetes/alert-rules";
import { alertmanagerConfig } from "../../components/kubernetes/monitoring";

const ARGS: AlertRulesArgs = {
  backupNamespace: "backups",
  backupCronJob: "postgres-backup",
  restoreCronJob: "restore-verification",
  maxBackupAgeHours: 26,
  maxVerificationAgeHours: 192,
  databaseMaxStorageGb: 500,
  databaseReadReplicas: 1,
  externalSecretsJob: "external-secrets/external-secrets",
  rotatedDatabaseCredentials: { namespace: "backups", secret: "postgres-credentials", rotationDays: 7 },
};
const groups = alertRuleGroups(ARGS);
const rule = (name: string): AlertRule => groups.flatMap((g) => g.rules).find((r) => r.alert === name)!;

describe("alert rules", () => {
  test("a database without read replicas has no rule counting them; two replicas are both expected", () => {
    const names = (replicas: number) => alertRuleGroups({ ...ARGS, databaseReadReplicas: replicas }).flatMap((g) => g.rules);
    expect(names(0).map((r) => r.alert)).not.toContain("DatabaseReplicaMissing");
    expect(names(2).find((r) => r.alert === "DatabaseReplicaMissing")!.expr).toBe(
      '(count(pg_stat_replication_pg_wal_lsn_diff) or vector(0)) < 2 and on() up{job="postgres-exporter"} == 1',
    );
  });

  test.each<[string, string, string, string]>([
    [
      "HighErrorRate",
      'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5"}[5m])) / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total[5m])) > 0.05',
      "5m",
      "critical",
    ],
    [
      "HighLatencyP95",
      "histogram_quantile(0.95, sum by (le, envoy_cluster_name) (rate(envoy_cluster_upstream_rq_time_bucket[5m]))) > 500",
      "10m",
      "warning",
    ],
    [
      "ContainerMemoryNearLimit",
      'max by (namespace, pod, container) (container_memory_working_set_bytes{container!="", container!="POD"}) / max by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"}) > 0.9',
      "5m",
      "warning",
    ],
    [
      "JobRunningTooLong",
      "(time() - max by (namespace, job_name) (kube_job_status_start_time)) > 14400 and max by (namespace, job_name) (kube_job_status_active) > 0",
      "1m",
      "warning",
    ],
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
    ["DatabaseReplicaLagging", "max by (client_addr) (pg_stat_replication_pg_wal_lsn_diff) > 1073741824", "10m", "warning"],
    [
      "DatabaseReplicaMissing",
      '(count(pg_stat_replication_pg_wal_lsn_diff) or vector(0)) < 1 and on() up{job="postgres-exporter"} == 1',
      "10m",
      "warning",
    ],
    ["CacheMemoryHigh", "max(redis_memory_used_bytes) / max(redis_memory_max_bytes > 0) > 0.9", "10m", "warning"],
    ["CacheEvictions", "sum(increase(redis_evicted_keys_total[10m])) > 0", "10m", "warning"],
    [
      "ExternalSecretsControllerDown",
      'up{job="external-secrets/external-secrets"} == 0 or absent(up{job="external-secrets/external-secrets"})',
      "10m",
      "critical",
    ],
    [
      "ExternalSecretNotSynced",
      'max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"}) == 1',
      "15m",
      "warning",
    ],
    [
      "DatabaseCredentialsNotRotated",
      'count by (namespace, secret) (count by (namespace, secret, annotation_reconcile_external_secrets_io_data_hash) (max_over_time(kube_secret_annotations{namespace="backups", secret="postgres-credentials", annotation_reconcile_external_secrets_io_data_hash!=""}[8d]))) < 2 and on (namespace, secret) (time() - max by (namespace, secret) (kube_secret_created{namespace="backups", secret="postgres-credentials"})) > 691200',
      "1h",
      "warning",
    ],
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

  test("DatabaseCredentialsNotRotated: the window is the rotation plus a day, and without a rotating database there is no such rule", () => {
    const daily = alertRuleGroups({
      ...ARGS,
      rotatedDatabaseCredentials: { namespace: "backups", secret: "postgres-credentials", rotationDays: 1 },
    }).flatMap((g) => g.rules);
    const r = daily.find((x) => x.alert === "DatabaseCredentialsNotRotated")!;
    expect(r.expr).toContain("[2d]");
    expect(r.expr).toMatch(/> 172800$/);
    expect(r.annotations.description).toBe(
      "Secret {{ $labels.namespace }}/{{ $labels.secret }} has kept the same data for more than 2 days, though the master password rotates every 1: rotation failed in Secrets Manager or did not reach the cluster.",
    );
    const withoutRotation = alertRuleGroups({ ...ARGS, rotatedDatabaseCredentials: undefined }).flatMap((g) => g.rules.map((x) => x.alert));
    expect(withoutRotation).not.toContain("DatabaseCredentialsNotRotated");
    expect(withoutRotation).toHaveLength(daily.length - 1);
  });
});

// ---------------------------------------------------------------------------------------------------
// Alertmanager's routing and inhibition, evaluated as Alertmanager does on the generated config.

type Alert = Record<string, string>;
interface Route {
  receiver?: string;
  matchers?: string[];
  routes?: Route[];
  continue?: boolean;
}
interface InhibitRule {
  source_matchers?: string[];
  target_matchers?: string[];
  equal?: string[];
}
const config = alertmanagerConfig(true) as { route: Route; inhibit_rules: InhibitRule[] };

/** One Alertmanager matcher (`label op value`, the value optionally quoted; regexes are anchored). */
function matches(matcher: string, alert: Alert): boolean {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(matcher);
  if (!m) throw new Error(`not a matcher: ${matcher}`);
  const [, label, op, raw] = m as unknown as [string, string, string, string];
  const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
  const actual = alert[label] ?? "";
  const re = new RegExp(`^(?:${value})$`);
  return op === "=" ? actual === value : op === "!=" ? actual !== value : op === "=~" ? re.test(actual) : !re.test(actual);
}
const all = (matchers: string[] | undefined, alert: Alert) => (matchers ?? []).every((x) => matches(x, alert));

/** The receiver of the first matching route, depth first, as for routes without `continue`. */
function receiverOf(alert: Alert, route: Route = config.route, inherited = "none"): string {
  const receiver = route.receiver ?? inherited;
  for (const child of route.routes ?? []) {
    if (child.continue) throw new Error("continue is not modelled");
    if (all(child.matchers, alert)) return receiverOf(alert, child, receiver);
  }
  return receiver;
}

/** True when a firing alert other than `target` inhibits it under one of the rules. */
function inhibited(target: Alert, firing: Alert[]): boolean {
  return config.inhibit_rules.some(
    (rule) =>
      all(rule.target_matchers, target) &&
      firing.some(
        (source) =>
          source !== target &&
          all(rule.source_matchers, source) &&
          (rule.equal ?? []).every((l) => (source[l] ?? "") === (target[l] ?? "")),
      ),
  );
}

describe("Alertmanager routing", () => {
  test.each<[string, string, Alert]>([
    ["a critical alert", "webhook", { alertname: "BackupJobFailed", severity: "critical", namespace: "backups" }],
    ["a warning", "webhook", { alertname: "CacheEvictions", severity: "warning" }],
    ["an alert without severity", "webhook", { alertname: "SomethingNew" }],
    ["an info alert", "null", { alertname: "KubeQuotaAlmostFull", severity: "info", namespace: "podinfo" }],
    ["a severity none alert", "null", { alertname: "Bookkeeping", severity: "none" }],
    ["InfoInhibitor", "null", { alertname: "InfoInhibitor", severity: "none", namespace: "podinfo" }],
    ["InfoInhibitor even if given a severity", "null", { alertname: "InfoInhibitor", severity: "warning" }],
    ["Watchdog", "null", { alertname: "Watchdog", severity: "none" }],
  ])("%s goes to %s", (_, receiver, alert) => {
    expect(receiverOf(alert)).toBe(receiver);
  });

  test("every platform alert reaches the webhook", () => {
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => [r.alert, receiverOf({ alertname: r.alert, ...r.labels })])).toEqual(rules.map((r) => [r.alert, "webhook"]));
  });
});

describe("Alertmanager inhibition (the chart's default rules)", () => {
  const alert = (alertname: string, severity: string, namespace = "podinfo"): Alert => ({ alertname, severity, namespace });

  test.each<[string, Alert, Alert, boolean]>([
    [
      "critical silences warning of the same alert and namespace",
      alert("KubePodCrashLooping", "critical"),
      alert("KubePodCrashLooping", "warning"),
      true,
    ],
    [
      "critical silences info of the same alert and namespace",
      alert("KubePodCrashLooping", "critical"),
      alert("KubePodCrashLooping", "info"),
      true,
    ],
    [
      "warning silences info of the same alert and namespace",
      alert("KubeCPUOvercommit", "warning"),
      alert("KubeCPUOvercommit", "info"),
      true,
    ],
    ["InfoInhibitor silences info alerts of its namespace", alert("InfoInhibitor", "none"), alert("KubeQuotaAlmostFull", "info"), true],
    [
      "critical does not silence warning in another namespace",
      alert("KubePodCrashLooping", "critical", "backups"),
      alert("KubePodCrashLooping", "warning"),
      false,
    ],
    [
      "critical does not silence another alert's warning",
      alert("BackupJobFailed", "critical"),
      alert("KubePodCrashLooping", "warning"),
      false,
    ],
    ["warning does not silence another warning", alert("KubeCPUOvercommit", "warning"), alert("KubeCPUOvercommit", "warning"), false],
    ["InfoInhibitor does not silence warnings", alert("InfoInhibitor", "none"), alert("KubePodCrashLooping", "warning"), false],
    [
      "InfoInhibitor does not silence info elsewhere",
      alert("InfoInhibitor", "none", "backups"),
      alert("KubeQuotaAlmostFull", "info"),
      false,
    ],
    ["any other firing alert silences InfoInhibitor", alert("Watchdog", "none", ""), alert("InfoInhibitor", "none"), true],
  ])("%s", (_, source, target, expected) => {
    expect(inhibited(target, [source, target])).toBe(expected);
  });
});
