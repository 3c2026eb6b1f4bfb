// GIVEN the production stacks of both clouds (production on EKS, gcp-production on GKE), reviewed as
//       `pulumi up` would run them, with the pinned charts rendered
// WHEN the review's reachability check (review/reachability.ts) follows every monitor (the program's and the
//      charts'), webhook, route and isolated pod to its target through the recorded NetworkPolicies
// THEN it decides exactly the expected paths on each cloud and finds none blocked; with one of the platform's
//      allowances taken out it names the blocked targets (cert-manager's metrics, its webhook); and the same
//      policies still refuse traffic nobody allowed.
import { beforeAll, describe, expect, test } from "@jest/globals";
import { PROXY_PODS, PROXY_PORTS } from "../../components/kubernetes/gateway";
import { clusterFacts, kubeObjects } from "../../review/cluster-objects";
import { type Endpoint, type Labels, type NetworkPolicy, NetworkPolicies, type PodEndpoint } from "../../review/netpol";
import { checkReachability, REACHABILITY_CHECK, type ReachabilityResult } from "../../review/reachability";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";

let report: ReviewReport;
/** Reads a stack's review; each stack's describe block calls it before its tests. */
function load(stack: "production" | "gcp-production"): void {
  report = shippedReview(stack);
}
const reachability = () => report.checks.find((c) => c.name === REACHABILITY_CHECK) as ReachabilityResult;

const PROMETHEUS = "monitoring/Prometheus/kube-prometheus-stack-prometheus";
const STACK = "monitoring/ServiceMonitor/kube-prometheus-stack";
const scrape = (monitor: string, target: string, port: number) => `scrape ${monitor}: Prometheus ${PROMETHEUS} -> ${target} TCP ${port}`;

/** Every scrape both clouds share: the program's own monitors and the charts'. */
const SCRAPES = {
  own: [
    scrape("podinfo/ServiceMonitor/podinfo", "podinfo/Deployment/podinfo", 9898),
    scrape("monitoring/ServiceMonitor/postgres-exporter", "monitoring/Deployment/postgres-exporter", 9187),
    scrape("monitoring/ServiceMonitor/redis-exporter", "monitoring/Deployment/redis-exporter", 9121),
  ],
  certManager: ["cert-manager-cainjector", "cert-manager", "cert-manager-webhook"].map((d) =>
    scrape("cert-manager/ServiceMonitor/cert-manager", `cert-manager/Deployment/${d}`, 9402),
  ),
  stack: [
    scrape(`${STACK}-grafana`, "monitoring/Deployment/kube-prometheus-stack-grafana", 3000),
    scrape(`${STACK}-kube-state-metrics`, "monitoring/Deployment/kube-prometheus-stack-kube-state-metrics", 8080),
    scrape(`${STACK}-alertmanager`, "monitoring/Alertmanager/kube-prometheus-stack-alertmanager", 9093),
    scrape(`${STACK}-alertmanager`, "monitoring/Alertmanager/kube-prometheus-stack-alertmanager", 8080),
  ],
  /** The API server and the kubelets, at their addresses (the apiserver's and kubelets' Services have no pods). */
  control: [
    scrape(`${STACK}-apiserver`, "default/Service/kubernetes", 443),
    scrape(`${STACK}-kubelet`, "kube-system/Service/kube-prometheus-stack-kubelet", 10250),
  ],
  self: [
    scrape(`${STACK}-operator`, "monitoring/Deployment/kube-prometheus-stack-operator", 10250),
    scrape(`${STACK}-prometheus`, PROMETHEUS, 9090),
    scrape(`${STACK}-prometheus`, PROMETHEUS, 8080),
  ],
  pods: [
    scrape("external-secrets/PodMonitor/external-secrets", "external-secrets/Deployment/external-secrets", 8080),
    scrape("gateway/PodMonitor/envoy-proxies", "gateway/Gateway/platform", PROXY_PORTS.metrics),
  ],
};

const webhook = (configuration: string, callers: string, target: string, port: number) =>
  `webhook -/${configuration}: the API server (${callers}) -> ${target} TCP ${port}`;
