// RDS: not public, encrypted, backups kept for the environment's minimum, Multi-AZ, deletion protection
// with a final snapshot, TLS forced by the parameter group, and the observability switches.
// Anchors: @pulumi/awsguard, compliance-policies, CKV_AWS_16/17/129/133/157/161/293/353, CKV2_AWS_69.
import {
  configSchema,
  ENVIRONMENT,
  eachKnown,
  forTypes,
  known,
  type PlatformResourcePolicy,
  type PlatformStackPolicy,
  type PolicyResource,
  propsOf,
  settings,
} from "./lib/policy";
import { ofType, refersTo } from "./lib/stack";
import { isSet, list, record, sentence, strings, text } from "./lib/values";

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup";

/** aws.rds.InstanceArgs as far as these policies read it. */
export interface RdsInstanceProps {
  engine?: string;
  /** Set on a read replica: its source's identifier or ARN. */
  replicateSourceDb?: string;
  publiclyAccessible?: boolean;
  storageEncrypted?: boolean;
  kmsKeyId?: string;
  backupRetentionPeriod?: number;
  multiAz?: boolean;
  deletionProtection?: boolean;
  skipFinalSnapshot?: boolean;
  finalSnapshotIdentifier?: string;
  parameterGroupName?: string;
  performanceInsightsEnabled?: boolean;
  enabledCloudwatchLogsExports?: string[];
  iamDatabaseAuthenticationEnabled?: boolean;
}
/** aws.rds.ClusterArgs as far as these policies read it. */
export interface RdsClusterProps {
  engine?: string;
  storageEncrypted?: boolean;
  kmsKeyId?: string;
  backupRetentionPeriod?: number;
  deletionProtection?: boolean;
  skipFinalSnapshot?: boolean;
  finalSnapshotIdentifier?: string;
  dbClusterParameterGroupName?: string;
}
export interface RdsParameterGroupProps {
  name?: string;
  parameters?: { name?: string; value?: string }[];
}

/**
 * A read replica: it takes its data, engine and backups from its source, and RDS takes no final snapshot of it
 * (it refuses one), so the backup, Multi-AZ and final snapshot rules are the source's to meet.
 */
const isReplica = (props: object): boolean =>
  // Only a replica sets the source at all, so one still unknown in a preview is a replica too.
  known(() => isSet((props as RdsInstanceProps).replicateSourceDb)) ?? true;

const rdsNotPublic: PlatformResourcePolicy = {
  name: "rds-not-public",
  description: "Database instances are not publicly accessible.",
  rationale:
    "A database reachable from the internet is open to password guessing and to every PostgreSQL vulnerability; only the cluster's nodes need it, from inside the VPC.",
  anchors: ["CKV_AWS_17", "@pulumi/awsguard", "Pulumi compliance-policies"],
  remediationSteps:
    "Set publiclyAccessible to false and place the instance in private (isolated) subnets; clients reach it from inside the VPC.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<{ publiclyAccessible?: boolean }>([INSTANCE, CLUSTER_INSTANCE], (props, _args, report) => {
    if (props.publiclyAccessible === true) report("publiclyAccessible is true: set it to false");
  }),
};

const encryptionConfig = configSchema({
  environment: ENVIRONMENT,
  requireCustomerManagedKey: {
    type: "boolean",
    default: true,
    description: "Require kmsKeyId (a customer-managed key) rather than the AWS-managed aws/rds key.",
  },
});

/** The source instance of the stack a replica's replicateSourceDb names, if the stack holds it. */
function sourceOf(replica: PolicyResource, instances: readonly PolicyResource[]): PolicyResource | undefined {
  return instances.find((s) => s !== replica && refersTo(replica, "replicateSourceDb", s, ["identifier", "arn"]));
}

/** Both on the same provider (or both on the default one): the same region, where a replica inherits the source's key. */
const sameProvider = (a: PolicyResource, b: PolicyResource): boolean => (a.provider?.urn ?? "") === (b.provider?.urn ?? "");

