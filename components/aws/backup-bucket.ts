// The S3 bucket logical backups (pg_dump) are written to: private, KMS-encrypted, versioned, TLS only,
// expiring per environment, written and read through policies scoped to this bucket alone.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStore, WorkloadIdentity } from "../types";
import { type AccountInfo, accountInfo } from "./account";
import { stackLabel } from "./data-access";
import * as rules from "./data-args";
import { policyDocument } from "./iam";
import { encryptionKey } from "./kms";
import { denyInsecureTransport, privateBucket } from "./private-bucket";
import { grantName } from "../grants";

export interface BackupBucketArgs {
  /** Days a backup stays current before lifecycle expiry turns it into a noncurrent version, 1-3650. */
  retentionDays: number;
  /**
   * Days a noncurrent version (an expired, deleted or overwritten backup) is kept before it is removed for
   * good, 1-365. Two weekly restore-verification cycles: a dump lost right after one verification is still
   * recoverable when the next one alerts, with a week to act.
   * @default 14
   */
  noncurrentVersionDays?: number;
  /** Pulumi `protect` on the bucket and its key (infra passes true in staging and production). */
  protect: boolean;
}

export const DEFAULT_NONCURRENT_VERSION_DAYS = 14;
/** pg_dump uploads finish within hours; parts of a failed upload are billed until aborted. */
const ABORT_INCOMPLETE_UPLOAD_DAYS = 1;

function resolve(name: string, args: BackupBucketArgs): Required<BackupBucketArgs> {
  const fail: rules.Fail = rules.failer("BackupBucket", name);
  rules.checkName(name, fail);
  rules.checkWholeNumber(args.retentionDays, 1, 3650, "args.retentionDays", fail);
  const noncurrentVersionDays = args.noncurrentVersionDays ?? DEFAULT_NONCURRENT_VERSION_DAYS;
  rules.checkWholeNumber(noncurrentVersionDays, 1, 365, "args.noncurrentVersionDays", fail);
  return { ...args, noncurrentVersionDays };
}

/** Backups expire after the retention, their noncurrent versions later; abandoned uploads are aborted. */
function expireBackups(name: string, bucket: aws.s3.Bucket, a: Required<BackupBucketArgs>, parent: pulumi.Resource): void {
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-backups",
          status: "Enabled",
          filter: { prefix: "" }, // every object
          // With Days set, S3 also removes the delete markers left once no version remains.
          expiration: { days: a.retentionDays },
          noncurrentVersionExpiration: { noncurrentDays: a.noncurrentVersionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
        },
      ],
    },
    { parent },
  );
}

interface AccessPolicyArgs {
  bucket: aws.s3.Bucket;
  key: aws.kms.Key;
  account: AccountInfo;
  /** `<project>-<stack>-<name>`, shown in the policies' descriptions. */
  label: string;
}

