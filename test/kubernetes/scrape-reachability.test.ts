// GIVEN the production stacks of both clouds (production on EKS, gcp-production on GKE), reviewed as
//       `pulumi up` would run them
// WHEN the review's reachability check (review/reachability.ts) follows the stack's own monitors, routes and
//      pods to their targets, and the charts' monitors, which the review records only as releases, are
//      checked by hand against the recorded NetworkPolicies with the same evaluator (review/netpol.ts)
// THEN the check decides exactly the expected paths and finds none blocked; Prometheus's egress and each
//      chart target's ingress admit every scrape; the same policies still refuse traffic nobody allowed.
import { beforeAll, describe, expect, test } from "@jest/globals";
import { PROXY_PODS, PROXY_PORTS } from "../../components/kubernetes/gateway";
import { clusterFacts } from "../../review/cluster-objects";
import type { RecordedResource } from "../../review/engine";
import { addressIn, type Endpoint, type Labels, type NetworkPolicy, NetworkPolicies, type PodEndpoint } from "../../review/netpol";
import { REACHABILITY_CHECK, type ReachabilityResult } from "../../review/reachability";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";

let report: ReviewReport;
let policies: NetworkPolicies;
/** Reads a stack's review and its policies; each stack's describe block calls it before its tests. */
function load(stack: "production" | "gcp-production"): void {
  report = shippedReview(stack);
  const namespaces = ofType("kubernetes:core/v1:Namespace").map(
    (r) => (r.inputs as { metadata: { name: string; labels: Labels } }).metadata,
  );
  policies = new NetworkPolicies(
    ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs as unknown as NetworkPolicy),
    Object.fromEntries(namespaces.map((n) => [n.name, n.labels])),
  );
}

const ofType = (type: string) => report.resources.filter((r) => r.type === type);
const byUrn = (urn: string) => report.resources.find((r) => r.urn === urn)!;

/** Prometheus as the operator runs it for kube-prometheus-stack: the pod every scrape leaves from. */
const PROMETHEUS: PodEndpoint = {
  namespace: "monitoring",
  labels: {
    "app.kubernetes.io/name": "prometheus",
    "app.kubernetes.io/instance": "kube-prometheus-stack-prometheus",
    "app.kubernetes.io/managed-by": "prometheus-operator",
  },
};
const reachability = () => report.checks.find((c) => c.name === REACHABILITY_CHECK) as ReachabilityResult;

interface Target {
  /** The monitor that scrapes it, and what it is. */
  monitor: string;
  to: Endpoint;
  port: number;
}

