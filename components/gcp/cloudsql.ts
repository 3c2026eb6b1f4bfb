// Cloud SQL for PostgreSQL on a private IP in the VPC's private service access range, TLS only, encrypted
// with its own Cloud KMS key, backed up daily with point-in-time recovery, with an application database and
// user whose generated password is kept in Secret Manager, and pgaudit entries kept in a log bucket of their own.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PostgresEndpoint, WorkloadIdentity } from "../types";
import {
  backupOverlapProblem,
  DATABASE_BACKUP_WINDOW,
  DATABASE_MAINTENANCE_WINDOW,
  dailyWindowProblem,
  parseDailyWindow,
  weeklyWindowProblem,
} from "../windows";
import { serviceAgentKey } from "./kms";
import * as rules from "./private-service";
import { grantSecretRead, storeSecret } from "./secret-store";
import { grantName } from "../grants";
import { keepDatabaseAuditLogs, PGAUDIT_FLAGS } from "./cloudsql-audit";
import { SQL_ADMIN_API } from "./apis";

export interface CloudSqlPostgresArgs extends rules.PrivateServiceAccessArgs {
  /** PostgreSQL major version, "17" or "18" (POSTGRES_17, POSTGRES_18); Cloud SQL applies minor versions in maintenance. @default "17" */
  engineVersion?: string;
  /**
   * Machine type: "db-custom-<vCPUs>-<MiB>" (Enterprise edition, e.g. "db-custom-2-7680") or
   * "db-perf-optimized-N-<vCPUs>" (Enterprise Plus). The edition follows the tier.
   */
  tier: string;
  /** Initial SSD size in GB (10 or more); it grows automatically, so later changes to it are ignored. */
  diskGb: number;
  /** Ceiling for automatic disk growth in GB; at least `diskGb`. */
  maxDiskGb: number;
  /** REGIONAL availability: a standby in a second zone with automatic failover; ZONAL when false. */
  highAvailability: boolean;
  /**
   * Read replicas of the instance, 0-5, in its region: same tier, key, private network, TLS mode and flags. They
   * serve reads only; Cloud SQL picks their zones and maintains them when it maintains the primary.
   * @default 0
   */
  readReplicas?: number;
  /** Daily backups kept, 2-365 (production keeps 30); more than `transactionLogRetentionDays`, as Cloud SQL requires. */
  retainedBackups: number;
  /**
   * Days of write-ahead log kept for point-in-time recovery: 1-7 on Enterprise, 1-35 on Enterprise Plus, and
   * fewer than `retainedBackups` (Cloud SQL refuses "backup retention should be > transaction log retention").
   * @default - Cloud SQL's default for the edition (7 on Enterprise, 14 on Enterprise Plus), lowered to retainedBackups - 1
   */
  transactionLogRetentionDays?: number;
  /**
   * Daily UTC backup window, "hh:00-hh:mm", at least 30 minutes, clear of `maintenanceWindow`. Cloud SQL takes
   * only its start: backups begin within four hours of it.
   */
  backupWindow: string;
  /**
   * Weekly UTC window for updates, "ddd:hh:mm-ddd:hh:mm", holding at least one whole hour: Cloud SQL
   * maintains in one hour given as a day and an hour, the first whole hour of the window (see maintenanceHour).
   * The primary's alone: read replicas take no window.
   */
  maintenanceWindow: string;
  /** Deletion protection in the Cloud SQL API (settings.deletionProtectionEnabled) and in the provider (deletionProtection). */
  deletionProtection: boolean;
  /** Database created on the instance. @default "app" */
  databaseName?: string;
  /** User the application connects as; its password is generated and kept in Secret Manager. @default "platform" */
  username?: string;
  /**
   * Days the pgaudit entries are kept in their log bucket, 1-3650 (infra passes database.auditLogRetentionDays,
   * 90 in production).
   * @default 90
   */
  auditLogRetentionDays?: number;
  /** Pulumi `protect` on the instance, its database, its key and the audit log bucket (infra passes true in staging and production). */
  protect: boolean;
}

const POSTGRES_PORT = 5432;
const DEFAULT_ENGINE_VERSION = "17";
/** As the AWS database: audit logs kept as long as the cluster's audit log. */
export const DEFAULT_AUDIT_LOG_RETENTION_DAYS = 90;

