// S3. AWS provider v7 keeps a bucket's public access block, encryption, versioning and lifecycle in side
// resources (aws.s3.BucketPublicAccessBlock, ...), each naming the bucket in its `bucket` input, so these
// are stack policies that pair each bucket with its side resources. The deprecated inline arguments of
// aws.s3.Bucket are honoured too. Anchors: CKV2_AWS_6/61, CKV_AWS_21/145, compliance-policies.
import {
  configSchema,
  ENVIRONMENT,
  eachKnown,
  known,
  type PlatformStackPolicy,
  type PolicyResource,
  propsOf,
  settings,
} from "./lib/policy";
import { attachedTo, lineage, ofType } from "./lib/stack";
import { list, record, text } from "./lib/values";

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PUBLIC_ACCESS_BLOCK = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const ENCRYPTION = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const LIFECYCLE = [
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];
const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** aws.s3.BucketArgs, including the deprecated inline settings some programs still use. */
export interface BucketProps {
  bucket?: string;
  versioning?: { enabled?: boolean };
  serverSideEncryptionConfiguration?: { rule?: { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string } } };
  lifecycleRules?: { enabled?: boolean; expiration?: { days?: number }; noncurrentVersionExpiration?: { days?: number } }[];
}
export interface PublicAccessBlockProps {
  bucket?: string;
  blockPublicAcls?: boolean;
  blockPublicPolicy?: boolean;
  ignorePublicAcls?: boolean;
  restrictPublicBuckets?: boolean;
}
export interface EncryptionConfigurationProps {
  bucket?: string;
  rules?: { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string } }[];
}
export interface VersioningProps {
  bucket?: string;
  versioningConfiguration?: { status?: string };
}
export interface LifecycleConfigurationProps {
  bucket?: string;
  rules?: { id?: string; status?: string; expiration?: { days?: number }; noncurrentVersionExpiration?: { noncurrentDays?: number } }[];
}

/** Side resources of `types` that configure `bucket` (by output or by its literal name). */
const sideOf = (resources: readonly PolicyResource[], bucket: PolicyResource, types: readonly string[]) =>
  attachedTo(resources, bucket, "bucket", types, ["bucket", "id"]);

const backupSelector = {
  backupBucketPattern: {
    type: "string",
    default: "backup",
    description:
      "Case-insensitive pattern; a bucket whose bucket or resource name, or whose ancestors' type or name, matches it holds backups.",
  },
} as const;

/** A backup bucket: its bucket name, resource name, or an ancestor's type or name matches the pattern. */
function isBackup(bucket: PolicyResource, pattern: string): boolean {
  const name = known(() => text(propsOf<BucketProps>(bucket).bucket));
  return [...lineage(bucket), ...(name ? [name] : [])].some((n) => new RegExp(pattern, "i").test(n));
}

const s3PublicAccessBlock: PlatformStackPolicy = {
  name: "s3-public-access-block",
  description: "Every bucket has its own public access block with all four settings on.",
  rationale:
    "A bucket policy or an ACL can make objects public by mistake; the block overrides both, so the backups cannot be exposed. AWS provider v7 keeps it in a resource of its own, so the policy looks at the whole stack.",
  anchors: ["CKV2_AWS_6"],
  remediationSteps:
    "Create an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    eachKnown(ofType(args.resources, ...BUCKETS), (bucket) => {
      const blocks = sideOf(args.resources, bucket, PUBLIC_ACCESS_BLOCK);
      if (blocks.length === 0)
        return report(
          `bucket ${bucket.name} has no public access block: create an aws.s3.BucketPublicAccessBlock for it with all four settings true`,
          bucket.urn,
        );
      for (const block of blocks) {
        const props = propsOf<PublicAccessBlockProps>(block);
        const off = (["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const).filter(
          (flag) => props[flag] !== true,
        );
        if (off.length > 0)
          report(
            `public access block ${block.name} of bucket ${bucket.name} leaves ${off.join(", ")} off: set ${off.length === 1 ? "it" : "them"} to true`,
            block.urn,
          );
      }
    });
  },
};

const s3Encryption: PlatformStackPolicy = {
  name: "s3-encryption",
  description: "Every bucket encrypts new objects with KMS by default.",
  rationale:
    "With KMS, reading an object takes permission on the key as well as on the bucket, and each decryption is logged, so a leaked S3 permission alone does not expose the data.",
  anchors: ["CKV_AWS_145", "Pulumi compliance-policies"],
  remediationSteps:
    'Create an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with applyServerSideEncryptionByDefault { sseAlgorithm: "aws:kms", kmsMasterKeyId: <key ARN> } and bucketKeyEnabled true.',
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    eachKnown(ofType(args.resources, ...BUCKETS), (bucket) => {
      const inline = text(
        propsOf<BucketProps>(bucket).serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault?.sseAlgorithm,
      );
      const configs = sideOf(args.resources, bucket, ENCRYPTION);
      const algorithms = [
        ...(inline ? [inline] : []),
        ...configs.flatMap((c) =>
          list(propsOf<EncryptionConfigurationProps>(c).rules).map(
            (r) => text(record(record(r).applyServerSideEncryptionByDefault).sseAlgorithm) ?? "none",
          ),
        ),
      ];
      if (algorithms.length === 0)
        report(
          `bucket ${bucket.name} has no default encryption: create an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms"`,
          bucket.urn,
        );
      else if (!algorithms.some((a) => KMS_ALGORITHMS.includes(a)))
        report(
          `bucket ${bucket.name} encrypts with ${algorithms.join(", ")}: set sseAlgorithm to "aws:kms" with a customer-managed kmsMasterKeyId`,
          bucket.urn,
        );
    });
  },
};

