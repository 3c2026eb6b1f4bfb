// GIVEN a CloudSqlPostgres for a dev-like stack (zonal, small, 7 backups, no deletion protection, unprotected)
//       and for a production-like one (REGIONAL, PostgreSQL 18 on Enterprise Plus, 30 backups, deletion
//       protection, protected)
// WHEN the component is recorded under the offline engine
// THEN the engine receives exactly the instance (private IP in the reserved range, TLS only, CMEK, backups
//      with point-in-time recovery, maintenance hour, logging flags), its key and the Cloud SQL agent's grant
//      it waits for, the database, the user with a generated password and the Secret Manager secret holding
//      both; pgaudit through the flags, with Data Access logs on for Cloud SQL and a sink into a log bucket kept the
//      audit retention; a workload identity can be granted read access to exactly that secret; the pack's policies find
//      nothing to report; and bad arguments are refused, naming the argument, before anything is registered.
import { describe, expect, test } from "@jest/globals";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { CloudSqlPostgres, type CloudSqlPostgresArgs } from "../../components/gcp/cloudsql";
import { maintenanceHour } from "../../components/gcp/private-service";
import type { WorkloadIdentity } from "../../components/types";
import { gcpProvider, idOf, once, type Recorded, recordProgram, stateOf, valueOf } from "../harness";
import { check } from "../policies/harness";

/**
 * The flags every instance and replica gets: slow statements, lock waits, large temporary files, disconnections,
 * and pgaudit recording schema and role changes.
 */
const LOGGING_FLAGS = [
  { name: "log_min_duration_statement", value: "1000" },
  { name: "log_lock_waits", value: "on" },
  { name: "log_temp_files", value: "10240" },
  { name: "log_disconnections", value: "on" },
  { name: "cloudsql.enable_pgaudit", value: "on" },
  { name: "pgaudit.log", value: "ddl,role" },
];

const T = {
  component: "platform:gcp:CloudSqlPostgres",
  instance: "gcp:sql/databaseInstance:DatabaseInstance",
  database: "gcp:sql/database:Database",
  user: "gcp:sql/user:User",
  password: "random:index/randomPassword:RandomPassword",
  ring: "gcp:kms/keyRing:KeyRing",
  ringSuffix: "random:index/randomId:RandomId",
  key: "gcp:kms/cryptoKey:CryptoKey",
  keyGrant: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
  secret: "gcp:secretmanager/secret:Secret",
  version: "gcp:secretmanager/secretVersion:SecretVersion",
  secretGrant: "gcp:secretmanager/secretIamMember:SecretIamMember",
  connection: "gcp:servicenetworking/connection:Connection",
  agent: "gcp:projects/serviceIdentity:ServiceIdentity",
  auditConfig: "gcp:projects/iAMAuditConfig:IAMAuditConfig",
  logBucket: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
  sink: "gcp:logging/projectSink:ProjectSink",
};

const NETWORK = "projects/example-platform/global/networks/platform";

/** The network's half, as the Network component will hand it over: created outside the database. */
type Network = Pick<CloudSqlPostgresArgs, "network" | "reservedRangeName" | "reservedRangeCidr" | "serviceConnection">;
const network = (provider: gcp.Provider): Network => ({
  network: NETWORK,
  reservedRangeName: "platform-services",
  reservedRangeCidr: "10.20.240.0/20",
  serviceConnection: new gcp.servicenetworking.Connection(
    "services",
    {
      network: NETWORK,
      service: "servicenetworking.googleapis.com",
      reservedPeeringRanges: ["platform-services"],
    },
    { provider },
  ),
});

type Own = Omit<CloudSqlPostgresArgs, keyof Network>;

const DEV: Own = {
  region: "europe-west1",
  projectNumber: "123456789012",
  engineVersion: "17",
  tier: "db-custom-1-3840",
  diskGb: 10,
  maxDiskGb: 100,
  highAvailability: false,
  retainedBackups: 7,
  backupWindow: "03:00-04:00",
  maintenanceWindow: "sun:04:00-sun:05:00",
  deletionProtection: false,
  auditLogRetentionDays: 7,
  protect: false,
};

