// GIVEN a cache whose server certificate is signed by a CA of its own (Memorystore: two certificates during a
//       rotation), and one the system trust store verifies (ElastiCache: no certificates)
// WHEN the redis exporter and an app that uses the cache are recorded under the offline engine
// THEN with certificates, each workload gets a ConfigMap of the bundle in its namespace, mounts it read-only,
//      names the file in its client's CA variable and waits for the ConfigMap, all valid against the upstream
//      schemas and the restricted Pod Security Standard; without them, nothing of the kind is added.
import { beforeAll, describe, expect, test } from "@jest/globals";
import * as pulumi from "@pulumi/pulumi";
import { AppService } from "../../components/kubernetes/app-service";
import { Monitoring } from "../../components/kubernetes/monitoring";
import type { PostgresEndpoint, RedisEndpoint } from "../../components/types";
import type { RecordedResource } from "../../review/engine";
import { POD_SECURITY, SHOP_GATEWAY, stubCluster, stubLogs, stubSecrets } from "./stubs";
import { recordProgram, type Recorded } from "../harness";
import { podMetadataOf, podSpecOf, restrictedProblems } from "../../review/pod-security";
import { validateObject } from "./schema";

const podSecurity = POD_SECURITY;
const CA_1 = "-----BEGIN CERTIFICATE-----\nMIIDfTCCAmWgAwIBAgIBADANBgkqhkiG9w0BAQsFADBbMS0wKwYDVQQ=\n-----END CERTIFICATE-----";
const CA_2 = "-----BEGIN CERTIFICATE-----\nMIIDfTCCAmWgAwIBAgIBATANBgkqhkiG9w0BAQsFADBbMS0wKwYDVQQ=\n-----END CERTIFICATE-----";

const database: PostgresEndpoint = {
  host: pulumi.output("10.20.0.3"),
  readerHost: pulumi.output("10.20.0.3"),
  port: 5432,
  privateCidrs: ["10.20.0.0/20"],
  databaseName: "app",
  engineMajor: "17",
  username: pulumi.output("platform"),
  credentialsSecret: pulumi.output("db-credentials"),
  grantCredentialsRead: () => undefined,
};
const cacheWith = (serverCaCertificates?: pulumi.Output<string[]>): RedisEndpoint => ({
  host: pulumi.output("10.20.16.4"),
  port: 6378,
  privateCidrs: ["10.20.16.0/20"],
  tls: true,
  authSecret: pulumi.output("cache-auth"),
  grantAuthRead: () => undefined,
  ...(serverCaCertificates && { serverCaCertificates }),
});

/** The monitoring stack and an app that uses the database and the cache, on one stub cluster. */
function recordWorkloads(cache: RedisEndpoint): Promise<Recorded> {
  return recordProgram(() => {
    const cluster = stubCluster("gcp");
    const providers = [cluster.provider];
    const secrets = stubSecrets(cluster);
    new Monitoring(
      "monitoring",
      {
        cluster,
        podSecurity,
        storageClassName: "standard-rwo",
        nodeCidrs: ["10.0.0.0/19"],
        webhookCallers: [{ cidrs: ["10.0.0.0/19"] }],
        prometheusRetentionDays: 3,
        prometheusStorageGb: 10,
        grafanaStorageGb: 5,
        database,
        cache,
        secrets,
        scrapeTargets: [],
        clusterDns: { server: "coredns", metricsPorts: [9153] },
        rules: {
          backupNamespace: "backups",
          backupCronJob: "postgres-backup",
          restoreCronJob: "restore-verification",
          maxBackupAgeHours: 26,
          maxVerificationAgeHours: 192,
          databaseMaxStorageGb: 100,
          databaseReadReplicas: 1,
          externalSecretsJob: "external-secrets/external-secrets",
        },
        dashboards: { backupNamespace: "backups", backupCronJob: "postgres-backup", restoreCronJob: "restore-verification" },
        logs: stubLogs(),
        apps: [],
      },
      { providers },
    );
    new AppService(
      "app-shop",
      {
        name: "shop",
        image: "ghcr.io/example/shop:1.2.3",
        hostname: "shop.example.com",
        podSecurity,
        gateway: SHOP_GATEWAY,
        scrapers: { namespace: "monitoring", pods: { app: "prometheus" } },
        crds: [],
        secrets,
        database,
        cache,
      },
      { providers },
    );
  });
}

