// The Cloud Storage bucket logical backups (pg_dump) are written to: in the stack's region, closed to the
// public, governed by IAM alone, versioned, encrypted by default with its own Cloud KMS key, expiring per
// environment, written and read through roles granted on this bucket alone.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { BackupStore, WorkloadIdentity } from "../types";
import { grantedEncryptionKey } from "./kms";
import { checkWholeNumber, failer, show } from "../args";
import { grantName } from "../grants";

export interface BackupBucketArgs {
  /** Region of the bucket and of its key, e.g. "europe-west1": the stack's region. */
  location: string;
  /**
   * The project's Cloud Storage service agent, which encrypts objects with the key, as an IAM member
   * (`serviceAccount:service-<number>@gs-project-accounts.iam.gserviceaccount.com`) taken from
   * gcp.storage.getProjectServiceAccount (ProjectApis.storageServiceAgent). Google creates the agent when that
   * lookup is first made, so a name built from the project number may name no account yet, and IAM refuses the
   * grant (the provider's documentation of the lookup).
   */
  storageServiceAgent: pulumi.Output<string>;
  /** Days a backup stays live before lifecycle deletion turns it into a noncurrent version, 1-3650. */
  retentionDays: number;
  /**
   * Days a noncurrent version (an expired or deleted backup) is kept before it is deleted for good, 1-365.
   * Two weekly restore-verification cycles: a dump lost right after one verification is still
   * recoverable when the next one alerts, with a week to act.
   * @default 14
   */
  noncurrentVersionDays?: number;
  /** Pulumi `protect` on the bucket and its key ring and key (infra passes true in staging and production). */
  protect: boolean;
}

export const DEFAULT_NONCURRENT_VERSION_DAYS = 14;
/** Parts of an abandoned XML API multipart upload are billed until aborted; dumps finish within hours. */
const ABORT_INCOMPLETE_UPLOAD_DAYS = 1;
/** Objects deleted for good (by lifecycle or anyone) stay restorable this long: 7 days, the least GCS allows. */
export const SOFT_DELETE_SECONDS = 7 * 86400;
/** Bytes of the random part of the bucket name: 8 hex digits. */
const SUFFIX_BYTES = 4;
const MAX_BUCKET_NAME = 63;
/** What the bucket name can take before `-<8 hex>`. */
const MAX_PREFIX = MAX_BUCKET_NAME - 1 - 2 * SUFFIX_BYTES;

const COMPONENT_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,23}$/;
const REGION = /^[a-z]+-[a-z]+[1-9][0-9]?$/;

/** The arguments with their defaults applied; throws `BackupBucket <name>: args.<argument> must ...` on the first bad one. */
export function resolveBackupBucketArgs(name: string, args: BackupBucketArgs): Required<BackupBucketArgs> {
  const fail = failer("BackupBucket", name);
  if (!COMPONENT_NAME.test(name))
    fail(
      `name must be 1-24 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, because it becomes part of the bucket's and the key's names (got ${show(name)})`,
    );
  if (!REGION.test(args.location))
    fail(`args.location must be a region such as "europe-west1": the bucket and its key live in one region (got ${show(args.location)})`);
  checkWholeNumber(args.retentionDays, 1, 3650, "args.retentionDays", fail);
  const noncurrentVersionDays = args.noncurrentVersionDays ?? DEFAULT_NONCURRENT_VERSION_DAYS;
  checkWholeNumber(noncurrentVersionDays, 1, 365, "args.noncurrentVersionDays", fail);
  return { ...args, noncurrentVersionDays };
}

/**
 * `<project>-<stack>-<name>` in the characters a bucket name takes (lower case, `.` and `_` as `-`); the
 * bucket name adds `-<8 random hex>`, since bucket names are global across all of Cloud Storage.
 */
export function bucketNamePrefix(name: string, project = pulumi.getProject(), stack = pulumi.getStack()): string {
  const prefix = `${project}-${stack}-${name}`.toLowerCase().replace(/[._]/g, "-");
  const fail = failer("BackupBucket", name);
  if (prefix.length > MAX_PREFIX)
    fail(`the bucket name prefix ${show(prefix)} (project-stack-name) must be at most ${MAX_PREFIX} characters (got ${prefix.length})`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(prefix) || /^goog|g[o0][o0]gle/.test(prefix))
    fail(
      `the bucket name prefix ${show(prefix)} (project-stack-name) must be lower-case letters, digits and hyphens, start with a letter or digit, and neither start with "goog" nor contain "google"`,
    );
  return prefix;
}

