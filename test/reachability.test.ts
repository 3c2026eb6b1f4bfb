// GIVEN a small cluster written by hand the way the platform builds it (a default-deny per namespace and
//       allowances from components/kubernetes/network-policy.ts) with chart-like objects: a ServiceMonitor
//       on a Service, a webhook configuration calling a Service, an HTTPRoute on a Gateway, workloads
// WHEN the reachability check (review/reachability.ts) runs over the objects
// THEN each planted defect (a scrape target the policies block, a webhook the API server cannot reach, a
//      route backend the proxies cannot reach, a pod without DNS egress) is one finding naming the target
//      object, the namespace, the pods, the port and the allowance to add; adding that allowance clears
//      it; the cluster without the defect has no finding, and the paths checked are listed exactly. The
//      objects of a recording are its typed Kubernetes resources and what its releases rendered, and the
//      check is as mandatory as the environment's namespace-default-deny policy.
import { describe, expect, test } from "@jest/globals";
import { type Allowance, allowancePolicy, defaultDeny, dnsEgress } from "../components/kubernetes/network-policy";
import type { KubeObject } from "../review/check-types";
import { kubeObjects, reachabilityOf } from "../review/cluster-objects";
import { checkReachability, type ClusterFacts } from "../review/reachability";
import { recordedResource } from "./recorded";
import { shippedReview } from "./reviews";

const object = (apiVersion: string, kind: string, metadata: Record<string, unknown>, rest: Record<string, unknown> = {}): KubeObject => ({
  type: `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`,
  name: String(metadata.name),
  inputs: { apiVersion, kind, metadata, ...rest },
});
const namespace = (name: string) => object("v1", "Namespace", { name });
const policy = (ns: string, allowance?: Allowance): KubeObject => {
  const manifest = allowance ? allowancePolicy(ns, allowance) : defaultDeny(ns);
  return object("networking.k8s.io/v1", "NetworkPolicy", manifest.metadata, { spec: manifest.spec });
};
const deployment = (ns: string, name: string, labels: Record<string, string>, ports: { name: string; containerPort: number }[]) =>
  object(
    "apps/v1",
    "Deployment",
    { name, namespace: ns },
    { spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, ports }] } } } },
  );
const service = (ns: string, name: string, selector: Record<string, string>, ports: Record<string, unknown>[]) =>
  object("v1", "Service", { name, namespace: ns, labels: selector }, { spec: { selector, ports } });

const PROMETHEUS_LABELS = { "app.kubernetes.io/name": "prometheus" };
const PROXY_LABELS = { "app.kubernetes.io/component": "proxy" };
const WEB = { app: "web" };
const WEBHOOK = { app: "webhook" };
const FACTS: ClusterFacts = {
  apiServerAddresses: ["10.0.0.4", "10.0.31.254"],
  webhookCallers: [{ address: "10.0.0.4" }, { address: "10.0.31.254" }],
  dns: {
    object: "kube-system/Deployment/coredns",
    namespace: "kube-system",
    labels: { "k8s-app": "kube-dns" },
    ports: { dns: { port: 53, protocol: "UDP" }, "dns-tcp": { port: 53, protocol: "TCP" } },
  },
  proxies: { labels: PROXY_LABELS, ports: { metrics: { port: 19001, protocol: "TCP" } } },
  // The kubelets' Service the Prometheus operator keeps, at two node addresses.
  addressServices: [
    {
      metadata: { name: "kubelet", namespace: "kube-system", labels: { "k8s-app": "kubelet" } },
      spec: { ports: [{ name: "https-metrics", port: 10250 }] },
      addresses: ["10.0.0.10", "10.0.31.250"],
    },
  ],
  prometheus: [
    {
      object: "monitoring/Prometheus/main",
      namespace: "monitoring",
      labels: PROMETHEUS_LABELS,
      ports: { web: { port: 9090, protocol: "TCP" } },
    },
  ],
};