/** The charts' admission webhooks on both clouds, called from where the API server's calls arrive. */
const chartWebhooks = (addresses: string) => [
  ...["ValidatingWebhookConfiguration/secretstore-validate", "ValidatingWebhookConfiguration/externalsecret-validate"].map((w) =>
    webhook(w, addresses, "external-secrets/Deployment/external-secrets-webhook", 10250),
  ),
  ...["MutatingWebhookConfiguration/cert-manager-webhook", "ValidatingWebhookConfiguration/cert-manager-webhook"].map((w) =>
    webhook(w, addresses, "cert-manager/Deployment/cert-manager-webhook", 10250),
  ),
  ...["MutatingWebhookConfiguration/kube-prometheus-stack-admission", "ValidatingWebhookConfiguration/kube-prometheus-stack-admission"].map(
    (w) => webhook(w, addresses, "monitoring/Deployment/kube-prometheus-stack-operator", 10250),
  ),
];
const ROUTE = "route podinfo/HTTPRoute/podinfo: the proxies of gateway/Gateway/platform -> podinfo/Deployment/podinfo TCP 9898";

/** Every pod whose egress the policies isolate, each of which must reach the cluster DNS on UDP and TCP 53. */
const ISOLATED_PODS = [
  "podinfo/Deployment/podinfo",
  "backups/CronJob/postgres-backup",
  "monitoring/Deployment/redis-exporter",
  "monitoring/Deployment/postgres-exporter",
  "backups/CronJob/restore-verification",
  "monitoring/CronJob/credential-rollout",
  "external-secrets/Deployment/external-secrets-cert-controller",
  "external-secrets/Deployment/external-secrets",
  "external-secrets/Deployment/external-secrets-webhook",
  "gateway/Deployment/envoy-gateway",
  "gateway/Job/envoy-gateway-gateway-helm-certgen",
  "cert-manager/Deployment/cert-manager-cainjector",
  "cert-manager/Deployment/cert-manager",
  "cert-manager/Deployment/cert-manager-webhook",
  "cert-manager/Job/cert-manager-startupapicheck",
  "monitoring/Deployment/kube-prometheus-stack-grafana",
  "monitoring/Deployment/kube-prometheus-stack-kube-state-metrics",
  "monitoring/Deployment/kube-prometheus-stack-operator",
  "monitoring/Alertmanager/kube-prometheus-stack-alertmanager",
  PROMETHEUS,
  "monitoring/Job/kube-prometheus-stack-admission-create",
  "monitoring/Job/kube-prometheus-stack-admission-patch",
  "gateway/Gateway/platform",
];
const dnsPaths = (server: string) =>
  ISOLATED_PODS.flatMap((p) =>
    ["UDP", "TCP"].map((protocol) => `dns ${p}: pods of ${p} -> kube-system/Deployment/${server} ${protocol} 53`),
  );

interface Cloud {
  stack: "production" | "gcp-production";
  /** Where the API server is and the nodes' addresses: the ends of their ranges. */
  addresses: { apiServers: string[]; kubelets: string[] };
  /** Where the API server's webhook calls arrive from, as findings name them; and the peers of an allowance admitting them. */
  webhookCallers: { text: string; peers: string };
  /** Every path the check decides, in its order. */
  paths: (webhookCallers: string) => string[];
  /** An address Prometheus must not reach: the data services' range. */
  dataAddress: string;
  /** Helm releases the stack installs (EKS adds the AWS Load Balancer Controller). */
  releases: number;
}

