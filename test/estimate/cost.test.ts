// GIVEN small hand-made sets of recorded resources on each cloud
// WHEN the monthly cost is estimated from the dated price table
// THEN each line is its quantity times its unit price, Multi-AZ and REGIONAL double the database, a regional
//      node pool counts its zones, and a region without prices is priced as the base region and says so.
import { describe, expect, test } from "@jest/globals";
import { estimateCost, monitoringVolumeGb, type PricedResource, quantityGb, sqlTierShape } from "../../review/cost";

const r = (type: string, inputs: Record<string, unknown> = {}, name = type.split(":").pop()!): PricedResource => ({ type, name, inputs });

const awsStack = (region: string, multiAz: boolean): PricedResource[] => [
  r("pulumi:providers:aws", { region }),
  r("aws:eks/cluster:Cluster"),
  r("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["m7i.large"], capacityType: "ON_DEMAND", scalingConfig: { desiredSize: 2 } }),
  r("aws:rds/instance:Instance", { instanceClass: "db.t4g.small", multiAz, allocatedStorage: 20 }),
  r("aws:ec2/natGateway:NatGateway"),
  r("aws:kms/key:Key"),
  r("aws:kms/key:Key"),
];

describe("AWS", () => {
  test("a small stack in eu-west-1 costs its lines' sum", () => {
    const estimate = estimateCost(awsStack("eu-west-1", false));
    expect(estimate.lines).toEqual([
      { item: "EKS control plane", quantity: 1, unitUsd: 73, monthlyUsd: 73 },
      { item: "EC2 m7i.large nodes", quantity: 2, unitUsd: 82.052, monthlyUsd: 164.1 },
      // No launch template: the managed node group's 20 GB default.
      { item: "EBS gp3 node root volumes, GB (2 x 20 GB)", quantity: 40, unitUsd: 0.088, monthlyUsd: 3.52 },
      { item: "RDS PostgreSQL db.t4g.small single-AZ", quantity: 1, unitUsd: 26.28, monthlyUsd: 26.28 },
      { item: "RDS gp3 storage single-AZ, GB", quantity: 20, unitUsd: 0.127, monthlyUsd: 2.54 },
      {
        item: "RDS backup storage beyond the free allowance, GB (assumed equal to the storage)",
        quantity: 20,
        unitUsd: 0.095,
        monthlyUsd: 1.9,
      },
      { item: "NAT gateway hours (data processing excluded)", quantity: 1, unitUsd: 35.04, monthlyUsd: 35.04 },
      { item: "KMS customer managed keys", quantity: 2, unitUsd: 1, monthlyUsd: 2 },
    ]);
    expect(estimate).toMatchObject({ monthlyUsd: 308.38, region: "eu-west-1", pricedAs: "eu-west-1", priceTableDate: "2026-12-02" });
  });

  test("Multi-AZ doubles the instance and its storage", () => {
    const lines = estimateCost(awsStack("eu-west-1", true)).lines.filter((l) => l.item.startsWith("RDS"));
    expect(lines.map((l) => [l.item, l.monthlyUsd])).toEqual([
      ["RDS PostgreSQL db.t4g.small Multi-AZ", 52.56],
      ["RDS gp3 storage Multi-AZ, GB", 5.08],
      ["RDS backup storage beyond the free allowance, GB (assumed equal to the storage)", 1.9],
    ]);
  });

  test("a read replica is one single-zone instance holding its source's storage, with no backups or bucket copy of its own", () => {
    const lines = estimateCost([
      r("pulumi:providers:aws", { region: "eu-west-1" }),
      r("aws:rds/instance:Instance", { instanceClass: "db.t4g.small", multiAz: true, allocatedStorage: 100 }, "database-instance"),
      r("aws:rds/instance:Instance", { instanceClass: "db.t4g.small", multiAz: false, replicateSourceDb: "arn" }, "database-replica-0"),
      r("aws:s3/bucket:Bucket"),
    ]).lines.filter((l) => l.item.startsWith("RDS") || l.item.startsWith("S3"));
    expect(lines.map((l) => [l.item, l.quantity, l.monthlyUsd])).toEqual([
      ["RDS PostgreSQL db.t4g.small Multi-AZ", 1, 52.56],
      ["RDS gp3 storage Multi-AZ, GB", 100, 25.4],
      ["RDS backup storage beyond the free allowance, GB (assumed equal to the storage)", 100, 9.5],
      ["RDS PostgreSQL db.t4g.small read replica", 1, 26.28],
      ["RDS gp3 storage read replica, GB", 100, 12.7],
      ["S3 backup bucket, GB (assumed equal to the database storage)", 100, 2.3],
    ]);
  });

  test("a region without prices is priced as eu-west-1, and every line says so", () => {
    const estimate = estimateCost(awsStack("us-east-2", false));
    expect(estimate).toMatchObject({ monthlyUsd: 308.38, region: "us-east-2", pricedAs: "eu-west-1" });
    expect(estimate.lines[0]!.item).toBe("EKS control plane [us-east-2 has no prices here: priced as eu-west-1]");
    expect(estimate.lines.every((l) => l.item.endsWith("[us-east-2 has no prices here: priced as eu-west-1]"))).toBe(true);
  });

  test("Valkey nodes cost 80% of Redis OSS; spot nodes are priced on demand and say so; an unknown type is priced 0 and says so", () => {
    const lines = estimateCost([
      r("pulumi:providers:aws", { region: "eu-west-1" }),
      r("aws:elasticache/replicationGroup:ReplicationGroup", { engine: "valkey", nodeType: "cache.m7g.large", numCacheClusters: 3 }),
      r("aws:elasticache/replicationGroup:ReplicationGroup", { engine: "redis", nodeType: "cache.m7g.large" }),
      r("aws:eks/nodeGroup:NodeGroup", {
        instanceTypes: ["t3.large"],
        capacityType: "SPOT",
        scalingConfig: { desiredSize: 1 },
        diskSize: 50,
      }),
      r("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["x9.huge"], scalingConfig: { desiredSize: 1 } }),
    ]).lines;
    expect(lines.map((l) => [l.item, l.quantity, l.monthlyUsd])).toEqual([
      ["EC2 t3.large nodes (spot, priced on demand: an upper bound)", 1, 66.58],
      ["EBS gp3 node root volumes, GB (1 x 50 GB)", 50, 4.4],
      ["EC2 x9.huge nodes (not in the price table)", 1, 0],
      ["EBS gp3 node root volumes, GB (1 x 20 GB)", 20, 1.76],
      ["ElastiCache Valkey cache.m7g.large nodes", 3, 308.35],
      ["ElastiCache Redis OSS cache.m7g.large nodes", 1, 128.48],
    ]);
  });
});

describe("GCP", () => {
  const pool = (location: string, extra: Record<string, unknown> = {}) =>
    r("gcp:container/nodePool:NodePool", {
      location,
      initialNodeCount: 2,
      nodeConfig: { machineType: "e2-standard-4", diskSizeGb: 50 },
      ...extra,
    });

  test.each<[string, PricedResource, number]>([
    ["a regional pool runs its per-zone count in each of three zones", pool("europe-west1"), 6],
    [
      "a pool with node locations runs it in each of them",
      pool("europe-west1", { nodeLocations: ["europe-west1-b", "europe-west1-c"] }),
      4,
    ],
    ["a zonal pool runs it once", pool("europe-west1-b"), 2],
  ])("%s", (_, nodePool, nodes) => {
    const [machines, disks] = estimateCost([r("pulumi:providers:gcp", { region: "europe-west1" }), nodePool]).lines;
    expect(machines).toEqual({
      item: "Compute Engine e2-standard-4 nodes",
      quantity: nodes,
      unitUsd: 107.602,
      monthlyUsd: Math.round(nodes * 10760.2) / 100,
    });
    expect(disks).toEqual({
      item: `Persistent Disk balanced node boot disks, GB (${nodes} x 50 GB)`,
      quantity: nodes * 50,
      unitUsd: 0.11,
      monthlyUsd: nodes * 5.5,
    });
  });

  test("a REGIONAL Cloud SQL instance doubles; Memorystore prices by tier and capacity band; the regional cluster fee is whole", () => {
    const estimate = estimateCost([
      r("pulumi:providers:gcp", { region: "europe-west1" }),
      r("gcp:container/cluster:Cluster", { location: "europe-west1" }),
      r("gcp:sql/databaseInstance:DatabaseInstance", {
        settings: { tier: "db-custom-2-7680", availabilityType: "REGIONAL", diskSize: 100 },
      }),
      r("gcp:redis/instance:Instance", { tier: "STANDARD_HA", memorySizeGb: 5 }),
      r("gcp:redis/instance:Instance", { tier: "BASIC", memorySizeGb: 1 }),
      r("gcp:kms/cryptoKey:CryptoKey"),
    ]);
    expect(estimate.lines.map((l) => [l.item, l.quantity, l.monthlyUsd])).toEqual([
      ["GKE cluster management fee (regional)", 1, 73],
      ["Cloud SQL PostgreSQL db-custom-2-7680 REGIONAL", 1, 216.88],
      ["Cloud SQL SSD storage REGIONAL, GB", 100, 37.4],
      ["Cloud SQL backups, GB (assumed equal to the storage)", 100, 8.8],
      ["Memorystore for Redis STANDARD_HA, GB", 5, 215.35],
      ["Memorystore for Redis BASIC, GB", 1, 39.42],
      ["Cloud KMS key versions (one active version per key)", 1, 0.06],
      ["Cloud Logging beyond the free 50 GiB, GB (assumed 20 GB a month)", 0, 0],
    ]);
    expect(estimate.monthlyUsd).toBe(590.91);
  });

  test("a Cloud SQL read replica is priced as a zonal instance with its disk, and no backups", () => {
    const settings = { tier: "db-custom-2-7680", diskSize: 100 };
    const lines = estimateCost([
      r("pulumi:providers:gcp", { region: "europe-west1" }),
      r("gcp:sql/databaseInstance:DatabaseInstance", { settings: { ...settings, availabilityType: "REGIONAL" } }),
      r("gcp:sql/databaseInstance:DatabaseInstance", { masterInstanceName: "db", settings: { ...settings, availabilityType: "ZONAL" } }),
    ]).lines.filter((l) => l.item.startsWith("Cloud SQL"));
    expect(lines.map((l) => [l.item, l.quantity, l.monthlyUsd])).toEqual([
      ["Cloud SQL PostgreSQL db-custom-2-7680 REGIONAL", 1, 216.88],
      ["Cloud SQL SSD storage REGIONAL, GB", 100, 37.4],
      ["Cloud SQL backups, GB (assumed equal to the storage)", 100, 8.8],
      ["Cloud SQL PostgreSQL db-custom-2-7680 read replica", 1, 108.44],
      ["Cloud SQL SSD storage read replica, GB", 100, 18.7],
    ]);
  });

  test("Cloud NAT bills per VM behind it, up to 32", () => {
    const nat = (pools: number) =>
      estimateCost([
        r("pulumi:providers:gcp", { region: "europe-west1" }),
        r("gcp:compute/routerNat:RouterNat"),
        ...Array.from({ length: pools }, () => pool("europe-west1")),
      ]).lines.find((l) => l.item.startsWith("Cloud NAT"));
    expect(nat(1)).toEqual({
      item: "Cloud NAT gateway hours for 6 VMs (data processing excluded)",
      quantity: 1,
      unitUsd: 6.132,
      monthlyUsd: 6.13,
    });
    expect(nat(6)!.item).toBe("Cloud NAT gateway hours for 32 VMs (data processing excluded)");
    expect(nat(6)!.unitUsd).toBe(32.704);
  });
});

describe("reading the inputs", () => {
  test.each<[unknown, number]>([
    ["100Gi", 100],
    ["512Mi", 0.5],
    ["1Ti", 1024],
    ["10G", 10],
    ["2", 2],
    ["lots", 0],
    [undefined, 0],
  ])("the quantity %p is %p GB", (quantity, gb) => {
    expect(quantityGb(quantity)).toBe(gb);
  });

  test.each<[string, { vcpus: number; memoryGb: number } | undefined]>([
    ["db-custom-2-7680", { vcpus: 2, memoryGb: 7.5 }],
    ["db-custom-1-3840", { vcpus: 1, memoryGb: 3.75 }],
    ["db-f1-micro", undefined],
  ])("the Cloud SQL tier %s has the shape %p", (tier, shape) => {
    expect(sqlTierShape(tier)).toEqual(shape);
  });

  test("kube-prometheus-stack's volumes: Prometheus per replica, Alertmanager, Grafana when persistent", () => {
    const claim = (size: string) => ({ volumeClaimTemplate: { spec: { resources: { requests: { storage: size } } } } });
    const release = (grafanaEnabled: boolean) =>
      r("kubernetes:helm.sh/v3:Release", {
        name: "kube-prometheus-stack",
        chart: "./charts/kube-prometheus-stack-88.5.3.tgz",
        values: {
          prometheus: { prometheusSpec: { replicas: 2, storageSpec: claim("100Gi") } },
          alertmanager: { alertmanagerSpec: { storage: claim("2Gi") } },
          grafana: { persistence: { enabled: grafanaEnabled, size: "10Gi" } },
        },
      });
    expect(monitoringVolumeGb([release(true)])).toBe(212);
    expect(monitoringVolumeGb([release(false)])).toBe(202);
    expect(
      monitoringVolumeGb([r("kubernetes:helm.sh/v3:Release", { chart: "cert-manager", values: { persistence: { size: "5Gi" } } })]),
    ).toBe(0);
  });
});