/** The managed policies grants attach: the writer puts and lists without delete or read, the reader gets and lists. */
function accessPolicies(name: string, args: AccessPolicyArgs, parent: pulumi.Resource): { writer: aws.iam.Policy; reader: aws.iam.Policy } {
  const { bucket, key, account, label } = args;
  const objects = pulumi.interpolate`${bucket.arn}/*`;
  // kms:ViaService limits the key grants to S3 acting for the caller on this region's buckets.
  const throughS3 = { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${account.region}.${account.dnsSuffix}` } };
  const writer = new aws.iam.Policy(
    `${name}-writer-policy`,
    {
      description: `Write backups to bucket ${label}: no delete, no reads`,
      policy: policyDocument([
        { Sid: "ListBackups", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket.arn },
        { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: objects },
        // kms:Decrypt too: S3 decrypts the uploaded parts' data keys to complete a multipart upload under
        // SSE-KMS. Without s3:GetObject the writer still cannot read a backup.
        {
          Sid: "EncryptBackups",
          Effect: "Allow",
          Action: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"],
          Resource: key.arn,
          Condition: throughS3,
        },
      ]),
    },
    { parent },
  );
  const reader = new aws.iam.Policy(
    `${name}-reader-policy`,
    {
      description: `Read backups from bucket ${label}`,
      policy: policyDocument([
        { Sid: "ListBackups", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket.arn },
        { Sid: "ReadBackups", Effect: "Allow", Action: "s3:GetObject", Resource: objects },
        { Sid: "DecryptBackups", Effect: "Allow", Action: "kms:Decrypt", Resource: key.arn, Condition: throughS3 },
      ]),
    },
    { parent },
  );
  return { writer, reader };
}

/** rclone's settings for a remote named `backup` on the bucket, in `region`. */
function rcloneEnv(region: string): Record<string, string> {
  return {
    RCLONE_CONFIG_BACKUP_TYPE: "s3",
    RCLONE_CONFIG_BACKUP_PROVIDER: "AWS",
    // Credentials from the environment: the web identity token IRSA mounts into the pod.
    RCLONE_CONFIG_BACKUP_ENV_AUTH: "true",
    RCLONE_CONFIG_BACKUP_REGION: region,
    // The writer may not create or inspect the bucket, nor read objects back (HEAD needs s3:GetObject).
    RCLONE_CONFIG_BACKUP_NO_CHECK_BUCKET: "true",
    RCLONE_CONFIG_BACKUP_NO_HEAD: "true",
    // A stream of unknown size goes up in parts, at most 10,000 of them: 64 MiB parts allow dumps up
    // to 625 GiB (the 5 MiB default stops at 48 GiB), with four parts buffered at a time.
    RCLONE_CONFIG_BACKUP_CHUNK_SIZE: "64M",
    // No server_side_encryption header: with aws:kms and no key id S3 would pick the AWS-managed key;
    // without one the bucket's default, its own KMS key, applies to every object.
  };
}

export class BackupBucket extends pulumi.ComponentResource implements BackupStore {
  readonly bucketName: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly rcloneEnv: pulumi.Output<Record<string, string>>;
  readonly bucketArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  /** Put, abort multipart upload and list on this bucket; encrypt with its key. No delete. */
  readonly writerPolicyArn: pulumi.Output<string>;
  /** Get and list on this bucket; decrypt with its key. */
  readonly readerPolicyArn: pulumi.Output<string>;
  private readonly componentName: string;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = resolve(name, args);
    super("platform:aws:BackupBucket", name, {}, opts);
    this.componentName = name;
    const account = accountInfo(this);
    const label = stackLabel(name);
    const key = encryptionKey(`${name}-key`, { description: `Backup bucket ${label}: objects`, account, protect: a.protect }, this);
    const { bucket, publicAccessBlock } = privateBucket(name, key, a.protect, this);
    expireBackups(name, bucket, a, this);
    denyInsecureTransport(name, bucket, publicAccessBlock, this);
    const { writer, reader } = accessPolicies(name, { bucket, key, account, label }, this);

    this.bucketName = bucket.bucket;
    this.url = pulumi.interpolate`s3://${bucket.bucket}`;
    this.rcloneEnv = account.region.apply(rcloneEnv);
    this.bucketArn = bucket.arn;
    this.keyArn = key.arn;
    this.writerPolicyArn = writer.arn;
    this.readerPolicyArn = reader.arn;
    this.registerOutputs({
      bucketName: this.bucketName,
      url: this.url,
      bucketArn: this.bucketArn,
      writerPolicyArn: this.writerPolicyArn,
      readerPolicyArn: this.readerPolicyArn,
    });
  }

  grantWrite(identity: WorkloadIdentity): void {
    this.attach("write", identity, this.writerPolicyArn);
  }

  grantRead(identity: WorkloadIdentity): void {
    this.attach("read", identity, this.readerPolicyArn);
  }

  private attach(what: string, identity: WorkloadIdentity, policyArn: pulumi.Output<string>): void {
    new aws.iam.RolePolicyAttachment(
      grantName(this.componentName, what, identity),
      { role: identity.principalId, policyArn },
      { parent: this },
    );
  }
}
