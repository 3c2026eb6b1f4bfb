// GIVEN the shipped production and dev stacks, reviewed as `pulumi up` would run them
// WHEN the Kubernetes layer's objects are read back
// THEN the engine receives exactly: pinned Helm releases in their namespaces, ordered after the CRDs and
//      network policies they need; a Gateway with an HTTP listener for redirects and ACME and an HTTPS
//      listener per hostname with its certificate; the per-client rate limit from config; the app deployed
//      as the requirements describe; backup and restore-verification CronJobs; monitoring with its rules,
//      dashboards and secrets; and dev differs only where its profile says.
import { beforeAll, describe, expect, test } from "@jest/globals";
import { BACKUP_SCRIPT, RESTORE_SCRIPT } from "../../components/kubernetes/backups";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";
import { RESTRICTED_CONTAINER } from "./stubs";

const reports: Record<string, ReviewReport> = {};
beforeAll(() => {
  for (const stack of ["dev", "production"] as const) reports[stack] = shippedReview(stack);
});

const named = (stack: string, name: string): RecordedResource => {
  const found = reports[stack]!.resources.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`${stack}: expected one resource named ${name}, found ${found.length}`);
  return found[0]!;
};
const spec = (stack: string, name: string) => (named(stack, name).inputs as { spec: Record<string, unknown> }).spec;
const short = (urns: string[]) => urns.map((u) => u.split("::").pop()!).sort();

