// RDS for PostgreSQL in the isolated subnets, reachable only from the cluster's nodes, encrypted with its
// own KMS key, with the master password generated and rotated by RDS in Secrets Manager on a stated schedule,
// and pgaudit session logs exported to CloudWatch log groups kept as long as the environment asks.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PostgresEndpoint, WorkloadIdentity } from "../types";
import { accountInfo, type AccountInfo } from "./account";
import { secretReadStatements, serviceSecurityGroup, stackLabel } from "./data-access";
import * as rules from "./data-args";
import {
  backupOverlapProblem,
  DATABASE_BACKUP_WINDOW,
  DATABASE_MAINTENANCE_WINDOW,
  dailyWindowProblem,
  weeklyWindowProblem,
} from "../windows";
import { grant, managedPolicyArn, serviceTrustPolicy } from "./iam";
import { encryptionKey } from "./kms";
import { grantName } from "../grants";
import { logRetentionProblem } from "../formats";
import {
  createCredentialsRotation,
  createDatabaseLogGroups,
  DATABASE_LOG_EXPORTS,
  instanceIdentifier,
  PGAUDIT_PARAMETERS,
} from "./postgres-audit";

export { instanceIdentifier } from "./postgres-audit";

export interface PostgresDatabaseArgs extends rules.PrivateNetworkArgs {
  /**
   * PostgreSQL major version, "17" or "18" (the parameter group family follows it). A major alone lets RDS
   * pick the default minor and apply minor upgrades without drift; "17.6" pins a minor.
   * @default "17"
   */
  engineVersion?: string;
  /** RDS instance class, e.g. "db.m7g.large". */
  instanceClass: string;
  /** Initial gp3 storage in GiB (20 or more). */
  storageGb: number;
  /** Ceiling for storage autoscaling in GiB; at least `storageGb`. */
  maxStorageGb: number;
  /** A standby in a second zone with automatic failover. */
  multiAz: boolean;
  /**
   * Read replicas of the instance, 0-5: same class, key, parameter group, network and monitoring; they serve
   * reads only and are not failover targets (`multiAz` is). RDS picks their zones.
   * @default 0
   */
  readReplicas?: number;
  /** Days of automated backups (point-in-time recovery), 1-35. */
  backupRetentionDays: number;
  /** Daily UTC window for automated backups, "hh:mm-hh:mm", at least 30 minutes, clear of `maintenanceWindow`. */
  backupWindow: string;
  /** Weekly UTC window for minor upgrades and patches, "ddd:hh:mm-ddd:hh:mm", at least 30 minutes. */
  maintenanceWindow: string;
  /** RDS deletion protection; turning it off is explicit. @default true */
  deletionProtection?: boolean;
  /** Database created with the instance. @default "app" */
  databaseName?: string;
  /** Master user; its password is generated and kept by RDS in Secrets Manager. @default "platform" */
  username?: string;
  /**
   * CloudWatch retention of the logs the primary and each replica export (`postgresql`, which holds the pgaudit
   * entries, and `upgrade`): a CloudWatch retention period (infra passes database.auditLogRetentionDays, 90 in
   * production).
   * @default 90
   */
  auditLogRetentionDays?: number;
  /**
   * Days between rotations of the RDS-managed master user password, 1-365 (RDS's own default is 7).
   * @default 7
   */
  credentialRotationDays?: number;
  /** Pulumi `protect` on the instance and its keys and log groups (infra passes true in staging and production). */
  protect: boolean;
}

const POSTGRES_PORT = 5432;
const DEFAULT_ENGINE_VERSION = "17";
/** Audit logs answer "who changed what" after an incident: kept as long as the cluster's audit log. */
export const DEFAULT_AUDIT_LOG_RETENTION_DAYS = 90;
/** RDS's default schedule for a managed master user secret, stated. */
export const DEFAULT_CREDENTIAL_ROTATION_DAYS = 7;
/** Secrets Manager rotates a secret at most once a day; a year is RDS's longest schedule. */
const MAX_CREDENTIAL_ROTATION_DAYS = 365;