/**
 * Cloud SQL database flags (all supported for PostgreSQL 17 and 18, none needs a restart), before pgaudit's
 * (PGAUDIT_FLAGS, whose cloudsql.enable_pgaudit restarts the instance when it changes):
 * - log_min_duration_statement=1000: statements slower than one second are logged.
 * - log_lock_waits=on: sessions waiting longer than deadlock_timeout for a lock are logged (contention).
 * - log_temp_files=10240: sorts and hashes spilling more than 10 MB (the flag is in kB) to disk are logged.
 * - log_disconnections=on: each session's end and length, for connection churn.
 * TLS is required by sslMode ENCRYPTED_ONLY rather than a flag. log_statement stays "none" ("ddl" would log
 * passwords from ALTER ROLE ... PASSWORD), and log_connections is left alone because its syntax changed in
 * PostgreSQL 18. No cloudsql.iam_authentication: the application signs in with the stored password.
 */
const DATABASE_FLAGS: ReadonlyArray<{ name: string; value: string }> = [
  { name: "log_min_duration_statement", value: "1000" },
  { name: "log_lock_waits", value: "on" },
  { name: "log_temp_files", value: "10240" },
  { name: "log_disconnections", value: "on" },
];

/** Creating a REGIONAL instance with CMEK regularly passes the provider's 30-minute default; as the AWS database. */
const POSTGRES_TIMEOUTS = { create: "90m", update: "120m", delete: "90m" };

const ENGINE_VERSION = /^(17|18)$/;
const ENTERPRISE_TIER = /^db-custom-\d+-\d+$/;
const ENTERPRISE_PLUS_TIER = /^db-perf-optimized-N-\d+$/;
const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
const MAX_DISK_GB = 65536;
/** As the AWS database: five replicas are plenty of read capacity for one platform. */
const MAX_READ_REPLICAS = 5;

/** Password of the application user: 32 letters and digits, which every client and connection URL takes unescaped. */
const PASSWORD = { length: 32, special: false, minLower: 1, minUpper: 1, minNumeric: 1 };

type Resolved = Required<CloudSqlPostgresArgs> & { edition: "ENTERPRISE" | "ENTERPRISE_PLUS"; maintenance: rules.MaintenanceHour };

function checkWindows(a: CloudSqlPostgresArgs, fail: rules.Fail): rules.MaintenanceHour {
  const refuse = (argument: "backupWindow" | "maintenanceWindow", problem: string | undefined) => {
    if (problem) fail(`args.${argument} ${problem} (got ${rules.show(a[argument])})`);
  };
  refuse("backupWindow", dailyWindowProblem(a.backupWindow, DATABASE_BACKUP_WINDOW));
  if (parseDailyWindow(a.backupWindow)![0] % 60 !== 0)
    refuse("backupWindow", 'must start on a whole hour, as Cloud SQL takes backup start times, such as "03:00-04:00"');
  refuse("maintenanceWindow", weeklyWindowProblem(a.maintenanceWindow, DATABASE_MAINTENANCE_WINDOW));
  const maintenance = rules.maintenanceHour(a.maintenanceWindow);
  if (!maintenance) refuse("maintenanceWindow", 'must hold a whole UTC hour, as Cloud SQL maintains in one, such as "sun:04:00-sun:05:00"');
  refuse("backupWindow", backupOverlapProblem(a.backupWindow, a.maintenanceWindow, "args.maintenanceWindow"));
  return maintenance!;
}

