// GIVEN a PostgresDatabase for a dev-like stack (single zone, small, 7 days of backups, unprotected) and for
//       a production-like one (Multi-AZ, PostgreSQL 18, 30 days of backups, deletion protection, protected)
// WHEN the component is recorded under the offline engine
// THEN the engine receives exactly the instance, key, security group with separate ingress rules (5432
//      from the node security group only, no egress), subnet and parameter groups and monitoring role the
//      production bar asks for, wired to each other, with the protect flags and timeouts; a workload
//      identity can be granted read access to exactly the managed secret; pgaudit is loaded through the
//      parameter group, each instance's exported logs go to log groups made before it under its set identifier,
//      encrypted and kept the retention given; the managed secret rotates on the schedule given; and bad
//      arguments are refused, naming the argument, before anything is registered.
import { describe, expect, test } from "@jest/globals";
import { finalSnapshotIdentifier, instanceIdentifier, PostgresDatabase, type PostgresDatabaseArgs } from "../../components/aws/postgres";
import * as fs from "node:fs";
import * as path from "node:path";
import { awsProvider, FACTS, idOf, once, type Recorded, recordProgram, stateOf, stubIdentity, valueOf } from "../harness";
import { check } from "../policies/harness";

const policySettings = (environment: string): Record<string, Record<string, unknown>> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/config", `${environment}.json`), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;

const T = {
  component: "platform:aws:PostgresDatabase",
  instance: "aws:rds/instance:Instance",
  subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
  parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  rotation: "aws:secretsmanager/secretRotation:SecretRotation",
};

const DEV: PostgresDatabaseArgs = {
  vpcId: "vpc-0dev0000000000001",
  subnetIds: ["subnet-0devdata000000001", "subnet-0devdata000000002"],
  subnetCidrs: ["10.20.208.0/23", "10.20.210.0/23"],
  allowedSecurityGroupIds: ["sg-0devnodes00000001"],
  engineVersion: "17",
  instanceClass: "db.t4g.small",
  storageGb: 20,
  maxStorageGb: 100,
  multiAz: false,
  backupRetentionDays: 7,
  backupWindow: "03:00-04:00",
  maintenanceWindow: "sun:04:30-sun:05:30",
  deletionProtection: false,
  auditLogRetentionDays: 7,
  credentialRotationDays: 1,
  protect: false,
};

// deletionProtection, databaseName, username, auditLogRetentionDays and credentialRotationDays are left out or
// changed to show defaults and overrides.
const PROD: PostgresDatabaseArgs = {
  vpcId: "vpc-0prod000000000001",
  subnetIds: ["subnet-0proddata00000001", "subnet-0proddata00000002", "subnet-0proddata00000003"],
  subnetCidrs: ["10.0.208.0/23", "10.0.210.0/23", "10.0.212.0/23"],
  allowedSecurityGroupIds: ["sg-0prodnodes0000001"],
  engineVersion: "18",
  instanceClass: "db.m7g.large",
  storageGb: 100,
  maxStorageGb: 500,
  multiAz: true,
  backupRetentionDays: 30,
  backupWindow: "02:00-03:00",
  maintenanceWindow: "sun:04:30-sun:05:30",
  databaseName: "orders",
  username: "orders_owner",
  protect: true,
};

interface Expected {
  family: string;
  engineVersion: string;
  instanceClass: string;
  storage: [number, number];
  multiAz: boolean;
  backupDays: number;
  backupWindow: string;
  deletionProtection: boolean;
  databaseName: string;
  username: string;
  auditDays: number;
  rotationDays: number;
  protect: boolean;
}

const CASES: Array<[string, PostgresDatabaseArgs, Expected]> = [
  [
    "dev-like",
    DEV,
    {
      family: "postgres17",
      engineVersion: "17",
      instanceClass: "db.t4g.small",
      storage: [20, 100],
      multiAz: false,
      backupDays: 7,
      backupWindow: "03:00-04:00",
      deletionProtection: false,
      databaseName: "app",
      username: "platform",
      auditDays: 7,
      rotationDays: 1,
      protect: false,
    },
  ],
  [
    "production-like",
    PROD,
    {
      family: "postgres18",
      engineVersion: "18",
      instanceClass: "db.m7g.large",
      storage: [100, 500],
      multiAz: true,
      backupDays: 30,
      backupWindow: "02:00-03:00",
      deletionProtection: true,
      databaseName: "orders",
      username: "orders_owner",
      auditDays: 90,
      rotationDays: 7,
      protect: true,
    },
  ],
];

