// GIVEN the production stacks of both clouds (production on EKS, gcp-production on GKE), reviewed as
//       `pulumi up` would run them: the same Kubernetes layer (infra/kubernetes.ts) composed against each
//       cloud's implementation of the contracts in components/types.ts
// WHEN their Kubernetes objects are compared, with the one config difference between the two stack files
//      (the domain) taken out
// THEN they are the same objects with the same inputs, apart from what the contracts say differs by cloud:
//      the cloud's address ranges and ports in the network policies, the identity annotations, the secret
//      and object stores, the load balancer class, the StorageClass, the DNS server and the endpoints.
//      Every such difference is one of the rows below, and every row is seen.
import { beforeAll, describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";

const AWS_DOMAIN = "platform.example.com";
const GCP_DOMAIN = "gcp.platform.example.com";

let aws: Map<string, RecordedResource>;
let gcp: Map<string, RecordedResource>;
beforeAll(() => {
  aws = kubernetesObjects(shippedReview("production"));
  // The stack files differ in their domain alone; it appears in hostnames, listener names and resource names.
  const sameDomain = JSON.parse(
    JSON.stringify(shippedReview("gcp-production"))
      .replaceAll(GCP_DOMAIN, AWS_DOMAIN)
      .replaceAll(GCP_DOMAIN.replaceAll(".", "-"), AWS_DOMAIN.replaceAll(".", "-")),
  ) as ReviewReport;
  gcp = kubernetesObjects(sameDomain);
});

/** The Kubernetes layer's resources (objects, Helm releases, components), by type and name. */
function kubernetesObjects(report: ReviewReport): Map<string, RecordedResource> {
  const layer = report.resources.filter((r) => r.type.startsWith("kubernetes:") || r.type.startsWith("platform:kubernetes:"));
  return new Map(layer.map((r) => [`${r.type} ${r.name}`, r]));
}

/** A resource's parent by type chain and name, the stack itself as "(stack)": URNs name the stack. */
function parentOf(r: RecordedResource): string {
  const [typeChain, name] = (r.parent ?? "").split("::").slice(2);
  return typeChain === "pulumi:pulumi:Stack" ? "(stack)" : `${typeChain} ${name}`;
}

/**
 * The paths at which two values differ. Arrays of named items (containers, env, volumes, listeners) are
 * compared by name, other arrays of one length item by item; arrays of different lengths differ as a whole.
 */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const named = (v: unknown): v is { name: string }[] =>
    Array.isArray(v) && v.every((x) => typeof x === "object" && x !== null && typeof (x as { name?: unknown }).name === "string");
  if (named(a) && named(b)) {
    const [byA, byB] = [new Map(a.map((x) => [x.name, x])), new Map(b.map((x) => [x.name, x]))];
    return [...new Set([...byA.keys(), ...byB.keys()])].flatMap((name) => differences(byA.get(name), byB.get(name), `${path}[${name}]`));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.flatMap((x, i) => differences(x, b[i], `${path}.${i}`));
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b))
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((key) => differences(a[key], b[key], `${path}.${key}`));
  return [path];
}

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** What may differ between the clouds, why (the contract it comes from), and where. */
const CLOUD_DIFFERENCES: Array<{ why: string; type: string; path: RegExp }> = [
  // KubernetesCluster.apiServerCidrs, ClusterServices.nodeCidrs, the endpoints' privateCidrs and ports,
  // LoadBalancerClass.sourceCidrs, ClusterDns.metricsPorts
  { why: "address ranges and ports of the cloud", type: NETWORK_POLICY, path: /^\.spec\.(egress|ingress)\.0\.(to|from|ports)(\.|$)/ },
  // WorkloadIdentity.serviceAccountAnnotations
  {
    why: "identity annotations",
    type: "kubernetes:core/v1:ServiceAccount",
    path: /^\.metadata\.annotations\.(eks\.amazonaws\.com\/role-arn|iam\.gke\.io\/gcp-service-account)$/,
  },
  {
    why: "identity annotations",
    type: "kubernetes:helm.sh/v3:Release",
    path: /^\.values\.serviceAccount\.annotations\.(eks\.amazonaws\.com\/role-arn|iam\.gke\.io\/gcp-service-account)$/,
  },
  {
    why: "identity annotations",
    type: "kubernetes:helm.sh/v3:Release",
    path: /^\.values\.grafana\.serviceAccount\.annotations\.(eks\.amazonaws\.com\/role-arn|iam\.gke\.io\/gcp-service-account)$/,
  },
  // ClusterServices.logDatasource: CloudWatch Logs (built in) or the Cloud Logging plugin, and its queries.
  {
    why: "the log store",
    type: "kubernetes:helm.sh/v3:Release",
    path: /^\.values\.grafana\.(additionalDataSources\[Container logs\]\.(type|jsonData\..+)|plugins)$/,
  },
  { why: "the log store", type: "kubernetes:core/v1:ConfigMap", path: /^\.data\.platform-app-logs\.json$/ },
  // PostgresEndpoint.credentialRotationDays: RDS rotates its password on a schedule, Cloud SQL's does not, so only
  // EKS gets the DatabaseCredentialsNotRotated rule.
  {
    why: "the database's password rotation",
    type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    path: /^\.spec\.groups\[platform\.secrets\]\.rules$/,
  },
  // ClusterServices.secretStoreProvider; PostgresEndpoint.credentialsSecret, RedisEndpoint.authSecret
  { why: "the secret store", type: "kubernetes:external-secrets.io/v1:ClusterSecretStore", path: /^\.spec\.provider\.(aws|gcpsm)$/ },
  {
    why: "the secret store",
    type: "kubernetes:external-secrets.io/v1:ExternalSecret",
    path: /^\.spec\.data\.\d+\.remoteRef\.key$/,
  },
  // LoadBalancerClass.serviceAnnotations and proxyProtocol
  {
    why: "the load balancer class",
    type: "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy",
    path: /^\.spec\.provider\.kubernetes\.envoyService\.annotations\./,
  },
  {
    why: "the load balancer class",
    type: "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy",
    path: /^\.spec\.proxyProtocol$/,
  },
  // ClusterServices.storageClassName and clusterDns
  { why: "the StorageClass", type: "kubernetes:helm.sh/v3:Release", path: /\.storageClassName$/ },
  {
    why: "the StorageClass",
    type: "kubernetes:batch/v1:CronJob",
    path: /\.volumes\[.+\]\.ephemeral\.volumeClaimTemplate\.spec\.storageClassName$/,
  },
  { why: "the DNS server", type: "kubernetes:helm.sh/v3:Release", path: /^\.values\.(coreDns|kubeDns)\.enabled$/ },
  // PostgresEndpoint.host, RedisEndpoint.host/port/serverCaCertificates
  {
    why: "the endpoints",
    type: "kubernetes:apps/v1:Deployment",
    path: /^\.spec\.template\.spec\.containers\[.+\]\.env\[(DATA_SOURCE_URI|REDIS_ADDR|REDIS_EXPORTER_TLS_CA_CERT_FILE)\]$|^\.spec\.template\.spec\.containers\[.+\]\.env\[(DATA_SOURCE_URI|REDIS_ADDR)\]\.value$/,
  },
  {
    why: "the endpoints",
    type: "kubernetes:apps/v1:Deployment",
    path: /^\.spec\.template\.spec\.(containers\[.+\]\.volumeMounts|volumes)$/,
  },
  // BackupStore.rcloneEnv and bucketName, PostgresEndpoint.host
  {
    why: "the object store",
    type: "kubernetes:batch/v1:CronJob",
    path: /^\.spec\.jobTemplate\.spec\.template\.spec\.containers\[.+\]\.env\[(RCLONE_CONFIG_BACKUP_[A-Z_]+|BUCKET)\](\.value)?$/,
  },
  {
    why: "the endpoints",
    type: "kubernetes:batch/v1:CronJob",
    path: /^\.spec\.jobTemplate\.spec\.template\.spec\.containers\[.+\]\.env\[PGHOST\]\.value$/,
  },
];