// The allowances each path needs; each planted defect leaves one of them out.
const SCRAPE_OUT: Allowance = {
  name: "scrape-apps",
  direction: "Egress",
  pods: PROMETHEUS_LABELS,
  peers: [{ namespace: "apps", pods: WEB }],
  ports: [{ port: 8080 }],
};
const SCRAPE_IN: Allowance = {
  name: "from-prometheus",
  direction: "Ingress",
  pods: WEB,
  peers: [{ namespace: "monitoring", pods: PROMETHEUS_LABELS }],
  ports: [{ port: 8080 }],
};
const WEBHOOK_IN: Allowance = {
  name: "webhook",
  direction: "Ingress",
  pods: WEBHOOK,
  peers: [{ cidrs: ["10.0.0.0/19"] }],
  ports: [{ port: 10250 }],
};
const ROUTE_OUT: Allowance = {
  name: "to-apps",
  direction: "Egress",
  pods: PROXY_LABELS,
  peers: [{ namespace: "apps", pods: WEB }],
  ports: [{ port: 8080 }],
};
const ROUTE_IN: Allowance = {
  name: "from-gateway",
  direction: "Ingress",
  pods: WEB,
  peers: [{ namespace: "gateway", pods: PROXY_LABELS }],
  ports: [{ port: 8080 }],
};
const KUBELETS_OUT: Allowance = {
  name: "scrape-kubelets",
  direction: "Egress",
  pods: PROMETHEUS_LABELS,
  peers: [{ cidrs: ["10.0.0.0/19"] }],
  ports: [{ port: 10250 }],
};
const ALLOWANCES: Record<string, Allowance[]> = {
  monitoring: [dnsEgress(), SCRAPE_OUT, KUBELETS_OUT],
  apps: [dnsEgress(), SCRAPE_IN, ROUTE_IN],
  webhooks: [dnsEgress(), WEBHOOK_IN],
  gateway: [dnsEgress(), ROUTE_OUT],
};

/** The cluster with every allowance, less those `without` names (`<namespace>/<allowance name>`), plus `extra`. */
function cluster(without: string[] = [], extra: KubeObject[] = []): KubeObject[] {
  const policies = Object.entries(ALLOWANCES).flatMap(([ns, list]) => [
    policy(ns),
    ...list.filter((a) => !without.includes(`${ns}/${a.name}`)).map((a) => policy(ns, a)),
  ]);
  return [
    ...Object.keys(ALLOWANCES).map(namespace),
    ...policies,
    deployment("apps", "web", WEB, [{ name: "http", containerPort: 8080 }]),
    service("apps", "web", WEB, [{ name: "http", port: 80, targetPort: "http" }]),
    object(
      "monitoring.coreos.com/v1",
      "ServiceMonitor",
      { name: "web", namespace: "apps" },
      { spec: { selector: { matchLabels: WEB }, endpoints: [{ port: "http" }] } },
    ),
    object(
      "monitoring.coreos.com/v1",
      "ServiceMonitor",
      { name: "kubelet", namespace: "monitoring" },
      {
        spec: {
          namespaceSelector: { matchNames: ["kube-system"] },
          selector: { matchLabels: { "k8s-app": "kubelet" } },
          endpoints: [{ port: "https-metrics" }],
        },
      },
    ),
    deployment("webhooks", "webhook", WEBHOOK, [{ name: "https", containerPort: 10250 }]),
    service("webhooks", "webhook", WEBHOOK, [{ name: "https", port: 443, targetPort: 10250 }]),
    object(
      "admissionregistration.k8s.io/v1",
      "ValidatingWebhookConfiguration",
      { name: "policy-webhook" },
      {
        webhooks: [
          { name: "validate.example.com", clientConfig: { service: { namespace: "webhooks", name: "webhook", path: "/validate" } } },
        ],
      },
    ),
    object(
      "gateway.networking.k8s.io/v1",
      "Gateway",
      { name: "edge", namespace: "gateway" },
      { spec: { gatewayClassName: "edge", listeners: [] } },
    ),
    object(
      "gateway.networking.k8s.io/v1",
      "HTTPRoute",
      { name: "web", namespace: "apps" },
      { spec: { parentRefs: [{ name: "edge", namespace: "gateway" }], rules: [{ backendRefs: [{ name: "web", port: 80 }] }] } },
    ),
    ...extra,
  ];
}

