// GIVEN the shipped GCP stacks, reviewed as `pulumi up` would run them
// WHEN the cluster services GKE adds and what the Kubernetes layer builds from them are read back
// THEN the StorageClass is on balanced persistent disks and kept on claim deletion outside dev, the
//      gateway's Service asks GKE for a backend-service-based passthrough Network Load Balancer without
//      PROXY protocol and admits clients from anywhere on the proxy ports alone, the secret store is
//      Secret Manager in the stack's project read as the controller's own Workload Identity, the pods that
//      act as a Google service account may reach the node's metadata server and nothing else more, and
//      Prometheus scrapes kube-dns where it serves metrics.
import { beforeAll, describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";

const reports: Record<string, ReviewReport> = {};
beforeAll(() => {
  for (const stack of ["gcp-dev", "gcp-production"] as const) reports[stack] = shippedReview(stack);
});

const named = (stack: string, name: string): RecordedResource => {
  const found = reports[stack]!.resources.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`${stack}: expected one resource named ${name}, found ${found.length}`);
  return found[0]!;
};
const K8S_PROVIDER = (stack: string) => `urn:pulumi:${stack}::platform::platform:gcp:GkeCluster$pulumi:providers:kubernetes::cluster-k8s`;

describe.each([
  ["gcp-dev", "Delete", "example-platform-dev"],
  ["gcp-production", "Retain", "example-platform-prod"],
] as const)("%s: GKE's cluster services", (stack, reclaimPolicy, project) => {
  test(`a pd-balanced StorageClass, made where the pod lands, expandable, ${reclaimPolicy} on claim deletion`, () => {
    const storageClass = named(stack, "cluster-services-pd-balanced");
    expect(storageClass.inputs).toEqual({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "pd-balanced" },
      provisioner: "pd.csi.storage.gke.io",
      parameters: { type: "pd-balanced", "csi.storage.k8s.io/fstype": "ext4" },
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy,
    });
    expect(storageClass.parent).toBe(named(stack, "cluster-services").urn);
    expect(storageClass.provider).toBe(K8S_PROVIDER(stack));
    // Every volume of the platform is on it.
    expect(named(stack, "monitoring-stack").inputs.values).toMatchObject({
      grafana: { persistence: { storageClassName: "pd-balanced" } },
    });
  });

  test("the gateway's Service: a passthrough NLB by annotation, the client address kept without PROXY protocol", () => {
    const proxy = named(stack, "gateway-proxy-config").inputs as { spec: { provider: { kubernetes: { envoyService: unknown } } } };
    expect(proxy.spec.provider.kubernetes.envoyService).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      annotations: { "cloud.google.com/l4-rbs": "enabled" },
    });
    expect(named(stack, "gateway-client-traffic").inputs.spec).not.toHaveProperty("proxyProtocol");
    // Clients keep their own addresses, so the proxies admit any, on their listener ports only.
    expect(named(stack, "gateway-ns-allow-from-load-balancer").inputs.spec).toEqual({
      podSelector: {
        matchLabels: {
          "app.kubernetes.io/name": "envoy",
          "app.kubernetes.io/component": "proxy",
          "app.kubernetes.io/managed-by": "envoy-gateway",
        },
      },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
          ports: [
            { port: 10080, protocol: "TCP" },
            { port: 10443, protocol: "TCP" },
          ],
        },
      ],
    });
  });

  test("the secret store: Secret Manager in the stack's project, as the controller's own Workload Identity", () => {
    expect(named(stack, "secrets-store").inputs).toEqual({
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterSecretStore",
      metadata: { name: "platform-secrets" },
      spec: { provider: { gcpsm: { projectID: project } } },
    });
    expect(named(stack, "secrets-operator").inputs.values).toMatchObject({
      serviceAccount: { annotations: { "iam.gke.io/gcp-service-account": `cluster-external-secrets@${project}.iam.gserviceaccount.com` } },
    });
  });

  test.each(["secrets", "backups"])("the %s namespace may reach the node's metadata server for Workload Identity tokens", (component) => {
    const namespace = component === "secrets" ? "external-secrets" : "backups";
    expect(named(stack, `${component}-ns-allow-workload-identity`).inputs).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-workload-identity", namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ port: 80, protocol: "TCP" }] }],
      },
    });
  });

  test("only the namespaces whose pods act as a Google service account get that allowance", () => {
    const allowances = reports[stack]!.resources.filter((r) => r.name.endsWith("-allow-workload-identity")).map((r) => r.name);
    expect(allowances.sort()).toEqual([
      "backups-ns-allow-workload-identity",
      "monitoring-ns-allow-workload-identity",
      "secrets-ns-allow-workload-identity",
    ]);
    // In monitoring only Grafana acts as a Google service account (it reads Cloud Logging).
    expect((named(stack, "monitoring-ns-allow-workload-identity").inputs as { spec: { podSelector: unknown } }).spec.podSelector).toEqual({
      matchLabels: { "app.kubernetes.io/name": "grafana" },
    });
  });

  test("Prometheus scrapes kube-dns on its metrics ports, and the chart monitors kube-dns, not CoreDNS", () => {
    expect(named(stack, "monitoring-ns-allow-scrape-kube-system").inputs.spec).toMatchObject({
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [
            { port: 10054, protocol: "TCP" },
            { port: 10055, protocol: "TCP" },
          ],
        },
      ],
    });
    expect(named(stack, "monitoring-stack").inputs.values).toMatchObject({ coreDns: { enabled: false }, kubeDns: { enabled: true } });
  });
});
