// GIVEN the production stacks of both clouds (production on EKS, gcp-production on GKE), reviewed as
//       `pulumi up` would run them
// WHEN every target Prometheus scrapes (the stack's own ServiceMonitors and PodMonitors, resolved through
//      the recorded Services and Deployments, and the charts' monitors, which the review cannot see) is
//      checked against the recorded NetworkPolicies with NetworkPolicy semantics (netpol.ts)
// THEN Prometheus's egress and the target's ingress both admit every scrape: no target is down because a
//      policy drops it, while the same policies still refuse traffic nobody allowed.
import { beforeAll, describe, expect, test } from "@jest/globals";
import { PROXY_PODS, PROXY_PORTS } from "../../components/kubernetes/gateway";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";
import {
  addressIn,
  type Endpoint,
  type Labels,
  type LabelSelector,
  type NetworkPolicy,
  NetworkPolicies,
  type PodEndpoint,
  selects,
} from "../../review/netpol";

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
// The stack's own monitors, resolved as the operator does: monitor -> Service (or pods) -> named port.

interface PodTemplate {
  what: string;
  namespace: string;
  labels: Labels;
  /** Container port name -> number. */
  ports: Record<string, number>;
}

type Container = { ports?: { name?: string; containerPort: number }[] };
type Metadata = { name: string; namespace: string; labels?: Labels };

/** Pods the recorded Deployments create, plus pods a controller creates from a recorded object. */
function podTemplates(): PodTemplate[] {
  const deployments = ofType("kubernetes:apps/v1:Deployment").map((r): PodTemplate => {
    const { metadata, spec } = r.inputs as {
      metadata: Metadata;
      spec: { template: { metadata: { labels: Labels }; spec: { containers: Container[] } } };
    };
    const ports = spec.template.spec.containers.flatMap((c) => c.ports ?? []).filter((p) => p.name !== undefined);
    return {
      what: `Deployment ${metadata.namespace}/${metadata.name}`,
      namespace: metadata.namespace,
      labels: spec.template.metadata.labels,
      ports: Object.fromEntries(ports.map((p) => [p.name!, p.containerPort])),
    };
  });
  // Envoy Gateway creates the proxies of the recorded Gateway, labelled PROXY_PODS, metrics on a port named "metrics".
  const gateway = ofType("kubernetes:gateway.networking.k8s.io/v1:Gateway").map((r): PodTemplate => {
    const { metadata } = r.inputs as { metadata: Metadata };
    return {
      what: `Envoy proxies of Gateway ${metadata.namespace}/${metadata.name}`,
      namespace: metadata.namespace,
      labels: PROXY_PODS,
      ports: { metrics: PROXY_PORTS.metrics },
    };
  });
  return [...deployments, ...gateway, EXTERNAL_SECRETS_CONTROLLER];
}

/**
 * The External Secrets chart's controller (one helm.v3.Release in the review), read off `helm template` of
 * external-secrets 2.9.0: the Deployment's pod labels and its container port named "metrics"
 * (`metrics.listen.port`).
 */
const EXTERNAL_SECRETS_CONTROLLER: PodTemplate = {
  what: "Deployment external-secrets/external-secrets (chart)",
  namespace: "external-secrets",
  labels: {
    "helm.sh/chart": "external-secrets-2.9.0",
    "app.kubernetes.io/name": "external-secrets",
    "app.kubernetes.io/instance": "external-secrets",
    "app.kubernetes.io/version": "v2.9.0",
    "app.kubernetes.io/managed-by": "Helm",
  },
  ports: { metrics: 8080 },
};

function podsSelected(namespace: string, selector: LabelSelector, by: string): PodTemplate[] {
  const found = podTemplates().filter((p) => p.namespace === namespace && selects(selector, p.labels));
  if (found.length === 0) throw new Error(`${by} selects no pods in ${namespace}`);
  return found;
}

function containerPort(pod: PodTemplate, port: string | number, by: string): number {
  if (typeof port === "number") return port;
  const n = pod.ports[port];
  if (n === undefined) throw new Error(`${by}: ${pod.what} has no container port named ${port}`);
  return n;
}

