// Grafana dashboards as code: small, typed panel builders and the platform's four dashboards (gateway
// traffic, Postgres, Redis, backups), plus one that puts an app's error rate beside its container logs.
// Grafana's sidecar loads every ConfigMap labelled for it, so a dashboard changes with a deploy, never by
// hand in the UI. Pure: no Pulumi resources.

export interface Panel {
  title: string;
  type: "timeseries" | "stat";
  /** PromQL, one query per series. */
  queries: { expr: string; legend: string }[];
  unit: string;
}

export interface Dashboard {
  /** Stable id: Grafana keys dashboards by it, so a rename keeps history and links. */
  uid: string;
  title: string;
  panels: Panel[];
}

const series = (expr: string, legend: string) => ({ expr, legend });

/**
 * The share of a route's requests answered 5xx over 5 minutes, per route (`envoy_cluster_name` names it:
 * `httproute/<namespace>/<name>/rule/<n>`), optionally narrowed by a label matcher. The HighErrorRate
 * alert and the dashboards use this one expression.
 */
export function routeErrorRatio(matcher?: string): string {
  const and = matcher ? `, ${matcher}` : "";
  const only = matcher ? `{${matcher}}` : "";
  return `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5"${and}}[5m])) / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total${only}[5m]))`;
}

/** The Grafana dashboard JSON model (schema version 39) for a dashboard, two panels per row. */
export function dashboardJson(d: Dashboard): string {
  return JSON.stringify({
    uid: d.uid,
    title: d.title,
    tags: ["platform"],
    timezone: "utc",
    schemaVersion: 39,
    editable: false,
    refresh: "1m",
    time: { from: "now-6h", to: "now" },
    templating: { list: [{ name: "datasource", type: "datasource", query: "prometheus", current: {} }] },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      title: p.title,
      type: p.type,
      datasource: { type: "prometheus", uid: "${datasource}" },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), expr: q.expr, legendFormat: q.legend })),
    })),
  });
}

export interface DashboardArgs {
  backupNamespace: string;
  backupCronJob: string;
  restoreCronJob: string;
}

/** Traffic through the gateway per route: rate, 5xx ratio, p95 latency, and what the rate limit turned away. */
function gatewayDashboard(): Dashboard {
  return {
    uid: "platform-gateway",
    title: "Platform / Gateway traffic",
    panels: [
      {
        title: "Requests per second by route",
        type: "timeseries",
        unit: "reqps",
        queries: [series("sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total[5m]))", "{{envoy_cluster_name}}")],
      },
      {
        title: "5xx ratio by route",
        type: "timeseries",
        unit: "percentunit",
        queries: [series(routeErrorRatio(), "{{envoy_cluster_name}}")],
      },
      {
        title: "p95 latency by route",
        type: "timeseries",
        unit: "ms",
        queries: [
          series(
            "histogram_quantile(0.95, sum by (le, envoy_cluster_name) (rate(envoy_cluster_upstream_rq_time_bucket[5m])))",
            "{{envoy_cluster_name}}",
          ),
        ],
      },
      {
        title: "Rate-limited requests",
        type: "timeseries",
        unit: "reqps",
        queries: [
          series("sum(rate(envoy_http_local_rate_limit_rate_limited[5m])) or sum(rate(envoy_cluster_ratelimit_over_limit[5m]))", "limited"),
        ],
      },
    ],
  };
}

/** Postgres, from its exporter: connections against max_connections, size, transactions, deadlocks. */
function postgresDashboard(): Dashboard {
  return {
    uid: "platform-postgres",
    title: "Platform / Postgres",
    panels: [
      {
        title: "Connections",
        type: "timeseries",
        unit: "short",
        queries: [series("sum(pg_stat_database_numbackends)", "in use"), series("max(pg_settings_max_connections)", "max_connections")],
      },
      {
        title: "Database size",
        type: "timeseries",
        unit: "bytes",
        queries: [series("sum by (datname) (pg_database_size_bytes)", "{{datname}}")],
      },
      {
        title: "Transactions per second",
        type: "timeseries",
        unit: "ops",
        queries: [
          series("sum(rate(pg_stat_database_xact_commit[5m]))", "commits"),
          series("sum(rate(pg_stat_database_xact_rollback[5m]))", "rollbacks"),
        ],
      },
      {
        title: "Deadlocks",
        type: "timeseries",
        unit: "short",
        queries: [series("sum(increase(pg_stat_database_deadlocks[1h]))", "per hour")],
      },
    ],
  };
}

