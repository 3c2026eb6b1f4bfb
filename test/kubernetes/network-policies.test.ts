// GIVEN the shipped dev and production stacks, reviewed as `pulumi up` would run them
// WHEN the Kubernetes objects they register are read back
// THEN every namespace the platform creates carries its Pod Security labels and a default-deny policy for
//      both directions, and the allowances are exactly the table below: who, to or from whom, on which
//      ports. Nothing else is open.
import { beforeAll, describe, expect, test } from "@jest/globals";
import { appAllowances } from "../../components/kubernetes/app-service";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";

const reports: Record<string, ReviewReport> = {};
beforeAll(() => {
  for (const stack of ["dev", "production"] as const) reports[stack] = shippedReview(stack);
});

const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
/** Made by the EKS add-on; the platform labels it and sets its policies. */
const LOG_COLLECTOR = "amazon-cloudwatch";
const PLATFORM_NAMESPACES = ["amazon-cloudwatch", "backups", "cert-manager", "external-secrets", "gateway", "monitoring", "podinfo"];

type Selector = { matchLabels?: Record<string, string> } | undefined;
type Peer = { ipBlock?: { cidr: string; except?: string[] }; namespaceSelector?: Selector; podSelector?: Selector };
type Rule = { from?: Peer[]; to?: Peer[]; ports: { port: number; protocol: string }[] };
interface PolicyObject {
  metadata: { name: string; namespace: string };
  spec: { podSelector: Selector; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] };
}

const labels = (s: Selector) =>
  s?.matchLabels && Object.keys(s.matchLabels).length > 0
    ? Object.entries(s.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")
    : "*";
const peer = (p: Peer) => {
  if (p.ipBlock) return p.ipBlock.cidr + (p.ipBlock.except ? ` except ${p.ipBlock.except.join(" ")}` : "");
  const namespace = p.namespaceSelector ? `ns ${p.namespaceSelector.matchLabels!["kubernetes.io/metadata.name"]}` : "same ns";
  return `${namespace} pods ${labels(p.podSelector)}`;
};
/** One line per policy: `<namespace>/<name>: pods <selector> <in|out> [<peers>] ports <ports>`, or `deny <types>`. */
function describePolicy(r: RecordedResource): string {
  const { metadata, spec } = r.inputs as unknown as PolicyObject;
  const rules = [
    ...(spec.ingress ?? []).map((x) => ["in", x.from!, x.ports] as const),
    ...(spec.egress ?? []).map((x) => ["out", x.to!, x.ports] as const),
  ];
  const body =
    rules.length === 0
      ? `deny ${spec.policyTypes.join("+")}`
      : rules
          .map(
            ([d, peers, ports]) =>
              `${d} [${peers.map(peer).join("; ")}] ports ${ports.map((p) => `${p.port}${p.protocol === "UDP" ? "/udp" : ""}`).join(",")}`,
          )
          .join(" | ");
  return `${metadata.namespace}/${metadata.name}: pods ${labels(spec.podSelector)} ${body}`;
}

const ofType = (stack: string, type: string) => reports[stack]!.resources.filter((r) => r.type === type);

describe.each(["dev", "production"])("%s", (stack) => {
  test("the platform creates exactly its namespaces, each labelled for Pod Security at the pinned version", () => {
    const namespaces = ofType(stack, NAMESPACE).map(
      (r) => (r.inputs as { metadata: { name: string; labels: Record<string, string> } }).metadata,
    );
    expect(namespaces.map((n) => n.name).sort()).toEqual(PLATFORM_NAMESPACES.filter((n) => n !== LOG_COLLECTOR));
    const [enforce, warn] = stack === "production" ? ["restricted", "restricted"] : ["baseline", "restricted"];
    for (const n of namespaces) {
      expect({ name: n.name, labels: n.labels }).toEqual({
        name: n.name,
        labels: {
          "pod-security.kubernetes.io/enforce": enforce,
          "pod-security.kubernetes.io/enforce-version": "v1.35",
          "pod-security.kubernetes.io/warn": warn,
          "pod-security.kubernetes.io/warn-version": "v1.35",
          "pod-security.kubernetes.io/audit": warn,
          "pod-security.kubernetes.io/audit-version": "v1.35",
          "app.kubernetes.io/managed-by": "pulumi",
          ...(n.name === "podinfo" && { "platform/gateway-routes": "true" }),
        },
      });
    }
  });

  test("the log collector's namespace, made by the EKS add-on, is labelled by patch as the one exception: privileged, warned and audited at restricted", () => {
    const patches = ofType(stack, "kubernetes:core/v1:NamespacePatch").map((r) => r.inputs);
    expect(patches).toEqual([
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: LOG_COLLECTOR,
          labels: {
            "platform/pod-security-exception": "log-collector",
            "pod-security.kubernetes.io/enforce": "privileged",
            "pod-security.kubernetes.io/enforce-version": "v1.35",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "v1.35",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": "v1.35",
          },
        },
      },
    ]);
  });

  test("every platform namespace denies all ingress and egress by default", () => {
    const denies = ofType(stack, NETWORK_POLICY)
      .map(describePolicy)
      .filter((line) => line.includes(" deny "));
    expect(denies.sort()).toEqual(PLATFORM_NAMESPACES.map((ns) => `${ns}/default-deny: pods * deny Ingress+Egress`));
  });

  test("every policy sits in a platform namespace, opens one direction, and names its ports", () => {
    for (const r of ofType(stack, NETWORK_POLICY)) {
      const { metadata, spec } = r.inputs as unknown as PolicyObject;
      expect(PLATFORM_NAMESPACES).toContain(metadata.namespace);
      if (metadata.name === "default-deny") continue;
      expect(spec.policyTypes).toHaveLength(1);
      const rules = [...(spec.ingress ?? []), ...(spec.egress ?? [])];
      expect(rules).toHaveLength(1);
      expect(rules[0]!.ports.length).toBeGreaterThan(0);
      expect((rules[0]!.from ?? rules[0]!.to)!.length).toBeGreaterThan(0);
    }
  });
});