/**
 * Live backups are deleted after the retention (on a versioned bucket: made noncurrent), noncurrent ones
 * after their own days; parts of abandoned XML API multipart uploads are removed after a day (rclone uploads
 * through the JSON API, whose unfinished resumable uploads Cloud Storage drops by itself after a week).
 */
function lifecycleRules(a: Required<BackupBucketArgs>): gcp.types.input.storage.BucketLifecycleRule[] {
  return [
    // LIVE only: without it the age rule would also delete, for good, noncurrent versions older than the retention.
    { action: { type: "Delete" }, condition: { age: a.retentionDays, withState: "LIVE" } },
    { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: a.noncurrentVersionDays } },
    { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: ABORT_INCOMPLETE_UPLOAD_DAYS } },
  ];
}

/** The bucket: closed to the public, IAM only, versioned, `key` by default, never destroyed with its objects. */
function createBucket(
  name: string,
  prefix: string,
  a: Required<BackupBucketArgs>,
  key: { id: pulumi.Output<string>; grants: pulumi.Resource[] },
  parent: pulumi.Resource,
): gcp.storage.Bucket {
  const suffix = new random.RandomId(`${name}-name-suffix`, { byteLength: SUFFIX_BYTES }, { parent });
  return new gcp.storage.Bucket(
    `${name}-bucket`,
    {
      name: pulumi.interpolate`${prefix}-${suffix.hex}`,
      location: a.location,
      storageClass: "STANDARD",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      lifecycleRules: lifecycleRules(a),
      softDeletePolicy: { retentionDurationSeconds: SOFT_DELETE_SECONDS },
      encryption: { defaultKmsKeyName: key.id },
      // Never: deleting the stack must not delete the backups with it.
      forceDestroy: false,
    },
    // Cloud Storage refuses a default key its service agent cannot use yet.
    { parent, protect: a.protect, dependsOn: key.grants },
  );
}

/** rclone's settings for a remote named `backup`, authenticated as the pod's Google service account. */
function rcloneEnv(): Record<string, string> {
  return {
    RCLONE_CONFIG_BACKUP_TYPE: "google cloud storage",
    // Application default credentials: the metadata server, which Workload Identity answers for the pod.
    RCLONE_CONFIG_BACKUP_ENV_AUTH: "true",
    // Uniform bucket-level access: no ACL on uploads (Cloud Storage refuses them on such a bucket).
    RCLONE_CONFIG_BACKUP_BUCKET_POLICY_ONLY: "true",
    // The writer may neither list nor create buckets: rclone would list the bucket before its first upload.
    RCLONE_CONFIG_BACKUP_NO_CHECK_BUCKET: "true",
    // No location or storage class: rclone uses them only to create buckets and to override the
    // bucket's default class (STANDARD) per object.
  };
}

export class BackupBucket extends pulumi.ComponentResource implements BackupStore {
  readonly bucketName: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly rcloneEnv: pulumi.Output<Record<string, string>>;
  /** The Cloud KMS key objects are encrypted with by default (its id, `projects/.../cryptoKeys/...`). */
  readonly keyId: pulumi.Output<string>;
  private readonly componentName: string;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = resolveBackupBucketArgs(name, args);
    const prefix = bucketNamePrefix(name);
    super("platform:gcp:BackupBucket", name, {}, opts);
    this.componentName = name;
    const { key, grants } = grantedEncryptionKey(
      `${name}-key`,
      { location: a.location, users: [a.storageServiceAgent], protect: a.protect },
      this,
    );
    const bucket = createBucket(name, prefix, a, { id: key.id, grants }, this);

    this.bucketName = bucket.name;
    this.url = pulumi.interpolate`gs://${bucket.name}`;
    this.rcloneEnv = pulumi.output(rcloneEnv());
    this.keyId = key.id;
    this.registerOutputs({ bucketName: this.bucketName, url: this.url, keyId: this.keyId });
  }

  /**
   * roles/storage.objectCreator on this bucket: create objects, and nothing else. rclone's upload needs no
   * more (with no_check_bucket), and without storage.objects.delete an existing backup cannot be
   * overwritten either. Listing and reading are the verifier's (grantRead).
   */
  grantWrite(identity: WorkloadIdentity): void {
    this.grant("write", "roles/storage.objectCreator", identity);
  }

  /** roles/storage.objectViewer on this bucket: list and read backups, for restore verification. */
  grantRead(identity: WorkloadIdentity): void {
    this.grant("read", "roles/storage.objectViewer", identity);
  }

  private grant(what: string, role: string, identity: WorkloadIdentity): void {
    new gcp.storage.BucketIAMMember(
      grantName(this.componentName, what, identity),
      { bucket: this.bucketName, role, member: pulumi.interpolate`serviceAccount:${identity.principal}` },
      { parent: this },
    );
  }
}
