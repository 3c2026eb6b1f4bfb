// GIVEN a GCP BackupBucket for a dev-like stack (7-day retention, unprotected) and for a production-like one
//       (30-day retention, 30 days of noncurrent versions, protected)
// WHEN the component is recorded under the offline engine
// THEN the engine receives exactly a key ring and a rotating key in the bucket's region, usable by the
//      Cloud Storage service agent given (as ProjectApis looks it up) alone; a globally unique bucket closed
//      to the public, governed by IAM alone, versioned, soft-deleting, encrypted by default with that key
//      (created after the grant), deleting live backups after the retention and noncurrent ones after their
//      days, never force-destroyed;
//      the writer gets object creation only and the reader object reads, on this bucket alone; rclone's
//      remote uses the pod's workload identity; the pack's policies pass; and bad arguments are refused,
//      naming the argument, before anything is registered.
import { describe, expect, test } from "@jest/globals";
import { BackupBucket, type BackupBucketArgs, bucketNamePrefix } from "../../components/gcp/backup-bucket";
import { KEY_ROTATION_PERIOD } from "../../components/gcp/kms";
import production from "../../policies/config/production.json";
import dev from "../../policies/config/dev.json";
import { FACTS, gcpProvider, idOf, once, type Recorded, recordProgram, stateOf, valueOf } from "../harness";
import type { WorkloadIdentity } from "../../components/types";
import * as pulumi from "@pulumi/pulumi";
import { check } from "../policies/harness";

const T = {
  component: "platform:gcp:BackupBucket",
  bucket: "gcp:storage/bucket:Bucket",
  bucketMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
  ring: "gcp:kms/keyRing:KeyRing",
  key: "gcp:kms/cryptoKey:CryptoKey",
  keyMember: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
  suffix: "random:index/randomId:RandomId",
};

const REGION = "europe-west1";
// As ProjectApis looks it up; any address the lookup gives is the one granted.
const AGENT = `serviceAccount:service-${FACTS.projectNumber}@gs-project-accounts.iam.gserviceaccount.com`;
const DEV: BackupBucketArgs = { location: REGION, storageServiceAgent: pulumi.output(AGENT), retentionDays: 7, protect: false };
const PROD: BackupBucketArgs = { ...DEV, retentionDays: 30, noncurrentVersionDays: 30, protect: true };

type Settings = Record<string, Record<string, unknown>>;
const CASES: Array<[string, BackupBucketArgs, { retention: number; noncurrent: number; protect: boolean; settings: Settings }]> = [
  ["dev-like", DEV, { retention: 7, noncurrent: 14, protect: false, settings: dev }],
  ["production-like", PROD, { retention: 30, noncurrent: 30, protect: true, settings: production }],
];

/** A workload identity as the GKE cluster hands it over: a Google service account by e-mail. */
function gsaIdentity(namespace: string, name: string): WorkloadIdentity {
  const email = `${namespace}-${name}@${FACTS.project}.iam.gserviceaccount.com`;
  return {
    serviceAccount: { namespace, name },
    serviceAccountAnnotations: pulumi.output<Record<string, string>>({ "iam.gke.io/gcp-service-account": email }),
    principal: pulumi.output(email),
    principalId: pulumi.output(`projects/${FACTS.project}/serviceAccounts/${email}`),
  };
}

interface Run {
  r: Recorded;
  outputs: Record<string, unknown>;
}

const run = once(async (args: BackupBucketArgs): Promise<Run> => {
  let outputs: Record<string, unknown> = {};
  const r = await recordProgram(async () => {
    const bucket = new BackupBucket("backups", args, { providers: [gcpProvider()] });
    bucket.grantWrite(gsaIdentity("backups", "pg-dump"));
    bucket.grantRead(gsaIdentity("backups", "restore-check"));
    outputs = {
      bucketName: await valueOf(bucket.bucketName),
      url: await valueOf(bucket.url),
      keyId: await valueOf(bucket.keyId),
      rcloneEnv: await valueOf(bucket.rcloneEnv),
    };
  });
  return { r, outputs };
});

