// GIVEN dependency graphs, hand-made with known answers and random DAGs
// WHEN the first deploy's critical path is computed
// THEN it is the longest chain of waits (dependencies, property dependencies, providers, and what a parent
//      component waits for), never longer than the serial sum, never shorter than the slowest resource,
//      never shortened by an added edge, and a chain's is its sum.
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { createMinutes, deployTime, type TimedResource } from "../../review/deploy-time";

const urn = (name: string) => `urn:pulumi:test::platform::test:index:R::${name}`;

function res(name: string, waits: string[] = [], extra: Partial<TimedResource> = {}): TimedResource {
  return {
    urn: urn(name),
    type: "test:index:R",
    custom: true,
    parent: null,
    provider: null,
    dependencies: waits.map(urn),
    propertyDependencies: {},
    inputs: {},
    ...extra,
  };
}

/** Durations by name, so a graph reads as its figures. */
const timed = (minutes: Record<string, number>) => (r: TimedResource) => minutes[r.urn.split("::").pop()!] ?? 0;

describe("hand-made graphs", () => {
  test("a diamond waits for its slower branch", () => {
    const graph = [res("a"), res("b", ["a"]), res("c", ["a"]), res("d", ["b", "c"])];
    expect(deployTime(graph, timed({ a: 2, b: 3, c: 5, d: 1 }))).toEqual({
      criticalPathMinutes: 8,
      serialMinutes: 11,
      criticalPath: [urn("a"), urn("c"), urn("d")],
    });
  });

  test("property dependencies and the provider are waited for", () => {
    const graph = [
      res("cluster"),
      res("k8s", ["cluster"], { type: "pulumi:providers:kubernetes" }),
      res("release", [], { provider: urn("k8s"), propertyDependencies: { values: [urn("db")] } }),
      res("db"),
    ];
    const result = deployTime(graph, timed({ cluster: 10, release: 2, db: 4 }));
    expect(result.criticalPathMinutes).toBe(12);
    expect(result.criticalPath).toEqual([urn("cluster"), urn("k8s"), urn("release")]);
  });

  test("a component's children wait for what it waits for, and it is done when they are", () => {
    const component = res("component", ["network"], { custom: false, type: "platform:test:C" });
    const graph = [
      res("network"),
      component,
      res("child", [], { parent: component.urn }),
      res("grandchild-component", [], { parent: component.urn, custom: false, type: "platform:test:D" }),
      res("grandchild", [], { parent: urn("grandchild-component") }),
      res("after", ["component"]),
    ];
    const result = deployTime(graph, timed({ network: 2, child: 3, grandchild: 7, after: 1 }));
    // network 2, then the grandchild 7 (it inherits its grandparent's wait), then `after` 1.
    expect(result.criticalPathMinutes).toBe(10);
    expect(result.criticalPath).toEqual([urn("network"), urn("grandchild"), urn("after")]);
    expect(result.serialMinutes).toBe(13);
  });

  test("URNs that were not recorded (a default provider) are not waited for", () => {
    const graph = [res("a", ["missing"], { provider: "urn:pulumi:test::platform::pulumi:providers:aws::default_7_0_0" })];
    expect(deployTime(graph, timed({ a: 3 }))).toEqual({ criticalPathMinutes: 3, serialMinutes: 3, criticalPath: [urn("a")] });
  });

  test("a cycle is refused", () => {
    expect(() => deployTime([res("a", ["b"]), res("b", ["a"])], timed({ a: 1, b: 1 }))).toThrow(/^dependency cycle through urn:/);
  });

  test("no resources take no time", () => {
    expect(deployTime([])).toEqual({ criticalPathMinutes: 0, serialMinutes: 0, criticalPath: [] });
  });
});

