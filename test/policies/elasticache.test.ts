// GIVEN ElastiCache replication groups as the engine receives them (the AUTH token as a secret)
// WHEN the cache policies run
// THEN unencrypted, unauthenticated or single-zone caches are reported.
import { describe, expect, test } from "@jest/globals";
import { check, resource } from "./harness";

const production = {
  description: "platform cache",
  engine: "valkey",
  engineVersion: "8.0",
  nodeType: "cache.m7g.large",
  numCacheClusters: 3,
  atRestEncryptionEnabled: true,
  kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/cache",
  transitEncryptionEnabled: true,
  authToken: "[secret]",
  automaticFailoverEnabled: true,
  multiAzEnabled: true,
  snapshotRetentionLimit: 14,
};
const cache = (change: Record<string, unknown> = {}) => {
  const inputs = { ...production, ...change };
  return resource("aws:elasticache/replicationGroup:ReplicationGroup", "platform-cache", inputs, {
    secretInputs: inputs.authToken === undefined ? [] : ["authToken"],
  });
};

describe.each(["redis-encryption", "redis-auth", "redis-ha"])("%s", (name) => {
  test("GIVEN the platform's production cache THEN it passes", async () => {
    expect(await check(name, [cache()])).toMatchObject({ evaluated: 1, messages: [] });
  });
});

test.each<[string, Record<string, unknown>, string[]]>([
  [
    "nothing encrypted",
    { atRestEncryptionEnabled: false, transitEncryptionEnabled: undefined },
    ["atRestEncryptionEnabled is not true: set it to true", "transitEncryptionEnabled is not true: set it to true so clients must use TLS"],
  ],
  [
    "TLS still optional",
    { transitEncryptionMode: "preferred" },
    ['transitEncryptionMode is preferred: set it to "required" once clients use TLS'],
  ],
])("redis-encryption: GIVEN %s THEN it is reported", async (_, change, messages) => {
  expect((await check("redis-encryption", [cache(change)])).messages).toEqual(messages);
});

describe("redis-auth", () => {
  test("GIVEN an RBAC user group instead of a token THEN it passes", async () => {
    expect((await check("redis-auth", [cache({ authToken: undefined, userGroupIds: ["platform-users"] })])).messages).toEqual([]);
  });

  test("GIVEN neither token nor user group THEN it is reported", async () => {
    expect((await check("redis-auth", [cache({ authToken: undefined })])).messages).toEqual([
      "neither authToken nor userGroupIds is set: anyone who reaches the port can read and write; set authToken from a generated secret",
    ]);
  });
});

describe("redis-ha", () => {
  test.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    [
      "one node without failover or snapshots",
      { numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false, snapshotRetentionLimit: undefined },
      { environment: "production" },
      [
        "automaticFailoverEnabled and multiAzEnabled are not true: set both to true",
        "the group has no replica (numCacheClusters is 1): run at least 2 nodes",
        "snapshotRetentionLimit is unset (no snapshots): production keeps cache snapshots at least 7 days",
      ],
    ],
    [
      "snapshots kept 3 days in staging",
      { snapshotRetentionLimit: 3 },
      { environment: "staging", minimumSnapshotRetentionDays: 7 },
      ["snapshotRetentionLimit is 3 days: staging keeps cache snapshots at least 7 days"],
    ],
    [
      "cluster mode with no replica per shard",
      { numCacheClusters: undefined, numNodeGroups: 3, replicasPerNodeGroup: 0 },
      {},
      ["the group has no replica (numCacheClusters is 1): run at least 2 nodes"],
    ],
  ])("GIVEN %s THEN it is reported", async (_, change, settings, messages) => {
    expect((await check("redis-ha", [cache(change)], settings)).messages).toEqual(messages);
  });
});
