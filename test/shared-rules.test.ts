// GIVEN a value that both the stack config and a component check: a backup or maintenance window, an
//       ElastiCache engine version, a container image, an app name, a CloudWatch retention period
// WHEN the config (infra/config.ts) validates it under its key, and the component validates it as an argument
// THEN both accept it, or both refuse it with the same "must ..." sentence: each rule has one home
//      (components/formats.ts, components/windows.ts, components/aws/data-args.ts) and both layers use it.
// The environment is dev, whose config adds no production guard rail on top of these rules.
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { checkEksClusterArgs, type EksClusterArgs } from "../components/aws/eks-args";
import { validateNetworkArgs } from "../components/aws/network";
import { type PostgresDatabaseArgs, resolvePostgresArgs } from "../components/aws/postgres";
import { type RedisCacheArgs, resolveRedisArgs } from "../components/aws/redis";
import { type AppServiceArgs, checkAppServiceArgs } from "../components/kubernetes/app-service";
import { ConfigError, resolveConfig } from "../infra/config";

const DEV = { cloud: "aws", environment: "dev", region: "eu-west-1", domain: "example.com", cluster: { deployFromVpc: true } };

/** The sentences the config refuses the given keys with ("must ..." and what follows), or [] when it accepts them. */
function configRefusal(settings: Record<string, unknown>, keys: readonly string[]): string[] {
  try {
    resolveConfig({ ...DEV, ...settings }, "Pulumi.dev.yaml", ["alertWebhookUrl"]);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const sentences = err.problems.flatMap((line) => {
      const key = keys.find((k) => line.startsWith(`platform:${k} `));
      return key ? [line.slice(`platform:${key} `.length)] : [];
    });
    // Refused for another reason: the settings around the value are wrong, not the value.
    if (sentences.length === 0) throw err;
    return sentences;
  }
}

/** The sentence the component refuses its argument with, or undefined when it accepts them. */
function componentRefusal(check: () => unknown, args: readonly string[]): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    const message = (err as Error).message;
    const argument = args.find((a) => message.includes(`: args.${a} `));
    if (!argument) throw err;
    return message.slice(message.indexOf(`: args.${argument} `) + `: args.${argument} `.length);
  }
}

/** Config and component agree: both accept, or the component's sentence is one the config gives. */
function expectAgreement(config: string[], component: string | undefined): void {
  if (component === undefined) expect(config).toEqual([]);
  else expect(config).toContain(component);
}