/**
 * Parameters on top of the RDS defaults, all dynamic (applied without a reboot), before pgaudit's
 * (PGAUDIT_PARAMETERS, one of them static):
 * - rds.force_ssl=1: clients must use TLS (the RDS default since 15, pinned so nobody can relax it here).
 * - log_min_duration_statement=1000: statements slower than one second are logged, the usual first look
 *   at a slow application; faster ones are left out so the exported log stays small.
 * - log_lock_waits=1: sessions waiting longer than deadlock_timeout for a lock are logged (contention).
 * - log_temp_files=10240: sorts and hashes spilling more than 10 MB to disk are logged (work_mem too low).
 * log_statement stays at its default "none": "ddl" or "all" would write passwords from
 * CREATE/ALTER ROLE ... PASSWORD into logs exported to CloudWatch. log_connections is left alone because
 * its syntax changed in PostgreSQL 18 and connection pools make it noise.
 */
const POSTGRES_PARAMETERS: ReadonlyArray<{ name: string; value: string }> = [
  { name: "rds.force_ssl", value: "1" },
  { name: "log_min_duration_statement", value: "1000" },
  { name: "log_lock_waits", value: "1" },
  { name: "log_temp_files", value: "10240" },
];

/** Multi-AZ creation of an encrypted instance regularly passes the provider's 40-minute default. */
const POSTGRES_TIMEOUTS = { create: "90m", update: "120m", delete: "90m" };

const ENGINE_VERSION = /^(17|18)(\.\d+)?$/;
const INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
const MAX_STORAGE_GB = 65536;
/** RDS allows 15 replicas of a PostgreSQL instance; five is plenty of read capacity for one platform. */
const MAX_READ_REPLICAS = 5;

type Resolved = Required<PostgresDatabaseArgs>;

export function resolvePostgresArgs(name: string, args: PostgresDatabaseArgs): Resolved {
  const fail: rules.Fail = rules.failer("PostgresDatabase", name);
  const a: Resolved = {
    ...args,
    engineVersion: args.engineVersion ?? DEFAULT_ENGINE_VERSION,
    deletionProtection: args.deletionProtection ?? true,
    databaseName: args.databaseName ?? "app",
    username: args.username ?? "platform",
    readReplicas: args.readReplicas ?? 0,
    auditLogRetentionDays: args.auditLogRetentionDays ?? DEFAULT_AUDIT_LOG_RETENTION_DAYS,
    credentialRotationDays: args.credentialRotationDays ?? DEFAULT_CREDENTIAL_ROTATION_DAYS,
  };
  rules.checkName(name, fail);
  rules.checkPrivateNetwork(a, fail);
  if (!ENGINE_VERSION.test(a.engineVersion))
    fail(`args.engineVersion must be PostgreSQL 17 or 18, e.g. "17" or "17.6" (got ${rules.show(a.engineVersion)})`);
  if (!INSTANCE_CLASS.test(a.instanceClass))
    fail(`args.instanceClass must be an RDS instance class such as db.m7g.large (got ${rules.show(a.instanceClass)})`);
  rules.checkWholeNumber(a.storageGb, 20, MAX_STORAGE_GB, "args.storageGb", fail);
  rules.checkWholeNumber(a.maxStorageGb, 20, MAX_STORAGE_GB, "args.maxStorageGb", fail);
  if (a.maxStorageGb < a.storageGb)
    fail(`args.maxStorageGb must be at least args.storageGb (${a.storageGb}) so storage can grow (got ${a.maxStorageGb})`);
  rules.checkWholeNumber(a.backupRetentionDays, 1, 35, "args.backupRetentionDays", fail);
  rules.checkWholeNumber(a.readReplicas, 0, MAX_READ_REPLICAS, "args.readReplicas", fail);
  const retentionRefused = logRetentionProblem(a.auditLogRetentionDays);
  if (retentionRefused) fail(`args.auditLogRetentionDays ${retentionRefused} (got ${rules.show(a.auditLogRetentionDays)})`);
  rules.checkWholeNumber(a.credentialRotationDays, 1, MAX_CREDENTIAL_ROTATION_DAYS, "args.credentialRotationDays", fail);

  const refuse = (argument: "backupWindow" | "maintenanceWindow", problem: string | undefined) => {
    if (problem) fail(`args.${argument} ${problem} (got ${rules.show(a[argument])})`);
  };
  refuse("backupWindow", dailyWindowProblem(a.backupWindow, DATABASE_BACKUP_WINDOW));
  refuse("maintenanceWindow", weeklyWindowProblem(a.maintenanceWindow, DATABASE_MAINTENANCE_WINDOW));
  refuse("backupWindow", backupOverlapProblem(a.backupWindow, a.maintenanceWindow, "args.maintenanceWindow"));

  if (!IDENTIFIER.test(a.databaseName))
    fail(
      `args.databaseName must be 1-63 lower-case letters, digits and underscores, starting with a letter (got ${rules.show(a.databaseName)})`,
    );
  if (!IDENTIFIER.test(a.username) || a.username === "rdsadmin") {
    fail(
      `args.username must be 1-63 lower-case letters, digits and underscores, starting with a letter, and not rdsadmin (got ${rules.show(a.username)})`,
    );
  }
  return a;
}