const AWS_PRIVATE_ENDS = ["10.0.0.4", "10.0.31.254", "10.0.32.4", "10.0.63.254", "10.0.64.4", "10.0.95.254"];
const GCP_NODE_ENDS = ["10.0.0.2", "10.0.15.253"];
const CLOUDS: Cloud[] = [
  {
    stack: "production",
    addresses: { apiServers: AWS_PRIVATE_ENDS, kubelets: AWS_PRIVATE_ENDS },
    webhookCallers: { text: AWS_PRIVATE_ENDS.join(", "), peers: AWS_PRIVATE_ENDS.join(", ") },
    paths: (apiServers) => [
      ...SCRAPES.own,
      ...SCRAPES.certManager,
      ...SCRAPES.stack,
      scrape(`${STACK}-coredns`, "kube-system/Deployment/coredns", 9153),
      ...SCRAPES.control,
      ...SCRAPES.self,
      ...SCRAPES.pods,
      // The AWS Load Balancer Controller's webhooks, in kube-system (which the platform leaves without policies).
      ...["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"].map((kind) =>
        webhook(`${kind}/aws-load-balancer-webhook`, apiServers, "kube-system/Deployment/aws-load-balancer-controller", 9443),
      ),
      ...chartWebhooks(apiServers),
      ROUTE,
      ...dnsPaths("coredns"),
    ],
    dataAddress: "10.0.208.4",
    releases: 8,
  },
  {
    stack: "gcp-production",
    addresses: { apiServers: GCP_NODE_ENDS, kubelets: GCP_NODE_ENDS },
    // GKE relays the calls through its Konnectivity agents; the node subnet, where its private endpoint sits, is admitted too.
    webhookCallers: {
      text: `via namespace kube-system pods k8s-app=konnectivity-agent, ${GCP_NODE_ENDS.join(", ")}`,
      peers: `namespace kube-system pods k8s-app=konnectivity-agent, ${GCP_NODE_ENDS.join(", ")}`,
    },
    paths: (apiServers) => [
      ...SCRAPES.own,
      ...SCRAPES.certManager,
      ...SCRAPES.stack,
      SCRAPES.control[0]!,
      scrape(`${STACK}-kube-dns`, "kube-system/Deployment/kube-dns", 10054),
      scrape(`${STACK}-kube-dns`, "kube-system/Deployment/kube-dns", 10055),
      SCRAPES.control[1]!,
      ...SCRAPES.self,
      ...SCRAPES.pods,
      ...chartWebhooks(apiServers),
      ROUTE,
      ...dnsPaths("kube-dns"),
    ],
    dataAddress: "10.0.32.4",
    releases: 7,
  },
];

const CERT_MANAGER = { "app.kubernetes.io/instance": "cert-manager" };
/** The labels of the pods cert-manager's chart renders (and of the Prometheus pod the operator runs), as findings list them. */
const certManagerPods = (app: string, component: string) =>
  `app=${app},app.kubernetes.io/name=${app},app.kubernetes.io/instance=cert-manager,app.kubernetes.io/component=${component},app.kubernetes.io/version=v1.21.1,app.kubernetes.io/managed-by=Helm,helm.sh/chart=cert-manager-v1.21.1`;
const CONTROLLER = certManagerPods("cert-manager", "controller");
const WEBHOOK = certManagerPods("webhook", "webhook");
const PROMETHEUS_POD =
  "app.kubernetes.io/name=prometheus,app.kubernetes.io/instance=kube-prometheus-stack-prometheus,app.kubernetes.io/managed-by=prometheus-operator,operator.prometheus.io/name=kube-prometheus-stack-prometheus,prometheus=kube-prometheus-stack-prometheus";
const pods = (namespace: string, labels: Labels): PodEndpoint => ({ namespace, labels });

/** The check over the stack's objects with the named NetworkPolicies (`<namespace>/<name>`) taken out. */
function without(policyNames: string[]): ReachabilityResult {
  const named = (inputs: Record<string, unknown>) => {
    const { metadata } = inputs as unknown as NetworkPolicy;
    return `${metadata.namespace}/${metadata.name}`;
  };
  const objects = kubeObjects(report.resources).filter((o) => o.inputs.kind !== "NetworkPolicy" || !policyNames.includes(named(o.inputs)));
  return checkReachability(objects, clusterFacts(report.resources), "mandatory");
}