const PRIVATE_NETWORK = {
  vpcId: "vpc-0dev0000000000001",
  subnetIds: ["subnet-0devdata000000001", "subnet-0devdata000000002"],
  subnetCidrs: ["10.20.208.0/23", "10.20.210.0/23"],
  allowedSecurityGroupIds: ["sg-0devnodes00000001"],
};
const POSTGRES: PostgresDatabaseArgs = {
  ...PRIVATE_NETWORK,
  engineVersion: "17",
  instanceClass: "db.t4g.small",
  storageGb: 20,
  maxStorageGb: 100,
  multiAz: false,
  backupRetentionDays: 7,
  backupWindow: "03:00-04:00",
  maintenanceWindow: "sun:04:30-sun:05:30",
  deletionProtection: false,
  protect: false,
};
const REDIS: RedisCacheArgs = {
  ...PRIVATE_NETWORK,
  engine: "valkey",
  engineVersion: "8.0",
  nodeType: "cache.t4g.micro",
  nodes: 1,
  snapshotRetentionDays: 1,
  maintenanceWindow: "sun:05:30-sun:06:30",
  protect: false,
};
const EKS: EksClusterArgs = {
  vpcId: "vpc-0dev0000000000001",
  subnetIds: ["subnet-0dev00000000001", "subnet-0dev00000000002"],
  subnetCidrs: ["10.20.64.0/19", "10.20.96.0/19"],
  nodeSecurityGroupId: "sg-0devnodes00000001",
  endpointPublicAccessCidrs: ["203.0.113.0/24"],
  deletionProtection: false,
  adminRoleArns: ["arn:aws:iam::123456789012:role/platform-admin"],
  nodes: { instanceType: "t3.large", minSize: 1, desiredSize: 2, maxSize: 3, capacityType: "ON_DEMAND", diskSizeGb: 50 },
  protect: false,
};
// Only what checkAppServiceArgs reads besides the values under test; the rest is never looked at.
const APP = { replicas: 2, minReplicas: 1, maxReplicas: 3 } as AppServiceArgs;

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 29, 30, 45, 59)).map(([h, m]) => {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(h)}:${pad(m)}`;
});
const daily = fc.oneof(
  fc.tuple(clock, clock).map(([a, b]) => `${a}-${b}`),
  fc.constantFrom("3:00-4:00", "03:00-03:00", "25:00-26:00", "03:00", ""),
);
const weekly = fc.oneof(
  fc.tuple(fc.constantFrom(...DAYS), clock, fc.constantFrom(...DAYS), clock).map(([d1, c1, d2, c2]) => `${d1}:${c1}-${d2}:${c2}`),
  // Around the 60-minute and 23-hour edges of the cache rule, and the snapshot hour it must leave.
  fc.constantFrom("sun:05:30-sun:06:29", "sun:05:30-sun:06:30", "mon:00:00-mon:23:00", "mon:01:00-tue:00:00", "Sun:05:30-sun:06:30"),
);

describe("the config and the components refuse the same values", () => {
  test("database backup and maintenance windows (platform:database, PostgresDatabase)", () => {
    fc.assert(
      fc.property(daily, weekly, (backupWindow, maintenanceWindow) => {
        expectAgreement(
          configRefusal({ database: { backupWindow, maintenanceWindow } }, ["database.backupWindow", "database.maintenanceWindow"]),
          componentRefusal(
            () => resolvePostgresArgs("db", { ...POSTGRES, backupWindow, maintenanceWindow }),
            ["backupWindow", "maintenanceWindow"],
          )?.replace("args.maintenanceWindow", "database.maintenanceWindow"),
        );
      }),
      { numRuns: 300 },
    );
  });

  test("cache maintenance windows (platform:cache.maintenanceWindow, RedisCache)", () => {
    fc.assert(
      fc.property(weekly, (maintenanceWindow) => {
        expectAgreement(
          configRefusal({ cache: { maintenanceWindow } }, ["cache.maintenanceWindow"]),
          componentRefusal(() => resolveRedisArgs("cache", { ...REDIS, maintenanceWindow }), ["maintenanceWindow"]),
        );
      }),
      { numRuns: 300 },
    );
  });

  test.each(["valkey", "redis"] as const)("%s engine versions (platform:cache.engineVersion, RedisCache)", (engine) => {
    for (const engineVersion of ["6.2", "7.0", "7.1", "7.2", "8.0", "8.1", "8.2", "9.0", "8", ""]) {
      const config = configRefusal({ cache: { engine, engineVersion } }, ["cache.engineVersion"]);
      const component = componentRefusal(() => resolveRedisArgs("cache", { ...REDIS, engine, engineVersion }), ["engineVersion"]);
      // The config names the cloud the versions are for; the component is AWS's alone.
      expectAgreement(
        config.map((sentence) => sentence.replace(` for ${engine} on aws `, ` for ${engine} `)),
        component,
      );
    }
  });

  test("app images and names (platform:apps, AppService)", () => {
    const images = fc.constantFrom(
      "ghcr.io/example/shop:1.2.3",
      "ghcr.io/example/shop:latest",
      "ghcr.io/example/shop",
      `ghcr.io/example/shop@sha256:${"a".repeat(64)}`,
      `ghcr.io/example/shop:latest@sha256:${"b".repeat(64)}`,
      "registry.example.com:5000/team/app:v1",
      "Shop:1.0",
      "ghcr.io/example/shop:",
      "",
    );
    const names = fc.constantFrom("shop", "shop-2", "Shop", "2shop", "shop-", "a".repeat(40), "a".repeat(41), "");
    fc.assert(
      fc.property(images, names, (image, name) => {
        // Both keys at once: the config reports each, the component the first it checks.
        const config = configRefusal({ apps: [{ name, image }] }, ["apps[0].image", "apps[0].name"]);
        const component = componentRefusal(() => checkAppServiceArgs({ ...APP, name, image }), ["image", "name"]);
        expectAgreement(config, component);
      }),
    );
  });

  test("CloudWatch retention periods (platform:network.flowLogRetentionDays and cluster.logRetentionDays; Network, EksCluster)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -1, max: 4000 }), fc.constantFrom(1, 3, 5, 400, 3653, 2.5)), (days) => {
        const network = componentRefusal(
          () =>
            validateNetworkArgs("network", {
              cidr: "10.20.0.0/16",
              zones: 2,
              natGateways: "single",
              flowLogRetentionDays: days,
              protect: false,
            }),
          ["flowLogRetentionDays"],
        );
        expectAgreement(configRefusal({ network: { flowLogRetentionDays: days } }, ["network.flowLogRetentionDays"]), network);
        const cluster = componentRefusal(
          () => checkEksClusterArgs("eks", { ...EKS, logRetentionDays: days }, "dev-eks"),
          ["logRetentionDays"],
        );
        expectAgreement(configRefusal({ cluster: { deployFromVpc: true, logRetentionDays: days } }, ["cluster.logRetentionDays"]), cluster);
      }),
      { numRuns: 200 },
    );
  });

  test("each rule refuses something and accepts something, so agreement is not two layers accepting everything", () => {
    expect(componentRefusal(() => resolveRedisArgs("cache", { ...REDIS, engineVersion: "8.2" }), ["engineVersion"])).toBe(
      'must be one of 7.2, 8.0, 8.1 for valkey (got "8.2")',
    );
    expect(configRefusal({ cache: { engineVersion: "8.2" } }, ["cache.engineVersion"])).toEqual([
      'must be one of 7.2, 8.0, 8.1 for valkey on aws (got "8.2")',
    ]);
    expect(configRefusal({ cache: { maintenanceWindow: "mon:00:00-mon:23:00" } }, ["cache.maintenanceWindow"])).toEqual([
      'must leave a daily hour for snapshots (got "mon:00:00-mon:23:00")',
    ]);
    expect(configRefusal({ cluster: { deployFromVpc: true, logRetentionDays: 2 } }, ["cluster.logRetentionDays"])).toHaveLength(1);
    expect(configRefusal({ apps: [{ name: "shop", image: "ghcr.io/example/shop" }] }, ["apps[0].image"])).toEqual([
      'must pin a tag other than latest, or a digest, so every deploy runs the same image (got "ghcr.io/example/shop")',
    ]);
  });
});