describe("Helm releases", () => {
  test("each chart is installed from its pinned archive in charts/, released under a fixed name into its namespace", () => {
    const releases = reports.production!.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    const rows = releases.map((r) => {
      const i = r.inputs as { name: string; chart: string; version: string; namespace: string; atomic: boolean; cleanupOnFail: boolean };
      return [i.name, i.chart, i.version, "repositoryOpts" in i, i.namespace, i.atomic && i.cleanupOnFail];
    });
    expect(rows.sort()).toEqual([
      ["aws-load-balancer-controller", "./charts/aws-load-balancer-controller-3.5.0.tgz", "3.5.0", false, "kube-system", true],
      ["cert-manager", "./charts/cert-manager-v1.21.1.tgz", "v1.21.1", false, "cert-manager", true],
      ["envoy-gateway", "./charts/gateway-helm-v1.9.0.tgz", "v1.9.0", false, "gateway", true],
      ["envoy-gateway-crds", "./charts/gateway-crds-helm-v1.9.0.tgz", "v1.9.0", false, "gateway", true],
      ["external-secrets", "./charts/external-secrets-2.9.0.tgz", "2.9.0", false, "external-secrets", true],
      ["gateway-api-crds", "./charts/gateway-crds-helm-v1.9.0.tgz", "v1.9.0", false, "gateway", true],
      ["kube-prometheus-stack", "./charts/kube-prometheus-stack-88.5.3.tgz", "88.5.3", false, "monitoring", true],
      ["prometheus-operator-crds", "./charts/prometheus-operator-crds-31.0.1.tgz", "31.0.1", false, "monitoring", true],
    ]);
  });

  test("External Secrets' CRDs are one ConfigFile of the bundle in charts/, which the release waits for and whose CRDs it does not template", () => {
    const crds = named("production", "secrets-crds");
    expect([crds.type, crds.custom, crds.inputs]).toEqual([
      "kubernetes:yaml/v2:ConfigFile",
      false,
      { file: "./charts/external-secrets-2.9.0-crds.yaml" },
    ]);
    expect(crds.parent).toBe(named("production", "secrets").urn);
    const release = named("production", "secrets-operator");
    expect(release.dependencies).toContain(crds.urn);
    expect((release.inputs as { values: { installCRDs: boolean } }).values.installCRDs).toBe(false);
    expect(named("production", "secrets-store").dependencies).toContain(release.urn);
  });

  test("Prometheus scrapes the External Secrets controller through a PodMonitor that waits for the operator and the Prometheus CRDs", () => {
    const monitor = named("production", "secrets-metrics");
    expect([monitor.type, monitor.parent, monitor.inputs]).toEqual([
      "kubernetes:monitoring.coreos.com/v1:PodMonitor",
      named("production", "secrets").urn,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "external-secrets", namespace: "external-secrets" },
        spec: {
          selector: { matchLabels: { "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" } },
          podMetricsEndpoints: [{ port: "metrics", interval: "30s" }],
        },
      },
    ]);
    expect(short(monitor.dependencies)).toEqual(
      short([named("production", "secrets-operator").urn, named("production", "monitoring-crds").urn]),
    );
  });

  test("releases wait for their CRDs and for every network policy of their namespace", () => {
    const deps = (name: string) => short(named("production", name).dependencies);
    expect(deps("gateway-envoy-gateway")).toEqual(
      expect.arrayContaining([
        "gateway-envoy-gateway-crds",
        "gateway-gateway-api-crds",
        "gateway-ns-default-deny",
        "gateway-ns-allow-certgen-kube-api",
        "gateway-ns-allow-kube-api",
      ]),
    );
    // cert-manager's Gateway API support exits at startup without the Gateway API CRDs.
    expect(deps("cert-manager-release")).toEqual(
      expect.arrayContaining([
        "monitoring-crds",
        "gateway-gateway-api-crds",
        "cert-manager-ns-default-deny",
        "cert-manager-ns-allow-webhook",
      ]),
    );
    expect(deps("monitoring-stack")).toEqual(
      expect.arrayContaining([
        "monitoring-crds",
        "monitoring-grafana-admin",
        "monitoring-alert-webhook",
        "monitoring-ns-allow-operator-webhook",
      ]),
    );
    expect(deps("app-podinfo-route")).toEqual(
      expect.arrayContaining(["gateway-gateway-api-crds", "gateway-envoy-gateway-crds", "monitoring-crds"]),
    );
    expect(deps("gateway-gateway")).toEqual(
      expect.arrayContaining(["cluster-services-lb-controller", "gateway-class", "gateway-https-podinfo-platform-example-com-certificate"]),
    );
  });

  test("the CRDs come from releases of their own, templated so upgrades update them; the charts install none", () => {
    expect(spec2("gateway-gateway-api-crds")).toEqual({
      crds: { gatewayAPI: { enabled: true, channel: "experimental" }, envoyGateway: { enabled: false } },
    });
    expect(spec2("gateway-envoy-gateway-crds")).toEqual({ crds: { gatewayAPI: { enabled: false }, envoyGateway: { enabled: true } } });
    expect(spec2("gateway-envoy-gateway")).toMatchObject({
      crds: { enabled: false },
      topologyInjector: { enabled: false },
      deployment: { replicas: 2 },
      podDisruptionBudget: { minAvailable: 1 },
    });
    expect(spec2("monitoring-stack")).toMatchObject({ crds: { enabled: false } });
    expect(spec2("cert-manager-release")).toMatchObject({
      crds: { enabled: true, keep: true },
      config: { gatewayAPI: { enabled: true } },
      replicaCount: 2,
    });
    expect(spec2("secrets-operator")).toMatchObject({
      installCRDs: false,
      serviceAccount: {
        create: true,
        name: "external-secrets",
        annotations: {
          "eks.amazonaws.com/role-arn": expect.stringMatching(/^arn:aws:iam::123456789012:role\/cluster-external-secrets-role/),
        },
      },
    });
  });

  function spec2(name: string) {
    return (named("production", name).inputs as { values: Record<string, unknown> }).values;
  }

  test("kube-prometheus-stack: retention and storage per profile, every rule and monitor selected, no Helm-held secret", () => {
    const values = (named("production", "monitoring-stack").inputs as { values: Record<string, Record<string, unknown>> }).values;
    expect(values.prometheus).toEqual({
      prometheusSpec: {
        retention: "15d",
        retentionSize: "90GB",
        storageSpec: {
          volumeClaimTemplate: {
            spec: { storageClassName: "gp3-encrypted", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Gi" } } },
          },
        },
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "4Gi" } },
      },
    });
    expect(values.grafana).toMatchObject({
      admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
      persistence: { enabled: true, size: "10Gi", storageClassName: "gp3-encrypted" },
      initChownData: { enabled: false },
    });
    expect(values.alertmanager).toMatchObject({ alertmanagerSpec: { secrets: ["alertmanager-webhook"] } });
    // Our config replaces the chart's lists, so it carries the chart's inhibit rules and templates itself.
    expect((values.alertmanager as { config: unknown }).config).toEqual({
      global: { resolve_timeout: "5m" },
      route: {
        receiver: "webhook",
        group_by: ["alertname", "namespace"],
        group_wait: "30s",
        group_interval: "5m",
        repeat_interval: "4h",
        routes: [
          { receiver: "null", matchers: ['alertname = "Watchdog"'] },
          { receiver: "null", matchers: ['alertname = "InfoInhibitor"'] },
          { receiver: "null", matchers: ['severity =~ "info|none"'] },
        ],
      },
      inhibit_rules: [
        { source_matchers: ["severity = critical"], target_matchers: ["severity =~ warning|info"], equal: ["namespace", "alertname"] },
        { source_matchers: ["severity = warning"], target_matchers: ["severity = info"], equal: ["namespace", "alertname"] },
        { source_matchers: ["alertname = InfoInhibitor"], target_matchers: ["severity = info"], equal: ["namespace"] },
        { target_matchers: ["alertname = InfoInhibitor"] },
      ],
      receivers: [
        { name: "null" },
        { name: "webhook", webhook_configs: [{ url_file: "/etc/alertmanager/secrets/alertmanager-webhook/url", send_resolved: true }] },
      ],
      templates: ["/etc/alertmanager/config/*.tmpl"],
    });
    expect(values.nodeExporter).toEqual({ enabled: false });
    // kube_secret_annotations carries External Secrets' data hash, which the rotation alert counts.
    expect(values["kube-state-metrics"]).toEqual({
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
      metricAnnotationsAllowList: ["secrets=[reconcile.external-secrets.io/data-hash]"],
    });
    expect(JSON.stringify(values)).not.toMatch(/https:\/\/hooks|password"\s*:\s*"[^"]/);
    expect(named("production", "monitoring-grafana-admin").secretInputs).toEqual(["stringData"]);
    expect(named("production", "monitoring-alert-webhook").secretInputs).toEqual(["stringData"]);
  });
});