const rdsEncrypted: PlatformStackPolicy = {
  name: "rds-encrypted",
  description:
    "Database storage, read replicas' included, is encrypted at rest, with a customer-managed KMS key where the environment requires it; a replica in its source's region takes the source's key.",
  rationale:
    "Encryption at rest protects snapshots, replicas and discarded disks; a customer-managed key also decides who may decrypt them, logs each use, and keeps a shared snapshot unreadable to accounts the key does not trust. It can only be chosen when the instance is created.",
  anchors: ["CKV_AWS_16", "@pulumi/awsguard", "Pulumi compliance-policies"],
  remediationSteps:
    "Set storageEncrypted to true and kmsKeyId to the ARN of a rotating customer-managed KMS key (encryption can only be chosen at creation: restore from an encrypted snapshot copy). A read replica in its source's region leaves kmsKeyId unset (RDS refuses it there) and is encrypted with its source's key, so the source, in the same stack, must carry one.",
  enforcementLevel: "mandatory",
  configSchema: encryptionConfig,
  validateStack: (args, report) => {
    const { environment, requireCustomerManagedKey } = settings(encryptionConfig, args);
    const instances = ofType(args.resources, INSTANCE);
    const check = (db: PolicyResource) => {
      const props = propsOf<RdsInstanceProps | RdsClusterProps>(db);
      const replica = db.type === INSTANCE && isReplica(props);
      const what = replica ? "read replica: " : "";
      const source = replica ? sourceOf(db, instances) : undefined;
      // A replica left unset inherits its source's encryption; this rule asks every instance to say so itself.
      if (props.storageEncrypted !== true) report(`${what}storageEncrypted is not true: set it to true with kmsKeyId`, db.urn);
      else if (source && sameProvider(db, source)) checkInheritedKey(db, source, report, { environment, requireCustomerManagedKey });
      else if (requireCustomerManagedKey && !isSet(props.kmsKeyId)) {
        const why = !replica
          ? ""
          : source
            ? `its source ${source.name} is in another region (another provider), where the replica needs a key of its own: `
            : "its source is not in this stack, so the key it would inherit is unknown: ";
        report(
          `${what}kmsKeyId is not set: ${why}${environment} encrypts with a customer-managed KMS key, set kmsKeyId to its ARN`,
          db.urn,
        );
      }
    };
    eachKnown([...instances, ...ofType(args.resources, CLUSTER)], check);
  },
};

/**
 * A replica in its source's region: RDS encrypts it with the source's key and refuses a kmsKeyId of its own
 * ("Your request does not require the KMS key parameter"), so the source must be encrypted with a customer key.
 */
function checkInheritedKey(
  replica: PolicyResource,
  source: PolicyResource,
  report: (message: string, urn: string) => void,
  { environment, requireCustomerManagedKey }: { environment: string; requireCustomerManagedKey: boolean },
): void {
  const own = propsOf<RdsInstanceProps>(replica);
  const from = propsOf<RdsInstanceProps>(source);
  if (isSet(own.kmsKeyId))
    report(
      `read replica: kmsKeyId is set, but its source ${source.name} is in the same region, where RDS encrypts the replica with the source's key and refuses the parameter: remove kmsKeyId`,
      replica.urn,
    );
  else if (from.storageEncrypted !== true)
    report(
      `read replica: its source ${source.name} is not encrypted, and the replica inherits its encryption: encrypt the source`,
      replica.urn,
    );
  else if (requireCustomerManagedKey && !isSet(from.kmsKeyId))
    report(
      `read replica: its source ${source.name} has no kmsKeyId, and the replica inherits its key: ${environment} encrypts with a customer-managed KMS key, set the source's kmsKeyId`,
      replica.urn,
    );
}

const backupsConfig = configSchema({
  environment: ENVIRONMENT,
  minimumRetentionDays: {
    type: "integer",
    minimum: 1,
    maximum: 35,
    default: 30,
    description: "Fewest days of automated backups (the environment profile's database.backupRetentionDays).",
  },
});

const rdsBackups: PlatformResourcePolicy = {
  name: "rds-backups",
  description:
    "Automated backups (and point-in-time recovery) are kept at least as long as the environment's profile asks; read replicas rely on their source's.",
  rationale:
    "Point-in-time recovery reaches back only as far as the retention: corruption or a bad migration noticed later than that cannot be undone.",
  anchors: ["CKV_AWS_133", "@pulumi/awsguard", "Pulumi compliance-policies"],
  remediationSteps:
    "Raise backupRetentionPeriod (platform:database.backupRetentionDays) to the environment's minimum: 7 days in dev, 14 in staging, 30 in production.",
  enforcementLevel: "mandatory",
  configSchema: backupsConfig,
  validateResource: forTypes<RdsInstanceProps | RdsClusterProps>([INSTANCE, CLUSTER], (props, args, report) => {
    const { environment, minimumRetentionDays } = settings(backupsConfig, args);
    if (isReplica(props)) return;
    const days = props.backupRetentionPeriod;
    if (typeof days !== "number" || days < minimumRetentionDays) {
      report(
        `backupRetentionPeriod is ${typeof days === "number" ? `${days} days` : "unset"}: ${environment} keeps backups at least ${minimumRetentionDays} days, set it to ${minimumRetentionDays} or more`,
      );
    }
  }),
};

const rdsHa: PlatformResourcePolicy = {
  name: "rds-ha",
  description: "Database instances keep a synchronous standby in a second zone (Multi-AZ); read replicas serve reads and need none.",
  rationale:
    "A single-zone instance is down for the whole of a zone outage and for each maintenance reboot; the standby takes over in a minute or two without losing committed data.",
  anchors: ["CKV_AWS_157", "@pulumi/awsguard"],
  remediationSteps: "Set multiAz to true (platform:database.multiAz); the change is applied without replacing the instance.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<RdsInstanceProps>([INSTANCE], (props, _args, report) => {
    if (isReplica(props)) return;
    if (props.multiAz !== true) report("multiAz is not true: set it to true so a zone outage fails over to the standby");
  }),
};