/** Objects one cloud has and the other does not, each from a contract. */
const AWS_ONLY = [
  // ClusterServices: the controller that makes NLBs, and the EBS StorageClass.
  "kubernetes:helm.sh/v3:Release cluster-services-lb-controller",
  "kubernetes:storage.k8s.io/v1:StorageClass cluster-services-gp3",
  // ClusterServices.logCollector: EKS's amazon-cloudwatch, labelled as the exception below restricted with
  // its default-deny; GKE's collector is part of the managed control plane.
  "platform:kubernetes:Namespace log-collector",
  "kubernetes:core/v1:NamespacePatch log-collector-namespace-labels",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy log-collector-default-deny",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy log-collector-allow-dns",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy log-collector-allow-kube-api",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy log-collector-allow-node-scrapes",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy log-collector-allow-webhook",
];
const GCP_ONLY = [
  // ClusterServices: the persistent disk StorageClass.
  "kubernetes:storage.k8s.io/v1:StorageClass cluster-services-pd-balanced",
  // KubernetesCluster.identityEndpoint: GKE's metadata server, for the pods that act as a Google service account.
  "kubernetes:networking.k8s.io/v1:NetworkPolicy backups-ns-allow-workload-identity",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy secrets-ns-allow-workload-identity",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy monitoring-ns-allow-workload-identity",
  // RedisEndpoint.serverCaCertificates: Memorystore's own CA, for the exporter to verify the cache with.
  "kubernetes:core/v1:ConfigMap monitoring-redis-exporter-ca",
];

