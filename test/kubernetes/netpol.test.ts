// GIVEN small sets of NetworkPolicies written by hand
// WHEN the evaluator of the review's reachability check (review/netpol.ts) decides single connections
// THEN it says "denied" wherever Kubernetes would drop the traffic (isolated pod and no rule matching the
//      peer, the namespace, the port or the protocol; an address outside an ipBlock or in its except;
//      egress allowed but ingress not) and "allowed" only where a rule matches or nothing isolates the pod.
import { describe, expect, test } from "@jest/globals";
import {
  addressIn,
  cidrContains,
  type Connection,
  type NetworkPolicy,
  NetworkPolicies,
  type PolicyPeer,
  type PolicyRule,
  policyTypesOf,
} from "../../review/netpol";

const PROM = { namespace: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" } };
const APP = { namespace: "apps", labels: { app: "web", tier: "front" } };

const deny = (namespace: string): NetworkPolicy => ({
  metadata: { name: "default-deny", namespace },
  spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
});
const allow = (
  namespace: string,
  name: string,
  direction: "Ingress" | "Egress",
  rule: PolicyRule,
  pods: Record<string, string> = {},
): NetworkPolicy => ({
  metadata: { name, namespace },
  spec: {
    podSelector: { matchLabels: pods },
    policyTypes: [direction],
    ...(direction === "Ingress" ? { ingress: [rule] } : { egress: [rule] }),
  },
});
const inNs = (name: string, pods?: Record<string, string>): PolicyPeer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
  podSelector: { matchLabels: pods ?? {} },
});
const scrape = (port = 8080): Connection => ({ from: PROM, to: APP, port });

/** Prometheus may send to the apps namespace on 8080; the web pods admit Prometheus on 8080. */
const open: NetworkPolicy[] = [
  deny("monitoring"),
  deny("apps"),
  allow(
    "monitoring",
    "allow-scrape",
    "Egress",
    { to: [inNs("apps")], ports: [{ port: 8080, protocol: "TCP" }] },
    { "app.kubernetes.io/name": "prometheus" },
  ),
  allow(
    "apps",
    "allow-from-prometheus",
    "Ingress",
    { from: [inNs("monitoring", { "app.kubernetes.io/name": "prometheus" })], ports: [{ port: 8080 }] },
    { app: "web" },
  ),
];