describe("cluster services on EKS", () => {
  test("the AWS Load Balancer Controller runs with its IRSA role and only reconciles Services that ask for an NLB", () => {
    const values = (named("production", "cluster-services-lb-controller").inputs as { values: Record<string, unknown> }).values;
    expect(values).toEqual({
      clusterName: "platform-production-cluster",
      region: "eu-west-1",
      vpcId: reports.production!.outputs.vpcId,
      replicaCount: 2,
      serviceAccount: {
        create: true,
        name: "aws-load-balancer-controller",
        annotations: { "eks.amazonaws.com/role-arn": expect.stringMatching(/^arn:aws:iam::123456789012:role\/cluster-lb-controller-role/) },
      },
      enableServiceMutatorWebhook: false,
      podDisruptionBudget: { maxUnavailable: 1 },
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    });
  });

  test.each([
    ["production", "Retain"],
    ["dev", "Delete"],
  ])("%s: an encrypted gp3 StorageClass bound where the pod lands, volumes reclaimed by %s", (stack, reclaimPolicy) => {
    const { metadata, ...rest } = named(stack, "cluster-services-gp3").inputs;
    expect(metadata).toEqual({ name: "gp3-encrypted", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } });
    expect(rest).toEqual({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy,
    });
  });
});

describe("ingress", () => {
  test("one Gateway: HTTP for redirects and ACME from its own namespace, HTTPS per hostname with its certificate", () => {
    const listeners = spec("production", "gateway-gateway").listeners as {
      name: string;
      protocol: string;
      port: number;
      hostname?: string;
      tls?: unknown;
    }[];
    expect(listeners.map((l) => [l.name, l.protocol, l.port, l.hostname ?? "*"])).toEqual([
      ["http", "HTTP", 80, "*"],
      ["https-platform-example-com", "HTTPS", 443, "platform.example.com"],
      ["https-podinfo-platform-example-com", "HTTPS", 443, "podinfo.platform.example.com"],
    ]);
    expect(listeners[2]!.tls).toEqual({
      mode: "Terminate",
      certificateRefs: [{ group: "", kind: "Secret", name: "https-podinfo-platform-example-com-tls" }],
    });
    expect(spec("production", "gateway-https-podinfo-platform-example-com-certificate")).toEqual({
      secretName: "https-podinfo-platform-example-com-tls",
      dnsNames: ["podinfo.platform.example.com"],
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-production" },
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    });
  });

  test("plain HTTP only redirects to HTTPS", () => {
    expect(spec("production", "gateway-https-redirect")).toEqual({
      parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform", namespace: "gateway", sectionName: "http" }],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    });
  });

  test("100 requests per minute per client address, from config; client addresses from PROXY protocol behind the NLB", () => {
    expect(spec("production", "gateway-rate-limit")).toEqual({
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform" }],
      rateLimit: {
        local: {
          rules: [
            { clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }], limit: { requests: 100, unit: "Minute" } },
          ],
        },
      },
    });
    expect(spec("production", "gateway-client-traffic")).toEqual({
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform" }],
      tls: { minVersion: "1.2" },
      proxyProtocol: {},
    });
    const service = (spec("production", "gateway-proxy-config") as { provider: { kubernetes: { envoyService: unknown } } }).provider
      .kubernetes.envoyService;
    expect(service).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      annotations: {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
        "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*",
      },
    });
  });

  test.each([
    ["production", ["letsencrypt-production", "letsencrypt-staging"], "letsencrypt-production"],
    ["dev", ["letsencrypt-staging"], "letsencrypt-staging"],
  ])("%s: issuers %j, certificates from %s", (stack, issuers, used) => {
    const found = reports[stack]!.resources.filter((r) => r.type === "kubernetes:cert-manager.io/v1:ClusterIssuer");
    expect(found.map((r) => (r.inputs as { metadata: { name: string } }).metadata.name).sort()).toEqual(issuers);
    for (const r of found) {
      expect((r.inputs as { spec: { acme: { solvers: unknown } } }).spec.acme.solvers).toEqual([
        {
          http01: {
            gatewayHTTPRoute: {
              parentRefs: [
                { group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform", namespace: "gateway", sectionName: "http" },
              ],
              serviceType: "ClusterIP",
            },
          },
        },
      ]);
    }
    const certs = reports[stack]!.resources.filter((r) => r.type === "kubernetes:cert-manager.io/v1:Certificate");
    for (const c of certs) expect((c.inputs as { spec: { issuerRef: { name: string } } }).spec.issuerRef.name).toBe(used);
  });
});