/**
 * Final snapshot name: stable, unique per project and stack so two stacks in one account never collide,
 * and within the RDS rules (letters, digits, single hyphens).
 */
export function finalSnapshotIdentifier(name: string): string {
  const raw = `${stackLabel(name)}-final`;
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 255)
    .replace(/-+$/, "");
}

/** Where the instance runs: its subnet group over the isolated subnets, and its parameter group. */
function createGroups(
  name: string,
  a: Resolved,
  parent: pulumi.Resource,
): { subnetGroup: aws.rds.SubnetGroup; parameterGroup: aws.rds.ParameterGroup } {
  const subnetGroup = new aws.rds.SubnetGroup(
    `${name}-subnets`,
    { description: "Isolated subnets for PostgreSQL", subnetIds: a.subnetIds },
    { parent },
  );
  const parameterGroup = new aws.rds.ParameterGroup(
    `${name}-params`,
    {
      family: `postgres${a.engineVersion.split(".")[0]}`,
      description: "PostgreSQL: TLS required, slow statement, lock wait and temp file logging",
      parameters: [...POSTGRES_PARAMETERS.map((p) => ({ ...p, applyMethod: "immediate" })), ...PGAUDIT_PARAMETERS.map((p) => ({ ...p }))],
    },
    { parent },
  );
  return { subnetGroup, parameterGroup };
}

/** The role Enhanced Monitoring assumes to publish OS metrics, and the attachment of its managed policy. */
function createMonitoringRole(
  name: string,
  account: AccountInfo,
  parent: pulumi.Resource,
): { role: aws.iam.Role; attachment: aws.iam.RolePolicyAttachment } {
  const role = new aws.iam.Role(
    `${name}-monitoring-role`,
    { assumeRolePolicy: serviceTrustPolicy("monitoring.rds.amazonaws.com") },
    { parent },
  );
  const attachment = new aws.iam.RolePolicyAttachment(
    `${name}-monitoring-policy`,
    { role: role.name, policyArn: managedPolicyArn(aws.iam.ManagedPolicy.AmazonRDSEnhancedMonitoringRole, account.partition) },
    { parent },
  );
  return { role, attachment };
}

/** What the instance is wired to: made by the steps before it. */
interface InstanceDeps {
  key: aws.kms.Key;
  securityGroup: aws.ec2.SecurityGroup;
  subnetGroup: aws.rds.SubnetGroup;
  parameterGroup: aws.rds.ParameterGroup;
  monitoring: { role: aws.iam.Role; attachment: aws.iam.RolePolicyAttachment };
  /** Identifiers of the primary and each replica, in that order (instanceIdentifier). */
  identifiers: string[];
  /** Each instance's log groups, in the order of `identifiers`: RDS must find them when it starts exporting. */
  logGroups: aws.cloudwatch.LogGroup[][];
}

/**
 * The RDS instance: private, TLS only, encrypted with `key` (storage, master user secret, Performance
 * Insights), backed up with point-in-time recovery that outlives it, and a final snapshot on deletion.
 */