export function resolveCloudSqlPostgresArgs(name: string, args: CloudSqlPostgresArgs): Resolved {
  const fail: rules.Fail = rules.failer("CloudSqlPostgres", name);
  rules.checkName(name, fail);
  rules.checkPrivateServiceAccess(args, fail);
  const engineVersion = args.engineVersion ?? DEFAULT_ENGINE_VERSION;
  if (!ENGINE_VERSION.test(engineVersion)) fail(`args.engineVersion must be PostgreSQL 17 or 18 (got ${rules.show(engineVersion)})`);
  const plus = ENTERPRISE_PLUS_TIER.test(args.tier);
  if (!plus && !ENTERPRISE_TIER.test(args.tier))
    fail(`args.tier must be a Cloud SQL tier such as db-custom-2-7680 or db-perf-optimized-N-2 (got ${rules.show(args.tier)})`);
  rules.checkWholeNumber(args.diskGb, 10, MAX_DISK_GB, "args.diskGb", fail);
  rules.checkWholeNumber(args.maxDiskGb, 10, MAX_DISK_GB, "args.maxDiskGb", fail);
  if (args.maxDiskGb < args.diskGb)
    fail(`args.maxDiskGb must be at least args.diskGb (${args.diskGb}) so the disk can grow (got ${args.maxDiskGb})`);
  rules.checkWholeNumber(args.retainedBackups, 2, 365, "args.retainedBackups", fail);
  const readReplicas = args.readReplicas ?? 0;
  rules.checkWholeNumber(readReplicas, 0, MAX_READ_REPLICAS, "args.readReplicas", fail);
  const transactionLogRetentionDays = args.transactionLogRetentionDays ?? Math.min(plus ? 14 : 7, args.retainedBackups - 1);
  rules.checkWholeNumber(transactionLogRetentionDays, 1, plus ? 35 : 7, "args.transactionLogRetentionDays", fail);
  if (transactionLogRetentionDays >= args.retainedBackups)
    fail(
      `args.transactionLogRetentionDays must be fewer than args.retainedBackups (${args.retainedBackups}), as Cloud SQL requires (got ${transactionLogRetentionDays})`,
    );
  const maintenance = checkWindows(args, fail);
  const databaseName = args.databaseName ?? "app";
  const username = args.username ?? "platform";
  if (!IDENTIFIER.test(databaseName) || databaseName.startsWith("cloudsql") || databaseName === "postgres")
    fail(
      `args.databaseName must be 1-63 lower-case letters, digits and underscores, starting with a letter, and not postgres or cloudsql... (got ${rules.show(databaseName)})`,
    );
  if (!IDENTIFIER.test(username) || username.startsWith("cloudsql") || username === "postgres")
    fail(
      `args.username must be 1-63 lower-case letters, digits and underscores, starting with a letter, and not postgres or cloudsql... (got ${rules.show(username)})`,
    );
  const auditLogRetentionDays = args.auditLogRetentionDays ?? DEFAULT_AUDIT_LOG_RETENTION_DAYS;
  rules.checkWholeNumber(auditLogRetentionDays, 1, 3650, "args.auditLogRetentionDays", fail);
  const edition = plus ? "ENTERPRISE_PLUS" : "ENTERPRISE";
  return {
    ...args,
    engineVersion,
    transactionLogRetentionDays,
    databaseName,
    username,
    readReplicas,
    auditLogRetentionDays,
    edition,
    maintenance,
  };
}

/**
 * The instance's key, usable by the Cloud SQL service agent. Cloud SQL makes its agent only on request
 * (`gcloud beta services identity create --service=sqladmin.googleapis.com`), so it is requested first and
 * the grant waits for it (serviceAgentKey); the instance waits for the grant, as Cloud SQL checks the key when
 * it creates it.
 */
function createKey(name: string, a: Resolved, parent: pulumi.Resource): { key: gcp.kms.CryptoKey; grant: gcp.kms.CryptoKeyIAMMember } {
  const { key, grants } = serviceAgentKey(
    `${name}-key`,
    { api: SQL_ADMIN_API, agentName: `${name}-sql-agent`, projectNumber: a.projectNumber, location: a.region, protect: a.protect },
    parent,
  );
  return { key, grant: grants[0]! };
}

/** Cloud SQL's maintenance day counts from 1 (Monday) to 7 (Sunday); windows.ts from 0 (Sunday). */
const cloudSqlDay = (dayOfWeek: number): number => (dayOfWeek === 0 ? 7 : dayOfWeek);