describe("the app", () => {
  test("production: 3 replicas, no unavailable pod during a rollout, spread over zones and hosts, replica count left to the autoscaler", () => {
    const deployment = named("production", "app-podinfo-deployment");
    const s = (deployment.inputs as { spec: Record<string, unknown> }).spec;
    expect([s.replicas, s.strategy]).toEqual([3, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } }]);
    expect(deployment.ignoreChanges).toEqual(["spec.replicas"]);
    const pod = (s.template as { spec: Record<string, unknown> }).spec;
    expect(
      (pod.topologySpreadConstraints as { topologyKey: string; whenUnsatisfiable: string }[]).map((t) => [
        t.topologyKey,
        t.whenUnsatisfiable,
      ]),
    ).toEqual([
      ["topology.kubernetes.io/zone", "DoNotSchedule"],
      ["kubernetes.io/hostname", "ScheduleAnyway"],
    ]);
    const container = (pod.containers as Record<string, unknown>[])[0]!;
    expect([container.image, container.ports, container.resources]).toEqual([
      "ghcr.io/stefanprodan/podinfo:6.14.1",
      [{ name: "http", containerPort: 9898, protocol: "TCP" }],
      { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    ]);
    expect([container.livenessProbe, container.readinessProbe]).toEqual([
      { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
      { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 2 },
    ]);
    expect(container.securityContext).toEqual(RESTRICTED_CONTAINER);
  });

  test.each([
    ["production", 2, 10, "max-age=31536000; includeSubDomains"],
    ["dev", 1, 3, "max-age=300; includeSubDomains"],
  ])("%s: autoscaling %i-%i on CPU, a disruption budget, a ServiceMonitor, an HTTPS route with HSTS %s", (stack, min, max, hsts) => {
    expect(spec(stack, "app-podinfo-hpa")).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "podinfo" },
      minReplicas: min,
      maxReplicas: max,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    });
    expect(spec(stack, "app-podinfo-pdb")).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "podinfo", "app.kubernetes.io/part-of": "platform" } },
    });
    expect(spec(stack, "app-podinfo-service-monitor")).toEqual({
      selector: { matchLabels: { "app.kubernetes.io/name": "podinfo", "app.kubernetes.io/part-of": "platform" } },
      endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
    });
    const route = spec(stack, "app-podinfo-route") as { rules: { filters: unknown[] }[]; parentRefs: { sectionName: string }[] };
    expect(route.rules[0]!.filters).toEqual([
      { type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "Strict-Transport-Security", value: hsts }] } },
    ]);
    expect(route.parentRefs[0]!.sectionName).toMatch(/^https-podinfo-/);
  });
});

