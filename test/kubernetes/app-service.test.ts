// GIVEN an AppService that uses the database and the cache (the shipped podinfo uses neither), and one
//       given only its required arguments
// WHEN they are recorded under the offline engine with stub endpoints
// THEN credentials arrive only through ExternalSecrets of the platform's store and Secret references,
//      non-secret connection settings are plain values, bad arguments are refused by name, and every
//      argument left out takes the default AppServiceArgs documents (APP_SERVICE_DEFAULTS).
import { describe, expect, test } from "@jest/globals";
import * as pulumi from "@pulumi/pulumi";
import { APP_SERVICE_DEFAULTS, AppService, type AppServiceArgs } from "../../components/kubernetes/app-service";
import { ROLLOUT_PODS, ROLLOUT_SCRIPT } from "../../components/kubernetes/credential-rollout";
import { SecretsSync } from "../../components/kubernetes/secrets";
import type { PostgresEndpoint, RedisEndpoint } from "../../components/types";
import { POD_SECURITY, RESTRICTED_CONTAINER, SHOP_GATEWAY, stubCluster, stubSecrets } from "./stubs";
import { recordProgram } from "../harness";
import { documentedDefaults } from "../documented-defaults";

const podSecurity = POD_SECURITY;

const database: PostgresEndpoint = {
  host: pulumi.output("db.internal"),
  readerHost: pulumi.output("db-reader.internal"),
  port: 5432,
  privateCidrs: ["10.0.208.0/23"],
  databaseName: "app",
  engineMajor: "17",
  username: pulumi.output("platform"),
  credentialsSecret: pulumi.output("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"),
  grantCredentialsRead: () => undefined,
};
const cache: RedisEndpoint = {
  host: pulumi.output("cache.internal"),
  port: 6379,
  privateCidrs: ["10.0.210.0/23"],
  tls: true,
  authSecret: pulumi.output("arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache"),
  grantAuthRead: () => undefined,
};

const base = (secrets?: SecretsSync): AppServiceArgs => ({
  name: "shop",
  image: "ghcr.io/example/shop:1.2.3",
  port: 8080,
  hostname: "shop.example.com",
  replicas: 3,
  minReplicas: 2,
  maxReplicas: 10,
  cpuRequest: "100m",
  cpuLimit: "500m",
  memoryRequest: "128Mi",
  memoryLimit: "256Mi",
  healthPath: "/healthz",
  readyPath: "/readyz",
  metricsPath: "/metrics",
  podSecurity,
  gateway: SHOP_GATEWAY,
  hstsMaxAgeSeconds: 31_536_000,
  scrapers: { namespace: "monitoring", pods: { app: "prometheus" } },
  crds: [],
  ...(secrets && { secrets, database, cache }),
});