describe.each(CLOUDS)(
  "$stack: every scrape target, webhook, route backend and DNS server is reachable through the network policies",
  (cloud) => {
    beforeAll(() => load(cloud.stack));

    test("the charts were rendered, so the check follows their monitors and webhooks too", () => {
      expect(report.rendering).toMatchObject({ done: true, releases: cloud.releases });
    });

    test("the check decides exactly these paths and finds every one open; it is mandatory in production and followed everything", () => {
      const result = reachability();
      expect(result.paths).toEqual(cloud.paths(cloud.webhookCallers.text));
      expect(result).toMatchObject({ enforcementLevel: "mandatory", checked: result.paths.length, findings: [], unresolved: [] });
    });

    test("the API server calls webhooks from the ends of its ranges, the kubelets are scraped at the nodes', Prometheus is the chart's", () => {
      const facts = clusterFacts(report.resources);
      expect(facts.apiServerAddresses).toEqual(cloud.addresses.apiServers);
      expect(facts.addressServices.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s.addresses])).toEqual([
        ["default/kubernetes", cloud.addresses.apiServers],
        ["kube-system/kube-prometheus-stack-kubelet", cloud.addresses.kubelets],
      ]);
      expect(facts.proxies.labels).toEqual(PROXY_PODS);
    });

    test("without the allowance of Prometheus into cert-manager, its three metrics targets are named as blocked", () => {
      const result = without(["cert-manager/allow-from-prometheus"]);
      expect(result.findings.map((f) => f.object)).toEqual([
        "cert-manager/Deployment/cert-manager-cainjector",
        "cert-manager/Deployment/cert-manager",
        "cert-manager/Deployment/cert-manager-webhook",
      ]);
      expect(result.findings[1]!.message).toBe(
        `scrape cert-manager/ServiceMonitor/cert-manager: Prometheus ${PROMETHEUS} cannot reach pods ${CONTROLLER} in namespace cert-manager on TCP 9402 (http-metrics): ingress denied: isolated by cert-manager/default-deny, none of which allows it; add an Ingress allowance in cert-manager for pods ${CONTROLLER} from namespace monitoring pods ${PROMETHEUS_POD} on TCP 9402 (http-metrics)`,
      );
    });

    test("without the API server's allowance into the cert-manager webhook, both its webhook configurations are named", () => {
      const result = without(["cert-manager/allow-webhook"]);
      expect(result.findings.map((f) => f.object)).toEqual([
        "cert-manager/Deployment/cert-manager-webhook",
        "cert-manager/Deployment/cert-manager-webhook",
      ]);
      const { text, peers } = cloud.webhookCallers;
      expect(result.findings.map((f) => f.message)).toEqual(
        ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"].map(
          (kind) =>
            `webhook -/${kind}/cert-manager-webhook: the API server (${text}) cannot reach pods ${WEBHOOK} in namespace cert-manager on TCP 10250 (https): ingress denied: isolated by cert-manager/default-deny, cert-manager/allow-from-prometheus, none of which allows it; add an Ingress allowance in cert-manager for pods ${WEBHOOK} from ${peers} on TCP 10250 (https)`,
        ),
      );
    });

    test("the same policies still refuse what nobody allowed", () => {
      const namespaces = kubeObjects(report.resources).filter((o) => o.inputs.kind === "Namespace");
      const policies = new NetworkPolicies(
        kubeObjects(report.resources)
          .filter((o) => o.inputs.kind === "NetworkPolicy")
          .map((o) => o.inputs as unknown as NetworkPolicy),
        Object.fromEntries(
          namespaces.map((n) => [(n.inputs.metadata as { name: string }).name, (n.inputs.metadata as { labels: Labels }).labels]),
        ),
      );
      const prometheus = clusterFacts(report.resources).prometheus[0]!;
      const PROM = pods(prometheus.namespace, prometheus.labels);
      const grafana = pods("monitoring", { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" });
      const refused: Array<[string, PodEndpoint, Endpoint, number]> = [
        [
          "Prometheus to the cert-manager webhook's serving port",
          PROM,
          pods("cert-manager", { ...CERT_MANAGER, "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" }),
          10250,
        ],
        [
          "Prometheus to the External Secrets webhook's metrics (only the controller is scraped)",
          PROM,
          pods("external-secrets", {
            "app.kubernetes.io/name": "external-secrets-webhook",
            "app.kubernetes.io/instance": "external-secrets",
          }),
          8080,
        ],
        [
          "Grafana to the External Secrets controller's metrics (only Prometheus scrapes)",
          grafana,
          pods("external-secrets", { "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" }),
          8080,
        ],
        [
          "Grafana to cert-manager's metrics (only Prometheus scrapes)",
          grafana,
          pods("cert-manager", { ...CERT_MANAGER, "app.kubernetes.io/name": "cainjector", "app.kubernetes.io/component": "cainjector" }),
          9402,
        ],
        [
          "podinfo to the Postgres exporter's metrics",
          pods("podinfo", { "app.kubernetes.io/name": "podinfo", "app.kubernetes.io/part-of": "platform" }),
          pods("monitoring", { "app.kubernetes.io/name": "postgres-exporter" }),
          9187,
        ],
        ["Prometheus to a kubelet on another port", PROM, { address: cloud.addresses.kubelets[0]! }, 10255],
        ["Prometheus to an address in the data services' range", PROM, { address: cloud.dataAddress }, 10250],
      ];
      expect(refused.filter(([, from, to, port]) => policies.decide({ from, to, port }).allowed).map(([what]) => what)).toEqual([]);
    });
  },
);

