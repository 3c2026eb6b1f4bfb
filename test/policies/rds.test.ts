// GIVEN RDS instances, clusters and parameter groups as the engine receives them
// WHEN the RDS policies run with each environment's settings
// THEN public, unencrypted, short-lived, single-zone, deletable or clear-text databases are reported.
import { describe, expect, test } from "@jest/globals";
import { check, linked, resource } from "./harness";

const INSTANCE = "aws:rds/instance:Instance";
const production = {
  engine: "postgres",
  engineVersion: "17",
  instanceClass: "db.m7g.large",
  publiclyAccessible: false,
  storageEncrypted: true,
  kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/db",
  backupRetentionPeriod: 30,
  multiAz: true,
  deletionProtection: true,
  skipFinalSnapshot: false,
  finalSnapshotIdentifier: "platform-db-final",
  parameterGroupName: "platform-db-pg17",
  performanceInsightsEnabled: true,
  enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
  iamDatabaseAuthenticationEnabled: true,
  manageMasterUserPassword: true,
};
const db = (change: Record<string, unknown> = {}) => resource(INSTANCE, "platform-db", { ...production, ...change });

describe.each(["rds-not-public", "rds-encrypted", "rds-backups", "rds-ha", "rds-deletion-protection", "rds-observability"])(
  "%s",
  (name) => {
    test("GIVEN the platform's production instance THEN it passes", async () => {
      expect(await check(name, [db()])).toMatchObject({ evaluated: 1, messages: [] });
    });
  },
);

test("rds-not-public: GIVEN a publicly accessible instance THEN it is reported", async () => {
  expect((await check("rds-not-public", [db({ publiclyAccessible: true })])).messages).toEqual([
    "publiclyAccessible is true: set it to false",
  ]);
});

describe("rds-encrypted", () => {
  test("GIVEN unencrypted storage THEN it is reported in every environment", async () => {
    expect(
      (await check("rds-encrypted", [db({ storageEncrypted: false })], { environment: "dev", requireCustomerManagedKey: false })).messages,
    ).toEqual(["storageEncrypted is not true: set it to true with kmsKeyId"]);
  });

  test.each<[string, boolean, string[]]>([
    ["production", true, ["kmsKeyId is not set: production encrypts with a customer-managed KMS key, set kmsKeyId to its ARN"]],
    ["dev", false, []],
  ])(
    "GIVEN the AWS-managed key in %s THEN the customer key is required only where configured",
    async (environment, requireCustomerManagedKey, messages) => {
      const cluster = resource("aws:rds/cluster:Cluster", "aurora", { engine: "aurora-postgresql", storageEncrypted: true });
      expect((await check("rds-encrypted", [cluster], { environment, requireCustomerManagedKey })).messages).toEqual(messages);
    },
  );
});

describe("rds-backups", () => {
  test.each<[string, number, unknown, string[]]>([
    ["dev", 7, 7, []],
    ["staging", 14, 7, ["backupRetentionPeriod is 7 days: staging keeps backups at least 14 days, set it to 14 or more"]],
    ["production", 30, undefined, ["backupRetentionPeriod is unset: production keeps backups at least 30 days, set it to 30 or more"]],
  ])(
    "GIVEN %s (minimum %i days) and a retention of %s THEN the result follows the environment",
    async (environment, minimumRetentionDays, backupRetentionPeriod, messages) => {
      expect((await check("rds-backups", [db({ backupRetentionPeriod })], { environment, minimumRetentionDays })).messages).toEqual(
        messages,
      );
    },
  );
});

test("rds-ha: GIVEN a single-zone instance THEN it is reported", async () => {
  expect((await check("rds-ha", [db({ multiAz: false })])).messages).toEqual([
    "multiAz is not true: set it to true so a zone outage fails over to the standby",
  ]);
});

test.each<[string, Record<string, unknown>, string[]]>([
  [
    "no protection and no final snapshot",
    { deletionProtection: false, skipFinalSnapshot: true },
    ["deletionProtection is not true: set it to true", "skipFinalSnapshot is true: set it to false so deletion keeps a final snapshot"],
  ],
  [
    "no final snapshot name",
    { finalSnapshotIdentifier: undefined },
    ["finalSnapshotIdentifier is not set: name the final snapshot, or AWS refuses the deletion without taking one"],
  ],
])("rds-deletion-protection: GIVEN %s THEN it is reported", async (_, change, messages) => {
  expect((await check("rds-deletion-protection", [db(change)])).messages).toEqual(messages);
});