const rdsDeletionProtection: PlatformResourcePolicy = {
  name: "rds-deletion-protection",
  description: "Databases refuse deletion and take a final snapshot if they are deleted anyway (read replicas: deletion protection only).",
  rationale:
    "A mistaken destroy, a replacement forced by a changed property or a click in the console must not delete the data; if the instance is deleted anyway, the final snapshot keeps it.",
  anchors: ["CKV_AWS_293"],
  remediationSteps:
    "Set deletionProtection to true, skipFinalSnapshot to false and finalSnapshotIdentifier to a name for the last snapshot.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<RdsInstanceProps | RdsClusterProps>([INSTANCE, CLUSTER], (props, _args, report) => {
    if (props.deletionProtection !== true) report("deletionProtection is not true: set it to true");
    // RDS refuses a final snapshot of a read replica: its data is the source's, snapshotted there.
    if (isReplica(props)) return;
    if (props.skipFinalSnapshot === true) report("skipFinalSnapshot is true: set it to false so deletion keeps a final snapshot");
    else if (!isSet(props.finalSnapshotIdentifier))
      report("finalSnapshotIdentifier is not set: name the final snapshot, or AWS refuses the deletion without taking one");
  }),
};

const forcesSsl = (group: RdsParameterGroupProps) =>
  list(group.parameters).some((p) => text(record(p).name) === "rds.force_ssl" && String(record(p).value) === "1");

const rdsForceSsl: PlatformStackPolicy = {
  name: "rds-force-ssl",
  description:
    "PostgreSQL instances and their read replicas use a parameter group that sets rds.force_ssl=1, so no client connects in clear text.",
  rationale:
    "Without rds.force_ssl a client that does not ask for TLS sends its password and its data in clear text across the VPC; the server's setting enforces TLS whatever the client does.",
  anchors: ["CKV2_AWS_69"],
  remediationSteps:
    'Create an aws.rds.ParameterGroup for the engine family with the parameter { name: "rds.force_ssl", value: "1" } and set the instance\'s parameterGroupName to it (Aurora: a ClusterParameterGroup on dbClusterParameterGroupName).',
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const groups = ofType(args.resources, PARAMETER_GROUP);
    const clusterGroups = ofType(args.resources, CLUSTER_PARAMETER_GROUP);
    const instances = ofType(args.resources, INSTANCE);
    // A read replica names no engine: it runs its source's, found through replicateSourceDb.
    const engineOf = (db: (typeof args.resources)[number]): string => {
      const own = text(propsOf<RdsInstanceProps>(db).engine);
      if (own !== undefined) return own;
      const source = instances.find((s) => s !== db && refersTo(db, "replicateSourceDb", s, ["identifier", "arn"]));
      return source ? (text(propsOf<RdsInstanceProps>(source).engine) ?? "") : "";
    };
    const check = (kind: "instance" | "cluster") => (db: (typeof args.resources)[number]) => {
      if (!engineOf(db).includes("postgres")) return;
      const [property, candidates] =
        kind === "instance" ? (["parameterGroupName", groups] as const) : (["dbClusterParameterGroupName", clusterGroups] as const);
      const group = candidates.find((g) => refersTo(db, property, g, ["name"]));
      if (!group)
        report(`${kind} ${db.name} does not use a parameter group of this stack: set ${property} to one that sets rds.force_ssl=1`, db.urn);
      else if (!forcesSsl(propsOf<RdsParameterGroupProps>(group)))
        report(
          `parameter group ${group.name} (used by ${db.name}) does not set rds.force_ssl=1: add { name: "rds.force_ssl", value: "1" } to its parameters`,
          group.urn,
        );
    };
    eachKnown(instances, check("instance"));
    eachKnown(ofType(args.resources, CLUSTER), check("cluster"));
  },
};

const rdsObservability: PlatformResourcePolicy = {
  name: "rds-observability",
  description: "Database instances have Performance Insights, export their logs to CloudWatch and accept IAM authentication.",
  rationale:
    "Performance Insights and the exported logs are what explains a slow or failing database, and IAM authentication lets people connect with short-lived tokens instead of a shared password.",
  anchors: ["CKV_AWS_161", "CKV_AWS_129", "CKV_AWS_353"],
  remediationSteps:
    'Set performanceInsightsEnabled to true, enabledCloudwatchLogsExports to ["postgresql", "upgrade"] and iamDatabaseAuthenticationEnabled to true.',
  enforcementLevel: "advisory",
  validateResource: forTypes<RdsInstanceProps>([INSTANCE], (props, _args, report) => {
    const missing: string[] = [];
    if (props.performanceInsightsEnabled !== true) missing.push("performanceInsightsEnabled");
    if (strings(props.enabledCloudwatchLogsExports).length === 0) missing.push("enabledCloudwatchLogsExports");
    if (props.iamDatabaseAuthenticationEnabled !== true) missing.push("iamDatabaseAuthenticationEnabled");
    if (missing.length > 0)
      report(`${sentence(missing)} ${missing.length === 1 ? "is" : "are"} not set: turn ${missing.length === 1 ? "it" : "them"} on`);
  }),
};

export const rdsPolicies = [rdsNotPublic, rdsEncrypted, rdsBackups, rdsHa, rdsDeletionProtection, rdsForceSsl, rdsObservability];