describe("pod to pod", () => {
  test("GIVEN no policy anywhere THEN everything is allowed (nothing isolates the pods)", () => {
    expect(new NetworkPolicies([]).decide(scrape())).toEqual({
      allowed: true,
      egress: { allowed: true, why: "egress not isolated" },
      ingress: { allowed: true, why: "ingress not isolated" },
    });
  });

  test("GIVEN matching egress and ingress allowances THEN the connection is allowed, naming both policies", () => {
    expect(new NetworkPolicies(open).decide(scrape())).toEqual({
      allowed: true,
      egress: { allowed: true, why: "egress allowed by monitoring/allow-scrape" },
      ingress: { allowed: true, why: "ingress allowed by apps/allow-from-prometheus" },
    });
  });

  test("GIVEN default-deny on both sides and nothing else THEN it is denied on both sides", () => {
    expect(new NetworkPolicies([deny("monitoring"), deny("apps")]).decide(scrape())).toEqual({
      allowed: false,
      egress: { allowed: false, why: "egress denied: isolated by monitoring/default-deny, none of which allows it" },
      ingress: { allowed: false, why: "ingress denied: isolated by apps/default-deny, none of which allows it" },
    });
  });

  test.each<[string, NetworkPolicy[], Partial<Connection>, "egress" | "ingress" | "both"]>([
    ["another port", open, { port: 9090 }, "both"],
    ["UDP where TCP is allowed", open, { protocol: "UDP" }, "both"],
    ["a target pod the ingress allowance does not select", open, { to: { namespace: "apps", labels: { app: "worker" } } }, "ingress"],
    ["a target in another namespace", open, { to: { namespace: "other", labels: APP.labels } }, "egress"],
    [
      "a source the ingress allowance does not name",
      open,
      { from: { namespace: "monitoring", labels: { "app.kubernetes.io/name": "grafana" } } },
      "both",
    ],
    ["only the egress side opened", open.filter((p) => p.metadata.name !== "allow-from-prometheus"), {}, "ingress"],
    ["only the ingress side opened", open.filter((p) => p.metadata.name !== "allow-scrape"), {}, "egress"],
    [
      "a peer without namespaceSelector, which means the policy's own namespace",
      [
        deny("apps"),
        allow("apps", "allow-same-ns", "Ingress", {
          from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
          ports: [{ port: 8080 }],
        }),
      ],
      {},
      "ingress",
    ],
    [
      "an ipBlock covering every address (ipBlock peers are not matched against pods)",
      [deny("apps"), allow("apps", "allow-everywhere", "Ingress", { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 8080 }] })],
      {},
      "ingress",
    ],
    [
      "a matchExpressions selector that excludes the pod",
      [
        deny("apps"),
        {
          ...allow("apps", "x", "Ingress", { ports: [{ port: 8080 }] }),
          spec: {
            podSelector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] },
            policyTypes: ["Ingress"],
            ingress: [{ ports: [{ port: 8080 }] }],
          },
        },
      ],
      {},
      "ingress",
    ],
    [
      "a port range that stops below the port",
      [deny("apps"), allow("apps", "range", "Ingress", { ports: [{ port: 8000, endPort: 8079 }] })],
      {},
      "ingress",
    ],
    [
      "a named port that is not the target's",
      [deny("apps"), allow("apps", "named", "Ingress", { ports: [{ port: "metrics" }] })],
      { portName: "http" },
      "ingress",
    ],
  ])("GIVEN %s THEN it is denied", (_, policies, change, side) => {
    const verdict = new NetworkPolicies(policies).decide({ ...scrape(), ...change });
    expect(verdict.allowed).toBe(false);
    expect([verdict.egress.allowed, verdict.ingress.allowed]).toEqual(
      side === "both" ? [false, false] : side === "egress" ? [false, true] : [true, false],
    );
  });

  test.each<[string, NetworkPolicy[], Partial<Connection>]>([
    [
      "a rule without peers (every peer) on the port",
      [deny("apps"), allow("apps", "any-peer", "Ingress", { ports: [{ port: 8080 }] })],
      {},
    ],
    [
      "a rule without ports (every port)",
      [deny("apps"), allow("apps", "any-port", "Ingress", { from: [inNs("monitoring")] })],
      { port: 31337 },
    ],
    [
      "a port range that covers the port",
      [deny("apps"), allow("apps", "range", "Ingress", { ports: [{ port: 8000, endPort: 8100 }] })],
      {},
    ],
    [
      "the target's named port",
      [deny("apps"), allow("apps", "named", "Ingress", { ports: [{ port: "metrics" }] })],
      { portName: "metrics" },
    ],
    ["an Ingress-only policy, which leaves egress open", [allow("monitoring", "in-only", "Ingress", { ports: [{ port: 1 }] })], {}],
    [
      "namespaces selected by a label they carry besides their name",
      [deny("apps"), allow("apps", "by-team", "Ingress", { from: [{ namespaceSelector: { matchLabels: { team: "observability" } } }] })],
      {},
    ],
  ])("GIVEN %s THEN it is allowed", (_, policies, change) => {
    expect(new NetworkPolicies(policies, { monitoring: { team: "observability" } }).decide({ ...scrape(), ...change }).allowed).toBe(true);
  });

  test("GIVEN a peer that names nothing THEN the evaluator refuses it, as the API server does", () => {
    expect(() => new NetworkPolicies([deny("apps"), allow("apps", "bad", "Ingress", { from: [{}] })]).decide(scrape())).toThrow(
      /names neither pods, namespaces nor addresses/,
    );
  });
});