const DNS_PATHS = (object: string) => [
  `dns ${object}: pods of ${object} -> kube-system/Deployment/coredns UDP 53`,
  `dns ${object}: pods of ${object} -> kube-system/Deployment/coredns TCP 53`,
];
const PATHS = [
  "scrape apps/ServiceMonitor/web: Prometheus monitoring/Prometheus/main -> apps/Deployment/web TCP 8080",
  "scrape monitoring/ServiceMonitor/kubelet: Prometheus monitoring/Prometheus/main -> kube-system/Service/kubelet TCP 10250",
  "webhook -/ValidatingWebhookConfiguration/policy-webhook: the API server (10.0.0.4, 10.0.31.254) -> webhooks/Deployment/webhook TCP 10250",
  "route apps/HTTPRoute/web: the proxies of gateway/Gateway/edge -> apps/Deployment/web TCP 8080",
  ...DNS_PATHS("apps/Deployment/web"),
  ...DNS_PATHS("webhooks/Deployment/webhook"),
  ...DNS_PATHS("monitoring/Prometheus/main"),
  ...DNS_PATHS("gateway/Gateway/edge"),
];

describe("the cluster with every allowance", () => {
  test("has every path open, and lists each path it checked", () => {
    expect(checkReachability(cluster(), FACTS, "mandatory")).toEqual({
      name: "network-reachability",
      description: expect.stringMatching(/^Every ServiceMonitor and PodMonitor target is reachable from Prometheus/),
      enforcementLevel: "mandatory",
      checked: PATHS.length,
      findings: [],
      paths: PATHS,
      unresolved: [],
    });
  });
});

const SCRAPE_BLOCKED_BY_INGRESS = {
  object: "apps/Deployment/web",
  message:
    "scrape apps/ServiceMonitor/web: Prometheus monitoring/Prometheus/main cannot reach pods app=web in namespace apps on TCP 8080 (http): ingress denied: isolated by apps/default-deny, apps/allow-from-gateway, none of which allows it; add an Ingress allowance in apps for pods app=web from namespace monitoring pods app.kubernetes.io/name=prometheus on TCP 8080 (http)",
};

describe.each([
  {
    defect: "a ServiceMonitor whose target's ingress does not admit Prometheus",
    without: ["apps/from-prometheus"],
    fix: ["apps", SCRAPE_IN] as const,
    findings: [SCRAPE_BLOCKED_BY_INGRESS],
  },
  {
    defect: "a ServiceMonitor whose target Prometheus's egress does not reach",
    without: ["monitoring/scrape-apps"],
    fix: ["monitoring", SCRAPE_OUT] as const,
    findings: [
      {
        object: "apps/Deployment/web",
        message:
          "scrape apps/ServiceMonitor/web: Prometheus monitoring/Prometheus/main cannot reach pods app=web in namespace apps on TCP 8080 (http): egress denied: isolated by monitoring/default-deny, monitoring/allow-dns, monitoring/allow-scrape-kubelets, none of which allows it; add an Egress allowance in monitoring for pods app.kubernetes.io/name=prometheus to namespace apps pods app=web on TCP 8080 (http)",
      },
    ],
  },
  {
    defect: "a ServiceMonitor of the kubelets whose addresses Prometheus's egress does not reach",
    without: ["monitoring/scrape-kubelets"],
    fix: ["monitoring", KUBELETS_OUT] as const,
    findings: [
      {
        object: "kube-system/Service/kubelet",
        message:
          "scrape monitoring/ServiceMonitor/kubelet: Prometheus monitoring/Prometheus/main cannot reach addresses 10.0.0.10, 10.0.31.250 (kube-system/Service/kubelet) on TCP 10250: egress denied: isolated by monitoring/default-deny, monitoring/allow-dns, monitoring/allow-scrape-apps, none of which allows it; add an Egress allowance in monitoring for pods app.kubernetes.io/name=prometheus to 10.0.0.10, 10.0.31.250 on TCP 10250",
      },
    ],
  },
  {
    defect: "a webhook the API server cannot reach",
    without: ["webhooks/webhook"],
    fix: ["webhooks", WEBHOOK_IN] as const,
    findings: [
      {
        object: "webhooks/Deployment/webhook",
        message:
          "webhook -/ValidatingWebhookConfiguration/policy-webhook: the API server (10.0.0.4, 10.0.31.254) cannot reach pods app=webhook in namespace webhooks on TCP 10250 (https): ingress denied: isolated by webhooks/default-deny, none of which allows it; add an Ingress allowance in webhooks for pods app=webhook from 10.0.0.4, 10.0.31.254 on TCP 10250 (https)",
      },
    ],
  },
  {
    defect: "a route backend the gateway's proxies may not send to",
    without: ["gateway/to-apps"],
    fix: ["gateway", ROUTE_OUT] as const,
    findings: [
      {
        object: "apps/Deployment/web",
        message:
          "route apps/HTTPRoute/web: the proxies of gateway/Gateway/edge cannot reach pods app=web in namespace apps on TCP 8080 (http): egress denied: isolated by gateway/default-deny, gateway/allow-dns, none of which allows it; add an Egress allowance in gateway for pods app.kubernetes.io/component=proxy to namespace apps pods app=web on TCP 8080 (http)",
      },
    ],
  },
  {
    defect: "a namespace whose pods have no DNS egress",
    without: ["webhooks/dns"],
    fix: ["webhooks", dnsEgress()] as const,
    findings: ["UDP 53 (dns)", "TCP 53 (dns-tcp)"].map((on) => ({
      object: "kube-system/Deployment/coredns",
      message: `dns webhooks/Deployment/webhook: pods of webhooks/Deployment/webhook cannot reach pods k8s-app=kube-dns in namespace kube-system on ${on}: egress denied: isolated by webhooks/default-deny, none of which allows it; add an Egress allowance in webhooks for pods app=webhook to namespace kube-system pods k8s-app=kube-dns on ${on}`,
    })),
  },
])("$defect", ({ without, fix, findings }) => {
  test("is one finding per blocked path, naming the target, its namespace, pods and port, and the allowance to add", () => {
    const result = checkReachability(cluster(without), FACTS, "mandatory");
    expect(result.findings).toEqual(findings);
    expect(result.paths).toEqual(PATHS);
  });

  test("is cleared by the allowance the finding names", () => {
    const [ns, allowance] = fix;
    expect(checkReachability(cluster(without, [policy(ns, allowance)]), FACTS, "mandatory").findings).toEqual([]);
  });
});