describe("rds-force-ssl", () => {
  const group = (value: string) =>
    resource("aws:rds/parameterGroup:ParameterGroup", "platform-db-pg", {
      family: "postgres17",
      name: "platform-db-pg17",
      parameters: [
        { name: "log_min_duration_statement", value: "1000" },
        { name: "rds.force_ssl", value },
      ],
    });

  test("GIVEN an instance whose parameter group forces TLS THEN it passes", async () => {
    const pg = group("1");
    expect((await check("rds-force-ssl", [pg, linked(db(), "parameterGroupName", pg)])).messages).toEqual([]);
  });

  test("GIVEN the parameter group named by its literal name THEN it is still found", async () => {
    expect((await check("rds-force-ssl", [group("1"), db()])).messages).toEqual([]);
  });

  test("GIVEN a parameter group that does not force TLS THEN the group is reported", async () => {
    const pg = group("0");
    const result = await check("rds-force-ssl", [pg, linked(db(), "parameterGroupName", pg)]);
    expect(result.violations).toEqual([
      {
        urn: pg.urn,
        message:
          'parameter group platform-db-pg (used by platform-db) does not set rds.force_ssl=1: add { name: "rds.force_ssl", value: "1" } to its parameters',
      },
    ]);
  });

  test("GIVEN a Postgres instance on the default parameter group THEN the instance is reported, a MySQL one is not", async () => {
    const mysql = resource(INSTANCE, "legacy", { engine: "mysql" });
    const result = await check("rds-force-ssl", [db({ parameterGroupName: undefined }), mysql]);
    expect(result.messages).toEqual([
      "instance platform-db does not use a parameter group of this stack: set parameterGroupName to one that sets rds.force_ssl=1",
    ]);
  });
});

test("rds-observability: GIVEN an instance without insights, log exports or IAM auth THEN they are reported together", async () => {
  const bare = db({
    performanceInsightsEnabled: undefined,
    enabledCloudwatchLogsExports: undefined,
    iamDatabaseAuthenticationEnabled: false,
  });
  expect((await check("rds-observability", [bare])).messages).toEqual([
    "performanceInsightsEnabled, enabledCloudwatchLogsExports and iamDatabaseAuthenticationEnabled are not set: turn them on",
  ]);
});

