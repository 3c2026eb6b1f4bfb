// GIVEN the production stacks of both clouds (production on EKS, gcp-production on GKE), reviewed as
//       `pulumi up` would run them
// WHEN Grafana's side of the container logs is read back
// THEN Grafana runs as the service account `grafana`, annotated with a workload identity of its own; that
//      identity may read the container logs and nothing more (on AWS Logs Insights queries and events of the
//      cluster's container log groups, on GCP roles/logging.viewer on the project); Grafana is provisioned
//      with the cloud's log datasource under the uid `container-logs` (CloudWatch built in, the Cloud Logging
//      plugin installed at start); its pods may reach the cloud API over HTTPS (and, on GKE, the metadata
//      server); and the "App logs and errors" dashboard puts an app's 5xx ratio beside its containers' logs.
// AND GIVEN the dashboard builders alone
// THEN the error-rate expression is the HighErrorRate alert's, narrowed to the app's routes, and a
//      dashboard without apps is refused.
import { beforeAll, describe, expect, test } from "@jest/globals";
import { appLogsDashboardJson, routeErrorRatio } from "../../components/kubernetes/dashboards";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";

const reports: Record<string, ReviewReport> = {};
beforeAll(() => {
  for (const stack of ["production", "gcp-production"] as const) reports[stack] = shippedReview(stack);
});

const named = (stack: string, name: string): RecordedResource => {
  const found = reports[stack]!.resources.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`${stack}: expected one resource named ${name}, found ${found.length}`);
  return found[0]!;
};
const grafanaValues = (stack: string) =>
  (named(stack, "monitoring-stack").inputs as { values: { grafana: Record<string, unknown> } }).values.grafana;
const dashboard = (stack: string) =>
  JSON.parse(
    (named(stack, "monitoring-dashboard-platform-app-logs").inputs as { data: Record<string, string> }).data["platform-app-logs.json"]!,
  ) as {
    panels: Array<Record<string, unknown>>;
  } & Record<string, unknown>;

const AWS_GROUP = "/aws/containerinsights/platform-production-cluster";
const AWS_GROUP_ARN = `arn:aws:logs:eu-west-1:123456789012:log-group:${AWS_GROUP}`;
const APP_ERRORS =
  'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5", envoy_cluster_name=~"httproute/$app/.*"}[5m])) / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total{envoy_cluster_name=~"httproute/$app/.*"}[5m]))';

describe("production (EKS): CloudWatch Logs", () => {
  test("Grafana's service account carries the IRSA role that only monitoring/grafana can assume", () => {
    const role = named("production", "cluster-grafana-role");
    expect(role.inputs.description).toBe("IRSA: monitoring/grafana");
    const trust = JSON.parse(role.inputs.assumeRolePolicy as string) as {
      Statement: { Condition: { StringEquals: Record<string, string> } }[];
    };
    expect(Object.values(trust.Statement[0]!.Condition.StringEquals)).toEqual([
      "system:serviceaccount:monitoring:grafana",
      "sts.amazonaws.com",
    ]);
    expect(grafanaValues("production").serviceAccount).toEqual({
      name: "grafana",
      annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/cluster-grafana-role-a7f858c" },
    });
  });

  test("the role may query the container log groups and list their fields, read their events, list log groups, and read and stop its queries", () => {
    const policy = named("production", "cluster-container-logs-read-monitoring-grafana");
    expect(policy.type).toBe("aws:iam/rolePolicy:RolePolicy");
    expect(policy.inputs.role).toBe("cluster-grafana-role-a7f858c");
    expect(policy.parent).toBe(named("production", "cluster").urn);
    expect(JSON.parse(policy.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadContainerLogs",
          Effect: "Allow",
          Action: ["logs:StartQuery", "logs:GetLogGroupFields", "logs:GetLogEvents", "logs:FilterLogEvents"],
          Resource: ["application", "dataplane", "host", "performance"].flatMap((g) => [
            `${AWS_GROUP_ARN}/${g}`,
            `${AWS_GROUP_ARN}/${g}:*`,
          ]),
        },
        {
          Sid: "ListLogGroups",
          Effect: "Allow",
          Action: "logs:DescribeLogGroups",
          Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:*",
        },
        { Sid: "ReadQueryResults", Effect: "Allow", Action: ["logs:GetQueryResults", "logs:StopQuery"], Resource: "*" },
      ],
    });
  });

  test("Grafana is provisioned with the built-in CloudWatch datasource on the SDK's default credentials, and no plugin", () => {
    const grafana = grafanaValues("production");
    expect(grafana.additionalDataSources).toEqual([
      {
        name: "Container logs",
        type: "cloudwatch",
        uid: "container-logs",
        access: "proxy",
        editable: false,
        jsonData: { authType: "default", defaultRegion: "eu-west-1" },
      },
    ]);
    expect(grafana).not.toHaveProperty("plugins");
  });

  test("the dashboard's logs panel runs a Logs Insights query of the application log group for the app's namespace", () => {
    const logs = dashboard("production").panels[1]!;
    expect(logs).toEqual({
      id: 2,
      title: "Logs of $app's containers",
      type: "logs",
      datasource: { type: "cloudwatch", uid: "container-logs" },
      gridPos: { h: 16, w: 12, x: 12, y: 0 },
      options: { showTime: true, wrapLogMessage: true, sortOrder: "Descending", enableLogDetails: true, dedupStrategy: "none" },
      targets: [
        {
          refId: "A",
          id: "",
          queryMode: "Logs",
          region: "eu-west-1",
          logGroups: [{ arn: `${AWS_GROUP_ARN}/application`, name: `${AWS_GROUP}/application` }],
          expression:
            'fields @timestamp, kubernetes.pod_name, @message | filter kubernetes.namespace_name = "$app" | sort @timestamp desc | limit 1000',
          datasource: { type: "cloudwatch", uid: "container-logs" },
        },
      ],
    });
  });
});