describe("what the check cannot follow to pods", () => {
  test("a monitor, webhook or route whose Service no object describes is listed as unresolved, not as a finding or a path", () => {
    const strays = [
      object(
        "monitoring.coreos.com/v1",
        "PodMonitor",
        { name: "ghost", namespace: "apps" },
        { spec: { selector: { matchLabels: { app: "ghost" } }, podMetricsEndpoints: [{ port: "metrics" }] } },
      ),
      object(
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        { name: "chart-webhook" },
        { webhooks: [{ name: "m.example.com", clientConfig: { service: { namespace: "charts", name: "missing", port: 9443 } } }] },
      ),
    ];
    const result = checkReachability(cluster([], strays), FACTS, "advisory");
    expect(result.unresolved).toEqual([
      "apps/PodMonitor/ghost: selects no pods among the objects with its endpoints' ports",
      "-/MutatingWebhookConfiguration/chart-webhook: the API server calls Service charts/missing port 9443, which leads to no pods among the objects",
    ]);
    expect(result).toMatchObject({ enforcementLevel: "advisory", checked: PATHS.length, findings: [], paths: PATHS });
  });
});

test("the other forms are followed too: a CRD's conversion webhook, a GRPCRoute, a monitor endpoint by container port", () => {
  const others = [
    object(
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      { name: "widgets.example.com" },
      {
        spec: {
          conversion: {
            strategy: "Webhook",
            webhook: { clientConfig: { service: { namespace: "webhooks", name: "webhook", port: 443 } } },
          },
        },
      },
    ),
    object(
      "gateway.networking.k8s.io/v1",
      "GRPCRoute",
      { name: "grpc", namespace: "apps" },
      { spec: { parentRefs: [{ name: "edge", namespace: "gateway" }], rules: [{ backendRefs: [{ name: "web", port: 80 }] }] } },
    ),
    object(
      "monitoring.coreos.com/v1",
      "ServiceMonitor",
      { name: "web-by-target-port", namespace: "apps" },
      { spec: { selector: { matchLabels: WEB }, endpoints: [{ targetPort: 8080 }] } },
    ),
    object(
      "monitoring.coreos.com/v1",
      "PodMonitor",
      { name: "web-by-number", namespace: "apps" },
      { spec: { selector: { matchLabels: WEB }, podMetricsEndpoints: [{ portNumber: 8080 }] } },
    ),
  ];
  const result = checkReachability(cluster([], others), FACTS, "mandatory");
  expect(result.paths.filter((p) => !PATHS.includes(p))).toEqual([
    "scrape apps/ServiceMonitor/web-by-target-port: Prometheus monitoring/Prometheus/main -> apps/Deployment/web TCP 8080",
    "scrape apps/PodMonitor/web-by-number: Prometheus monitoring/Prometheus/main -> apps/Deployment/web TCP 8080",
    "webhook -/CustomResourceDefinition/widgets.example.com: the API server (10.0.0.4, 10.0.31.254) -> webhooks/Deployment/webhook TCP 10250",
    "route apps/GRPCRoute/grpc: the proxies of gateway/Gateway/edge -> apps/Deployment/web TCP 8080",
  ]);
  expect(result).toMatchObject({ findings: [], unresolved: [] });
});