interface Container {
  name: string;
  env: unknown[];
  volumeMounts?: unknown[];
}
interface PodSpec {
  containers: Container[];
  volumes?: unknown[];
}
const podOf = (r: RecordedResource) => (r.inputs as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const short = (urns: string[]) => urns.map((u) => u.split("::").pop()!).sort();
const configMaps = (r: Recorded) => r.ofType("kubernetes:core/v1:ConfigMap").map((c) => c.name);

const EXPORTER_LABELS = { "app.kubernetes.io/name": "redis-exporter", "app.kubernetes.io/part-of": "platform" };
const APP_LABELS = { "app.kubernetes.io/name": "shop", "app.kubernetes.io/part-of": "platform" };
const CA_VOLUME_MOUNT = { name: "redis-ca", mountPath: "/etc/redis-ca", readOnly: true };
const SCRATCH_MOUNTS = [
  { name: "tmp", mountPath: "/tmp" },
  { name: "data", mountPath: "/data" },
];
const SCRATCH_VOLUMES = [
  { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
  { name: "data", emptyDir: { sizeLimit: "256Mi" } },
];
const APP_CACHE_ENV = [
  { name: "REDIS_HOST", value: "10.20.16.4" },
  { name: "REDIS_PORT", value: "6378" },
  { name: "REDIS_TLS", value: "true" },
];
const APP_CACHE_PASSWORD = { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "shop-cache", key: "password" } } };
const EXPORTER_ADDR = { name: "REDIS_ADDR", value: "rediss://10.20.16.4:6378" };
const EXPORTER_PASSWORD = { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-exporter-credentials", key: "password" } } };

describe("a cache with a CA of its own", () => {
  let r: Recorded;
  beforeAll(async () => {
    r = await recordWorkloads(cacheWith(pulumi.output([CA_1, CA_2])));
  });

  test("the exporter's namespace gets the bundle as a ConfigMap, certificates joined by a newline under ca.crt", () => {
    expect(r.named("monitoring-redis-exporter-ca").inputs).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "redis-exporter-ca", namespace: "monitoring", labels: EXPORTER_LABELS },
      data: { "ca.crt": `${CA_1}\n${CA_2}` },
    });
  });

  test("the exporter mounts it read-only and verifies the server with it (REDIS_EXPORTER_TLS_CA_CERT_FILE), after the ConfigMap exists", () => {
    const deployment = r.named("monitoring-redis-exporter");
    const pod = podOf(deployment);
    expect(pod.containers[0]!.env).toEqual([
      EXPORTER_ADDR,
      { name: "REDIS_EXPORTER_TLS_CA_CERT_FILE", value: "/etc/redis-ca/ca.crt" },
      EXPORTER_PASSWORD,
    ]);
    expect(pod.containers[0]!.volumeMounts).toEqual([CA_VOLUME_MOUNT]);
    expect(pod.volumes).toEqual([{ name: "redis-ca", configMap: { name: "redis-exporter-ca" } }]);
    expect(short(deployment.dependencies)).toEqual(
      expect.arrayContaining(["monitoring-redis-exporter-ca", "monitoring-redis-exporter-credentials"]),
    );
    // The Postgres exporter has nothing to do with the cache's CA.
    const postgres = podOf(r.named("monitoring-postgres-exporter"));
    expect([postgres.volumes, postgres.containers[0]!.volumeMounts]).toEqual([undefined, undefined]);
  });

  test("the app's namespace gets the bundle as a ConfigMap beside its synced Secrets", () => {
    expect(r.named("app-shop-cache-ca").inputs).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "shop-cache-ca", namespace: "shop", labels: APP_LABELS },
      data: { "ca.crt": `${CA_1}\n${CA_2}` },
    });
    expect(
      configMaps(r)
        .filter((name) => name.endsWith("-ca"))
        .sort(),
    ).toEqual(["app-shop-cache-ca", "monitoring-redis-exporter-ca"]);
  });

  test("the app mounts it read-only beside its scratch volumes, reads its path from REDIS_TLS_CA_FILE, after the ConfigMap exists", () => {
    const deployment = r.named("app-shop-deployment");
    const pod = podOf(deployment);
    expect(pod.containers[0]!.env.filter((e) => (e as { name: string }).name.startsWith("REDIS_"))).toEqual([
      ...APP_CACHE_ENV,
      { name: "REDIS_TLS_CA_FILE", value: "/etc/redis-ca/ca.crt" },
      APP_CACHE_PASSWORD,
    ]);
    expect(pod.containers[0]!.volumeMounts).toEqual([...SCRATCH_MOUNTS, CA_VOLUME_MOUNT]);
    expect(pod.volumes).toEqual([...SCRATCH_VOLUMES, { name: "redis-ca", configMap: { name: "shop-cache-ca" } }]);
    expect(short(deployment.dependencies)).toEqual(expect.arrayContaining(["app-shop-cache-ca", "app-shop-cache-secret"]));
  });

  test.each(["monitoring-redis-exporter-ca", "app-shop-cache-ca", "monitoring-redis-exporter", "app-shop-deployment"])(
    "%s validates strictly against its kind's upstream schema",
    (name) => {
      expect(validateObject(r.named(name).inputs)).toEqual([]);
    },
  );

  test.each(["monitoring-redis-exporter", "app-shop-deployment"])("%s still passes the restricted Pod Security Standard", (name) => {
    const manifest = r.named(name).inputs as { kind: string };
    expect(restrictedProblems(podSpecOf(manifest.kind, manifest), podMetadataOf(manifest.kind, manifest))).toEqual([]);
  });
});

describe("a cache the system trust store verifies", () => {
  let r: Recorded;
  beforeAll(async () => {
    r = await recordWorkloads(cacheWith());
  });

  test("no ConfigMap, volume, mount or CA variable is added to the exporter or the app", () => {
    expect(configMaps(r).filter((name) => name.endsWith("-ca"))).toEqual([]);
    const exporter = r.named("monitoring-redis-exporter");
    expect(podOf(exporter).containers[0]!.env).toEqual([EXPORTER_ADDR, EXPORTER_PASSWORD]);
    expect([podOf(exporter).volumes, podOf(exporter).containers[0]!.volumeMounts]).toEqual([undefined, undefined]);
    expect(short(exporter.dependencies)).not.toContain("monitoring-redis-exporter-ca");
    const app = podOf(r.named("app-shop-deployment"));
    expect(app.containers[0]!.env.filter((e) => (e as { name: string }).name.startsWith("REDIS_"))).toEqual([
      ...APP_CACHE_ENV,
      APP_CACHE_PASSWORD,
    ]);
    expect(app.containers[0]!.volumeMounts).toEqual(SCRATCH_MOUNTS);
    expect(app.volumes).toEqual(SCRATCH_VOLUMES);
  });
});