describe("pod to address", () => {
  const toNodes = allow("monitoring", "allow-kubelets", "Egress", {
    to: [{ ipBlock: { cidr: "10.0.0.0/19" } }, { ipBlock: { cidr: "10.0.32.0/19", except: ["10.0.40.0/24"] } }],
    ports: [{ port: 10250 }],
  });
  const policies = new NetworkPolicies([deny("monitoring"), toNodes]);
  const kubelet = (address: string, port = 10250) => policies.decide({ from: PROM, to: { address }, port });

  test("GIVEN an address inside an allowed block THEN egress is allowed and no ingress side applies", () => {
    expect(kubelet("10.0.12.7")).toEqual({
      allowed: true,
      egress: { allowed: true, why: "egress allowed by monitoring/allow-kubelets" },
      ingress: { allowed: true, why: "ingress at an address, not a pod" },
    });
  });

  test.each([
    ["outside every block", "10.0.64.1", 10250],
    ["inside a block's except", "10.0.40.9", 10250],
    ["inside a block, on another port", "10.0.12.7", 443],
  ])("GIVEN an address %s THEN it is denied", (_, address, port) => {
    expect(kubelet(address, port)).toMatchObject({ allowed: false, egress: { allowed: false } });
  });

  test("GIVEN a selector peer THEN it never matches an address", () => {
    const selectorOnly = new NetworkPolicies([
      deny("monitoring"),
      allow("monitoring", "everything-in-cluster", "Egress", { to: [{ namespaceSelector: {} }] }),
    ]);
    expect(selectorOnly.decide({ from: PROM, to: { address: "10.0.12.7" }, port: 10250 }).allowed).toBe(false);
    expect(selectorOnly.decide({ from: PROM, to: APP, port: 10250 }).egress.allowed).toBe(true);
  });
});

describe("address to pod (the API server calling a webhook)", () => {
  const webhook = { namespace: "webhooks", labels: { app: "webhook" } };
  const fromControlPlane = allow(
    "webhooks",
    "allow-webhook",
    "Ingress",
    { from: [{ ipBlock: { cidr: "10.0.0.0/19" } }], ports: [{ port: 10250 }] },
    webhook.labels,
  );
  const policies = new NetworkPolicies([deny("webhooks"), fromControlPlane]);
  const call = (address: string, port = 10250) => policies.decide({ from: { address }, to: webhook, port });

  test("GIVEN an address inside the admitted block THEN ingress is allowed and no egress side applies", () => {
    expect(call("10.0.0.4")).toEqual({
      allowed: true,
      egress: { allowed: true, why: "egress from an address, not a pod" },
      ingress: { allowed: true, why: "ingress allowed by webhooks/allow-webhook" },
    });
  });

  test.each([
    ["outside the block", "10.0.64.4", 10250],
    ["inside the block, on another port", "10.0.0.4", 443],
  ])("GIVEN an address %s THEN the pod's ingress denies it", (_, address, port) => {
    expect(call(address, port)).toEqual({
      allowed: false,
      egress: { allowed: true, why: "egress from an address, not a pod" },
      ingress: {
        allowed: false,
        why: "ingress denied: isolated by webhooks/default-deny, webhooks/allow-webhook, none of which allows it",
      },
    });
  });
});

describe("isolation", () => {
  test("GIVEN a policy selecting the pod for a direction THEN the pod is isolated for that direction only", () => {
    const policies = new NetworkPolicies([allow("apps", "ingress-only", "Ingress", { from: [inNs("monitoring")] }, { app: "web" })]);
    expect(policies.isolates("Ingress", APP)).toBe(true);
    expect(policies.isolates("Egress", APP)).toBe(false);
    expect(policies.isolates("Ingress", { namespace: "apps", labels: { app: "api" } })).toBe(false);
    expect(policies.isolates("Ingress", { namespace: "other", labels: APP.labels })).toBe(false);
  });
});

describe("helpers", () => {
  test("policyTypes default as the API server's: Ingress always, Egress when egress rules are given", () => {
    const spec = (extra: Partial<NetworkPolicy["spec"]>): NetworkPolicy => ({
      metadata: { name: "p", namespace: "n" },
      spec: { podSelector: {}, ...extra },
    });
    expect([policyTypesOf(spec({})), policyTypesOf(spec({ egress: [] })), policyTypesOf(spec({ policyTypes: ["Egress"] }))]).toEqual([
      ["Ingress"],
      ["Ingress", "Egress"],
      ["Egress"],
    ]);
  });

  test("CIDR arithmetic", () => {
    expect([
      cidrContains("10.0.32.0/19", "10.0.63.255"),
      cidrContains("10.0.32.0/19", "10.0.64.0"),
      cidrContains("0.0.0.0/0", "192.168.1.1"),
    ]).toEqual([true, false, true]);
    expect([addressIn("10.0.32.0/19", 10), addressIn("10.0.32.0/19", 8191)]).toEqual(["10.0.32.10", "10.0.63.255"]);
    expect(() => addressIn("10.0.32.0/19", 8192)).toThrow(/outside/);
    expect(() => cidrContains("10.0.0.0/33", "10.0.0.1")).toThrow(/not an IPv4 CIDR/);
  });
});