describe("gcp-production: GKE's API server calls webhooks through its Konnectivity agents", () => {
  beforeAll(() => load("gcp-production"));
  const AGENTS = "namespace kube-system pods k8s-app=konnectivity-agent";
  const WEBHOOK_POLICIES = ["cert-manager/allow-webhook", "external-secrets/allow-webhook", "monitoring/allow-operator-webhook"];
  const policyOf = (id: string) =>
    kubeObjects(report.resources).find((o) => {
      const { metadata } = o.inputs as unknown as NetworkPolicy;
      return o.inputs.kind === "NetworkPolicy" && `${metadata.namespace}/${metadata.name}` === id;
    })!.inputs as unknown as NetworkPolicy;

  test("each webhook's allowance admits the agents and the node subnet, on the webhook's port alone", () => {
    expect(WEBHOOK_POLICIES.map((id) => policyOf(id).spec.ingress)).toEqual(
      WEBHOOK_POLICIES.map(() => [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "konnectivity-agent" } },
            },
            { ipBlock: { cidr: "10.0.0.0/20" } },
          ],
          ports: [{ port: 10250, protocol: "TCP" }],
        },
      ]),
    );
  });

  test("an allowance that admits the node subnet alone (the API server's own range) is found: the agents' calls are refused", () => {
    const narrowed = kubeObjects(report.resources).map((o) => {
      const p = o.inputs as unknown as NetworkPolicy;
      if (o.inputs.kind !== "NetworkPolicy" || `${p.metadata.namespace}/${p.metadata.name}` !== "cert-manager/allow-webhook") return o;
      const ingress = p.spec.ingress!.map((rule) => ({ ...rule, from: rule.from!.filter((peer) => peer.ipBlock !== undefined) }));
      return { ...o, inputs: { ...o.inputs, spec: { ...p.spec, ingress } } };
    });
    const result = checkReachability(narrowed, clusterFacts(report.resources), "mandatory");
    expect(result.findings.map((f) => f.message)).toEqual(
      ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"].map(
        (kind) =>
          `webhook -/${kind}/cert-manager-webhook: the API server (via ${AGENTS}, ${GCP_NODE_ENDS.join(", ")}) cannot reach pods ${WEBHOOK} in namespace cert-manager on TCP 10250 (https): ingress denied: isolated by cert-manager/default-deny, cert-manager/allow-from-prometheus, cert-manager/allow-webhook, none of which allows it; add an Ingress allowance in cert-manager for pods ${WEBHOOK} from ${AGENTS} on TCP 10250 (https)`,
      ),
    );
  });
});
