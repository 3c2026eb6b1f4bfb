// ElastiCache (Redis or Valkey replication groups): encryption at rest and in transit, AUTH, failover
// across zones with snapshots kept. Anchors: CKV_AWS_29/30/31, CKV2_AWS_50, AVD-AWS-0045/0051.
import { configSchema, ENVIRONMENT, forTypes, type PlatformResourcePolicy, settings } from "./lib/policy";
import { isSet, sentence, strings } from "./lib/values";

const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

/** aws.elasticache.ReplicationGroupArgs as far as these policies read it. */
export interface ReplicationGroupProps {
  atRestEncryptionEnabled?: boolean;
  kmsKeyId?: string;
  transitEncryptionEnabled?: boolean;
  transitEncryptionMode?: string;
  authToken?: string;
  authTokenWo?: string;
  userGroupIds?: string[];
  automaticFailoverEnabled?: boolean;
  multiAzEnabled?: boolean;
  numCacheClusters?: number;
  replicasPerNodeGroup?: number;
  snapshotRetentionLimit?: number;
}

const redisEncryption: PlatformResourcePolicy = {
  name: "redis-encryption",
  description: "Cache data is encrypted at rest and every connection uses TLS.",
  rationale:
    "The cache holds sessions and copies of database rows: encryption at rest protects its snapshots and disks, TLS protects the data and the AUTH token on the network.",
  anchors: ["CKV_AWS_29", "CKV_AWS_30", "AVD-AWS-0045", "AVD-AWS-0051"],
  remediationSteps:
    'Set atRestEncryptionEnabled to true (with kmsKeyId), transitEncryptionEnabled to true and leave transitEncryptionMode at "required".',
  enforcementLevel: "mandatory",
  validateResource: forTypes<ReplicationGroupProps>([REPLICATION_GROUP], (props, _args, report) => {
    if (props.atRestEncryptionEnabled !== true) report("atRestEncryptionEnabled is not true: set it to true");
    if (props.transitEncryptionEnabled !== true) report("transitEncryptionEnabled is not true: set it to true so clients must use TLS");
    else if (props.transitEncryptionMode !== undefined && props.transitEncryptionMode !== "required") {
      report(`transitEncryptionMode is ${props.transitEncryptionMode}: set it to "required" once clients use TLS`);
    }
  }),
};

const redisAuth: PlatformResourcePolicy = {
  name: "redis-auth",
  description: "Clients authenticate: an AUTH token or an RBAC user group.",
  rationale:
    "Without authentication anything that reaches port 6379 can read, change or flush the cache; the security group is the first guard, credentials the second.",
  anchors: ["CKV_AWS_31"],
  remediationSteps:
    "Set authToken from a generated secret (kept in Secrets Manager), or userGroupIds to an ElastiCache user group; both need transitEncryptionEnabled.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<ReplicationGroupProps>([REPLICATION_GROUP], (props, _args, report) => {
    if (!isSet(props.authToken) && !isSet(props.authTokenWo) && strings(props.userGroupIds).length === 0) {
      report(
        "neither authToken nor userGroupIds is set: anyone who reaches the port can read and write; set authToken from a generated secret",
      );
    }
  }),
};

const haConfig = configSchema({
  environment: ENVIRONMENT,
  minimumSnapshotRetentionDays: {
    type: "integer",
    minimum: 0,
    maximum: 35,
    default: 7,
    description: "Fewest days of automatic snapshots (the production guard rail on platform:cache.snapshotRetentionDays).",
  },
});

const redisHa: PlatformResourcePolicy = {
  name: "redis-ha",
  description: "The cache fails over automatically to a replica in another zone and keeps daily snapshots.",
  rationale:
    "A single node loses the cache, and every write not yet snapshotted, when it or its zone fails; a replica in another zone takes over by itself, and snapshots restore what all nodes lost.",
  anchors: ["CKV2_AWS_50"],
  remediationSteps:
    "Run 2 or more nodes (platform:cache.nodes) with automaticFailoverEnabled and multiAzEnabled true, and set snapshotRetentionLimit (platform:cache.snapshotRetentionDays) to the environment's minimum or more.",
  enforcementLevel: "mandatory",
  configSchema: haConfig,
  validateResource: forTypes<ReplicationGroupProps>([REPLICATION_GROUP], (props, args, report) => {
    const { environment, minimumSnapshotRetentionDays } = settings(haConfig, args);
    const off = [
      props.automaticFailoverEnabled !== true && "automaticFailoverEnabled",
      props.multiAzEnabled !== true && "multiAzEnabled",
    ].filter((x): x is string => x !== false);
    if (off.length > 0)
      report(`${sentence(off)} ${off.length === 1 ? "is" : "are"} not true: set ${off.length === 1 ? "it" : "both"} to true`);
    const replicas = typeof props.replicasPerNodeGroup === "number" ? props.replicasPerNodeGroup : (props.numCacheClusters ?? 1) - 1;
    if (replicas < 1) report(`the group has no replica (numCacheClusters is ${String(props.numCacheClusters ?? 1)}): run at least 2 nodes`);
    const days = props.snapshotRetentionLimit;
    if (typeof days !== "number" || days < minimumSnapshotRetentionDays) {
      report(
        `snapshotRetentionLimit is ${typeof days === "number" ? `${days} days` : "unset (no snapshots)"}: ${environment} keeps cache snapshots at least ${minimumSnapshotRetentionDays} days`,
      );
    }
  }),
};

export const elasticachePolicies = [redisEncryption, redisAuth, redisHa];