const ACCOUNT = FACTS.accountId;
const REGION = FACTS.region;

const identity = stubIdentity();

interface Run {
  r: Recorded;
  outputs: Record<string, unknown>;
}

const run = once(async (args: PostgresDatabaseArgs): Promise<Run> => {
  let outputs: Record<string, unknown> = {};
  const r = await recordProgram(async () => {
    const db = new PostgresDatabase("database", args, { providers: [awsProvider()] });
    db.grantCredentialsRead(identity);
    outputs = {
      host: await valueOf(db.host),
      port: db.port,
      databaseName: db.databaseName,
      username: await valueOf(db.username),
      privateCidrs: db.privateCidrs,
      credentialsSecret: await valueOf(db.credentialsSecret),
      securityGroupId: await valueOf(db.securityGroupId),
    };
  });
  return { r, outputs };
});

describe.each(CASES)("PostgresDatabase, %s", (_label, args, x) => {
  const keyArn = (r: Recorded) => stateOf(r.one(T.key, "database-key")).arn as string;
  const secretArn = (r: Recorded) => (stateOf(r.one(T.instance)).masterUserSecrets as Array<{ secretArn: string }>)[0]!.secretArn;

  test("registers exactly these resources, all under the component and its provider, with no secret inputs", async () => {
    const { r } = await run(args);
    const component = r.one(T.component);
    const provider = r.one("pulumi:providers:aws");
    const children = r.resources.filter((c) => c.parent === component.urn);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${T.ingress} database-ingress-0`,
        `${T.sg} database-sg`,
        `${T.role} database-monitoring-role`,
        `${T.attachment} database-monitoring-policy`,
        `${T.rolePolicy} database-credentials-read-apps-api`,
        `${T.alias} database-key-alias`,
        `${T.key} database-key`,
        `${T.alias} database-logs-key-alias`,
        `${T.key} database-logs-key`,
        `${T.logGroup} database-logs-0-postgresql`,
        `${T.logGroup} database-logs-0-upgrade`,
        `${T.rotation} database-credentials-rotation`,
        `${T.instance} database-instance`,
        `${T.parameterGroup} database-params`,
        `${T.subnetGroup} database-subnets`,
      ].sort(),
    );
    expect(r.resources.filter((c) => c.custom && c.type !== "pulumi:providers:aws").map((c) => c.parent)).toEqual(
      children.map(() => component.urn),
    );
    for (const child of children)
      expect({ name: child.name, provider: child.provider, secrets: child.secretInputs }).toEqual({
        name: child.name,
        provider: provider.urn,
        secrets: [],
      });
    expect(r.ofType(T.egress)).toEqual([]);
  });

  test("the instance: engine, size, storage, encryption, network, backups, monitoring and auth exactly", async () => {
    const { r } = await run(args);
    const instance = r.one(T.instance);
    expect(instance.inputs).toEqual({
      identifier: "platform-test-database",
      engine: "postgres",
      engineVersion: x.engineVersion,
      instanceClass: x.instanceClass,
      dbName: x.databaseName,
      username: x.username,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: keyArn(r),
      port: 5432,
      dbSubnetGroupName: stateOf(r.one(T.subnetGroup)).name,
      vpcSecurityGroupIds: [idOf(r.one(T.sg))],
      publiclyAccessible: false,
      multiAz: x.multiAz,
      parameterGroupName: stateOf(r.one(T.parameterGroup)).name,
      iamDatabaseAuthenticationEnabled: true,
      storageType: "gp3",
      allocatedStorage: x.storage[0],
      maxAllocatedStorage: x.storage[1],
      storageEncrypted: true,
      kmsKeyId: keyArn(r),
      backupRetentionPeriod: x.backupDays,
      backupWindow: x.backupWindow,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "platform-test-database-final",
      deletionProtection: x.deletionProtection,
      maintenanceWindow: "sun:04:30-sun:05:30",
      autoMinorVersionUpgrade: true,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: keyArn(r),
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 60,
      monitoringRoleArn: stateOf(r.one(T.role)).arn,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    });
  });

  test("the instance: protect, timeouts long enough for Multi-AZ creation, and what it waits for", async () => {
    const { r } = await run(args);
    const instance = r.one(T.instance);
    const key = r.one(T.key, "database-key").urn;
    expect(instance.protect).toBe(x.protect);
    expect(instance.customTimeouts).toEqual({ create: "90m", update: "120m", delete: "90m" });
    expect(instance.propertyDependencies).toEqual({
      masterUserSecretKmsKeyId: [key],
      kmsKeyId: [key],
      performanceInsightsKmsKeyId: [key],
      dbSubnetGroupName: [r.one(T.subnetGroup).urn],
      vpcSecurityGroupIds: [r.one(T.sg).urn],
      parameterGroupName: [r.one(T.parameterGroup).urn],
      monitoringRoleArn: [r.one(T.role).urn],
    });
    // The role's policy must be attached before RDS validates the role at creation, and the log groups must
    // exist before RDS starts exporting (or it makes its own, unencrypted and kept forever).
    expect(instance.dependencies).toEqual(
      expect.arrayContaining([r.one(T.attachment).urn, r.named("database-logs-0-postgresql").urn, r.named("database-logs-0-upgrade").urn]),
    );
  });

  test("the exported logs: a group per log under the instance's identifier, with the retention and the logs key", async () => {
    const { r } = await run(args);
    const logsKey = r.one(T.key, "database-logs-key");
    for (const log of ["postgresql", "upgrade"]) {
      const group = r.named(`database-logs-0-${log}`);
      expect(group.inputs).toEqual({
        name: `/aws/rds/instance/platform-test-database/${log}`,
        retentionInDays: x.auditDays,
        kmsKeyId: stateOf(logsKey).arn,
      });
      expect(group.protect).toBe(x.protect);
      expect(group.propertyDependencies).toEqual({ kmsKeyId: [logsKey.urn] });
    }
    expect(logsKey.protect).toBe(x.protect);
    expect(logsKey.inputs).toMatchObject({
      description: "PostgreSQL platform-test-database: exported logs (pgaudit)",
      enableKeyRotation: true,
    });
    const statements = (JSON.parse(logsKey.inputs.policy as string) as { Statement: Array<{ Sid: string; Principal: unknown }> }).Statement;
    expect(statements.map((st) => [st.Sid, st.Principal])).toEqual([
      ["AccountAdministers", { AWS: `arn:aws:iam::${ACCOUNT}:root` }],
      ["CloudWatchLogsEncrypt", { Service: `logs.${REGION}.amazonaws.com` }],
    ]);
  });

  test("the master user secret rotates on the stated schedule, managed by RDS, not at once on creation", async () => {
    const { r } = await run(args);
    const rotation = r.one(T.rotation);
    expect(rotation.inputs).toEqual({
      secretId: secretArn(r),
      rotationRules: { automaticallyAfterDays: x.rotationDays },
      rotateImmediately: false,
    });
    expect(rotation.propertyDependencies).toEqual({ secretId: [r.one(T.instance).urn] });
  });

  test("its own rotating KMS key, protected like the instance", async () => {
    const { r } = await run(args);
    const key = r.one(T.key, "database-key");
    expect(key.protect).toBe(x.protect);
    expect(key.inputs).toMatchObject({
      description: "PostgreSQL platform-test-database: storage, master user secret, Performance Insights",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    expect(r.one(T.alias, "database-key-alias").inputs.name).toBe("alias/platform-test-database-key");
  });

  test("security group: no inline rules, 5432 only from the node security group through a rule resource", async () => {
    const { r } = await run(args);
    const sg = r.one(T.sg);
    expect(sg.inputs).toEqual({ vpcId: args.vpcId, description: "PostgreSQL: TCP 5432 from the cluster nodes only" });
    expect(sg.protect).toBe(false);
    const rule = r.one(T.ingress);
    expect(rule.inputs).toEqual({
      securityGroupId: idOf(sg),
      referencedSecurityGroupId: args.allowedSecurityGroupIds[0],
      ipProtocol: "tcp",
      fromPort: 5432,
      toPort: 5432,
      description: "TCP 5432 from an allowed security group",
    });
    expect(rule.propertyDependencies).toEqual({ securityGroupId: [sg.urn] });
  });

  test("subnet group over the isolated subnets, parameter group of the engine's family forcing TLS", async () => {
    const { r } = await run(args);
    expect(r.one(T.subnetGroup).inputs).toEqual({ description: "Isolated subnets for PostgreSQL", subnetIds: args.subnetIds });
    expect(r.one(T.parameterGroup).inputs).toEqual({
      family: x.family,
      description: "PostgreSQL: TLS required, slow statement, lock wait and temp file logging",
      parameters: [
        { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
        { name: "log_min_duration_statement", value: "1000", applyMethod: "immediate" },
        { name: "log_lock_waits", value: "1", applyMethod: "immediate" },
        { name: "log_temp_files", value: "10240", applyMethod: "immediate" },
        { name: "shared_preload_libraries", value: "pg_stat_statements,pgaudit", applyMethod: "pending-reboot" },
        { name: "pgaudit.log", value: "ddl,role", applyMethod: "immediate" },
      ],
    });
  });

  test("enhanced monitoring role: trusted by RDS monitoring, with the AWS managed policy of the partition", async () => {
    const { r } = await run(args);
    const role = r.one(T.role);
    expect(Object.keys(role.inputs)).toEqual(["assumeRolePolicy"]);
    expect(JSON.parse(role.inputs.assumeRolePolicy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    const attachment = r.one(T.attachment);
    expect(attachment.inputs).toEqual({
      role: stateOf(role).name,
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    });
    expect(attachment.propertyDependencies).toEqual({ role: [role.urn] });
  });

  test("outputs: the endpoint, the database and user, the subnets' ranges and the managed secret", async () => {
    const { r, outputs } = await run(args);
    const instance = stateOf(r.one(T.instance));
    expect(outputs).toEqual({
      host: instance.address,
      port: 5432,
      databaseName: x.databaseName,
      username: x.username,
      privateCidrs: args.subnetCidrs,
      credentialsSecret: secretArn(r),
      securityGroupId: idOf(r.one(T.sg)),
    });
    expect(outputs.credentialsSecret).toMatch(new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-`));
  });

  test("grantCredentialsRead: read exactly the managed secret, decrypt with its key only through Secrets Manager", async () => {
    const { r } = await run(args);
    const policy = r.one(T.rolePolicy);
    expect(policy.name).toBe("database-credentials-read-apps-api");
    expect(policy.inputs.role).toBe("apps-api");
    expect(JSON.parse(policy.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadSecret",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          Resource: secretArn(r),
        },
        {
          Sid: "DecryptSecret",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: keyArn(r),
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } },
        },
      ],
    });
    expect(policy.propertyDependencies.policy).toEqual([r.one(T.instance).urn, r.one(T.key, "database-key").urn].sort());
  });
});