describe("production allowances, exactly", () => {
  const PROXY = "app.kubernetes.io/component=proxy,app.kubernetes.io/managed-by=envoy-gateway,app.kubernetes.io/name=envoy";
  const NODES = "10.0.0.0/19; 10.0.32.0/19; 10.0.64.0/19"; // private subnets: nodes and the API server's ENIs
  const DATA = "10.0.208.0/23; 10.0.210.0/23; 10.0.212.0/23"; // isolated subnets: Postgres and Redis
  const PUBLIC = "10.0.192.0/23; 10.0.194.0/23; 10.0.196.0/23"; // public subnets: the NLB's nodes
  const INTERNET = "0.0.0.0/0 except 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16";
  const KUBE_DNS = "ns kube-system pods k8s-app=kube-dns";
  const PROMETHEUS = "ns monitoring pods app.kubernetes.io/name=prometheus";
  const PODINFO = "app.kubernetes.io/name=podinfo,app.kubernetes.io/part-of=platform";
  const MONITORING_PORTS = "9090,9093,3000,8080,8081,10250,9187,9121";
  const CLOUDWATCH_OPERATOR = "app.kubernetes.io/name=amazon-cloudwatch-observability,control-plane=controller-manager";

  test("each allowance is as narrow as listed", () => {
    expect(ofType("production", NETWORK_POLICY).map(describePolicy).sort()).toEqual([
      // The log collector's operator: webhooks the API server calls, its own API calls; the accelerator
      // exporters scraped by the host-network agent. Fluent Bit and the agent are on the host network.
      `amazon-cloudwatch/allow-dns: pods ${CLOUDWATCH_OPERATOR} out [${KUBE_DNS}] ports 53/udp,53`,
      `amazon-cloudwatch/allow-kube-api: pods ${CLOUDWATCH_OPERATOR} out [${NODES}] ports 443`,
      `amazon-cloudwatch/allow-node-scrapes: pods * in [${NODES}] ports 9400,8000`,
      `amazon-cloudwatch/allow-webhook: pods ${CLOUDWATCH_OPERATOR} in [${NODES}] ports 9443`,
      "amazon-cloudwatch/default-deny: pods * deny Ingress+Egress",
      `backups/allow-dns: pods * out [${KUBE_DNS}] ports 53/udp,53`,
      `backups/allow-to-postgres: pods app.kubernetes.io/component=backup,app.kubernetes.io/name=postgres-backup,app.kubernetes.io/part-of=platform out [${DATA}] ports 5432`,
      `backups/allow-to-storage: pods * out [${INTERNET}] ports 443`,
      `backups/default-deny: pods * deny Ingress+Egress`,
      `cert-manager/allow-acme: pods app.kubernetes.io/component=controller,app.kubernetes.io/name=cert-manager out [${INTERNET}] ports 443,80`,
      `cert-manager/allow-dns: pods * out [${KUBE_DNS}] ports 53/udp,53`,
      `cert-manager/allow-from-prometheus: pods app.kubernetes.io/instance=cert-manager in [${PROMETHEUS}] ports 9402`,
      `cert-manager/allow-kube-api: pods * out [${NODES}] ports 443`,
      `cert-manager/allow-webhook: pods app.kubernetes.io/component=webhook,app.kubernetes.io/name=webhook in [${NODES}] ports 10250`,
      `cert-manager/default-deny: pods * deny Ingress+Egress`,
      `external-secrets/allow-dns: pods * out [${KUBE_DNS}] ports 53/udp,53`,
      `external-secrets/allow-from-prometheus: pods app.kubernetes.io/instance=external-secrets,app.kubernetes.io/name=external-secrets in [${PROMETHEUS}] ports 8080`,
      `external-secrets/allow-kube-api: pods * out [${NODES}] ports 443`,
      `external-secrets/allow-secret-store: pods * out [${INTERNET}] ports 443`,
      `external-secrets/allow-webhook: pods app.kubernetes.io/instance=external-secrets,app.kubernetes.io/name=external-secrets-webhook in [${NODES}] ports 10250`,
      `external-secrets/default-deny: pods * deny Ingress+Egress`,
      `gateway/allow-acme-solver-from-proxy: pods acme.cert-manager.io/http01-solver=true in [same ns pods ${PROXY}] ports 8089`,
      `gateway/allow-certgen-kube-api: pods app=certgen out [${NODES}] ports 443`,
      `gateway/allow-controller-from-proxy: pods control-plane=envoy-gateway in [same ns pods ${PROXY}] ports 18000`,
      `gateway/allow-dns: pods * out [${KUBE_DNS}] ports 53/udp,53`,
      `gateway/allow-from-load-balancer: pods ${PROXY} in [${PUBLIC}] ports 10080,10443`,
      `gateway/allow-from-prometheus: pods ${PROXY} in [${PROMETHEUS}] ports 19001`,
      `gateway/allow-kube-api: pods control-plane=envoy-gateway out [${NODES}] ports 443`,
      `gateway/allow-proxy-to-acme-solver: pods ${PROXY} out [same ns pods acme.cert-manager.io/http01-solver=true] ports 8089`,
      `gateway/allow-proxy-to-controller: pods ${PROXY} out [same ns pods control-plane=envoy-gateway] ports 18000`,
      `gateway/allow-to-podinfo: pods ${PROXY} out [ns podinfo pods *] ports 9898`,
      `gateway/default-deny: pods * deny Ingress+Egress`,
      `monitoring/allow-alert-webhook: pods app.kubernetes.io/name=alertmanager out [${INTERNET}] ports 443`,
      `monitoring/allow-dns: pods * out [${KUBE_DNS}] ports 53/udp,53`,
      `monitoring/allow-grafana-cloud-api: pods app.kubernetes.io/name=grafana out [${INTERNET}] ports 443`,
      `monitoring/allow-kube-api: pods * out [${NODES}] ports 443`,
      `monitoring/allow-operator-webhook: pods app=kube-prometheus-stack-operator in [${NODES}] ports 10250`,
      `monitoring/allow-rollout-kube-api: pods app.kubernetes.io/name=credential-rollout,app.kubernetes.io/part-of=platform out [${NODES}] ports 443`,
      `monitoring/allow-scrape-cert-manager: pods app.kubernetes.io/name=prometheus out [ns cert-manager pods app.kubernetes.io/instance=cert-manager] ports 9402`,
      `monitoring/allow-scrape-external-secrets: pods app.kubernetes.io/name=prometheus out [ns external-secrets pods app.kubernetes.io/instance=external-secrets,app.kubernetes.io/name=external-secrets] ports 8080`,
      `monitoring/allow-scrape-gateway: pods app.kubernetes.io/name=prometheus out [ns gateway pods ${PROXY}] ports 19001`,
      `monitoring/allow-scrape-kube-system: pods app.kubernetes.io/name=prometheus out [${KUBE_DNS}] ports 9153`,
      `monitoring/allow-scrape-kubelets: pods app.kubernetes.io/name=prometheus out [${NODES}] ports 10250`,
      `monitoring/allow-scrape-podinfo: pods app.kubernetes.io/name=prometheus out [ns podinfo pods *] ports 9898`,
      `monitoring/allow-to-postgres: pods app.kubernetes.io/name=postgres-exporter out [${DATA}] ports 5432`,
      `monitoring/allow-to-redis: pods app.kubernetes.io/name=redis-exporter out [${DATA}] ports 6379`,
      `monitoring/allow-within-namespace-in: pods * in [same ns pods *] ports ${MONITORING_PORTS}`,
      `monitoring/allow-within-namespace-out: pods * out [same ns pods *] ports ${MONITORING_PORTS}`,
      `monitoring/default-deny: pods * deny Ingress+Egress`,
      `podinfo/allow-dns: pods ${PODINFO} out [${KUBE_DNS}] ports 53/udp,53`,
      `podinfo/allow-from-gateway: pods ${PODINFO} in [ns gateway pods ${PROXY}] ports 9898`,
      `podinfo/allow-from-prometheus: pods ${PODINFO} in [${PROMETHEUS}] ports 9898`,
      `podinfo/default-deny: pods * deny Ingress+Egress`,
    ]);
  });

  test("an app that uses the database and the cache gets egress to their subnets on their ports only", () => {
    const database = { privateCidrs: ["10.0.208.0/23"], port: 5432 } as never;
    const cache = { privateCidrs: ["10.0.210.0/23"], port: 6379 } as never;
    const gateway = { proxies: { namespace: "gateway", pods: { app: "proxy" } } } as never;
    const scrapers = { namespace: "monitoring", pods: { app: "prometheus" } };
    const egress = appAllowances({ port: 8080, gateway, scrapers, database, cache }, { app: "web" }).filter(
      (a) => a.direction === "Egress",
    );
    expect(egress.map((a) => [a.name, a.peers, a.ports])).toEqual([
      [
        "dns",
        [{ namespace: "kube-system", pods: { "k8s-app": "kube-dns" } }],
        [
          { port: 53, protocol: "UDP" },
          { port: 53, protocol: "TCP" },
        ],
      ],
      ["to-postgres", [{ cidrs: ["10.0.208.0/23"] }], [{ port: 5432 }]],
      ["to-redis", [{ cidrs: ["10.0.210.0/23"] }], [{ port: 6379 }]],
    ]);
  });
});