describe("AppService with the database and the cache", () => {
  test("credentials are synced from the store and referenced; connection settings are values", async () => {
    const r = await recordProgram(() => {
      const cluster = stubCluster("aws");
      const providers = [cluster.provider];
      const secrets = stubSecrets(cluster);
      new AppService("app-shop", base(secrets), { providers });
    });
    const externalSecrets = r
      .ofType("kubernetes:external-secrets.io/v1:ExternalSecret")
      .map((x) => x.inputs as { metadata: { name: string; namespace: string }; spec: unknown })
      .sort((a, b) => b.metadata.name.localeCompare(a.metadata.name));
    expect(externalSecrets).toEqual([
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "shop-database", namespace: "shop" },
        spec: {
          refreshInterval: "5m",
          secretStoreRef: { kind: "ClusterSecretStore", name: "platform-secrets" },
          target: { name: "shop-database", creationPolicy: "Owner", deletionPolicy: "Retain" },
          data: [
            { secretKey: "username", remoteRef: { key: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db", property: "username" } },
            { secretKey: "password", remoteRef: { key: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db", property: "password" } },
          ],
        },
      },
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "shop-cache", namespace: "shop" },
        spec: {
          refreshInterval: "5m",
          secretStoreRef: { kind: "ClusterSecretStore", name: "platform-secrets" },
          target: { name: "shop-cache", creationPolicy: "Owner", deletionPolicy: "Retain" },
          data: [{ secretKey: "password", remoteRef: { key: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache" } }],
        },
      },
    ]);
    const deployment = r.named("app-shop-deployment");
    const env = (deployment.inputs as { spec: { template: { spec: { containers: { env: unknown[] }[] } } } }).spec.template.spec
      .containers[0]!.env;
    expect(env).toEqual([
      { name: "DATABASE_HOST", value: "db.internal" },
      { name: "DATABASE_READER_HOST", value: "db-reader.internal" },
      { name: "DATABASE_PORT", value: "5432" },
      { name: "DATABASE_NAME", value: "app" },
      { name: "DATABASE_SSLMODE", value: "require" },
      { name: "DATABASE_USER", valueFrom: { secretKeyRef: { name: "shop-database", key: "username" } } },
      { name: "DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "shop-database", key: "password" } } },
      { name: "REDIS_HOST", value: "cache.internal" },
      { name: "REDIS_PORT", value: "6379" },
      { name: "REDIS_TLS", value: "true" },
      { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "shop-cache", key: "password" } } },
    ]);
    // The workload waits for its synced Secrets, which wait for the store.
    expect(deployment.dependencies.map((u) => u.split("::").pop()).sort()).toEqual(
      expect.arrayContaining(["app-shop-cache-secret", "app-shop-database-secret", "app-shop-sa"]),
    );
    expect(r.named("app-shop-database-secret").dependencies.map((u) => u.split("::").pop())).toContain("secrets-store");
  });
});

describe("AppService restarts when its synced credentials change", () => {
  test("a CronJob in the app's namespace may read only the app's Secrets' metadata and patch only its Deployment", async () => {
    const r = await recordProgram(() => {
      const cluster = stubCluster("aws");
      new AppService("app-shop", base(stubSecrets(cluster)), { providers: [cluster.provider] });
    });
    const metadata = { name: "credential-rollout", namespace: "shop", labels: ROLLOUT_PODS };
    expect(r.named("app-shop-rollout-role").inputs).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata,
      rules: [
        { apiGroups: [""], resources: ["secrets"], resourceNames: ["shop-database", "shop-cache"], verbs: ["get"] },
        { apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["shop"], verbs: ["get", "patch"] },
      ],
    });
    expect(r.named("app-shop-rollout-binding").inputs).toMatchObject({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "credential-rollout" },
      subjects: [{ kind: "ServiceAccount", name: "credential-rollout", namespace: "shop" }],
    });
    const cron = r.named("app-shop-rollout-cronjob").inputs as {
      spec: Record<string, unknown> & { jobTemplate: { spec: { template: { spec: { containers: unknown[] } } } } };
    };
    expect({ ...cron.spec, jobTemplate: undefined }).toEqual({
      schedule: "*/5 * * * *",
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: undefined,
    });
    expect(cron.spec.jobTemplate.spec.template.spec.containers).toEqual([
      {
        name: "rollout",
        image: "docker.io/curlimages/curl:8.17.0",
        command: ["sh", "-c", ROLLOUT_SCRIPT],
        env: [{ name: "TARGETS", value: "shop=shop-database,shop-cache" }],
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
        securityContext: RESTRICTED_CONTAINER,
      },
    ]);
    // Its only path out of the default-deny: the API server.
    expect(r.named("app-shop-ns-allow-rollout-kube-api").inputs).toMatchObject({
      spec: { podSelector: { matchLabels: ROLLOUT_PODS }, policyTypes: ["Egress"], egress: [{ ports: [{ port: 443, protocol: "TCP" }] }] },
    });
  });

  test("an app that reads no synced credential gets no rollout", async () => {
    const r = await recordProgram(() => {
      const cluster = stubCluster("aws");
      new AppService("app-shop", base(), { providers: [cluster.provider] });
    });
    expect(r.ofType("platform:kubernetes:CredentialRollout")).toEqual([]);
    expect(r.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => p.name)).not.toContain(
      "app-shop-ns-allow-rollout-kube-api",
    );
  });
});

describe("AppService arguments", () => {
  test.each<[string, Partial<AppServiceArgs>, string]>([
    [
      "an unpinned image",
      { image: "ghcr.io/example/shop:latest" },
      'AppService shop: args.image must pin a tag other than latest, or a digest, so every deploy runs the same image (got "ghcr.io/example/shop:latest")',
    ],
    [
      "an untagged image",
      { image: "ghcr.io/example/shop" },
      'AppService shop: args.image must pin a tag other than latest, or a digest, so every deploy runs the same image (got "ghcr.io/example/shop")',
    ],
    [
      "replicas below the minimum",
      { replicas: 1 },
      "AppService shop: args must satisfy 1 <= minReplicas <= replicas <= maxReplicas (got 2 <= 1 <= 10)",
    ],
    [
      "a database without secrets",
      { database },
      "AppService shop: args.secrets is required when the app uses the database or the cache: credentials are synced, never passed as values",
    ],
    ["a bad name", { name: "Shop" }, 'AppService Shop: args.name must be a lower-case DNS label of at most 40 characters (got "Shop")'],
  ])("%s is refused, naming the argument", async (_, change, message) => {
    await expect(
      recordProgram(() => {
        const cluster = stubCluster("aws");
        new AppService("app-shop", { ...base(), ...change }, { providers: [cluster.provider] });
      }),
    ).rejects.toThrow(message);
  });
});