describe("gcp-production (GKE): Cloud Logging", () => {
  test("Grafana's service account acts as its own Google service account", () => {
    expect(named("gcp-production", "cluster-grafana").inputs).toEqual({
      accountId: "cluster-grafana",
      displayName: "Workload Identity: monitoring/grafana",
    });
    expect(grafanaValues("gcp-production").serviceAccount).toEqual({
      name: "grafana",
      annotations: { "iam.gke.io/gcp-service-account": "cluster-grafana@example-platform-prod.iam.gserviceaccount.com" },
    });
  });

  test("that account is a logs viewer of the project, read-only", () => {
    const member = named("gcp-production", "cluster-logs-read-monitoring-grafana");
    expect([member.type, member.inputs]).toEqual([
      "gcp:projects/iAMMember:IAMMember",
      {
        project: "example-platform-prod",
        role: "roles/logging.viewer",
        member: "serviceAccount:cluster-grafana@example-platform-prod.iam.gserviceaccount.com",
      },
    ]);
    expect(member.parent).toBe(named("gcp-production", "cluster").urn);
  });

  test("Grafana installs the Cloud Logging plugin and is provisioned with it on the metadata server's credentials", () => {
    const grafana = grafanaValues("gcp-production");
    expect(grafana.plugins).toEqual(["googlecloud-logging-datasource"]);
    expect(grafana.additionalDataSources).toEqual([
      {
        name: "Container logs",
        type: "googlecloud-logging-datasource",
        uid: "container-logs",
        access: "proxy",
        editable: false,
        jsonData: { authenticationType: "gce" },
      },
    ]);
  });

  test("the dashboard's logs panel filters the project's GKE container entries to the cluster and the app's namespace", () => {
    expect(dashboard("gcp-production").panels[1]!.targets).toEqual([
      {
        refId: "A",
        projectId: "example-platform-prod",
        queryText:
          'resource.type="k8s_container" AND resource.labels.cluster_name="platform-gcp-production-cluster" AND resource.labels.namespace_name="$app"',
        datasource: { type: "googlecloud-logging-datasource", uid: "container-logs" },
      },
    ]);
  });

  test("Grafana may reach the metadata server for its credentials", () => {
    expect(named("gcp-production", "monitoring-ns-allow-workload-identity").inputs.spec).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ port: 80, protocol: "TCP" }] }],
    });
  });
});

describe.each(["production", "gcp-production"])("%s: Grafana's reach and the dashboard", (stack) => {
  test("Grafana's pods may reach the internet over HTTPS (the cloud's log API, STS, grafana.com), never private ranges", () => {
    expect(named(stack, "monitoring-ns-allow-grafana-cloud-api").inputs.spec).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
          ports: [{ port: 443, protocol: "TCP" }],
        },
      ],
    });
  });

  test("\"App logs and errors\": the app picked among the stack's apps, its routes' 5xx ratio beside its logs", () => {
    const json = dashboard(stack);
    const map = named(stack, "monitoring-dashboard-platform-app-logs").inputs as { metadata: unknown };
    expect(map.metadata).toEqual({ name: "dashboard-platform-app-logs", namespace: "monitoring", labels: { grafana_dashboard: "1" } });
    expect([json.uid, json.title, json.templating]).toEqual([
      "platform-app-logs",
      "Platform / App logs and errors",
      {
        list: [
          { name: "datasource", type: "datasource", query: "prometheus", current: {} },
          {
            name: "app",
            label: "App",
            type: "custom",
            query: "podinfo",
            current: { text: "podinfo", value: "podinfo" },
            options: [{ text: "podinfo", value: "podinfo", selected: true }],
          },
        ],
      },
    ]);
    expect(json.panels[0]).toEqual({
      id: 1,
      title: "5xx ratio of $app's routes",
      type: "timeseries",
      datasource: { type: "prometheus", uid: "${datasource}" },
      gridPos: { h: 16, w: 12, x: 0, y: 0 },
      fieldConfig: { defaults: { unit: "percentunit" }, overrides: [] },
      targets: [{ refId: "A", expr: APP_ERRORS, legendFormat: "{{envoy_cluster_name}}" }],
    });
  });
});

describe("dashboard builders", () => {
  test("the route error ratio is the HighErrorRate alert's expression, and narrowed by a matcher on both sides", () => {
    expect(routeErrorRatio()).toBe(
      'sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5"}[5m])) / sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total[5m]))',
    );
    expect(routeErrorRatio('envoy_cluster_name=~"httproute/$app/.*"')).toBe(APP_ERRORS);
  });

  test("every app is offered, the first picked", () => {
    const json = JSON.parse(
      appLogsDashboardJson(["shop", "billing"], { datasource: { type: "loki", uid: "container-logs" }, target: { refId: "A" } }),
    ) as {
      templating: { list: unknown[] };
    };
    expect(json.templating.list[1]).toEqual({
      name: "app",
      label: "App",
      type: "custom",
      query: "shop,billing",
      current: { text: "shop", value: "shop" },
      options: [
        { text: "shop", value: "shop", selected: true },
        { text: "billing", value: "billing", selected: false },
      ],
    });
  });

  test("a dashboard without apps is refused", () => {
    expect(() => appLogsDashboardJson([], { datasource: { type: "loki", uid: "container-logs" }, target: {} })).toThrow(
      "appLogsDashboardJson: apps must name at least one app",
    );
  });
});