/** The instance's `settings`: size, availability, network, backups, maintenance, flags and insights. */
function instanceSettings(a: Resolved): gcp.types.input.sql.DatabaseInstanceSettings {
  const [backupStart] = a.backupWindow.split("-");
  return {
    tier: a.tier,
    edition: a.edition,
    availabilityType: a.highAvailability ? "REGIONAL" : "ZONAL",
    diskType: "PD_SSD",
    diskSize: a.diskGb,
    diskAutoresize: true,
    diskAutoresizeLimit: a.maxDiskGb,
    deletionProtectionEnabled: a.deletionProtection,
    ipConfiguration: {
      ipv4Enabled: false,
      privateNetwork: a.network,
      allocatedIpRange: a.reservedRangeName,
      sslMode: "ENCRYPTED_ONLY",
    },
    backupConfiguration: {
      enabled: true,
      startTime: backupStart,
      pointInTimeRecoveryEnabled: true,
      transactionLogRetentionDays: a.transactionLogRetentionDays,
      backupRetentionSettings: { retainedBackups: a.retainedBackups, retentionUnit: "COUNT" },
    },
    // Automated backups outlive the instance, so a deleted database can still be restored.
    retainBackupsOnDelete: true,
    maintenanceWindow: { day: cloudSqlDay(a.maintenance.dayOfWeek), hour: a.maintenance.hour, updateTrack: "stable" },
    databaseFlags: [...DATABASE_FLAGS, ...PGAUDIT_FLAGS].map((flag) => ({ ...flag })),
    insightsConfig: { queryInsightsEnabled: true },
  };
}

/** The instance, created once the peering to Google's services and the key grant exist. */
function createInstance(
  name: string,
  a: Resolved,
  deps: { key: gcp.kms.CryptoKey; grant: gcp.kms.CryptoKeyIAMMember },
  parent: pulumi.Resource,
): gcp.sql.DatabaseInstance {
  return new gcp.sql.DatabaseInstance(
    `${name}-instance`,
    {
      databaseVersion: `POSTGRES_${a.engineVersion}`,
      region: a.region,
      encryptionKeyName: deps.key.id,
      deletionProtection: a.deletionProtection,
      settings: instanceSettings(a),
    },
    {
      parent,
      protect: a.protect,
      dependsOn: [a.serviceConnection, deps.grant],
      customTimeouts: POSTGRES_TIMEOUTS,
      // The disk grows by itself; writing diskGb back would try to shrink it.
      ignoreChanges: ["settings.diskSize"],
    },
  );
}

/**
 * Settings of the primary a read replica does not take. Backups: Cloud SQL takes none of a read replica (the
 * primary's cover the data). The maintenance window: "Read replicas do not support the maintenance window
 * setting" (Cloud SQL instance settings, quoted in terraform-google-modules/terraform-google-sql-db#64), and
 * the provider reads none back (hashicorp/terraform-provider-google#7422), so one set here would be a
 * perpetual diff; terraform-google-sql-db@v28.1.1 modules/postgresql/read_replica.tf sets none either.
 */
export const PRIMARY_ONLY_SETTINGS = ["backupConfiguration", "retainBackupsOnDelete", "maintenanceWindow"] as const;

/** The replica's `settings`: the primary's size, network, TLS mode, flags and insights, ZONAL, without PRIMARY_ONLY_SETTINGS. */
function replicaSettings(a: Resolved): gcp.types.input.sql.DatabaseInstanceSettings {
  const settings: gcp.types.input.sql.DatabaseInstanceSettings = { ...instanceSettings(a), availabilityType: "ZONAL" };
  for (const key of PRIMARY_ONLY_SETTINGS) delete settings[key];
  return settings;
}

/**
 * One read replica of `primary`, in its region and encrypted with the same key (Cloud SQL requires a replica's
 * key in the replica's region). A PostgreSQL replica in the primary's region needs no `replicaConfiguration`:
 * its fields are for MySQL and external primaries.
 */
function createReplica(
  name: string,
  index: number,
  a: Resolved,
  deps: { key: gcp.kms.CryptoKey; grant: gcp.kms.CryptoKeyIAMMember; primary: gcp.sql.DatabaseInstance },
  parent: pulumi.Resource,
): gcp.sql.DatabaseInstance {
  return new gcp.sql.DatabaseInstance(
    `${name}-replica-${index}`,
    {
      masterInstanceName: deps.primary.name,
      instanceType: "READ_REPLICA_INSTANCE",
      databaseVersion: `POSTGRES_${a.engineVersion}`,
      region: a.region,
      encryptionKeyName: deps.key.id,
      deletionProtection: a.deletionProtection,
      settings: replicaSettings(a),
    },
    {
      parent,
      protect: a.protect,
      dependsOn: [a.serviceConnection, deps.grant],
      customTimeouts: POSTGRES_TIMEOUTS,
      // The window a replica created before it was left out stays in the state, where it changes nothing.
      ignoreChanges: ["settings.diskSize", "settings.maintenanceWindow"],
    },
  );
}