describe.each(CASES)("GCP BackupBucket, %s", (_label, args, x) => {
  const hexOf = (r: Recorded, name: string) => String(stateOf(r.one(T.suffix, name)).hex);
  const bucketName = (r: Recorded) => `platform-test-backups-${hexOf(r, "backups-name-suffix")}`;

  test("registers exactly these resources, all under the component and its provider, with no secret inputs", async () => {
    const { r } = await run(args);
    const component = r.one(T.component);
    const provider = r.one("pulumi:providers:gcp");
    const children = r.resources.filter((c) => c.parent === component.urn);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${T.bucket} backups-bucket`,
        `${T.bucketMember} backups-read-backups-restore-check`,
        `${T.bucketMember} backups-write-backups-pg-dump`,
        `${T.key} backups-key`,
        `${T.keyMember} backups-key-user-0`,
        `${T.ring} backups-key-ring`,
        `${T.suffix} backups-key-ring-suffix`,
        `${T.suffix} backups-name-suffix`,
      ].sort(),
    );
    for (const child of children.filter((c) => c.type.startsWith("gcp:")))
      expect({ name: child.name, provider: child.provider, secrets: child.secretInputs }).toEqual({
        name: child.name,
        provider: provider.urn,
        secrets: [],
      });
  });

  test("the key ring and key in the bucket's region, rotating every 90 days, protected as asked", async () => {
    const { r } = await run(args);
    const ring = r.one(T.ring);
    const key = r.one(T.key);
    expect(ring.inputs).toEqual({ name: `platform-test-backups-key-${hexOf(r, "backups-key-ring-suffix")}`, location: REGION });
    expect(key.inputs).toEqual({ name: "backups-key", keyRing: idOf(ring), purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" });
    expect(KEY_ROTATION_PERIOD).toBe("7776000s");
    expect([ring.protect, key.protect]).toEqual([x.protect, x.protect]);
  });

  test("only the Cloud Storage service agent given may encrypt and decrypt with the key", async () => {
    const { r } = await run(args);
    expect(r.one(T.keyMember).inputs).toEqual({
      cryptoKeyId: idOf(r.one(T.key)),
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: AGENT,
    });
  });

  test("the bucket: unique name, region, IAM only, no public access, versions, lifecycle, soft delete, default key", async () => {
    const { r } = await run(args);
    const bucket = r.one(T.bucket);
    expect(r.one(T.suffix, "backups-name-suffix").inputs).toEqual({ byteLength: 4 });
    expect(bucket.inputs).toEqual({
      name: bucketName(r),
      location: REGION,
      storageClass: "STANDARD",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      lifecycleRules: [
        { action: { type: "Delete" }, condition: { age: x.retention, withState: "LIVE" } },
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: x.noncurrent } },
        { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 1 } },
      ],
      softDeletePolicy: { retentionDurationSeconds: 604800 },
      encryption: { defaultKmsKeyName: idOf(r.one(T.key)) },
      forceDestroy: false,
    });
    expect(bucket.protect).toBe(x.protect);
    // Created after the service agent may use the key: Cloud Storage checks it when the default key is set.
    expect(bucket.dependencies).toContain(r.one(T.keyMember).urn);
    expect(bucket.propertyDependencies).toEqual({
      name: [r.one(T.suffix, "backups-name-suffix").urn],
      encryption: [r.one(T.key).urn],
    });
  });

  test("grants: the writer creates objects, the reader lists and reads them, on this bucket alone", async () => {
    const { r } = await run(args);
    const member = (name: string) => `serviceAccount:${name}@${FACTS.project}.iam.gserviceaccount.com`;
    expect(r.named("backups-write-backups-pg-dump").inputs).toEqual({
      bucket: bucketName(r),
      role: "roles/storage.objectCreator",
      member: member("backups-pg-dump"),
    });
    expect(r.named("backups-read-backups-restore-check").inputs).toEqual({
      bucket: bucketName(r),
      role: "roles/storage.objectViewer",
      member: member("backups-restore-check"),
    });
    expect(r.named("backups-write-backups-pg-dump").propertyDependencies.bucket).toEqual([r.one(T.bucket).urn]);
  });

  test("outputs: the bucket's name, gs:// URL, key and the rclone remote for workload identity", async () => {
    const { r, outputs } = await run(args);
    expect(outputs).toEqual({
      bucketName: bucketName(r),
      url: `gs://${bucketName(r)}`,
      keyId: idOf(r.one(T.key)),
      rcloneEnv: {
        RCLONE_CONFIG_BACKUP_TYPE: "google cloud storage",
        RCLONE_CONFIG_BACKUP_ENV_AUTH: "true",
        RCLONE_CONFIG_BACKUP_BUCKET_POLICY_ONLY: "true",
        RCLONE_CONFIG_BACKUP_NO_CHECK_BUCKET: "true",
      },
    });
  });

  test.each(["gcs-no-public", "gcs-backup-posture", "gcp-no-basic-roles", "kms-rotation", "stateful-protected", "no-plaintext-secrets"])(
    "the environment's %s policy finds nothing to report",
    async (policyName) => {
      const { r } = await run(args);
      const settings = x.settings[policyName]!;
      // Dev disables stateful-protected: its resources are not protected on purpose.
      if (settings.enforcementLevel === "disabled") return expect(x.protect).toBe(false);
      expect((await check(policyName, r.resources, settings)).messages).toEqual([]);
    },
  );
});