describe("the Kubernetes layer is the same on EKS and GKE but for the contracts' cloud parts", () => {
  test("the objects are the same but for the cluster services, the identity endpoint's allowances and the cache CA", () => {
    expect([...aws.keys()].filter((k) => !gcp.has(k)).sort()).toEqual([...AWS_ONLY].sort());
    expect([...gcp.keys()].filter((k) => !aws.has(k)).sort()).toEqual([...GCP_ONLY].sort());
    // The layer is all there: dozens of objects in common.
    expect([...aws.keys()].filter((k) => gcp.has(k)).length).toBeGreaterThan(100);
  });

  test("the objects in common have the same inputs, options and parents but where a contract differs by cloud", () => {
    const unexplained: string[] = [];
    const seen = new Set<number>();
    for (const [key, a] of aws) {
      const b = gcp.get(key);
      if (!b) continue;
      expect({ key, parent: parentOf(b), protect: b.protect }).toEqual({ key, parent: parentOf(a), protect: a.protect });
      for (const path of differences(a.inputs, b.inputs)) {
        const row = CLOUD_DIFFERENCES.findIndex((d) => d.type === a.type && d.path.test(path));
        if (row < 0) unexplained.push(`${key} ${path}`);
        else seen.add(row);
      }
    }
    expect(unexplained).toEqual([]);
    // Every row is needed: none describes a difference that no longer exists.
    expect(CLOUD_DIFFERENCES.filter((_, i) => !seen.has(i)).map((d) => `${d.why}: ${d.type} ${String(d.path)}`)).toEqual([]);
  });

  test.each([
    ["production", "coredns", { coreDns: { enabled: true }, kubeDns: { enabled: false } }, ["9153"]],
    ["gcp-production", "kube-dns", { coreDns: { enabled: false }, kubeDns: { enabled: true } }, ["10054", "10055"]],
  ] as const)("%s: the chart monitors %s, and Prometheus may reach its metrics ports", (stack, _server, values, ports) => {
    const objects = stack === "production" ? aws : gcp;
    const release = objects.get("kubernetes:helm.sh/v3:Release monitoring-stack")!;
    expect(release.inputs.values).toMatchObject(values);
    const policy = objects.get(`${NETWORK_POLICY} monitoring-ns-allow-scrape-kube-system`)!;
    const egress = (policy.inputs as { spec: { egress: { ports: { port: number }[] }[] } }).spec.egress;
    expect(egress.flatMap((e) => e.ports.map((p) => String(p.port)))).toEqual(ports);
  });
});