// engineVersion, transactionLogRetentionDays, databaseName, username and auditLogRetentionDays are changed or left
// out to show defaults and overrides.
const PROD: Own = {
  region: "europe-west1",
  projectNumber: "123456789012",
  engineVersion: "18",
  tier: "db-perf-optimized-N-4",
  diskGb: 100,
  maxDiskGb: 500,
  highAvailability: true,
  retainedBackups: 30,
  transactionLogRetentionDays: 14,
  backupWindow: "02:00-03:00",
  maintenanceWindow: "sat:23:30-sun:01:00",
  deletionProtection: true,
  databaseName: "orders",
  username: "orders_owner",
  protect: true,
};

interface Expected {
  databaseVersion: string;
  edition: string;
  availabilityType: string;
  disk: [number, number];
  backups: [number, number];
  startTime: string;
  maintenance: { day: number; hour: number };
  deletionProtection: boolean;
  databaseName: string;
  username: string;
  auditDays: number;
  protect: boolean;
}

const CASES: Array<[string, Own, Expected, string]> = [
  [
    "dev-like",
    DEV,
    {
      databaseVersion: "POSTGRES_17",
      edition: "ENTERPRISE",
      availabilityType: "ZONAL",
      disk: [10, 100],
      backups: [7, 6],
      startTime: "03:00",
      maintenance: { day: 7, hour: 4 },
      deletionProtection: false,
      databaseName: "app",
      username: "platform",
      auditDays: 7,
      protect: false,
    },
    "dev",
  ],
  [
    "production-like",
    PROD,
    {
      databaseVersion: "POSTGRES_18",
      edition: "ENTERPRISE_PLUS",
      availabilityType: "REGIONAL",
      disk: [100, 500],
      backups: [30, 14],
      startTime: "02:00",
      maintenance: { day: 7, hour: 0 },
      deletionProtection: true,
      databaseName: "orders",
      username: "orders_owner",
      auditDays: 90,
      protect: true,
    },
    "production",
  ],
];

const PRINCIPAL = "apps-api@example-platform.iam.gserviceaccount.com";
const identity: WorkloadIdentity = {
  serviceAccount: { namespace: "apps", name: "api" },
  serviceAccountAnnotations: pulumi.output<Record<string, string>>({ "iam.gke.io/gcp-service-account": PRINCIPAL }),
  principal: pulumi.output(PRINCIPAL),
  principalId: pulumi.output(`projects/example-platform/serviceAccounts/${PRINCIPAL}`),
};

interface Run {
  r: Recorded;
  outputs: Record<string, unknown>;
}

const run = once(async (args: Own): Promise<Run> => {
  let outputs: Record<string, unknown> = {};
  const r = await recordProgram(async () => {
    const provider = gcpProvider();
    const db = new CloudSqlPostgres("database", { ...network(provider), ...args }, { providers: [provider] });
    db.grantCredentialsRead(identity);
    outputs = {
      port: db.port,
      privateCidrs: db.privateCidrs,
      databaseName: db.databaseName,
      engineMajor: db.engineMajor,
      username: await valueOf(db.username),
      credentialsSecret: await valueOf(db.credentialsSecret),
      keyId: await valueOf(db.keyId),
    };
  });
  return { r, outputs };
});

const policySettings = (environment: string): Record<string, Record<string, unknown>> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/config", `${environment}.json`), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;