const pods = (namespace: string, labels: Labels): PodEndpoint => ({ namespace, labels });
const describeTarget = (t: Target) =>
  `${t.monitor}: ${
    "address" in t.to
      ? t.to.address
      : `${t.to.namespace}/${Object.entries(t.to.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(",")}`
  }:${t.port}`;

// ---------------------------------------------------------------------------------------------------
// The charts' own monitors. The review records each chart as one helm.v3.Release, so these were read off
// `helm template` of the pinned charts (cert-manager v1.21.1, kube-prometheus-stack 88.5.3, external-secrets
// 2.9.0) with the production review's values: the pods each monitor selects and the container port behind
// the scraped port. (The platform's PodMonitor of the External Secrets controller is its own, but the pods
// are the chart's, so the check lists it as unresolved and it is checked here.)

const CERT_MANAGER = { "app.kubernetes.io/instance": "cert-manager" };
const CHART_POD_TARGETS: Target[] = [
  {
    monitor: "cert-manager: controller",
    to: pods("cert-manager", { ...CERT_MANAGER, "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" }),
    port: 9402,
  },
  {
    monitor: "cert-manager: cainjector",
    to: pods("cert-manager", { ...CERT_MANAGER, "app.kubernetes.io/name": "cainjector", "app.kubernetes.io/component": "cainjector" }),
    port: 9402,
  },
  {
    monitor: "cert-manager: webhook",
    to: pods("cert-manager", { ...CERT_MANAGER, "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" }),
    port: 9402,
  },
  {
    monitor: "kube-prometheus-stack: grafana",
    to: pods("monitoring", { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" }),
    port: 3000,
  },
  {
    monitor: "kube-prometheus-stack: kube-state-metrics",
    to: pods("monitoring", { "app.kubernetes.io/name": "kube-state-metrics" }),
    port: 8080,
  },
  { monitor: "kube-prometheus-stack: alertmanager", to: pods("monitoring", { "app.kubernetes.io/name": "alertmanager" }), port: 9093 },
  {
    monitor: "kube-prometheus-stack: alertmanager config reloader",
    to: pods("monitoring", { "app.kubernetes.io/name": "alertmanager" }),
    port: 8080,
  },
  { monitor: "kube-prometheus-stack: prometheus", to: PROMETHEUS, port: 9090 },
  { monitor: "kube-prometheus-stack: prometheus config reloader", to: PROMETHEUS, port: 8080 },
  { monitor: "kube-prometheus-stack: operator", to: pods("monitoring", { app: "kube-prometheus-stack-operator" }), port: 10250 },
  {
    monitor: "PodMonitor external-secrets/external-secrets",
    to: pods("external-secrets", {
      "helm.sh/chart": "external-secrets-2.9.0",
      "app.kubernetes.io/name": "external-secrets",
      "app.kubernetes.io/instance": "external-secrets",
      "app.kubernetes.io/version": "v2.9.0",
      "app.kubernetes.io/managed-by": "Helm",
    }),
    port: 8080,
  },
];

// The cluster DNS the chart monitors, per cloud: CoreDNS on EKS, kube-dns's two metrics ports on GKE
// (`helm template` with kubeDns.enabled: its Service selects k8s-app=kube-dns on 10054 and 10055).
// kube-system has no platform policies, so only Prometheus's egress decides.
const KUBE_DNS_PODS = pods("kube-system", { "k8s-app": "kube-dns" });
const CHART_DNS_TARGETS: Record<string, Target[]> = {
  production: [{ monitor: "kube-prometheus-stack: coredns", to: KUBE_DNS_PODS, port: 9153 }],
  "gcp-production": [
    { monitor: "kube-prometheus-stack: kube-dns dnsmasq", to: KUBE_DNS_PODS, port: 10054 },
    { monitor: "kube-prometheus-stack: kube-dns skydns", to: KUBE_DNS_PODS, port: 10055 },
  ],
};

/** AWS keeps a subnet's first four addresses and its last; nodes and ENIs get the ones between. */
function usableEnds(cidr: string): string[] {
  const size = 2 ** (32 - Number(cidr.split("/")[1]));
  return [addressIn(cidr, 4), addressIn(cidr, size - 2)];
}
const subnetCidrs = (r: RecordedResource, input: string) =>
  (r.propertyDependencies[input] ?? [])
    .map(byUrn)
    .filter((s) => s.type === "aws:ec2/subnet:Subnet")
    .map((s) => s.inputs.cidrBlock as string);

/** EKS: the kubelets (on the node group's subnets) and the API server (its ENIs in the cluster's subnets, its `kubernetes` endpoints). */
function awsAddressTargets(): Target[] {
  const nodeSubnets = ofType("aws:eks/nodeGroup:NodeGroup").flatMap((g) => subnetCidrs(g, "subnetIds"));
  const apiServerSubnets = ofType("aws:eks/cluster:Cluster").flatMap((c) => subnetCidrs(c, "vpcConfig"));
  return [
    ...nodeSubnets
      .flatMap(usableEnds)
      .map((address): Target => ({ monitor: "kube-prometheus-stack: kubelet", to: { address }, port: 10250 })),
    ...apiServerSubnets
      .flatMap(usableEnds)
      .map((address): Target => ({ monitor: "kube-prometheus-stack: apiserver", to: { address }, port: 443 })),
  ];
}

/**
 * GKE: the kubelets and the API server's private endpoint, both in the node subnet's primary range (GCP
 * keeps its first two addresses and its last two).
 */
function gcpAddressTargets(): Target[] {
  const [subnet] = ofType("gcp:compute/subnetwork:Subnetwork").map((s) => s.inputs.ipCidrRange as string);
  const size = 2 ** (32 - Number(subnet!.split("/")[1]));
  const ends = [addressIn(subnet!, 2), addressIn(subnet!, size - 3)];
  return [
    ...ends.map((address): Target => ({ monitor: "kube-prometheus-stack: kubelet", to: { address }, port: 10250 })),
    ...ends.map((address): Target => ({ monitor: "kube-prometheus-stack: apiserver", to: { address }, port: 443 })),
  ];
}

// ---------------------------------------------------------------------------------------------------

interface Cloud {
  stack: "production" | "gcp-production";
  /** The kubelets and the API server, at the addresses the cloud gives them. */
  addressTargets: () => Target[];
  /** What addressTargets must describe: the ends of the node (and API server) ranges. */
  addresses: { kubelets: string[]; apiServers: string[] };
  /** An address Prometheus must not reach: the data services' range. */
  dataAddress: string;
  /** The Deployment of the cluster's DNS server. */
  dnsServer: "coredns" | "kube-dns";
}

const AWS_PRIVATE_ENDS = ["10.0.0.4", "10.0.31.254", "10.0.32.4", "10.0.63.254", "10.0.64.4", "10.0.95.254"];
const CLOUDS: Cloud[] = [
  {
    stack: "production",
    addressTargets: awsAddressTargets,
    addresses: { kubelets: AWS_PRIVATE_ENDS, apiServers: AWS_PRIVATE_ENDS },
    dataAddress: "10.0.208.4",
    dnsServer: "coredns",
  },
  {
    stack: "gcp-production",
    addressTargets: gcpAddressTargets,
    addresses: { kubelets: ["10.0.0.2", "10.0.15.253"], apiServers: ["10.0.0.2", "10.0.15.253"] },
    dataAddress: "10.0.32.4",
    dnsServer: "kube-dns",
  },
];

describe.each(CLOUDS)("$stack: every scrape target, route backend and DNS server is reachable through the network policies", (cloud) => {
  beforeAll(() => load(cloud.stack));

  test("the review's reachability check follows the stack's own monitors, route and pods to exactly these paths", () => {
    const dns = `kube-system/Deployment/${cloud.dnsServer}`;
    const prometheus = "monitoring/Prometheus/kube-prometheus-stack-prometheus";
    const toDns = (object: string) => ["UDP", "TCP"].map((p) => `dns ${object}: pods of ${object} -> ${dns} ${p} 53`);
    expect(reachability().paths).toEqual([
      `scrape podinfo/ServiceMonitor/podinfo: Prometheus ${prometheus} -> podinfo/Deployment/podinfo TCP 9898`,
      `scrape monitoring/ServiceMonitor/postgres-exporter: Prometheus ${prometheus} -> monitoring/Deployment/postgres-exporter TCP 9187`,
      `scrape monitoring/ServiceMonitor/redis-exporter: Prometheus ${prometheus} -> monitoring/Deployment/redis-exporter TCP 9121`,
      `scrape gateway/PodMonitor/envoy-proxies: Prometheus ${prometheus} -> gateway/Gateway/platform TCP ${PROXY_PORTS.metrics}`,
      "route podinfo/HTTPRoute/podinfo: the proxies of gateway/Gateway/platform -> podinfo/Deployment/podinfo TCP 9898",
      ...toDns("podinfo/Deployment/podinfo"),
      ...toDns("monitoring/Deployment/redis-exporter"),
      ...toDns("monitoring/Deployment/postgres-exporter"),
      ...toDns("backups/CronJob/postgres-backup"),
      ...toDns("backups/CronJob/restore-verification"),
      ...toDns(prometheus),
      ...toDns("gateway/Gateway/platform"),
    ]);
  });

  test("the check finds every path open, is mandatory in production, and names what it could not follow", () => {
    expect(reachability()).toMatchObject({ enforcementLevel: "mandatory", checked: 19, findings: [] });
    // The controller's pods are the chart's, which the recording holds only as a release: checked by hand below.
    expect(reachability().unresolved).toEqual([
      "external-secrets/PodMonitor/external-secrets: selects no pods among the objects with its endpoints' ports",
    ]);
  });

  test("the check calls webhooks from the API server's addresses and scrapes from the Prometheus pod the hand checks use", () => {
    const facts = clusterFacts(report.resources);
    expect(facts.apiServerAddresses).toEqual(cloud.addresses.apiServers);
    expect(facts.prometheus.map((p) => ({ namespace: p.namespace, labels: p.labels }))).toEqual([PROMETHEUS]);
    expect(facts.proxies.labels).toEqual(PROXY_PODS);
    expect(facts.dns).toMatchObject({ object: `kube-system/Deployment/${cloud.dnsServer}`, labels: { "k8s-app": "kube-dns" } });
  });

  test("the kubelets and the API server are scraped at addresses in the nodes' ranges", () => {
    expect(cloud.addressTargets().map(describeTarget)).toEqual([
      ...cloud.addresses.kubelets.map((a) => `kube-prometheus-stack: kubelet: ${a}:10250`),
      ...cloud.addresses.apiServers.map((a) => `kube-prometheus-stack: apiserver: ${a}:443`),
    ]);
  });

  test("Prometheus's egress and each chart target's ingress admit every scrape", () => {
    const targets = [...CHART_POD_TARGETS, ...CHART_DNS_TARGETS[cloud.stack]!, ...cloud.addressTargets()];
    const { kubelets, apiServers } = cloud.addresses;
    expect(targets.length).toBe(CHART_POD_TARGETS.length + CHART_DNS_TARGETS[cloud.stack]!.length + kubelets.length + apiServers.length);
    const down = targets
      .map((t) => ({ t, verdict: policies.decide({ from: PROMETHEUS, to: t.to, port: t.port }) }))
      .filter(({ verdict }) => !verdict.allowed)
      .map(
        ({ t, verdict }) =>
          `${describeTarget(t)}: ${[verdict.egress, verdict.ingress]
            .filter((s) => !s.allowed)
            .map((s) => s.why)
            .join("; ")}`,
      );
    expect(down).toEqual([]);
  });

  test("the same policies still refuse what nobody allowed", () => {
    const refused: Array<[string, PodEndpoint, Endpoint, number]> = [
      [
        "Prometheus to the cert-manager webhook's serving port",
        PROMETHEUS,
        pods("cert-manager", { ...CERT_MANAGER, "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" }),
        10250,
      ],
      [
        "Prometheus to the External Secrets webhook's metrics (only the controller is scraped)",
        PROMETHEUS,
        pods("external-secrets", {
          "app.kubernetes.io/name": "external-secrets-webhook",
          "app.kubernetes.io/instance": "external-secrets",
        }),
        8080,
      ],
      [
        "Grafana to the External Secrets controller's metrics (only Prometheus scrapes)",
        pods("monitoring", { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" }),
        pods("external-secrets", { "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" }),
        8080,
      ],
      [
        "Grafana to cert-manager's metrics (only Prometheus scrapes)",
        pods("monitoring", { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" }),
        pods("cert-manager", { ...CERT_MANAGER, "app.kubernetes.io/name": "cainjector", "app.kubernetes.io/component": "cainjector" }),
        9402,
      ],
      [
        "podinfo to the Postgres exporter's metrics",
        pods("podinfo", { "app.kubernetes.io/name": "podinfo", "app.kubernetes.io/part-of": "platform" }),
        pods("monitoring", { "app.kubernetes.io/name": "postgres-exporter" }),
        9187,
      ],
      ["Prometheus to a kubelet on another port", PROMETHEUS, { address: cloud.addresses.kubelets[0]! }, 10255],
      ["Prometheus to an address in the data services' range", PROMETHEUS, { address: cloud.dataAddress }, 10250],
    ];
    expect(refused.filter(([, from, to, port]) => policies.decide({ from, to, port }).allowed).map(([what]) => what)).toEqual([]);
  });
});
