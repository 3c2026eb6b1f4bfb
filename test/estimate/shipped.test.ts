// GIVEN the reviews of the shipped stacks
// WHEN their estimates are read
// THEN production's first deploy takes the unavoidable chain (the network, then the slower of the database with
//      its read replica and the cluster with its node group, add-ons and Helm releases) within 10%, so no false serial dependency
//      has crept in; dev costs less than a third of production; and the README quotes these figures.
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { CREATE_MINUTES, DEFAULT_MINUTES } from "../../review/deploy-time";
import { shippedReview, type ShippedStack } from "../reviews";

const minutes = (type: string, inputs: Record<string, unknown> = {}) => CREATE_MINUTES[type]!(inputs);

describe("the first deploy's critical path", () => {
  test("production (AWS) is within 10% of the network, then the slower of the database with its read replica and the cluster chain", () => {
    const { estimate } = shippedReview("production");
    // Computed from the table alone: VPC then subnet; cluster, vpc-cni add-on, node group, coredns add-on,
    // then two Helm releases one after the other (CRDs, then the chart that uses them). The read replica is
    // created from the running primary, so it follows it.
    const network = 2 * DEFAULT_MINUTES;
    const database = minutes("aws:rds/instance:Instance", { multiAz: true }) + minutes("aws:rds/instance:Instance", { multiAz: false });
    const addon = minutes("aws:eks/addon:Addon");
    const cluster =
      minutes("aws:eks/cluster:Cluster") +
      addon +
      minutes("aws:eks/nodeGroup:NodeGroup") +
      addon +
      2 * minutes("kubernetes:helm.sh/v3:Release");
    const chain = network + Math.max(database, cluster);
    expect(chain).toBeCloseTo(26.7, 10);
    expect(Math.abs(estimate.criticalPathMinutes - chain) / chain).toBeLessThanOrEqual(0.1);
    expect(estimate.criticalPath.map((u) => u.split("::").pop())).toEqual(
      expect.arrayContaining(["database-instance", "database-replica-0"]),
    );
    expect(estimate.criticalPath.map((u) => u.split("::").pop())).not.toContain("cluster-cluster");
  });

  test("gcp-production is within 10% of the network, the private service connection, Cloud SQL, then its read replica", () => {
    const { estimate } = shippedReview("gcp-production");
    // Memorystore waits for Cloud SQL on purpose (they conflict on the shared connection when created at once),
    // and that chain is longer than the cluster's.
    const chain =
      2 * DEFAULT_MINUTES +
      minutes("gcp:servicenetworking/connection:Connection") +
      minutes("gcp:sql/databaseInstance:DatabaseInstance", { settings: { availabilityType: "REGIONAL" } }) +
      // After Cloud SQL, the read replica (ZONAL) takes longer than Memorystore, which waits for Cloud SQL too.
      Math.max(
        minutes("gcp:redis/instance:Instance", { tier: "STANDARD_HA" }),
        minutes("gcp:sql/databaseInstance:DatabaseInstance", { settings: { availabilityType: "ZONAL" } }),
      );
    expect(chain).toBeCloseTo(29.7, 10);
    expect(Math.abs(estimate.criticalPathMinutes - chain) / chain).toBeLessThanOrEqual(0.1);
    expect(estimate.criticalPath.map((u) => u.split("::").pop())).toEqual(
      expect.arrayContaining(["network-private-service-connection", "database-instance", "database-replica-0"]),
    );
  });
});

describe("the monthly cost", () => {
  test("dev costs less than a third of production on AWS", () => {
    expect(shippedReview("dev").estimate.monthlyCostUsd).toBeLessThan(shippedReview("production").estimate.monthlyCostUsd / 3);
  });

  test("gcp-dev costs less than a third of gcp-production: its zonal cluster runs its nodes in one zone", () => {
    expect(shippedReview("gcp-dev").estimate.monthlyCostUsd).toBeLessThan(shippedReview("gcp-production").estimate.monthlyCostUsd / 3);
  });

  test("every line is its quantity times its unit price, and the total their sum", () => {
    for (const stack of ["dev", "production", "gcp-dev", "gcp-production"] as const) {
      const { estimate } = shippedReview(stack);
      for (const line of estimate.costLines) expect(line.monthlyUsd).toBeCloseTo(line.quantity * line.unitUsd, 1);
      expect(estimate.monthlyCostUsd).toBeCloseTo(
        estimate.costLines.reduce((sum, l) => sum + l.monthlyUsd, 0),
        2,
      );
    }
  });
});

describe("the README's figures", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");
  test.each<ShippedStack>(["dev", "production", "gcp-dev", "gcp-production"])("%s's row matches its review", (stack) => {
    const { estimate } = shippedReview(stack);
    const row = new RegExp(`^\\| ${stack} \\| ([\\d.]+) min \\| ([\\d.]+) min \\| \\$([\\d,.]+) \\|$`, "m").exec(readme);
    expect(row && [Number(row[1]), Number(row[2]), Number(row[3]!.replace(/,/g, ""))]).toEqual([
      estimate.criticalPathMinutes,
      estimate.serialMinutes,
      estimate.monthlyCostUsd,
    ]);
    expect(readme).toContain(`prices of ${estimate.priceTableDate}`);
  });
});