describe("the duration table", () => {
  test.each<[string, string, Record<string, unknown>, boolean, number]>([
    ["an EKS cluster", "aws:eks/cluster:Cluster", {}, true, 10],
    ["a managed node group", "aws:eks/nodeGroup:NodeGroup", {}, true, 3.5],
    ["an EKS add-on", "aws:eks/addon:Addon", {}, true, 1.5],
    ["a Multi-AZ RDS instance", "aws:rds/instance:Instance", { multiAz: true }, true, 20],
    ["a single-AZ RDS instance", "aws:rds/instance:Instance", { multiAz: false }, true, 6.5],
    ["an ElastiCache replication group", "aws:elasticache/replicationGroup:ReplicationGroup", {}, true, 7.5],
    ["a NAT gateway", "aws:ec2/natGateway:NatGateway", {}, true, 2],
    ["a GKE cluster", "gcp:container/cluster:Cluster", {}, true, 12.5],
    ["a GKE node pool", "gcp:container/nodePool:NodePool", {}, true, 5],
    [
      "a REGIONAL Cloud SQL instance",
      "gcp:sql/databaseInstance:DatabaseInstance",
      { settings: { availabilityType: "REGIONAL" } },
      true,
      17.5,
    ],
    ["a zonal Cloud SQL instance", "gcp:sql/databaseInstance:DatabaseInstance", { settings: { availabilityType: "ZONAL" } }, true, 10],
    ["a STANDARD_HA Memorystore", "gcp:redis/instance:Instance", { tier: "STANDARD_HA" }, true, 8],
    ["a BASIC Memorystore", "gcp:redis/instance:Instance", { tier: "BASIC" }, true, 5],
    ["a service networking connection", "gcp:servicenetworking/connection:Connection", {}, true, 2],
    ["a Helm release", "kubernetes:helm.sh/v3:Release", {}, true, 2],
    ["any other resource", "aws:iam/role:Role", {}, true, 0.1],
    ["a provider", "pulumi:providers:kubernetes", {}, true, 0],
    ["a component", "platform:aws:EksCluster", {}, false, 0],
  ])("%s takes its row's minutes", (_, type, inputs, custom, minutes) => {
    expect(createMinutes({ type, inputs, custom })).toBe(minutes);
  });
});

/** A random DAG: resource j may wait for any i < j; durations in tenths of a minute. */
const dags = fc.integer({ min: 1, max: 20 }).chain((n) =>
  fc.record({
    minutes: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: n, maxLength: n }),
    edges: fc.array(fc.boolean(), { minLength: n * n, maxLength: n * n }),
  }),
);

function build({ minutes, edges }: { minutes: number[]; edges: boolean[] }) {
  const n = minutes.length;
  const graph = minutes.map((_, j) =>
    res(
      `r${j}`,
      [...Array(j).keys()].filter((i) => edges[j * n + i]).map((i) => `r${i}`),
    ),
  );
  const durations = Object.fromEntries(minutes.map((m, j) => [`r${j}`, m / 10]));
  return { graph, durations, duration: timed(durations) };
}

describe("properties over random DAGs", () => {
  test("the critical path is no longer than the serial sum and no shorter than the slowest resource", () => {
    fc.assert(
      fc.property(dags, (dag) => {
        const { graph, durations, duration } = build(dag);
        const result = deployTime(graph, duration);
        expect(result.criticalPathMinutes).toBeLessThanOrEqual(result.serialMinutes);
        expect(result.criticalPathMinutes).toBeGreaterThanOrEqual(Math.max(...Object.values(durations)));
        // The path it names adds up to its length.
        const along = result.criticalPath.reduce((sum, u) => sum + durations[u.split("::").pop()!]!, 0);
        expect(Math.round(along * 100) / 100).toBe(result.criticalPathMinutes);
      }),
    );
  });

  test("adding an edge never shortens the critical path", () => {
    fc.assert(
      fc.property(dags, fc.nat(), fc.nat(), (dag, x, y) => {
        const { graph, duration } = build(dag);
        const n = graph.length;
        const [from, to] = [x % n, y % n].sort((a, b) => a - b) as [number, number];
        fc.pre(from < to);
        const before = deployTime(graph, duration).criticalPathMinutes;
        const added = graph.map((r, j) => (j === to ? { ...r, dependencies: [...r.dependencies, urn(`r${from}`)] } : r));
        expect(deployTime(added, duration).criticalPathMinutes).toBeGreaterThanOrEqual(before);
      }),
    );
  });

  test("a chain's critical path is its sum, through every resource in order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 30 }), (minutes) => {
        const { graph, duration } = build({ minutes, edges: minutes.flatMap((_, j) => minutes.map((__, i) => i === j - 1)) });
        const result = deployTime(graph, duration);
        const sum = Math.round(minutes.reduce((a, b) => a + b, 0) * 10) / 100;
        expect(result.criticalPathMinutes).toBe(sum);
        expect(result.serialMinutes).toBe(sum);
        expect(result.criticalPath).toEqual(graph.map((r) => r.urn));
      }),
    );
  });
});