describe.each(CASES)("CloudSqlPostgres, %s", (_label, args, x, environment) => {
  test("registers exactly these resources, under the component and the gcp provider, with secrets only where secret", async () => {
    const { r } = await run(args);
    const component = r.one(T.component);
    const provider = r.one("pulumi:providers:gcp");
    const children = r.resources.filter((c) => c.parent === component.urn);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${T.ring} database-key-ring`,
        `${T.ringSuffix} database-key-ring-suffix`,
        `${T.key} database-key`,
        `${T.keyGrant} database-key-user-0`,
        `${T.agent} database-sql-agent`,
        `${T.instance} database-instance`,
        `${T.database} database-database`,
        `${T.password} database-password`,
        `${T.user} database-user`,
        `${T.secret} database-credentials`,
        `${T.version} database-credentials-version`,
        `${T.secretGrant} database-credentials-read-apps-api`,
        `${T.auditConfig} database-data-access-audit`,
        `${T.logBucket} database-audit-log-bucket`,
        `${T.sink} database-audit-log-sink`,
      ].sort(),
    );
    for (const child of children.filter((c) => c.type !== T.password && c.type !== T.ringSuffix))
      expect({ name: child.name, provider: child.provider }).toEqual({ name: child.name, provider: provider.urn });
    expect(children.filter((c) => c.secretInputs.length > 0).map((c) => [c.name, c.secretInputs])).toEqual([
      ["database-user", ["password"]],
      ["database-credentials-version", ["secretData"]],
    ]);
  });

  test("the instance: version, edition, size, private IP with TLS, CMEK, backups, maintenance, flags exactly", async () => {
    const { r } = await run(args);
    expect(r.one(T.instance).inputs).toEqual({
      databaseVersion: x.databaseVersion,
      region: "europe-west1",
      encryptionKeyName: idOf(r.one(T.key)),
      deletionProtection: x.deletionProtection,
      settings: {
        tier: args.tier,
        edition: x.edition,
        availabilityType: x.availabilityType,
        diskType: "PD_SSD",
        diskSize: x.disk[0],
        diskAutoresize: true,
        diskAutoresizeLimit: x.disk[1],
        deletionProtectionEnabled: x.deletionProtection,
        ipConfiguration: { ipv4Enabled: false, privateNetwork: NETWORK, allocatedIpRange: "platform-services", sslMode: "ENCRYPTED_ONLY" },
        backupConfiguration: {
          enabled: true,
          startTime: x.startTime,
          pointInTimeRecoveryEnabled: true,
          transactionLogRetentionDays: x.backups[1],
          backupRetentionSettings: { retainedBackups: x.backups[0], retentionUnit: "COUNT" },
        },
        retainBackupsOnDelete: true,
        maintenanceWindow: { ...x.maintenance, updateTrack: "stable" },
        databaseFlags: LOGGING_FLAGS,
        insightsConfig: { queryInsightsEnabled: true },
      },
    });
  });

  test("pgaudit entries: Data Access logs on for Cloud SQL, and a sink copying them into a bucket kept the retention given", async () => {
    const { r } = await run(args);
    expect(r.one(T.auditConfig).inputs).toEqual({
      project: "example-platform",
      service: "cloudsql.googleapis.com",
      auditLogConfigs: [{ logType: "DATA_READ" }, { logType: "DATA_WRITE" }],
    });
    const bucket = r.one(T.logBucket);
    expect(bucket.inputs).toEqual({
      project: "example-platform",
      location: "europe-west1",
      bucketId: "database-audit",
      retentionDays: x.auditDays,
      description: "Cloud SQL pgaudit entries (Data Access audit logs)",
    });
    expect(bucket.protect).toBe(x.protect);
    const sink = r.one(T.sink);
    expect(sink.inputs).toEqual({
      name: "platform-test-database-audit",
      project: "example-platform",
      destination: "logging.googleapis.com/projects/example-platform/locations/europe-west1/buckets/database-audit",
      filter:
        'resource.type="cloudsql_database" AND logName="projects/example-platform/logs/cloudaudit.googleapis.com%2Fdata_access" AND protoPayload.request.@type="type.googleapis.com/google.cloud.sql.audit.v1.PgAuditEntry"',
      description: "Cloud SQL pgaudit entries into the database-audit bucket",
      uniqueWriterIdentity: true,
    });
    expect(sink.dependencies).toContain(bucket.urn);
  });

  test("the instance: protect, timeouts, the growing disk left alone, and the peering and key grant it waits for", async () => {
    const { r } = await run(args);
    const instance = r.one(T.instance);
    expect(instance.protect).toBe(x.protect);
    expect(instance.customTimeouts).toEqual({ create: "90m", update: "120m", delete: "90m" });
    expect(instance.ignoreChanges).toEqual(["settings.diskSize"]);
    expect(instance.propertyDependencies).toEqual({ encryptionKeyName: [r.one(T.key).urn] });
    expect([...instance.dependencies].sort()).toEqual([r.one(T.connection).urn, r.one(T.key).urn, r.one(T.keyGrant).urn].sort());
  });

  test("its own rotating key in the region, protected like the instance, usable by the Cloud SQL service agent it requests", async () => {
    const { r } = await run(args);
    expect(r.one(T.ring).inputs).toEqual({
      name: `platform-test-database-key-${String(stateOf(r.one(T.ringSuffix)).hex)}`,
      location: "europe-west1",
    });
    expect(r.one(T.key).inputs).toEqual({
      name: "database-key",
      keyRing: idOf(r.one(T.ring)),
      purpose: "ENCRYPT_DECRYPT",
      rotationPeriod: "7776000s",
    });
    expect([r.one(T.ring).protect, r.one(T.key).protect]).toEqual([x.protect, x.protect]);
    expect(r.one(T.keyGrant).inputs).toEqual({
      cryptoKeyId: idOf(r.one(T.key)),
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:service-123456789012@gcp-sa-cloud-sql.iam.gserviceaccount.com",
    });
    // The agent is requested before it is granted the key.
    expect(r.one(T.agent).inputs).toEqual({ service: "sqladmin.googleapis.com" });
    expect([...r.one(T.keyGrant).dependencies].sort()).toEqual([r.one(T.key).urn, r.one(T.agent).urn].sort());
  });

  test("database and user: on the instance, abandoned rather than dropped, the database protected", async () => {
    const { r } = await run(args);
    const instance = r.one(T.instance).urn;
    const database = r.one(T.database);
    // The instance's name is the one the provider generates (review/cloud-state.ts); the dependency shows it too.
    const onInstance = expect.stringMatching(/^database-instance-[0-9a-f]{7}$/) as unknown;
    expect(database.inputs).toEqual({ instance: onInstance, name: x.databaseName, deletionPolicy: "ABANDON" });
    expect(database.dependencies).toEqual([instance]);
    expect(database.protect).toBe(x.protect);
    const user = r.one(T.user);
    expect(user.inputs).toEqual({ instance: onInstance, name: x.username, password: "[secret]", deletionPolicy: "ABANDON" });
    expect(user.propertyDependencies).toEqual({ instance: [instance], password: [r.one(T.password).urn] });
    expect([...user.dependencies].sort()).toEqual([instance, r.one(T.password).urn].sort());
    expect(r.one(T.password).inputs).toEqual({ length: 32, special: false, minLower: 1, minUpper: 1, minNumeric: 1 });
  });

  test("credentials: a secret replicated in the region only, one secret version of the user and password", async () => {
    const { r } = await run(args);
    const secret = r.one(T.secret);
    expect(secret.inputs).toEqual({
      secretId: "platform-test-database-credentials",
      replication: { userManaged: { replicas: [{ location: "europe-west1" }] } },
    });
    const version = r.one(T.version);
    expect(version.inputs).toEqual({ secret: idOf(secret), secretData: "[secret]" });
    expect(version.propertyDependencies).toEqual({
      secret: [secret.urn],
      secretData: [r.one(T.password).urn, r.one(T.user).urn].sort(),
    });
  });

  test("outputs: port, the reserved range, the database, the user and the secret's id", async () => {
    const { r, outputs } = await run(args);
    expect(outputs).toEqual({
      port: 5432,
      privateCidrs: ["10.20.240.0/20"],
      databaseName: x.databaseName,
      engineMajor: x.databaseVersion.slice("POSTGRES_".length),
      username: x.username,
      credentialsSecret: "platform-test-database-credentials",
      keyId: idOf(r.one(T.key)),
    });
  });

  test("grantCredentialsRead: secretAccessor on the credentials secret alone, for the identity's service account", async () => {
    const { r } = await run(args);
    const grant = r.one(T.secretGrant);
    expect(grant.inputs).toEqual({
      secretId: idOf(r.one(T.secret)),
      role: "roles/secretmanager.secretAccessor",
      member: `serviceAccount:${PRINCIPAL}`,
    });
    expect(grant.propertyDependencies).toEqual({ secretId: [r.one(T.secret).urn] });
  });

  test(`the pack's policies for Cloud SQL, IAM and the platform report nothing with ${environment}'s settings`, async () => {
    const { r } = await run(args);
    const settings = policySettings(environment);
    const names = ["sql-private-tls", "sql-backups-ha", "gcp-no-basic-roles", "stateful-protected", "no-plaintext-secrets"];
    const enabled = names.filter((name) => settings[name]!.enforcementLevel !== "disabled");
    expect(enabled.length).toBeGreaterThanOrEqual(environment === "production" ? 5 : 3);
    for (const name of enabled) {
      const result = await check(name, r.resources, settings[name]);
      expect({ name, messages: result.messages }).toEqual({ name, messages: [] });
    }
  });
});

test("the policy check above reads the instance: production's settings refuse the dev-like instance", async () => {
  const { r } = await run(DEV);
  const settings = policySettings("production");
  expect((await check("sql-backups-ha", r.resources, settings["sql-backups-ha"])).messages).toEqual([
    "settings.backupConfiguration.backupRetentionSettings.retainedBackups is 7: production keeps at least 30 backups",
    'settings.availabilityType is ZONAL: production runs "REGIONAL" so a zone outage fails over',
    "deletionProtection is false: remove it or set it to true",
    "settings.deletionProtectionEnabled is not true: set it to true so the instance cannot be deleted from any tool",
  ]);
  expect((await check("stateful-protected", r.resources, settings["stateful-protected"])).messages).toHaveLength(3);
});

describe("CloudSqlPostgres arguments", () => {
  test("engine version defaults to 17; transaction log days to the edition's default, kept below the backups", async () => {
    const rest: Own = { ...DEV };
    delete rest.engineVersion;
    const r = await recordProgram(() => {
      const provider = gcpProvider();
      const base = { ...network(provider), ...rest };
      new CloudSqlPostgres("enterprise", { ...base, retainedBackups: 30 }, { providers: [provider] });
      new CloudSqlPostgres("few", { ...base, retainedBackups: 3 }, { providers: [provider] });
      new CloudSqlPostgres("plus", { ...base, tier: "db-perf-optimized-N-2", retainedBackups: 30 }, { providers: [provider] });
    });
    const seen = ["enterprise", "few", "plus"].map((name) => {
      const inputs = r.named(`${name}-instance`).inputs as {
        databaseVersion: string;
        settings: { backupConfiguration: { transactionLogRetentionDays: number } };
      };
      return [inputs.databaseVersion, inputs.settings.backupConfiguration.transactionLogRetentionDays];
    });
    expect(seen).toEqual([
      ["POSTGRES_17", 7],
      ["POSTGRES_17", 2],
      ["POSTGRES_17", 14],
    ]);
  });

  test("a weekly window maps to the first whole hour it holds, Cloud SQL's day counting Monday as 1 and Sunday as 7", () => {
    expect(
      ["mon:00:00-mon:01:00", "sat:22:00-sat:23:00", "sun:04:00-sun:05:00", "sat:23:30-sun:01:00", "wed:10:15-wed:12:00"].map(
        maintenanceHour,
      ),
    ).toEqual([
      { dayOfWeek: 1, hour: 0 },
      { dayOfWeek: 6, hour: 22 },
      { dayOfWeek: 0, hour: 4 },
      { dayOfWeek: 0, hour: 0 },
      { dayOfWeek: 3, hour: 11 },
    ]);
    expect(["sun:04:30-sun:05:30", "sun 04:00"].map(maintenanceHour)).toEqual([undefined, undefined]);
  });

  const bad: Array<[string, string, Partial<CloudSqlPostgresArgs>, string]> = [
    [
      "a name GCP cannot take",
      "Database",
      {},
      'name must be 1-24 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, because it becomes part of GCP resource names (got "Database")',
    ],
    [
      "a public reserved range",
      "database",
      { reservedRangeCidr: "203.0.113.0/24" },
      'args.reservedRangeCidr must be a private (RFC 1918) IPv4 CIDR block of /24 or wider, as private service access reserves, such as 10.0.240.0/20 (got "203.0.113.0/24")',
    ],
    [
      "a reserved range narrower than /24",
      "database",
      { reservedRangeCidr: "10.20.240.0/25" },
      'args.reservedRangeCidr must be a private (RFC 1918) IPv4 CIDR block of /24 or wider, as private service access reserves, such as 10.0.240.0/20 (got "10.20.240.0/25")',
    ],
    [
      "a malformed region",
      "database",
      { region: "europe west1" },
      'args.region must be a GCP region such as europe-west1 (got "europe west1")',
    ],
    [
      "a project id for the number",
      "database",
      { projectNumber: "example-platform" },
      'args.projectNumber must be the project\'s number, digits only, such as 123456789012 (got "example-platform")',
    ],
    ["PostgreSQL 16", "database", { engineVersion: "16" }, 'args.engineVersion must be PostgreSQL 17 or 18 (got "16")'],
    ["a pinned minor", "database", { engineVersion: "17.6" }, 'args.engineVersion must be PostgreSQL 17 or 18 (got "17.6")'],
    [
      "a shared-core tier",
      "database",
      { tier: "db-f1-micro" },
      'args.tier must be a Cloud SQL tier such as db-custom-2-7680 or db-perf-optimized-N-2 (got "db-f1-micro")',
    ],
    ["a disk below 10 GB", "database", { diskGb: 5 }, "args.diskGb must be a whole number from 10 to 65536 (got 5)"],
    [
      "maxDiskGb < diskGb",
      "database",
      { diskGb: 100, maxDiskGb: 50 },
      "args.maxDiskGb must be at least args.diskGb (100) so the disk can grow (got 50)",
    ],
    ["one backup", "database", { retainedBackups: 1 }, "args.retainedBackups must be a whole number from 2 to 365 (got 1)"],
    [
      "as many days of logs as backups",
      "database",
      { retainedBackups: 5, transactionLogRetentionDays: 5 },
      "args.transactionLogRetentionDays must be fewer than args.retainedBackups (5), as Cloud SQL requires (got 5)",
    ],
    [
      "8 days of logs on Enterprise",
      "database",
      { transactionLogRetentionDays: 8 },
      "args.transactionLogRetentionDays must be a whole number from 1 to 7 (got 8)",
    ],
    [
      "36 days of logs on Enterprise Plus",
      "database",
      { tier: "db-perf-optimized-N-2", transactionLogRetentionDays: 36 },
      "args.transactionLogRetentionDays must be a whole number from 1 to 35 (got 36)",
    ],
    [
      "a malformed backup window",
      "database",
      { backupWindow: "3am-4am" },
      'args.backupWindow must be a daily UTC window such as "03:00-04:00" (got "3am-4am")',
    ],
    [
      "a backup window off the hour",
      "database",
      { backupWindow: "03:30-04:30" },
      'args.backupWindow must start on a whole hour, as Cloud SQL takes backup start times, such as "03:00-04:00" (got "03:30-04:30")',
    ],
    [
      "a malformed maintenance window",
      "database",
      { maintenanceWindow: "Sunday 04:00" },
      'args.maintenanceWindow must be a weekly UTC window such as "sun:04:30-sun:05:30" (got "Sunday 04:00")',
    ],
    [
      "a maintenance window holding no whole hour",
      "database",
      { maintenanceWindow: "sun:04:30-sun:05:30" },
      'args.maintenanceWindow must hold a whole UTC hour, as Cloud SQL maintains in one, such as "sun:04:00-sun:05:00" (got "sun:04:30-sun:05:30")',
    ],
    [
      "overlapping windows",
      "database",
      { backupWindow: "04:00-05:00" },
      'args.backupWindow must not overlap args.maintenanceWindow "sun:04:00-sun:05:00" (got "04:00-05:00")',
    ],
    [
      "a database name PostgreSQL rejects",
      "database",
      { databaseName: "my-app" },
      'args.databaseName must be 1-63 lower-case letters, digits and underscores, starting with a letter, and not postgres or cloudsql... (got "my-app")',
    ],
    [
      "a user Cloud SQL reserves",
      "database",
      { username: "cloudsqladmin" },
      'args.username must be 1-63 lower-case letters, digits and underscores, starting with a letter, and not postgres or cloudsql... (got "cloudsqladmin")',
    ],
    [
      "the built-in user",
      "database",
      { username: "postgres" },
      'args.username must be 1-63 lower-case letters, digits and underscores, starting with a letter, and not postgres or cloudsql... (got "postgres")',
    ],
    ["more than 5 read replicas", "database", { readReplicas: 6 }, "args.readReplicas must be a whole number from 0 to 5 (got 6)"],
    ["a fractional replica count", "database", { readReplicas: 0.5 }, "args.readReplicas must be a whole number from 0 to 5 (got 0.5)"],
    [
      "no audit log retention",
      "database",
      { auditLogRetentionDays: 0 },
      "args.auditLogRetentionDays must be a whole number from 1 to 3650 (got 0)",
    ],
    [
      "an audit log retention beyond Cloud Logging's",
      "database",
      { auditLogRetentionDays: 3651 },
      "args.auditLogRetentionDays must be a whole number from 1 to 3650 (got 3651)",
    ],
  ];

  test.each(bad)("refuses %s, naming the argument", async (_label, name, override, message) => {
    const attempt = recordProgram(() => {
      const provider = gcpProvider();
      new CloudSqlPostgres(name, { ...network(provider), ...DEV, ...override }, { providers: [provider] });
    });
    await expect(attempt).rejects.toThrow(new Error(`CloudSqlPostgres ${name}: ${message}`));
  });

  test("nothing is registered when an argument is refused", async () => {
    let error: unknown;
    const r = await recordProgram(() => {
      try {
        const provider = gcpProvider();
        new CloudSqlPostgres("database", { ...network(provider), ...DEV, maxDiskGb: 5 }, { providers: [provider] });
      } catch (err) {
        error = err;
      }
    });
    expect(String(error)).toContain("CloudSqlPostgres database: args.maxDiskGb");
    expect(r.resources.map((x) => x.type).filter((type) => type !== T.connection)).toEqual(["pulumi:pulumi:Stack", "pulumi:providers:gcp"]);
  });
});

// GIVEN the production-like Cloud SQL database with one read replica, and the dev-like one with none (the default)
// WHEN the component is recorded
// THEN the replica is exactly a read replica of the primary in its region with the same key, tier, private
//      network, TLS mode and flags, ZONAL, without backups and without a maintenance window (replicas take
//      none), protected like the primary, and
//      readerHost is its private address; without a replica readerHost is the primary's.
describe("CloudSqlPostgres read replicas", () => {
  const runReplicas = once(async (args: Own) => {
    let readerHost: unknown;
    let host: unknown;
    const r = await recordProgram(async () => {
      const provider = gcpProvider();
      const db = new CloudSqlPostgres("database", { ...network(provider), ...args }, { providers: [provider] });
      readerHost = await valueOf(db.readerHost);
      host = await valueOf(db.host);
    });
    return { r, readerHost, host };
  });
  const WITH_REPLICA: Own = { ...PROD, readReplicas: 1 };

  test("one replica: exactly these inputs", async () => {
    const { r } = await runReplicas(WITH_REPLICA);
    expect(r.ofType(T.instance).map((i) => i.name)).toEqual(["database-instance", "database-replica-0"]);
    expect(r.one(T.instance, "database-replica-0").inputs).toEqual({
      masterInstanceName: stateOf(r.one(T.instance, "database-instance")).name,
      instanceType: "READ_REPLICA_INSTANCE",
      databaseVersion: "POSTGRES_18",
      region: "europe-west1",
      encryptionKeyName: idOf(r.one(T.key)),
      deletionProtection: true,
      settings: {
        tier: "db-perf-optimized-N-4",
        edition: "ENTERPRISE_PLUS",
        availabilityType: "ZONAL",
        diskType: "PD_SSD",
        diskSize: 100,
        diskAutoresize: true,
        diskAutoresizeLimit: 500,
        deletionProtectionEnabled: true,
        ipConfiguration: { ipv4Enabled: false, privateNetwork: NETWORK, allocatedIpRange: "platform-services", sslMode: "ENCRYPTED_ONLY" },
        databaseFlags: LOGGING_FLAGS,
        insightsConfig: { queryInsightsEnabled: true },
      },
    });
  });

  test("one replica: protected like the primary, after it, the peering and the key grant", async () => {
    const { r } = await runReplicas(WITH_REPLICA);
    const replica = r.one(T.instance, "database-replica-0");
    expect(replica.protect).toBe(true);
    expect(replica.parent).toBe(r.one(T.component).urn);
    expect(replica.customTimeouts).toEqual({ create: "90m", update: "120m", delete: "90m" });
    // A window set on a replica made before it was left out changes nothing: the provider reads none back.
    expect(replica.ignoreChanges).toEqual(["settings.diskSize", "settings.maintenanceWindow"]);
    expect(replica.propertyDependencies).toEqual({
      masterInstanceName: [r.one(T.instance, "database-instance").urn],
      encryptionKeyName: [r.one(T.key).urn],
    });
    expect([...replica.dependencies].sort()).toEqual(
      [r.one(T.connection).urn, r.one(T.key).urn, r.one(T.keyGrant).urn, r.one(T.instance, "database-instance").urn].sort(),
    );
  });

  test("readerHost is the replica's private address, host the primary's", async () => {
    const { r, readerHost, host } = await runReplicas(WITH_REPLICA);
    expect(host).toBe(stateOf(r.one(T.instance, "database-instance")).privateIpAddress);
    expect(readerHost).toBe(stateOf(r.one(T.instance, "database-replica-0")).privateIpAddress);
    expect(readerHost).not.toBe(host);
  });

  test("no replica by default: one instance, and readerHost is the primary's address", async () => {
    const { r, readerHost, host } = await runReplicas(DEV);
    expect(r.ofType(T.instance).map((i) => i.name)).toEqual(["database-instance"]);
    expect(readerHost).toBe(host);
  });

  test("the pack's Cloud SQL policies pass the replica with production's settings, and refuse it without TLS or protection", async () => {
    const { r } = await runReplicas(WITH_REPLICA);
    const replica = r.one(T.instance, "database-replica-0");
    const settings = policySettings("production");
    for (const name of ["sql-private-tls", "sql-backups-ha"])
      expect({ name, messages: (await check(name, [replica], settings[name])).messages }).toEqual({ name, messages: [] });
    const replicaSettings = replica.inputs.settings as { ipConfiguration: object };
    const weakened = {
      ...replica,
      inputs: {
        ...replica.inputs,
        deletionProtection: false,
        settings: {
          ...replicaSettings,
          ipConfiguration: { ...replicaSettings.ipConfiguration, sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" },
        },
      },
    };
    expect((await check("sql-private-tls", [weakened], settings["sql-private-tls"])).messages).toEqual([
      'settings.ipConfiguration.sslMode is ALLOW_UNENCRYPTED_AND_ENCRYPTED: set it to "ENCRYPTED_ONLY"',
    ]);
    expect((await check("sql-backups-ha", [weakened], settings["sql-backups-ha"])).messages).toEqual([
      "deletionProtection is false: remove it or set it to true",
    ]);
  });
});