test("without a Prometheus to scrape from, every monitor is unresolved and no scrape path counts as checked", () => {
  const result = checkReachability(cluster(), { ...FACTS, prometheus: [] }, "mandatory");
  expect(result.unresolved).toEqual([
    "apps/ServiceMonitor/web: no Prometheus among the objects or the cluster facts scrapes it",
    "monitoring/ServiceMonitor/kubelet: no Prometheus among the objects or the cluster facts scrapes it",
  ]);
  expect(result.paths.filter((p) => p.startsWith("scrape"))).toEqual([]);
  expect(result.checked).toBe(PATHS.length - 2 - 2);
});

describe("reading a recording", () => {
  const urn = (type: string, name: string) => `urn:pulumi:production::platform::${type}::${name}`;
  const RELEASE = urn("kubernetes:helm.sh/v3:Release", "chart");
  const rendered = object("apps/v1", "Deployment", { name: "controller", namespace: "charts" });
  const resources = [
    recordedResource({
      urn: urn("kubernetes:core/v1:Namespace", "apps"),
      type: "kubernetes:core/v1:Namespace",
      name: "apps",
      inputs: namespace("apps").inputs,
    }),
    recordedResource({
      urn: RELEASE,
      type: "kubernetes:helm.sh/v3:Release",
      name: "chart",
      inputs: { chart: "./charts/chart.tgz" },
      rendered: { count: 1, kinds: { Deployment: 1 }, objects: [rendered] },
    }),
    recordedResource({
      urn: urn("kubernetes:yaml/v2:ConfigFile", "crds"),
      type: "kubernetes:yaml/v2:ConfigFile",
      name: "crds",
      inputs: { file: "crds.yaml" },
    }),
    recordedResource({ urn: urn("aws:s3/bucket:Bucket", "b"), type: "aws:s3/bucket:Bucket", name: "b" }),
  ];

  test("the objects are the typed Kubernetes resources and what each release rendered, marked with the release; no release, YAML file or cloud resource", () => {
    expect(kubeObjects(resources)).toEqual([
      { type: "kubernetes:core/v1:Namespace", name: "apps", inputs: namespace("apps").inputs },
      { ...rendered, release: RELEASE },
    ]);
  });

  test.each([
    ["mandatory", "mandatory"],
    ["advisory", "advisory"],
    ["disabled", "advisory"],
  ] as const)("the check is %s where namespace-default-deny is %s", (level, expected) => {
    const settings = new Map([["namespace-default-deny", { enforcementLevel: level, properties: {} }]]);
    expect(reachabilityOf(resources, settings).enforcementLevel).toBe(expected);
  });

  test.each([
    ["dev", "advisory"],
    ["staging", "mandatory"],
    ["production", "mandatory"],
  ] as const)("the shipped %s review runs it as %s, with no finding", (stack, level) => {
    const check = shippedReview(stack).checks.find((c) => c.name === "network-reachability");
    expect(check).toMatchObject({ enforcementLevel: level, findings: [] });
    expect(check!.checked).toBeGreaterThan(0);
  });
});
