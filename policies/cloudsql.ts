// Cloud SQL: private IP only, no world-open authorized network, TLS required; backups with point-in-time
// recovery kept for the environment's minimum, REGIONAL availability, deletion protection.
// Anchors: CKV_GCP_6/11/14/60.
import { configSchema, ENVIRONMENT, forTypes, known, type PlatformResourcePolicy, settings } from "./lib/policy";
import { isSet, isWorld, list, record, sentence, text } from "./lib/values";

const INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";

/** gcp.sql.DatabaseInstanceArgs as far as these policies read it. */
export interface SqlInstanceProps {
  /** Set on a read replica: the primary's name. */
  masterInstanceName?: string;
  /** The Cloud KMS key of customer-managed encryption (CMEK). */
  encryptionKeyName?: string;
  deletionProtection?: boolean;
  settings?: {
    availabilityType?: string;
    deletionProtectionEnabled?: boolean;
    ipConfiguration?: { ipv4Enabled?: boolean; sslMode?: string; authorizedNetworks?: { name?: string; value?: string }[] };
    backupConfiguration?: {
      enabled?: boolean;
      pointInTimeRecoveryEnabled?: boolean;
      backupRetentionSettings?: { retainedBackups?: number };
    };
  };
}

/**
 * A read replica: Cloud SQL takes no backups of one (the primary's cover the data) and it is not a failover
 * target, so backups and REGIONAL are the primary's to meet. Only a replica names a primary, so one still
 * unknown in a preview is a replica too.
 */
const isReplica = (props: SqlInstanceProps): boolean => known(() => isSet(props.masterInstanceName)) ?? true;

const TLS_MODES = ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"];

const sqlPrivateTls: PlatformResourcePolicy = {
  name: "sql-private-tls",
  description: "Cloud SQL has no public IPv4 address, no world-open authorized network, and refuses unencrypted connections.",
  rationale:
    "A public IP exposes the database to the internet, a 0.0.0.0/0 authorized network opens it to everyone, and without ENCRYPTED_ONLY a client may send its password in clear text.",
  anchors: ["CKV_GCP_60", "CKV_GCP_11", "CKV_GCP_6"],
  remediationSteps:
    'Set settings.ipConfiguration { ipv4Enabled: false, privateNetwork: <VPC>, sslMode: "ENCRYPTED_ONLY" } and remove authorized networks.',
  enforcementLevel: "mandatory",
  validateResource: forTypes<SqlInstanceProps>([INSTANCE], (props, _args, report) => {
    const ip = props.settings?.ipConfiguration ?? {};
    // Cloud SQL gives an instance a public IPv4 address unless told otherwise.
    if (ip.ipv4Enabled !== false)
      report("settings.ipConfiguration.ipv4Enabled is not false: set it to false and connect through the private network");
    const open = list(ip.authorizedNetworks)
      .map((n) => record(n))
      .filter((n) => isWorld(n.value));
    if (open.length > 0)
      report(
        `settings.ipConfiguration.authorizedNetworks opens the instance to ${open.map((n) => text(n.value)).join(", ")}: remove ${open.length === 1 ? "that entry" : "those entries"}`,
      );
    if (!TLS_MODES.includes(ip.sslMode ?? ""))
      report(`settings.ipConfiguration.sslMode is ${ip.sslMode ?? "unset (unencrypted connections allowed)"}: set it to "ENCRYPTED_ONLY"`);
  }),
};

const cmekConfig = configSchema({
  environment: ENVIRONMENT,
  requireCustomerManagedKey: {
    type: "boolean",
    default: true,
    description: "Require a customer-managed Cloud KMS key (the environment profile encrypts the database with one).",
  },
});