describe("backups", () => {
  type Job = {
    schedule: string;
    timeZone: string;
    concurrencyPolicy: string;
    successfulJobsHistoryLimit: number;
    failedJobsHistoryLimit: number;
    jobTemplate: { spec: { backoffLimit: number; activeDeadlineSeconds: number; template: { spec: Record<string, unknown> } } };
  };
  type Container = {
    name: string;
    image: string;
    command?: string[];
    env: { name: string; value?: string; valueFrom?: unknown }[];
    restartPolicy?: string;
  };

  test("the dump: daily from config, never overlapping, bounded in time and retries, pg_dump streamed into the bucket", () => {
    const job = spec("production", "backups-backup") as unknown as Job;
    expect([job.schedule, job.timeZone, job.concurrencyPolicy, job.successfulJobsHistoryLimit, job.failedJobsHistoryLimit]).toEqual([
      "0 3 * * *",
      "Etc/UTC",
      "Forbid",
      3,
      5,
    ]);
    expect([job.jobTemplate.spec.backoffLimit, job.jobTemplate.spec.activeDeadlineSeconds]).toEqual([2, 18000]);
    const pod = job.jobTemplate.spec.template.spec;
    expect([pod.restartPolicy, pod.serviceAccountName]).toEqual(["Never", "postgres-backup"]);
    const dump = (pod.containers as Container[])[0]!;
    expect(dump.image).toBe("docker.io/library/postgres:17.11-bookworm");
    expect(dump.command).toEqual(["bash", "-c", BACKUP_SCRIPT]);
    expect(BACKUP_SCRIPT).toContain("pg_dump --format=custom --compress=6 --no-password | /tools/rclone rcat");
    const env = Object.fromEntries(dump.env.map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      PGDATABASE: "app",
      PGPORT: "5432",
      PGSSLMODE: "require",
      PGUSER: { secretKeyRef: { name: "postgres-credentials", key: "username" } },
      PGPASSWORD: { secretKeyRef: { name: "postgres-credentials", key: "password" } },
      RCLONE_CONFIG_BACKUP_TYPE: "s3",
      RCLONE_CONFIG_BACKUP_ENV_AUTH: "true",
      RCLONE_CONFIG_BACKUP_NO_HEAD: "true",
      SSL_CERT_FILE: "/tools/ca-certificates.crt",
    });
    expect(env.PGHOST).toMatch(/\.rds\.amazonaws\.com$/);
    expect(env.BUCKET).toBe(reports.production!.outputs.backupBucket);
    expect(
      (named("production", "backups-writer-sa").inputs as { metadata: { annotations: Record<string, string> } }).metadata.annotations[
        "eks.amazonaws.com/role-arn"
      ],
    ).toMatch(/role\/cluster-backup-writer-role/);
  });

  test("the restore verification: weekly, into a throwaway Postgres sidecar on its own volume, failing on an old or broken dump", () => {
    const job = spec("production", "backups-restore-verification") as unknown as Job;
    expect([job.schedule, job.concurrencyPolicy]).toEqual(["0 5 * * 0", "Forbid"]);
    const pod = job.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe("restore-verification");
    const [tools, server] = pod.initContainers as Container[];
    expect([tools!.name, server!.name, server!.restartPolicy]).toEqual(["tools", "postgres", "Always"]);
    const verify = (pod.containers as Container[])[0]!;
    expect(verify.command).toEqual(["bash", "-c", RESTORE_SCRIPT]);
    expect(verify.env.find((e) => e.name === "MAX_AGE_HOURS")!.value).toBe("26");
    expect((pod.volumes as { name: string }[]).find((v) => v.name === "pgdata")).toEqual({
      name: "pgdata",
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: expect.any(Object) },
          spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3-encrypted", resources: { requests: { storage: "100Gi" } } },
        },
      },
    });
    expect(RESTORE_SCRIPT).toContain("restore verification FAILED");
  });

  test("the writer may only write, the verifier only read", () => {
    const grants = reports.production!.resources.filter(
      (r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.startsWith("backups-"),
    );
    expect(
      grants.map((g) => [g.name, short(g.propertyDependencies.policyArn ?? []), short(g.propertyDependencies.role ?? [])]).sort(),
    ).toEqual([
      ["backups-read-backups-restore-verification", ["backups-reader-policy"], ["cluster-backup-reader-role"]],
      ["backups-write-backups-postgres-backup", ["backups-writer-policy"], ["cluster-backup-writer-role"]],
    ]);
  });
});

