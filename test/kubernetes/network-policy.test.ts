// GIVEN the network policy builder
// WHEN a namespace's default-deny and its allowances are built
// THEN the default-deny selects every pod and lists both directions with no rule; each allowance opens one
//      direction, for the pods it names, to the peers it names, on the ports it names and no other; CIDR
//      lists become one ipBlock each; and an allowance that would open too much is refused by name.
import { describe, expect, test } from "@jest/globals";
import * as pulumi from "@pulumi/pulumi";
import {
  type Allowance,
  allowancePolicy,
  apiServerEgress,
  defaultDeny,
  dnsEgress,
  internetHttpsEgress,
  PRIVATE_RANGES,
} from "../../components/kubernetes/network-policy";

describe("defaultDeny", () => {
  test("selects every pod, denies both directions, allows nothing", () => {
    expect(defaultDeny("backups")).toEqual({
      metadata: { name: "default-deny", namespace: "backups", labels: { "app.kubernetes.io/managed-by": "pulumi" } },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
  });
});

describe("allowancePolicy", () => {
  test("an ingress allowance from pods of another namespace, for some pods, on one port", () => {
    const a: Allowance = {
      name: "from-gateway",
      direction: "Ingress",
      pods: { app: "web" },
      peers: [{ namespace: "gateway", pods: { role: "proxy" } }],
      ports: [{ port: 8080 }],
    };
    expect(allowancePolicy("web", a)).toEqual({
      metadata: { name: "allow-from-gateway", namespace: "web", labels: { "app.kubernetes.io/managed-by": "pulumi" } },
      spec: {
        podSelector: { matchLabels: { app: "web" } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway" } },
                podSelector: { matchLabels: { role: "proxy" } },
              },
            ],
            ports: [{ port: 8080, protocol: "TCP" }],
          },
        ],
      },
    });
  });

  test("an egress allowance to CIDRs: one ipBlock per block, pods of the same namespace with no namespace selector", () => {
    const a: Allowance = {
      name: "to-db",
      direction: "Egress",
      peers: [{ pods: { app: "proxy" } }, { cidrs: ["10.0.208.0/23", "10.0.210.0/23"] }],
      ports: [{ port: 5432 }],
    };
    expect(allowancePolicy("web", a).spec).toEqual({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            { podSelector: { matchLabels: { app: "proxy" } } },
            { ipBlock: { cidr: "10.0.208.0/23" } },
            { ipBlock: { cidr: "10.0.210.0/23" } },
          ],
          ports: [{ port: 5432, protocol: "TCP" }],
        },
      ],
    });
  });

  test("CIDR lists that are outputs are expanded once known", async () => {
    const spec = allowancePolicy("web", {
      name: "to-db",
      direction: "Egress",
      peers: [{ cidrs: pulumi.output(["10.1.0.0/24"]) }],
      ports: [{ port: 5432 }],
    }).spec;
    const to = (spec.egress as unknown as { to: pulumi.Input<unknown[]> }[])[0]!.to;
    const peers = await new Promise((resolve) => pulumi.output(to).apply(resolve));
    expect(peers).toEqual([{ ipBlock: { cidr: "10.1.0.0/24" } }]);
  });

  test.each<[string, Partial<Allowance>, string]>([
    [
      "no peers",
      { peers: [] },
      "network policy web/allow-x: peers must name at least one peer; an allowance from or to everyone is not narrow",
    ],
    ["no ports", { ports: [] }, "network policy web/allow-x: ports must list at least one port; an allowance never opens every port"],
    ["port 0", { ports: [{ port: 0 }] }, "network policy web/allow-x: ports must be 1-65535 (got 0)"],
    ["a bad name", { name: "To DB" }, 'network policy web/allow-To DB: name must be kebab-case, at most 42 characters (got "To DB")'],
  ])("%s is refused", (_, change, message) => {
    const a: Allowance = { name: "x", direction: "Egress", peers: [{ pods: {} }], ports: [{ port: 1 }], ...change };
    expect(() => allowancePolicy("web", a)).toThrow(message);
  });
});

describe("the shared allowances", () => {
  test("DNS goes to kube-dns in kube-system on 53 over UDP and TCP", () => {
    expect(dnsEgress()).toEqual({
      name: "dns",
      direction: "Egress",
      peers: [{ namespace: "kube-system", pods: { "k8s-app": "kube-dns" } }],
      ports: [
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ],
    });
  });

  test("the API server is reached on 443 at its own addresses only", () => {
    expect(apiServerEgress(["10.0.0.0/19"], { app: "controller" })).toEqual({
      name: "kube-api",
      direction: "Egress",
      pods: { app: "controller" },
      peers: [{ cidrs: ["10.0.0.0/19"] }],
      ports: [{ port: 443 }],
    });
  });

  test("internet HTTPS excludes every private range, so it never opens the VPC", () => {
    const policy = allowancePolicy("backups", internetHttpsEgress("to-storage"));
    expect(policy.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }], ports: [{ port: 443, protocol: "TCP" }] },
    ]);
    expect(PRIVATE_RANGES).toEqual(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);
  });
});
