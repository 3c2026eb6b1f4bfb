// GIVEN the gateway namespace's inputs: the API server's and the load balancer's addresses, Prometheus,
//       and backends in two namespaces, one of them listed twice on one port and once on another
// WHEN its allowances are built
// THEN they are exactly the table below: DNS; the load balancer to the proxies' listener ports; proxies and
//      controller to each other on xDS; the controller and certgen to the API server; proxies and ACME
//      solvers to each other; Prometheus to the proxies' metrics; and one egress per backend namespace
//      with each of its ports once.
// AND GIVEN bad hostnames or a bad rate limit THEN the IngressGateway is refused, naming the argument.
import { describe, expect, test } from "@jest/globals";
import { gatewayAllowances, IngressGateway, type IngressGatewayArgs, listenerName } from "../../components/kubernetes/gateway";

const PROXY = {
  "app.kubernetes.io/name": "envoy",
  "app.kubernetes.io/component": "proxy",
  "app.kubernetes.io/managed-by": "envoy-gateway",
};
const CONTROLLER = { "control-plane": "envoy-gateway" };
const SOLVER = { "acme.cert-manager.io/http01-solver": "true" };

describe("gatewayAllowances", () => {
  test("each allowance is as narrow as listed, one egress per backend namespace", () => {
    const allowances = gatewayAllowances({
      cluster: { apiServerCidrs: ["10.0.0.0/19"] } as IngressGatewayArgs["cluster"],
      loadBalancer: { sourceCidrs: ["10.0.192.0/23", "10.0.194.0/23"] } as IngressGatewayArgs["loadBalancer"],
      backends: [
        { namespace: "shop", port: 8080 },
        { namespace: "blog", port: 2368 },
        { namespace: "shop", port: 8080 },
        { namespace: "shop", port: 9090 },
      ],
      scrapers: { namespace: "monitoring", pods: { "app.kubernetes.io/name": "prometheus" } },
    });
    expect(allowances).toEqual([
      {
        name: "dns",
        direction: "Egress",
        peers: [{ namespace: "kube-system", pods: { "k8s-app": "kube-dns" } }],
        ports: [
          { port: 53, protocol: "UDP" },
          { port: 53, protocol: "TCP" },
        ],
      },
      {
        name: "from-load-balancer",
        direction: "Ingress",
        pods: PROXY,
        peers: [{ cidrs: ["10.0.192.0/23", "10.0.194.0/23"] }],
        ports: [{ port: 10080 }, { port: 10443 }],
      },
      { name: "proxy-to-controller", direction: "Egress", pods: PROXY, peers: [{ pods: CONTROLLER }], ports: [{ port: 18000 }] },
      { name: "controller-from-proxy", direction: "Ingress", pods: CONTROLLER, peers: [{ pods: PROXY }], ports: [{ port: 18000 }] },
      { name: "kube-api", direction: "Egress", pods: CONTROLLER, peers: [{ cidrs: ["10.0.0.0/19"] }], ports: [{ port: 443 }] },
      {
        name: "certgen-kube-api",
        direction: "Egress",
        pods: { app: "certgen" },
        peers: [{ cidrs: ["10.0.0.0/19"] }],
        ports: [{ port: 443 }],
      },
      { name: "proxy-to-acme-solver", direction: "Egress", pods: PROXY, peers: [{ pods: SOLVER }], ports: [{ port: 8089 }] },
      { name: "acme-solver-from-proxy", direction: "Ingress", pods: SOLVER, peers: [{ pods: PROXY }], ports: [{ port: 8089 }] },
      {
        name: "from-prometheus",
        direction: "Ingress",
        pods: PROXY,
        peers: [{ namespace: "monitoring", pods: { "app.kubernetes.io/name": "prometheus" } }],
        ports: [{ port: 19001 }],
      },
      { name: "to-shop", direction: "Egress", pods: PROXY, peers: [{ namespace: "shop" }], ports: [{ port: 8080 }, { port: 9090 }] },
      { name: "to-blog", direction: "Egress", pods: PROXY, peers: [{ namespace: "blog" }], ports: [{ port: 2368 }] },
    ]);
  });

  test("no backends: no egress to any app namespace", () => {
    const allowances = gatewayAllowances({
      cluster: { apiServerCidrs: ["10.0.0.0/19"] } as IngressGatewayArgs["cluster"],
      loadBalancer: { sourceCidrs: ["10.0.192.0/23"] } as IngressGatewayArgs["loadBalancer"],
      backends: [],
      scrapers: { namespace: "monitoring", pods: { "app.kubernetes.io/name": "prometheus" } },
    });
    expect(allowances.map((a) => a.name)).toEqual([
      "dns",
      "from-load-balancer",
      "proxy-to-controller",
      "controller-from-proxy",
      "kube-api",
      "certgen-kube-api",
      "proxy-to-acme-solver",
      "acme-solver-from-proxy",
      "from-prometheus",
    ]);
  });
});

describe("listenerName", () => {
  test("is https- and the hostname with dots as dashes", () => {
    expect(listenerName("podinfo.platform.example.com")).toBe("https-podinfo-platform-example-com");
  });
});

describe("IngressGateway arguments", () => {
  // Refused before the component registers anything, so the other arguments are never read.
  const base = { hostnames: ["a.example.com"], rateLimitPerMinute: 600 } as IngressGatewayArgs;
  const many = Array.from({ length: 64 }, (_, i) => `h${i}.example.com`);
  test.each<[string, Partial<IngressGatewayArgs>, string]>([
    ["no hostname", { hostnames: [] }, "IngressGateway gw: args.hostnames must list at least one hostname"],
    [
      "a repeated hostname",
      { hostnames: ["a.example.com", "a.example.com"] },
      'IngressGateway gw: args.hostnames must not repeat a hostname (got ["a.example.com","a.example.com"])',
    ],
    ["64 hostnames", { hostnames: many }, "IngressGateway gw: args.hostnames allows 63 hostnames: a Gateway holds at most 64 listeners"],
    ["a zero rate limit", { rateLimitPerMinute: 0 }, "IngressGateway gw: args.rateLimitPerMinute must be a whole number >= 1 (got 0)"],
    [
      "a fractional rate limit",
      { rateLimitPerMinute: 1.5 },
      "IngressGateway gw: args.rateLimitPerMinute must be a whole number >= 1 (got 1.5)",
    ],
  ])("%s is refused, naming the argument", (_, change, message) => {
    expect(() => new IngressGateway("gw", { ...base, ...change })).toThrow(message);
  });
});