describe("monitoring", () => {
  test("alert rules for every failure the requirements name", () => {
    const groups = (spec("production", "monitoring-rules") as { groups: { rules: { alert: string; labels: { severity: string } }[] }[] })
      .groups;
    expect(groups.flatMap((g) => g.rules.map((r) => `${r.alert}:${r.labels.severity}`))).toEqual([
      "HighErrorRate:critical",
      "HighLatencyP95:warning",
      "ContainerMemoryNearLimit:warning",
      "JobRunningTooLong:warning",
      "BackupJobFailed:critical",
      "BackupMissing:critical",
      "RestoreVerificationFailed:critical",
      "RestoreVerificationMissing:warning",
      "CertificateExpiringSoon:warning",
      "CertificateNotReady:critical",
      "DatabaseExporterDown:critical",
      "DatabaseStorageNearMax:warning",
      "DatabaseConnectionsHigh:warning",
      "DatabaseReplicaLagging:warning",
      // Production has one read replica; it must be streaming.
      "DatabaseReplicaMissing:warning",
      "CacheExporterDown:critical",
      "CacheMemoryHigh:warning",
      "CacheEvictions:warning",
      "ExternalSecretsControllerDown:critical",
      "ExternalSecretNotSynced:warning",
      "DatabaseCredentialsNotRotated:warning",
    ]);
  });

  test("the rotation alert watches the backups' copy of the credentials over production's 7-day rotation plus a day", () => {
    const rules = (spec("production", "monitoring-rules") as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap(
      (g) => g.rules,
    );
    const expr = rules.find((r) => r.alert === "DatabaseCredentialsNotRotated")!.expr;
    expect(expr).toContain('kube_secret_annotations{namespace="backups", secret="postgres-credentials", ');
    expect(expr).toContain("[8d]");
    // The Secret the rule names is the one the backup CronJob's ExternalSecret writes.
    const sync = named("production", "backups-credentials").inputs as { metadata: { name: string; namespace: string } };
    expect(sync.metadata).toEqual({ name: "postgres-credentials", namespace: "backups" });
    // Dev rotates daily: two days.
    const dev = (spec("dev", "monitoring-rules") as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap(
      (g) => g.rules,
    );
    expect(dev.find((r) => r.alert === "DatabaseCredentialsNotRotated")!.expr).toContain("[2d]");
  });

  test("ExternalSecretsControllerDown watches the job the operator gives the controller's PodMonitor: <namespace>/<name>", () => {
    const monitor = (named("production", "secrets-metrics").inputs as { metadata: { name: string; namespace: string } }).metadata;
    const rules = (spec("production", "monitoring-rules") as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap(
      (g) => g.rules,
    );
    const job = `${monitor.namespace}/${monitor.name}`;
    expect(job).toBe("external-secrets/external-secrets");
    expect(rules.find((r) => r.alert === "ExternalSecretsControllerDown")!.expr).toBe(`up{job="${job}"} == 0 or absent(up{job="${job}"})`);
  });

  test("five dashboards as ConfigMaps for Grafana's sidecar", () => {
    const maps = reports.production!.resources.filter(
      (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name.startsWith("monitoring-dashboard-"),
    );
    expect(
      maps.map((m) => (m.inputs as { metadata: { name: string; labels: Record<string, string> } }).metadata).map((m) => [m.name, m.labels]),
    ).toEqual(["gateway", "postgres", "redis", "backups", "app-logs"].map((d) => [`dashboard-platform-${d}`, { grafana_dashboard: "1" }]));
  });

  test("the exporters read their credentials from synced Secrets", () => {
    const env = (name: string) =>
      (spec("production", name) as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!.env;
    type Container = { env: { name: string; value?: string; valueFrom?: unknown }[] };
    expect(env("monitoring-postgres-exporter").map((e) => [e.name, e.valueFrom ?? "value"])).toEqual([
      ["DATA_SOURCE_URI", "value"],
      ["DATA_SOURCE_USER", { secretKeyRef: { name: "postgres-exporter-credentials", key: "username" } }],
      ["DATA_SOURCE_PASS", { secretKeyRef: { name: "postgres-exporter-credentials", key: "password" } }],
    ]);
    expect(env("monitoring-redis-exporter").map((e) => [e.name, e.valueFrom ?? e.value?.replace(/\/\/.*:/, "//<host>:")])).toEqual([
      ["REDIS_ADDR", "rediss://<host>:6379"],
      ["REDIS_PASSWORD", { secretKeyRef: { name: "redis-exporter-credentials", key: "password" } }],
    ]);
  });

  test("dev has no webhook: alerts stay in Alertmanager, still inhibited as in production", () => {
    const values = (
      named("dev", "monitoring-stack").inputs as {
        values: {
          alertmanager: {
            config: { route: { receiver: string }; receivers: unknown; inhibit_rules: unknown[] };
            alertmanagerSpec: Record<string, unknown>;
          };
        };
      }
    ).values;
    expect(values.alertmanager.config.route.receiver).toBe("null");
    expect(values.alertmanager.config.receivers).toEqual([{ name: "null" }]);
    expect(values.alertmanager.config.inhibit_rules).toHaveLength(4);
    expect(values.alertmanager.alertmanagerSpec.secrets).toBeUndefined();
    expect(reports.dev!.resources.some((r) => r.name === "monitoring-alert-webhook")).toBe(false);
  });
});