function createInstance(name: string, a: Resolved, deps: InstanceDeps, parent: pulumi.Resource): aws.rds.Instance {
  const { key } = deps;
  return new aws.rds.Instance(
    `${name}-instance`,
    {
      identifier: deps.identifiers[0]!,
      engine: "postgres",
      engineVersion: a.engineVersion,
      instanceClass: a.instanceClass,
      dbName: a.databaseName,
      username: a.username,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: key.arn,
      port: POSTGRES_PORT,

      dbSubnetGroupName: deps.subnetGroup.name,
      vpcSecurityGroupIds: [deps.securityGroup.id],
      publiclyAccessible: false,
      multiAz: a.multiAz,
      parameterGroupName: deps.parameterGroup.name,
      iamDatabaseAuthenticationEnabled: true,

      storageType: "gp3",
      allocatedStorage: a.storageGb,
      maxAllocatedStorage: a.maxStorageGb,
      storageEncrypted: true,
      kmsKeyId: key.arn,

      backupRetentionPeriod: a.backupRetentionDays,
      backupWindow: a.backupWindow,
      copyTagsToSnapshot: true,
      // Keep automated backups after a deletion so point-in-time restore outlives the instance.
      deleteAutomatedBackups: false,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: finalSnapshotIdentifier(name),
      deletionProtection: a.deletionProtection,

      maintenanceWindow: a.maintenanceWindow,
      autoMinorVersionUpgrade: true,

      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: key.arn,
      performanceInsightsRetentionPeriod: 7, // the free tier
      monitoringInterval: 60,
      monitoringRoleArn: deps.monitoring.role.arn,
      enabledCloudwatchLogsExports: [...DATABASE_LOG_EXPORTS],
    },
    // RDS checks the monitoring role's permissions when it creates the instance, and would make its own log
    // groups (unencrypted, kept forever) if the platform's did not exist yet.
    {
      parent,
      protect: a.protect,
      dependsOn: [deps.monitoring.attachment, ...deps.logGroups[0]!],
      customTimeouts: POSTGRES_TIMEOUTS,
    },
  );
}

/**
 * One read replica of `primary`: the same class, parameter group, security group and subnet group (so
 * `replicateSourceDb` is the primary's ARN, as RDS requires with a subnet group), and the same Performance
 * Insights, enhanced monitoring and log exports. Engine, version, database, user and password come from the
 * primary, and so does the storage key: a replica in the source's region is encrypted with the source's key,
 * and RDS refuses a KmsKeyId for one ("Your request does not require the KMS key parameter";
 * CreateDBInstanceReadReplica, KmsKeyId; cloudposse/terraform-aws-rds-replica#5). Given an ARN source and a
 * kms_key_id, the provider would also send the source's region, which RDS takes for a cross-region request
 * (hashicorp/terraform-provider-aws#2386). It keeps no backups of its own (the primary's point-in-time recovery covers the data) and RDS takes
 * no final snapshot of a replica, so deleting one skips it. Its zone is left to RDS: the primary's zone moves
 * on every Multi-AZ failover, so a zone pinned here could not stay different from it.
 */
function createReplica(
  name: string,
  index: number,
  a: Resolved,
  deps: InstanceDeps & { primary: aws.rds.Instance },
  parent: pulumi.Resource,
): aws.rds.Instance {
  const { key } = deps;
  return new aws.rds.Instance(
    `${name}-replica-${index}`,
    {
      identifier: deps.identifiers[index + 1]!,
      replicateSourceDb: deps.primary.arn,
      instanceClass: a.instanceClass,

      dbSubnetGroupName: deps.subnetGroup.name,
      vpcSecurityGroupIds: [deps.securityGroup.id],
      publiclyAccessible: false,
      multiAz: false,
      parameterGroupName: deps.parameterGroup.name,
      iamDatabaseAuthenticationEnabled: true,

      storageType: "gp3",
      maxAllocatedStorage: a.maxStorageGb,
      // Stated, and inherited: the replica is encrypted with the primary's key (kmsKeyId stays unset).
      storageEncrypted: true,

      backupRetentionPeriod: 0,
      skipFinalSnapshot: true,
      deletionProtection: a.deletionProtection,

      maintenanceWindow: a.maintenanceWindow,
      autoMinorVersionUpgrade: true,

      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: key.arn,
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 60,
      monitoringRoleArn: deps.monitoring.role.arn,
      enabledCloudwatchLogsExports: [...DATABASE_LOG_EXPORTS],
    },
    {
      parent,
      protect: a.protect,
      dependsOn: [deps.monitoring.attachment, ...deps.logGroups[index + 1]!],
      customTimeouts: POSTGRES_TIMEOUTS,
      // Both are fixed when the replica is made. A replica made while the program still passed the key keeps it
      // in its inputs: kms_key_id is ForceNew (review/replace-inputs.ts), so its dropping must not read as a
      // change, and RDS reports the same key either way. The source's ARN changes when the primary is renamed
      // (identifier), and the provider refuses any new source but none ("cannot elect new source database for
      // replication", hashicorp/terraform-provider-aws internal/service/rds/instance.go update; #21450): the
      // replica goes on replicating from the renamed primary.
      ignoreChanges: ["kmsKeyId", "replicateSourceDb"],
    },
  );
}

