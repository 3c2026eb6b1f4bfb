// GIVEN the argument interfaces of the AWS network and data components, read from their source
// WHEN their optional properties are listed with their JSDoc
// THEN a default written as a literal is the value the component resolves when the argument is left out
//      (that each documents one at all is test/documented-defaults.test.ts's check, for every component).
import { describe, expect, test } from "@jest/globals";
import { DEFAULT_NONCURRENT_VERSION_DAYS } from "../../components/aws/backup-bucket";
import { type PostgresDatabaseArgs, resolvePostgresArgs } from "../../components/aws/postgres";
import { type RedisCacheArgs, resolveRedisArgs } from "../../components/aws/redis";
import { optionalArguments } from "../documented-defaults";

/** The @default texts of one interface, by property. */
function documentedDefaults(file: string, iface: string): Record<string, string> {
  return Object.fromEntries(
    optionalArguments(`components/aws/${file}.ts`)
      .filter((a) => a.interfaceName === iface)
      .map((a) => [a.property, a.default!]),
  );
}

/** The documented defaults that are literal values (not `- prose`), parsed. */
function literalDefaults(documented: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(documented).flatMap(([key, text]) => (text.startsWith("-") ? [] : [[key, JSON.parse(text)]])));
}

const PRIVATE_NETWORK = {
  vpcId: "vpc-0dev0000000000001",
  subnetIds: ["subnet-0dev00000000005", "subnet-0dev00000000006"],
  subnetCidrs: ["10.20.208.0/23", "10.20.210.0/23"],
  allowedSecurityGroupIds: ["sg-0devnodes00000001"],
};

describe("optional arguments of the AWS network and data components", () => {
  test("PostgresDatabase resolves the literal defaults it documents", () => {
    const documented = documentedDefaults("postgres", "PostgresDatabaseArgs");
    expect(Object.keys(documented).sort()).toEqual([
      "auditLogRetentionDays",
      "credentialRotationDays",
      "databaseName",
      "deletionProtection",
      "engineVersion",
      "readReplicas",
      "username",
    ]);
    const args: PostgresDatabaseArgs = {
      ...PRIVATE_NETWORK,
      instanceClass: "db.t4g.small",
      storageGb: 20,
      maxStorageGb: 100,
      multiAz: false,
      backupRetentionDays: 7,
      backupWindow: "03:00-04:00",
      maintenanceWindow: "sun:04:30-sun:05:30",
      protect: false,
    };
    expect(resolvePostgresArgs("db", args)).toMatchObject(literalDefaults(documented));
  });

  test("RedisCache resolves the literal defaults it documents, and the engine's version named in prose", () => {
    const documented = documentedDefaults("redis", "RedisCacheArgs");
    expect(Object.keys(documented).sort()).toEqual(["engine", "engineVersion", "snapshotRetentionDays"]);
    const args: RedisCacheArgs = {
      ...PRIVATE_NETWORK,
      nodeType: "cache.t4g.micro",
      nodes: 1,
      maintenanceWindow: "sun:05:30-sun:06:30",
      protect: false,
    };
    const resolved = resolveRedisArgs("cache", args);
    expect(resolved).toMatchObject(literalDefaults(documented));
    expect(documented.engineVersion).toContain(`"${resolved.engineVersion}" for ${resolved.engine}`);
  });

  test("BackupBucket documents the noncurrent-version default it applies", () => {
    expect(literalDefaults(documentedDefaults("backup-bucket", "BackupBucketArgs"))).toEqual({
      noncurrentVersionDays: DEFAULT_NONCURRENT_VERSION_DAYS,
    });
  });
});