// GIVEN a read replica as PostgresDatabase registers it: the source's ARN, no engine, no key of its own (RDS
//       encrypts a replica in its source's region with the source's key and refuses a KmsKeyId there), no
//       backups or final snapshot
// WHEN the RDS policies run with production's settings
// THEN it passes the rules its source meets for it; rds-encrypted accepts it only beside a source of the stack,
//      in its region, encrypted with a customer key, and still refuses it unencrypted, given a key RDS would
//      refuse, or of a source it cannot see.
describe("read replicas", () => {
  const SOURCE_ARN = "arn:aws:rds:eu-west-1:123456789012:db:platform-db";
  const replicaInputs = {
    replicateSourceDb: SOURCE_ARN,
    instanceClass: "db.m7g.large",
    publiclyAccessible: false,
    multiAz: false,
    storageEncrypted: true,
    backupRetentionPeriod: 0,
    skipFinalSnapshot: true,
    deletionProtection: true,
    parameterGroupName: "platform-db-pg17",
    performanceInsightsEnabled: true,
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    iamDatabaseAuthenticationEnabled: true,
  };
  const replica = (change: Record<string, unknown> = {}) => resource(INSTANCE, "platform-db-replica", { ...replicaInputs, ...change });
  const source = (change: Record<string, unknown> = {}) => db(change);
  /** The source and its replica, linked as the program links them (the replica takes the source's ARN). */
  const pair = (replicaChange: Record<string, unknown> = {}, sourceChange: Record<string, unknown> = {}) => {
    const s = source(sourceChange);
    return [s, linked(replica(replicaChange), "replicateSourceDb", s)];
  };

  test.each(["rds-not-public", "rds-encrypted", "rds-backups", "rds-ha", "rds-deletion-protection", "rds-observability"])(
    "GIVEN the platform's replica beside its source THEN %s passes it",
    async (name) => {
      expect((await check(name, pair())).messages).toEqual([]);
    },
  );

  test("rds-encrypted: GIVEN the source on the AWS-managed key in dev, where no customer key is required THEN the replica passes", async () => {
    expect(
      (await check("rds-encrypted", pair({}, { kmsKeyId: undefined }), { environment: "dev", requireCustomerManagedKey: false })).messages,
    ).toEqual([]);
  });

  test("rds-encrypted: GIVEN a replica of a source outside the stack that names a key of its own THEN it passes on its own key", async () => {
    expect((await check("rds-encrypted", [replica({ kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/replica" })])).messages).toEqual([]);
  });

  test.each<[string, () => ReturnType<typeof resource>[], string]>([
    ["unencrypted", () => pair({ storageEncrypted: false }), "read replica: storageEncrypted is not true: set it to true with kmsKeyId"],
    [
      "with encryption left unsaid",
      () => pair({ storageEncrypted: undefined }),
      "read replica: storageEncrypted is not true: set it to true with kmsKeyId",
    ],
    [
      "given a key of its own in its source's region",
      () => pair({ kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/replica" }),
      "read replica: kmsKeyId is set, but its source platform-db is in the same region, where RDS encrypts the replica with the source's key and refuses the parameter: remove kmsKeyId",
    ],
    [
      "of an unencrypted source",
      () => pair({}, { storageEncrypted: false, kmsKeyId: undefined }),
      "read replica: its source platform-db is not encrypted, and the replica inherits its encryption: encrypt the source",
    ],
    [
      "of a source on the AWS-managed key",
      () => pair({}, { kmsKeyId: undefined }),
      "read replica: its source platform-db has no kmsKeyId, and the replica inherits its key: production encrypts with a customer-managed KMS key, set the source's kmsKeyId",
    ],
    [
      "of a source outside the stack, with no key of its own",
      () => [replica()],
      "read replica: kmsKeyId is not set: its source is not in this stack, so the key it would inherit is unknown: production encrypts with a customer-managed KMS key, set kmsKeyId to its ARN",
    ],
    [
      "of a source in another region (another provider), with no key of its own",
      () => {
        const east = resource("pulumi:providers:aws", "us-east-1", { region: "us-east-1" });
        const [s, r] = pair();
        return [east, s!, { ...r!, provider: east.urn }];
      },
      "read replica: kmsKeyId is not set: its source platform-db is in another region (another provider), where the replica needs a key of its own: production encrypts with a customer-managed KMS key, set kmsKeyId to its ARN",
    ],
  ])("rds-encrypted: GIVEN a replica %s THEN it is reported", async (_label, resources, message) => {
    // A source without a customer key is reported itself as well; this names what the replica is told.
    const result = await check("rds-encrypted", resources(), { environment: "production" });
    expect(result.violations.filter((v) => v.urn === replica().urn)).toEqual([{ urn: replica().urn, message }]);
  });

  test("rds-deletion-protection: GIVEN a deletable replica THEN it is reported, its skipped final snapshot is not", async () => {
    expect((await check("rds-deletion-protection", [replica({ deletionProtection: false })])).messages).toEqual([
      "deletionProtection is not true: set it to true",
    ]);
  });

  test("rds-backups, rds-ha: GIVEN an instance that is no replica with the replica's settings THEN both are reported", async () => {
    const standalone = replica({ replicateSourceDb: undefined });
    expect((await check("rds-backups", [standalone])).messages).toEqual([
      "backupRetentionPeriod is 0 days: production keeps backups at least 30 days, set it to 30 or more",
    ]);
    expect((await check("rds-ha", [standalone])).messages).toEqual([
      "multiAz is not true: set it to true so a zone outage fails over to the standby",
    ]);
  });

  test("rds-force-ssl: GIVEN a replica of a Postgres source THEN its parameter group must force TLS too", async () => {
    const source = db({ parameterGroupName: "platform-db-pg17" });
    const forcing = resource("aws:rds/parameterGroup:ParameterGroup", "platform-db-pg", {
      name: "platform-db-pg17",
      parameters: [{ name: "rds.force_ssl", value: "1" }],
    });
    const ofSource = (change: Record<string, unknown>) => linked(replica(change), "replicateSourceDb", source);
    expect((await check("rds-force-ssl", [forcing, source, ofSource({})])).messages).toEqual([]);
    expect((await check("rds-force-ssl", [forcing, source, ofSource({ parameterGroupName: undefined })])).messages).toEqual([
      "instance platform-db-replica does not use a parameter group of this stack: set parameterGroupName to one that sets rds.force_ssl=1",
    ]);
  });
});