/** The ARN of the master user secret RDS manages; refuses an instance that reports none. */
function masterUserSecretArn(name: string, instance: aws.rds.Instance): pulumi.Output<string> {
  return instance.masterUserSecrets.apply((secrets) => {
    const arn = secrets?.[0]?.secretArn;
    if (!arn) throw new Error(`PostgresDatabase ${name}: RDS reported no managed master user secret`);
    return arn;
  });
}

export class PostgresDatabase extends pulumi.ComponentResource implements PostgresEndpoint {
  readonly host: pulumi.Output<string>;
  readonly readerHost: pulumi.Output<string>;
  readonly port = POSTGRES_PORT;
  readonly privateCidrs: string[];
  readonly databaseName: string;
  readonly engineMajor: string;
  readonly username: pulumi.Output<string>;
  /** ARN of the RDS-managed secret holding `{"username", "password"}`. */
  readonly credentialsSecret: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  readonly instance: aws.rds.Instance;
  /** The read replicas, `readReplicas` of them. */
  readonly replicas: aws.rds.Instance[];
  /** The master user secret's rotation schedule. */
  readonly credentialsRotation: aws.secretsmanager.SecretRotation;
  /** Days between rotations of the master user password. */
  readonly credentialRotationDays: number;
  private readonly account: AccountInfo;
  private readonly componentName: string;

  constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = resolvePostgresArgs(name, args);
    super("platform:aws:PostgresDatabase", name, {}, opts);
    const account = accountInfo(this);
    this.account = account;
    this.componentName = name;

    const key = encryptionKey(
      `${name}-key`,
      { description: `PostgreSQL ${stackLabel(name)}: storage, master user secret, Performance Insights`, account, protect: a.protect },
      this,
    );
    const { securityGroup } = serviceSecurityGroup(
      name,
      {
        vpcId: a.vpcId,
        description: "PostgreSQL: TCP 5432 from the cluster nodes only",
        port: POSTGRES_PORT,
        allowedSecurityGroupIds: a.allowedSecurityGroupIds,
      },
      this,
    );
    const { subnetGroup, parameterGroup } = createGroups(name, a, this);
    const monitoring = createMonitoringRole(name, account, this);
    const identifiers = [
      instanceIdentifier(name),
      ...Array.from({ length: a.readReplicas }, (_, i) => instanceIdentifier(name, `replica-${i}`)),
    ];
    const logs = createDatabaseLogGroups(name, { account, identifiers, retentionDays: a.auditLogRetentionDays, protect: a.protect }, this);
    const deps = { key, securityGroup, subnetGroup, parameterGroup, monitoring, identifiers, logGroups: logs.groups };
    this.instance = createInstance(name, a, deps, this);
    this.replicas = Array.from({ length: a.readReplicas }, (_, i) => createReplica(name, i, a, { ...deps, primary: this.instance }, this));

    this.host = this.instance.address;
    this.readerHost = (this.replicas[0] ?? this.instance).address;
    this.privateCidrs = [...a.subnetCidrs];
    this.databaseName = a.databaseName;
    this.engineMajor = a.engineVersion.split(".")[0]!;
    this.username = this.instance.username;
    this.credentialsSecret = masterUserSecretArn(name, this.instance);
    this.credentialsRotation = createCredentialsRotation(name, this.credentialsSecret, a.credentialRotationDays, this);
    this.credentialRotationDays = a.credentialRotationDays;
    this.securityGroupId = securityGroup.id;
    this.keyArn = key.arn;
    this.registerOutputs({
      host: this.host,
      readerHost: this.readerHost,
      port: this.port,
      privateCidrs: this.privateCidrs,
      databaseName: this.databaseName,
      username: this.username,
      credentialsSecret: this.credentialsSecret,
      securityGroupId: this.securityGroupId,
    });
  }

  /** GetSecretValue/DescribeSecret on the master user secret and kms:Decrypt on its key through Secrets Manager. */
  grantCredentialsRead(identity: WorkloadIdentity): void {
    grant(
      grantName(this.componentName, "credentials-read", identity),
      identity,
      secretReadStatements(this.credentialsSecret, this.keyArn, this.account),
      { parent: this },
    );
  }
}