function recordedTargets(): Target[] {
  const services = ofType("kubernetes:core/v1:Service").map(
    (r) =>
      r.inputs as {
        metadata: Metadata;
        spec: { selector: Labels; ports: { name?: string; port: number; targetPort?: string | number }[] };
      },
  );
  type Monitor = {
    metadata: Metadata;
    spec: {
      selector: LabelSelector;
      namespaceSelector?: unknown;
      endpoints?: { port: string }[];
      podMetricsEndpoints?: { port: string }[];
    };
  };
  const targets: Target[] = [];
  for (const r of ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")) {
    const { metadata, spec } = r.inputs as unknown as Monitor;
    const by = `ServiceMonitor ${metadata.namespace}/${metadata.name}`;
    if (spec.namespaceSelector !== undefined) throw new Error(`${by}: a namespaceSelector is not resolved by this test`);
    const selected = services.filter((s) => s.metadata.namespace === metadata.namespace && selects(spec.selector, s.metadata.labels ?? {}));
    if (selected.length === 0) throw new Error(`${by} selects no Service`);
    for (const service of selected) {
      for (const endpoint of spec.endpoints ?? []) {
        const servicePort = service.spec.ports.find((p) => p.name === endpoint.port);
        if (!servicePort) throw new Error(`${by}: Service ${service.metadata.name} has no port named ${endpoint.port}`);
        for (const pod of podsSelected(metadata.namespace, { matchLabels: service.spec.selector }, `Service ${service.metadata.name}`)) {
          targets.push({
            monitor: by,
            to: pods(pod.namespace, pod.labels),
            port: containerPort(pod, servicePort.targetPort ?? servicePort.port, by),
          });
        }
      }
    }
  }
  for (const r of ofType("kubernetes:monitoring.coreos.com/v1:PodMonitor")) {
    const { metadata, spec } = r.inputs as unknown as Monitor;
    const by = `PodMonitor ${metadata.namespace}/${metadata.name}`;
    if (spec.namespaceSelector !== undefined) throw new Error(`${by}: a namespaceSelector is not resolved by this test`);
    for (const pod of podsSelected(metadata.namespace, spec.selector, by)) {
      for (const endpoint of spec.podMetricsEndpoints ?? [])
        targets.push({ monitor: by, to: pods(pod.namespace, pod.labels), port: containerPort(pod, endpoint.port, by) });
    }
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------------
// The charts' own monitors. The review records each chart as one helm.v3.Release, so these were read off
// `helm template` of the pinned charts (cert-manager v1.21.1, kube-prometheus-stack 88.5.3) with the
// production review's values: the pods each ServiceMonitor's Service selects and the container port
// behind the scraped Service port.

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
}

const AWS_PRIVATE_ENDS = ["10.0.0.4", "10.0.31.254", "10.0.32.4", "10.0.63.254", "10.0.64.4", "10.0.95.254"];
const CLOUDS: Cloud[] = [
  {
    stack: "production",
    addressTargets: awsAddressTargets,
    addresses: { kubelets: AWS_PRIVATE_ENDS, apiServers: AWS_PRIVATE_ENDS },
    dataAddress: "10.0.208.4",
  },
  {
    stack: "gcp-production",
    addressTargets: gcpAddressTargets,
    addresses: { kubelets: ["10.0.0.2", "10.0.15.253"], apiServers: ["10.0.0.2", "10.0.15.253"] },
    dataAddress: "10.0.32.4",
  },
];

describe.each(CLOUDS)("$stack: every scrape target is reachable through the network policies", (cloud) => {
  beforeAll(() => load(cloud.stack));

  test("the stack's own monitors resolve to these pods and container ports", () => {
    expect(recordedTargets().map(describeTarget).sort()).toEqual([
      "PodMonitor external-secrets/external-secrets: external-secrets/helm.sh/chart=external-secrets-2.9.0,app.kubernetes.io/name=external-secrets,app.kubernetes.io/instance=external-secrets,app.kubernetes.io/version=v2.9.0,app.kubernetes.io/managed-by=Helm:8080",
      "PodMonitor gateway/envoy-proxies: gateway/app.kubernetes.io/name=envoy,app.kubernetes.io/component=proxy,app.kubernetes.io/managed-by=envoy-gateway:19001",
      "ServiceMonitor monitoring/postgres-exporter: monitoring/app.kubernetes.io/name=postgres-exporter,app.kubernetes.io/part-of=platform:9187",
      "ServiceMonitor monitoring/redis-exporter: monitoring/app.kubernetes.io/name=redis-exporter,app.kubernetes.io/part-of=platform:9121",
      "ServiceMonitor podinfo/podinfo: podinfo/app.kubernetes.io/name=podinfo,app.kubernetes.io/part-of=platform:9898",
    ]);
  });

  test("the kubelets and the API server are scraped at addresses in the nodes' ranges", () => {
    expect(cloud.addressTargets().map(describeTarget)).toEqual([
      ...cloud.addresses.kubelets.map((a) => `kube-prometheus-stack: kubelet: ${a}:10250`),
      ...cloud.addresses.apiServers.map((a) => `kube-prometheus-stack: apiserver: ${a}:443`),
    ]);
  });

  test("Prometheus's egress and each target's ingress admit every scrape", () => {
    const targets = [...recordedTargets(), ...CHART_POD_TARGETS, ...CHART_DNS_TARGETS[cloud.stack]!, ...cloud.addressTargets()];
    const { kubelets, apiServers } = cloud.addresses;
    expect(targets.length).toBe(
      5 + CHART_POD_TARGETS.length + CHART_DNS_TARGETS[cloud.stack]!.length + kubelets.length + apiServers.length,
    );
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