describe("PostgresDatabase arguments", () => {
  test("one ingress rule per allowed security group", async () => {
    const r = await recordProgram(
      () => new PostgresDatabase("database", { ...DEV, allowedSecurityGroupIds: ["sg-0a", "sg-0b"] }, { providers: [awsProvider()] }),
    );
    expect(r.ofType(T.ingress).map((rule) => [rule.name, rule.inputs.referencedSecurityGroupId, rule.inputs.fromPort])).toEqual([
      ["database-ingress-0", "sg-0a", 5432],
      ["database-ingress-1", "sg-0b", 5432],
    ]);
  });

  test("engine version defaults to 17; a pinned minor keeps its major's family", async () => {
    const rest: PostgresDatabaseArgs = { ...DEV };
    delete rest.engineVersion;
    const r = await recordProgram(() => {
      const providers = [awsProvider()];
      new PostgresDatabase("default", rest, { providers });
      new PostgresDatabase("pinned", { ...DEV, engineVersion: "18.1" }, { providers });
    });
    expect(r.named("default-instance").inputs.engineVersion).toBe("17");
    expect(r.named("default-params").inputs.family).toBe("postgres17");
    expect(r.named("pinned-instance").inputs.engineVersion).toBe("18.1");
    expect(r.named("pinned-params").inputs.family).toBe("postgres18");
  });

  test("final snapshot and instance identifiers stay within the RDS rules whatever the stack is called", async () => {
    let ids: string[] = [];
    await recordProgram(
      () => {
        ids = [
          ...["database", "db-2"].map(finalSnapshotIdentifier),
          instanceIdentifier("database"),
          instanceIdentifier("database", "replica-4"),
          instanceIdentifier("d".repeat(24), "replica-0"),
        ];
      },
      { stack: "Prod_EU.1-" + "x".repeat(30) },
    );
    expect(ids).toEqual([
      `platform-prod-eu-1-${"x".repeat(30)}-database-final`,
      `platform-prod-eu-1-${"x".repeat(30)}-db-2-final`,
      `platform-prod-eu-1-${"x".repeat(30)}-database`,
      // Cut to RDS's 63 characters in the stack's part, so a replica keeps its suffix.
      `platform-prod-eu-1-${"x".repeat(30)}-dat-replica-4`,
      `platform-prod-eu-1-${"x".repeat(30)}-${"d".repeat(3)}-replica-0`,
    ]);
  });

  test("audit log retention defaults to 90 days and rotation to RDS's 7", async () => {
    const rest: PostgresDatabaseArgs = { ...DEV };
    delete rest.auditLogRetentionDays;
    delete rest.credentialRotationDays;
    const r = await recordProgram(() => new PostgresDatabase("database", rest, { providers: [awsProvider()] }));
    expect(r.named("database-logs-0-postgresql").inputs.retentionInDays).toBe(90);
    expect(r.one(T.rotation).inputs.rotationRules).toEqual({ automaticallyAfterDays: 7 });
  });

  const bad: Array<[string, string, Partial<PostgresDatabaseArgs>, string]> = [
    [
      "a name AWS cannot take",
      "Database",
      {},
      'name must be 1-24 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, because it becomes part of AWS resource names (got "Database")',
    ],
    [
      "fewer than 2 subnets",
      "database",
      { subnetIds: ["subnet-0a"], subnetCidrs: ["10.20.208.0/23"] },
      "args.subnetIds must list at least 2 subnets in different zones (got 1)",
    ],
    [
      "a CIDR per subnet",
      "database",
      { subnetCidrs: ["10.20.208.0/23"] },
      "args.subnetCidrs must give one CIDR per subnet in args.subnetIds (got 1 for 2)",
    ],
    [
      "a public subnet CIDR",
      "database",
      { subnetCidrs: ["10.20.208.0/23", "203.0.113.0/24"] },
      'args.subnetCidrs must hold private (RFC 1918) IPv4 CIDR blocks such as 10.0.208.0/23 (got "203.0.113.0/24")',
    ],
    [
      "overlapping subnet CIDRs",
      "database",
      { subnetCidrs: ["10.20.208.0/23", "10.20.209.0/24"] },
      "args.subnetCidrs must not overlap (got 10.20.208.0/23 and 10.20.209.0/24)",
    ],
    [
      "no allowed security group",
      "database",
      { allowedSecurityGroupIds: [] },
      "args.allowedSecurityGroupIds must name at least one security group (the cluster nodes'), or nothing could connect (got [])",
    ],
    [
      "an engine version outside 17/18",
      "database",
      { engineVersion: "16" },
      'args.engineVersion must be PostgreSQL 17 or 18, e.g. "17" or "17.6" (got "16")',
    ],
    [
      "a malformed instance class",
      "database",
      { instanceClass: "m7g.large" },
      'args.instanceClass must be an RDS instance class such as db.m7g.large (got "m7g.large")',
    ],
    ["storage below the gp3 minimum", "database", { storageGb: 10 }, "args.storageGb must be a whole number from 20 to 65536 (got 10)"],
    [
      "maxStorageGb < storageGb",
      "database",
      { storageGb: 100, maxStorageGb: 50 },
      "args.maxStorageGb must be at least args.storageGb (100) so storage can grow (got 50)",
    ],
    ["no backups", "database", { backupRetentionDays: 0 }, "args.backupRetentionDays must be a whole number from 1 to 35 (got 0)"],
    [
      "backups beyond 35 days",
      "database",
      { backupRetentionDays: 36 },
      "args.backupRetentionDays must be a whole number from 1 to 35 (got 36)",
    ],
    [
      "a malformed backup window",
      "database",
      { backupWindow: "3am-4am" },
      'args.backupWindow must be a daily UTC window such as "03:00-04:00" (got "3am-4am")',
    ],
    [
      "a malformed maintenance window",
      "database",
      { maintenanceWindow: "Sunday 04:30" },
      'args.maintenanceWindow must be a weekly UTC window such as "sun:04:30-sun:05:30" (got "Sunday 04:30")',
    ],
    [
      "a short backup window",
      "database",
      { backupWindow: "03:00-03:15" },
      'args.backupWindow must last at least 30 minutes (got "03:00-03:15")',
    ],
    [
      "a short maintenance window",
      "database",
      { maintenanceWindow: "sun:04:30-sun:04:45" },
      'args.maintenanceWindow must last at least 30 minutes (got "sun:04:30-sun:04:45")',
    ],
    [
      "overlapping windows",
      "database",
      { backupWindow: "04:00-05:00" },
      'args.backupWindow must not overlap args.maintenanceWindow "sun:04:30-sun:05:30" (got "04:00-05:00")',
    ],
    [
      "a database name PostgreSQL rejects",
      "database",
      { databaseName: "my-app" },
      'args.databaseName must be 1-63 lower-case letters, digits and underscores, starting with a letter (got "my-app")',
    ],
    [
      "a reserved user name",
      "database",
      { username: "rdsadmin" },
      'args.username must be 1-63 lower-case letters, digits and underscores, starting with a letter, and not rdsadmin (got "rdsadmin")',
    ],
    ["more than 5 read replicas", "database", { readReplicas: 6 }, "args.readReplicas must be a whole number from 0 to 5 (got 6)"],
    ["a negative replica count", "database", { readReplicas: -1 }, "args.readReplicas must be a whole number from 0 to 5 (got -1)"],
    ["a fractional replica count", "database", { readReplicas: 1.5 }, "args.readReplicas must be a whole number from 0 to 5 (got 1.5)"],
    [
      "an audit log retention CloudWatch refuses",
      "database",
      { auditLogRetentionDays: 100 },
      "args.auditLogRetentionDays must be a CloudWatch retention period: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 100)",
    ],
    ["no rotation", "database", { credentialRotationDays: 0 }, "args.credentialRotationDays must be a whole number from 1 to 365 (got 0)"],
    [
      "a rotation beyond a year",
      "database",
      { credentialRotationDays: 366 },
      "args.credentialRotationDays must be a whole number from 1 to 365 (got 366)",
    ],
  ];

  test.each(bad)("refuses %s, naming the argument", async (_label, name, override, message) => {
    const attempt = recordProgram(() => new PostgresDatabase(name, { ...DEV, ...override }, { providers: [awsProvider()] }));
    await expect(attempt).rejects.toThrow(new Error(`PostgresDatabase ${name}: ${message}`));
  });

  test("nothing is registered when an argument is refused", async () => {
    let error: unknown;
    const r = await recordProgram(() => {
      try {
        new PostgresDatabase("database", { ...DEV, maxStorageGb: 10 }, { providers: [awsProvider()] });
      } catch (err) {
        error = err;
      }
    });
    expect(String(error)).toContain("PostgresDatabase database: args.maxStorageGb");
    expect(r.resources.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack", "pulumi:providers:aws"]);
  });
});

// GIVEN the production-like database with one read replica, and the dev-like one with none (the default)
// WHEN the component is recorded
// THEN the replica is exactly a replica of the primary on the same class, key, parameter group, subnet group and
//      security group, with the primary's monitoring and protection and no backups or final snapshot of its own,
//      and readerHost is its address; without a replica readerHost is the primary's address.
describe("PostgresDatabase read replicas", () => {
  const runReplicas = once(async (args: PostgresDatabaseArgs) => {
    let readerHost: unknown;
    let host: unknown;
    const r = await recordProgram(async () => {
      const db = new PostgresDatabase("database", args, { providers: [awsProvider()] });
      readerHost = await valueOf(db.readerHost);
      host = await valueOf(db.host);
    });
    return { r, readerHost, host };
  });
  const WITH_REPLICA: PostgresDatabaseArgs = { ...PROD, readReplicas: 1 };

  test("one replica: exactly these inputs, with no kmsKeyId (RDS encrypts a same-region replica with its source's key)", async () => {
    const { r } = await runReplicas(WITH_REPLICA);
    const primary = r.one(T.instance, "database-instance");
    const key = stateOf(r.one(T.key, "database-key")).arn;
    expect(r.ofType(T.instance).map((i) => i.name)).toEqual(["database-instance", "database-replica-0"]);
    expect(r.one(T.instance, "database-replica-0").inputs).toEqual({
      identifier: "platform-test-database-replica-0",
      replicateSourceDb: stateOf(primary).arn,
      instanceClass: "db.m7g.large",
      dbSubnetGroupName: stateOf(r.one(T.subnetGroup)).name,
      vpcSecurityGroupIds: [idOf(r.one(T.sg))],
      publiclyAccessible: false,
      multiAz: false,
      parameterGroupName: stateOf(r.one(T.parameterGroup)).name,
      iamDatabaseAuthenticationEnabled: true,
      storageType: "gp3",
      maxAllocatedStorage: 500,
      storageEncrypted: true,
      backupRetentionPeriod: 0,
      skipFinalSnapshot: true,
      deletionProtection: true,
      maintenanceWindow: "sun:04:30-sun:05:30",
      autoMinorVersionUpgrade: true,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: key,
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 60,
      monitoringRoleArn: stateOf(r.one(T.role)).arn,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    });
  });

  test("one replica: protected like the primary, after it and the monitoring policy, under the component", async () => {
    const { r } = await runReplicas(WITH_REPLICA);
    const replica = r.one(T.instance, "database-replica-0");
    expect(replica.protect).toBe(true);
    expect(replica.parent).toBe(r.one(T.component).urn);
    expect(replica.customTimeouts).toEqual({ create: "90m", update: "120m", delete: "90m" });
    expect(replica.propertyDependencies.replicateSourceDb).toEqual([r.one(T.instance, "database-instance").urn]);
    expect(replica.propertyDependencies.kmsKeyId).toBeUndefined();
    // A replica made while the key was still passed keeps it without reading as a ForceNew change, and a renamed
    // primary's new ARN is not a new source, which the provider would refuse.
    expect(replica.ignoreChanges).toEqual(["kmsKeyId", "replicateSourceDb"]);
    expect(replica.dependencies).toEqual(
      expect.arrayContaining([r.one(T.attachment).urn, r.named("database-logs-1-postgresql").urn, r.named("database-logs-1-upgrade").urn]),
    );
  });

  test("one replica: log groups of its own, under its identifier, kept as long as the primary's", async () => {
    const { r } = await runReplicas(WITH_REPLICA);
    expect(
      r
        .ofType(T.logGroup)
        .map((g) => [g.name, g.inputs.name, g.inputs.retentionInDays])
        .sort(),
    ).toEqual([
      ["database-logs-0-postgresql", "/aws/rds/instance/platform-test-database/postgresql", 90],
      ["database-logs-0-upgrade", "/aws/rds/instance/platform-test-database/upgrade", 90],
      ["database-logs-1-postgresql", "/aws/rds/instance/platform-test-database-replica-0/postgresql", 90],
      ["database-logs-1-upgrade", "/aws/rds/instance/platform-test-database-replica-0/upgrade", 90],
    ]);
  });

  test("readerHost is the replica's address, host the primary's", async () => {
    const { r, readerHost, host } = await runReplicas(WITH_REPLICA);
    expect(host).toBe(stateOf(r.one(T.instance, "database-instance")).address);
    expect(readerHost).toBe(stateOf(r.one(T.instance, "database-replica-0")).address);
    expect(readerHost).not.toBe(host);
  });

  test("no replica by default: one instance, and readerHost is the primary's address", async () => {
    const { r, readerHost, host } = await runReplicas(DEV);
    expect(r.ofType(T.instance).map((i) => i.name)).toEqual(["database-instance"]);
    expect(readerHost).toBe(host);
    expect(readerHost).toBe(stateOf(r.one(T.instance)).address);
  });

  test("the pack's RDS policies pass the replica beside its primary with production's settings, and refuse it unencrypted or alone", async () => {
    const { r } = await runReplicas(WITH_REPLICA);
    const primary = r.one(T.instance, "database-instance");
    const replica = r.one(T.instance, "database-replica-0");
    const settings = policySettings("production");
    for (const name of ["rds-not-public", "rds-encrypted", "rds-backups", "rds-ha", "rds-deletion-protection"])
      expect({ name, messages: (await check(name, [primary, replica], settings[name])).messages }).toEqual({ name, messages: [] });
    const unencrypted = { ...replica, inputs: { ...replica.inputs, storageEncrypted: false } };
    expect((await check("rds-encrypted", [primary, unencrypted], settings["rds-encrypted"])).messages).toEqual([
      "read replica: storageEncrypted is not true: set it to true with kmsKeyId",
    ]);
    // Without its primary the key it inherits cannot be shown to be a customer key.
    expect((await check("rds-encrypted", [replica], settings["rds-encrypted"])).messages).toEqual([
      "read replica: kmsKeyId is not set: its source is not in this stack, so the key it would inherit is unknown: production encrypts with a customer-managed KMS key, set kmsKeyId to its ARN",
    ]);
  });
});