const sqlCmek: PlatformResourcePolicy = {
  name: "sql-cmek",
  description:
    "Cloud SQL instances, read replicas included, encrypt their disks and backups with a customer-managed Cloud KMS key where the environment requires it.",
  rationale:
    "With Google's default key nobody can revoke access to the data at rest or see its use in the key's audit log; a replica holds the whole database, so it needs the key as much as the primary.",
  anchors: [],
  remediationSteps:
    "Set encryptionKeyName to a Cloud KMS key in the instance's region that the Cloud SQL service agent may use (roles/cloudkms.cryptoKeyEncrypterDecrypter); a replica takes its primary's key. The key is fixed at creation: an existing instance is recreated from a backup or export.",
  enforcementLevel: "mandatory",
  configSchema: cmekConfig,
  validateResource: forTypes<SqlInstanceProps>([INSTANCE], (props, args, report) => {
    const { environment, requireCustomerManagedKey } = settings(cmekConfig, args);
    if (requireCustomerManagedKey && known(() => isSet(props.encryptionKeyName)) === false)
      report(
        `encryptionKeyName is not set${isReplica(props) ? " on this read replica" : ""}: ${environment} encrypts the database with a customer-managed key`,
      );
  }),
};

const backupsConfig = configSchema({
  environment: ENVIRONMENT,
  minimumRetainedBackups: {
    type: "integer",
    minimum: 1,
    maximum: 365,
    default: 30,
    description: "Fewest daily backups kept (the environment profile's database.backupRetentionDays).",
  },
  requireRegional: {
    type: "boolean",
    default: true,
    description: "Require availabilityType REGIONAL (the environment profile's database.multiAz).",
  },
});

/** Backups with point-in-time recovery kept for the environment's minimum, and REGIONAL: a primary's duty. */
function primaryBackupsHa(
  props: SqlInstanceProps,
  {
    environment,
    minimumRetainedBackups,
    requireRegional,
  }: { environment: string; minimumRetainedBackups: number; requireRegional: boolean },
  report: (message: string) => void,
): void {
  const backup = props.settings?.backupConfiguration ?? {};
  const off = [backup.enabled !== true && "enabled", backup.pointInTimeRecoveryEnabled !== true && "pointInTimeRecoveryEnabled"].filter(
    (x): x is string => x !== false,
  );
  if (off.length > 0)
    report(
      `settings.backupConfiguration ${sentence(off)} ${off.length === 1 ? "is" : "are"} not true: set ${off.length === 1 ? "it" : "both"} to true`,
    );
  // Cloud SQL keeps 7 backups when retainedBackups is not given.
  const kept = backup.backupRetentionSettings?.retainedBackups ?? 7;
  if (kept < minimumRetainedBackups)
    report(
      `settings.backupConfiguration.backupRetentionSettings.retainedBackups is ${kept}: ${environment} keeps at least ${minimumRetainedBackups} backups`,
    );
  if (requireRegional && props.settings?.availabilityType !== "REGIONAL") {
    report(
      `settings.availabilityType is ${props.settings?.availabilityType ?? "unset (ZONAL)"}: ${environment} runs "REGIONAL" so a zone outage fails over`,
    );
  }
}

const sqlBackupsHa: PlatformResourcePolicy = {
  name: "sql-backups-ha",
  description:
    "Cloud SQL takes daily backups with point-in-time recovery kept for the environment's minimum, runs REGIONAL, and refuses deletion (read replicas: deletion protection only).",
  rationale:
    "The retained backups bound how far back recovery reaches, a REGIONAL instance fails over when its zone goes down, and deletion protection stops a mistaken delete from taking the data.",
  anchors: ["CKV_GCP_14"],
  remediationSteps:
    'Set settings.backupConfiguration { enabled: true, pointInTimeRecoveryEnabled: true, backupRetentionSettings: { retainedBackups: <minimum> } }, settings.availabilityType "REGIONAL", settings.deletionProtectionEnabled true, and keep deletionProtection true.',
  enforcementLevel: "mandatory",
  configSchema: backupsConfig,
  validateResource: forTypes<SqlInstanceProps>([INSTANCE], (props, args, report) => {
    if (!isReplica(props)) primaryBackupsHa(props, settings(backupsConfig, args), report);
    if (props.deletionProtection === false) report("deletionProtection is false: remove it or set it to true");
    if (props.settings?.deletionProtectionEnabled !== true)
      report("settings.deletionProtectionEnabled is not true: set it to true so the instance cannot be deleted from any tool");
  }),
};

export const cloudsqlPolicies = [sqlPrivateTls, sqlCmek, sqlBackupsHa];