describe("GCP BackupBucket under the production policies", () => {
  test("the posture policy reads this bucket: without its noncurrent rule and versions it reports", async () => {
    const { r } = await run(PROD);
    const weakened = r.resources.map((c) =>
      c.type === T.bucket
        ? { ...c, inputs: { ...c.inputs, versioning: { enabled: false }, lifecycleRules: [(c.inputs.lifecycleRules as unknown[])[0]] } }
        : c,
    );
    expect((await check("gcs-backup-posture", weakened, production["gcs-backup-posture"])).messages).toEqual([
      "versioning.enabled is not true: set it to true so an overwritten or deleted dump can be recovered",
    ]);
  });
});

describe("GCP BackupBucket arguments", () => {
  const bad: Array<[string, string, Partial<BackupBucketArgs>, string]> = [
    [
      "a name that cannot be part of a bucket name",
      "Backups",
      {},
      "name must be 1-24 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, because it becomes part of the bucket's and the key's names (got \"Backups\")",
    ],
    [
      "a multi-region location",
      "backups",
      { location: "EU" },
      'args.location must be a region such as "europe-west1": the bucket and its key live in one region (got "EU")',
    ],
    ["no retention", "backups", { retentionDays: 0 }, "args.retentionDays must be a whole number from 1 to 3650 (got 0)"],
    ["a fractional retention", "backups", { retentionDays: 7.5 }, "args.retentionDays must be a whole number from 1 to 3650 (got 7.5)"],
    ["too long a retention", "backups", { retentionDays: 3651 }, "args.retentionDays must be a whole number from 1 to 3650 (got 3651)"],
    [
      "no noncurrent version days",
      "backups",
      { noncurrentVersionDays: 0 },
      "args.noncurrentVersionDays must be a whole number from 1 to 365 (got 0)",
    ],
    [
      "too many noncurrent version days",
      "backups",
      { noncurrentVersionDays: 366 },
      "args.noncurrentVersionDays must be a whole number from 1 to 365 (got 366)",
    ],
  ];

  test.each(bad)("refuses %s, naming the argument", async (_label, name, override, message) => {
    const attempt = recordProgram(() => new BackupBucket(name, { ...DEV, ...override }, { providers: [gcpProvider()] }));
    await expect(attempt).rejects.toThrow(new Error(`BackupBucket ${name}: ${message}`));
  });

  test("the bucket name prefix: project, stack and name in bucket-name characters, short enough for the suffix", () => {
    expect(bucketNamePrefix("backups", "platform", "Prod_EU.1")).toBe("platform-prod-eu-1-backups");
    // 54 characters fit: with "-" and 8 hex digits the name is 63 long, the most Cloud Storage takes.
    expect(bucketNamePrefix("backups", "platform", "a".repeat(37))).toHaveLength(54);
    const long = "a".repeat(38);
    expect(() => bucketNamePrefix("backups", "platform", long)).toThrow(
      new Error(
        `BackupBucket backups: the bucket name prefix "platform-${long}-backups" (project-stack-name) must be at most 54 characters (got 55)`,
      ),
    );
    const refused = (prefix: string) =>
      `BackupBucket backups: the bucket name prefix "${prefix}" (project-stack-name) must be lower-case letters, digits and hyphens, start with a letter or digit, and neither start with "goog" nor contain "google"`;
    expect(() => bucketNamePrefix("backups", "googly", "dev")).toThrow(new Error(refused("googly-dev-backups")));
    expect(() => bucketNamePrefix("backups", "platform", "g00gle")).toThrow(new Error(refused("platform-g00gle-backups")));
    expect(() => bucketNamePrefix("backups", "-platform", "dev")).toThrow(new Error(refused("-platform-dev-backups")));
  });
});