const versioningConfig = configSchema(backupSelector);

function versioned(resources: readonly PolicyResource[], bucket: PolicyResource): boolean {
  if (propsOf<BucketProps>(bucket).versioning?.enabled === true) return true;
  return sideOf(resources, bucket, VERSIONING).some((v) => propsOf<VersioningProps>(v).versioningConfiguration?.status === "Enabled");
}

const s3Versioning: PlatformStackPolicy = {
  name: "s3-versioning",
  description: "Backup buckets keep object versions, so an overwritten or deleted dump can be recovered.",
  rationale:
    "A dump overwritten or deleted, by mistake or by someone with write access, is otherwise gone; its old version stays until the lifecycle expires it.",
  anchors: ["CKV_AWS_21"],
  remediationSteps: 'Create an aws.s3.BucketVersioning for the bucket with versioningConfiguration { status: "Enabled" }.',
  enforcementLevel: "mandatory",
  configSchema: versioningConfig,
  validateStack: (args, report) => {
    const { backupBucketPattern } = settings(versioningConfig, args);
    eachKnown(ofType(args.resources, ...BUCKETS), (bucket) => {
      if (isBackup(bucket, backupBucketPattern) && !versioned(args.resources, bucket)) {
        report(`backup bucket ${bucket.name} is not versioned: create an aws.s3.BucketVersioning for it with status "Enabled"`, bucket.urn);
      }
    });
  },
};

const lifecycleConfig = configSchema({
  ...backupSelector,
  environment: ENVIRONMENT,
  retentionDays: {
    type: "integer",
    minimum: 1,
    default: 30,
    description: "Days a backup is kept (the environment profile's backups.retentionDays).",
  },
});

const s3Lifecycle: PlatformStackPolicy = {
  name: "s3-lifecycle",
  description: "Backup buckets expire objects (and old versions) after the environment's retention, no sooner and no later.",
  rationale:
    "Dumps kept longer than the retention cost money and keep personal data beyond the promised time; dumps expired sooner break the recovery window the environment promises.",
  anchors: ["CKV2_AWS_61"],
  remediationSteps:
    "Create an aws.s3.BucketLifecycleConfiguration with an Enabled rule whose expiration.days equals the environment's backup retention (platform:backups.retentionDays) and, on versioned buckets, a noncurrentVersionExpiration.",
  enforcementLevel: "advisory",
  configSchema: lifecycleConfig,
  validateStack: (args, report) => {
    const { backupBucketPattern, retentionDays, environment } = settings(lifecycleConfig, args);
    eachKnown(ofType(args.resources, ...BUCKETS), (bucket) => {
      if (!isBackup(bucket, backupBucketPattern)) return;
      const rules = [
        ...list(propsOf<BucketProps>(bucket).lifecycleRules).map((r) => ({
          enabled: record(r).enabled === true,
          days: record(record(r).expiration).days,
          noncurrent: record(record(r).noncurrentVersionExpiration).days,
        })),
        ...sideOf(args.resources, bucket, LIFECYCLE).flatMap((c) =>
          list(propsOf<LifecycleConfigurationProps>(c).rules).map((r) => ({
            enabled: record(r).status === "Enabled",
            days: record(record(r).expiration).days,
            noncurrent: record(record(r).noncurrentVersionExpiration).noncurrentDays,
          })),
        ),
      ].filter((r) => r.enabled);
      const expiries = rules.map((r) => r.days).filter((d): d is number => typeof d === "number");
      const keepsVersions = versioned(args.resources, bucket) && !rules.some((r) => typeof r.noncurrent === "number");
      if (expiries.length === 0) {
        report(
          `backup bucket ${bucket.name} never expires objects: add a lifecycle rule with expiration.days ${retentionDays} (${environment} retention)${keepsVersions ? " and a noncurrentVersionExpiration" : ""}`,
          bucket.urn,
        );
        return;
      }
      if (!expiries.includes(retentionDays))
        report(
          `backup bucket ${bucket.name} expires objects after ${expiries.join(", ")} days: ${environment} keeps backups ${retentionDays} days, set expiration.days to ${retentionDays}`,
          bucket.urn,
        );
      if (keepsVersions)
        report(
          `backup bucket ${bucket.name} is versioned but keeps old versions forever: add noncurrentVersionExpiration to its lifecycle rule`,
          bucket.urn,
        );
    });
  },
};

export const s3Policies = [s3PublicAccessBlock, s3Encryption, s3Versioning, s3Lifecycle];