describe("AppService defaults", () => {
  const required: AppServiceArgs = {
    name: "shop",
    image: "ghcr.io/example/shop:1.2.3",
    hostname: "shop.example.com",
    podSecurity,
    gateway: base().gateway,
    scrapers: base().scrapers,
    crds: [],
  };

  test("each default AppServiceArgs documents with @default is the one APP_SERVICE_DEFAULTS holds", () => {
    const documented = documentedDefaults("components/kubernetes/app-service.ts", "AppServiceArgs");
    expect(Object.fromEntries(Object.keys(APP_SERVICE_DEFAULTS).map((key) => [key, documented[key]]))).toEqual(APP_SERVICE_DEFAULTS);
    // The production profile's sizing, probes and HSTS, as infra/profiles.ts sets them.
    expect(APP_SERVICE_DEFAULTS).toEqual({
      port: 8080,
      replicas: 3,
      minReplicas: 2,
      maxReplicas: 10,
      cpuRequest: "100m",
      cpuLimit: "500m",
      memoryRequest: "128Mi",
      memoryLimit: "256Mi",
      healthPath: "/healthz",
      readyPath: "/readyz",
      metricsPath: "/metrics",
      hstsMaxAgeSeconds: 31_536_000,
      userId: 65532,
      targetCpuUtilization: 70,
    });
  });

  test("an AppService given only its required arguments gets exactly the documented defaults", async () => {
    const r = await recordProgram(() => {
      const cluster = stubCluster("aws");
      new AppService("app-shop", required, { providers: [cluster.provider] });
    });
    const d = APP_SERVICE_DEFAULTS;
    const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
      httpGet: { path, port: "http" },
      periodSeconds,
      failureThreshold,
      timeoutSeconds: 2,
    });
    const deployment = r.named("app-shop-deployment").inputs as {
      spec: { replicas: number; template: { spec: { securityContext: unknown; containers: Record<string, unknown>[] } } };
    };
    expect(deployment.spec.replicas).toBe(d.replicas);
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsUser: d.userId, runAsGroup: d.userId, fsGroup: d.userId });
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({
      ports: [{ name: "http", containerPort: d.port, protocol: "TCP" }],
      env: [],
      resources: { requests: { cpu: d.cpuRequest, memory: d.memoryRequest }, limits: { cpu: d.cpuLimit, memory: d.memoryLimit } },
      startupProbe: probe(d.healthPath, 5, 24),
      livenessProbe: probe(d.healthPath, 10, 3),
      readinessProbe: probe(d.readyPath, 5, 3),
    });
    expect((r.named("app-shop-hpa").inputs as { spec: unknown }).spec).toMatchObject({
      minReplicas: d.minReplicas,
      maxReplicas: d.maxReplicas,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: d.targetCpuUtilization } } },
      ],
    });
    expect((r.named("app-shop-service-monitor").inputs as { spec: unknown }).spec).toMatchObject({
      endpoints: [{ port: "http", path: d.metricsPath, interval: "30s" }],
    });
    const route = r.named("app-shop-route").inputs as { spec: { rules: { filters: unknown[] }[] } };
    expect(route.spec.rules[0]!.filters).toEqual([
      {
        type: "ResponseHeaderModifier",
        responseHeaderModifier: {
          set: [{ name: "Strict-Transport-Security", value: `max-age=${d.hstsMaxAgeSeconds}; includeSubDomains` }],
        },
      },
    ]);
    const allowIn = r
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((p) => p.inputs as { metadata: { name: string }; spec: { ingress?: { ports: { port: number }[] }[] } })
      .filter((p) => p.metadata.name === "allow-from-gateway" || p.metadata.name === "allow-from-prometheus");
    expect(allowIn.map((p) => p.spec.ingress![0]!.ports.map((port) => port.port))).toEqual([[d.port], [d.port]]);
  });

  test("an AppService given every default explicitly is recorded the same as one given none", async () => {
    const run = (args: AppServiceArgs) =>
      recordProgram(() => {
        const cluster = stubCluster("aws");
        new AppService("app-shop", args, { providers: [cluster.provider] });
      });
    const bare = await run(required);
    const explicit = await run({ ...required, ...APP_SERVICE_DEFAULTS });
    expect(explicit.resources).toEqual(bare.resources);
  });
});