/**
 * The application database and user, and the secret holding the user's credentials. Both are abandoned
 * rather than dropped when removed: PostgreSQL refuses to drop a database with sessions or a user owning
 * objects, and deleting the instance removes both anyway.
 */
function createDatabaseAndUser(name: string, a: Resolved, instance: gcp.sql.DatabaseInstance, parent: pulumi.Resource) {
  const database = new gcp.sql.Database(
    `${name}-database`,
    { instance: instance.name, name: a.databaseName, deletionPolicy: "ABANDON" },
    { parent, protect: a.protect, dependsOn: [instance] },
  );
  const password = new random.RandomPassword(`${name}-password`, PASSWORD, { parent });
  const user = new gcp.sql.User(
    `${name}-user`,
    { instance: instance.name, name: a.username, password: pulumi.secret(password.result), deletionPolicy: "ABANDON" },
    { parent, dependsOn: [instance] },
  );
  const credentials = pulumi.secret(pulumi.jsonStringify({ username: user.name, password: password.result }));
  const { secret } = storeSecret(`${name}-credentials`, { region: a.region, value: credentials }, parent);
  return { database, user, secret };
}

export class CloudSqlPostgres extends pulumi.ComponentResource implements PostgresEndpoint {
  readonly host: pulumi.Output<string>;
  readonly readerHost: pulumi.Output<string>;
  readonly port = POSTGRES_PORT;
  readonly privateCidrs: string[];
  readonly databaseName: string;
  readonly engineMajor: string;
  readonly username: pulumi.Output<string>;
  /** Secret Manager secret id (the short name) holding `{"username", "password"}`. */
  readonly credentialsSecret: pulumi.Output<string>;
  /** Cloud SQL connection name `<project>:<region>:<instance>`, for the Cloud SQL Auth Proxy. */
  readonly connectionName: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;
  readonly instance: gcp.sql.DatabaseInstance;
  /** The read replicas, `readReplicas` of them. */
  readonly replicas: gcp.sql.DatabaseInstance[];
  private readonly secret: gcp.secretmanager.Secret;
  private readonly componentName: string;

  constructor(name: string, args: CloudSqlPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = resolveCloudSqlPostgresArgs(name, args);
    super("platform:gcp:CloudSqlPostgres", name, {}, opts);
    this.componentName = name;

    const { key, grant } = createKey(name, a, this);
    this.instance = createInstance(name, a, { key, grant }, this);
    this.replicas = Array.from({ length: a.readReplicas }, (_, i) =>
      createReplica(name, i, a, { key, grant, primary: this.instance }, this),
    );
    const { user, secret } = createDatabaseAndUser(name, a, this.instance, this);
    this.secret = secret;
    keepDatabaseAuditLogs(
      name,
      {
        region: a.region,
        retentionDays: a.auditLogRetentionDays,
        sinkName: `${pulumi.getProject()}-${pulumi.getStack()}-${name}-audit`,
        protect: a.protect,
      },
      this,
    );

    this.host = this.instance.privateIpAddress;
    this.readerHost = (this.replicas[0] ?? this.instance).privateIpAddress;
    this.privateCidrs = [a.reservedRangeCidr];
    this.databaseName = a.databaseName;
    this.engineMajor = a.engineVersion;
    this.username = user.name;
    this.credentialsSecret = secret.secretId;
    this.connectionName = this.instance.connectionName;
    this.keyId = key.id;
    this.registerOutputs({
      host: this.host,
      readerHost: this.readerHost,
      port: this.port,
      privateCidrs: this.privateCidrs,
      databaseName: this.databaseName,
      username: this.username,
      credentialsSecret: this.credentialsSecret,
      connectionName: this.connectionName,
    });
  }

  /** roles/secretmanager.secretAccessor on the credentials secret alone. */
  grantCredentialsRead(identity: WorkloadIdentity): void {
    grantSecretRead(grantName(this.componentName, "credentials-read", identity), this.secret, identity, this);
  }
}