/** Redis, from its exporter: memory against maxmemory, evictions, clients, hit ratio. */
function redisDashboard(): Dashboard {
  return {
    uid: "platform-redis",
    title: "Platform / Redis",
    panels: [
      {
        title: "Memory used of maxmemory",
        type: "timeseries",
        unit: "percentunit",
        queries: [series("max(redis_memory_used_bytes) / max(redis_memory_max_bytes > 0)", "used")],
      },
      {
        title: "Evicted keys",
        type: "timeseries",
        unit: "short",
        queries: [series("sum(increase(redis_evicted_keys_total[10m]))", "per 10 minutes")],
      },
      { title: "Connected clients", type: "timeseries", unit: "short", queries: [series("sum(redis_connected_clients)", "clients")] },
      {
        title: "Hit ratio",
        type: "timeseries",
        unit: "percentunit",
        queries: [
          series(
            "sum(rate(redis_keyspace_hits_total[5m])) / (sum(rate(redis_keyspace_hits_total[5m])) + sum(rate(redis_keyspace_misses_total[5m])))",
            "hits",
          ),
        ],
      },
    ],
  };
}

/** The backup and restore-verification CronJobs: time since their last success, failures, run duration. */
function backupsDashboard(a: DashboardArgs): Dashboard {
  const cron = (name: string) => `kube_cronjob_status_last_successful_time{namespace="${a.backupNamespace}", cronjob="${name}"}`;
  return {
    uid: "platform-backups",
    title: "Platform / Backups",
    panels: [
      {
        title: "Hours since the last successful backup",
        type: "stat",
        unit: "h",
        queries: [series(`(time() - max(${cron(a.backupCronJob)})) / 3600`, "backup")],
      },
      {
        title: "Hours since the last verified restore",
        type: "stat",
        unit: "h",
        queries: [series(`(time() - max(${cron(a.restoreCronJob)})) / 3600`, "restore verification")],
      },
      {
        title: "Failed runs",
        type: "timeseries",
        unit: "short",
        queries: [series(`sum by (job_name) (kube_job_status_failed{namespace="${a.backupNamespace}"})`, "{{job_name}}")],
      },
      {
        title: "Run duration",
        type: "timeseries",
        unit: "s",
        queries: [
          series(
            `max by (job_name) (kube_job_status_completion_time{namespace="${a.backupNamespace}"} - kube_job_status_start_time{namespace="${a.backupNamespace}"})`,
            "{{job_name}}",
          ),
        ],
      },
    ],
  };
}

/** The platform's dashboards, each loaded by Grafana from its own ConfigMap. */
export function platformDashboards(a: DashboardArgs): Dashboard[] {
  return [gatewayDashboard(), postgresDashboard(), redisDashboard(), backupsDashboard(a)];
}

/** The container-log datasource of a logs panel, and the panel's query of the namespace `$app`. */
export interface AppLogsSource {
  datasource: { type: string; uid: string };
  /** ClusterServices.logDatasource.namespaceLogsTarget("$app"), resolved. */
  target: Record<string, unknown>;
}

/** The dashboard variable that picks the app (its namespace is named after it). */
export const APP_VARIABLE = "app";

/**
 * "App logs and errors" (schema version 39): for the app picked in `$app`, the 5xx ratio of its routes
 * beside its containers' log lines, so a spike of errors and the lines that explain it are read together.
 */
export function appLogsDashboardJson(apps: string[], logs: AppLogsSource): string {
  if (apps.length === 0) throw new Error("appLogsDashboardJson: apps must name at least one app");
  const first = apps[0]!;
  return JSON.stringify({
    uid: "platform-app-logs",
    title: "Platform / App logs and errors",
    tags: ["platform"],
    timezone: "utc",
    schemaVersion: 39,
    editable: false,
    refresh: "1m",
    time: { from: "now-1h", to: "now" },
    templating: {
      list: [
        { name: "datasource", type: "datasource", query: "prometheus", current: {} },
        {
          name: APP_VARIABLE,
          label: "App",
          type: "custom",
          query: apps.join(","),
          current: { text: first, value: first },
          options: apps.map((app) => ({ text: app, value: app, selected: app === first })),
        },
      ],
    },
    panels: [
      {
        id: 1,
        title: "5xx ratio of $app's routes",
        type: "timeseries",
        datasource: { type: "prometheus", uid: "${datasource}" },
        gridPos: { h: 16, w: 12, x: 0, y: 0 },
        fieldConfig: { defaults: { unit: "percentunit" }, overrides: [] },
        targets: [
          {
            refId: "A",
            expr: routeErrorRatio(`envoy_cluster_name=~"httproute/$${APP_VARIABLE}/.*"`),
            legendFormat: "{{envoy_cluster_name}}",
          },
        ],
      },
      {
        id: 2,
        title: "Logs of $app's containers",
        type: "logs",
        datasource: logs.datasource,
        gridPos: { h: 16, w: 12, x: 12, y: 0 },
        options: { showTime: true, wrapLogMessage: true, sortOrder: "Descending", enableLogDetails: true, dedupStrategy: "none" },
        targets: [{ ...logs.target, datasource: logs.datasource }],
      },
    ],
  });
}
