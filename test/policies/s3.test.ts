// GIVEN S3 buckets and the side resources AWS provider v7 configures them with
// WHEN the S3 stack policies run with each environment's retention
// THEN buckets without a full public access block, KMS encryption, versioning or the right expiry are reported.
import { describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import { check, linked, resource } from "./harness";

const component = resource("platform:aws:BackupBucket", "backups", {}, { custom: false });
const bucket = resource("aws:s3/bucket:Bucket", "backups-bucket", { forceDestroy: false }, { parent: component.urn });
const side = (type: string, name: string, inputs: Record<string, unknown>, of: RecordedResource = bucket) =>
  linked(resource(`aws:s3/${type}`, name, { bucket: "backups-bucket-1a2b3c4", ...inputs }, { parent: component.urn }), "bucket", of);

const block = side("bucketPublicAccessBlock:BucketPublicAccessBlock", "backups-public-access", {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
});
const encryption = side("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "backups-encryption", {
  rules: [
    {
      applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/backups" },
      bucketKeyEnabled: true,
    },
  ],
});
const versioning = side("bucketVersioning:BucketVersioning", "backups-versioning", { versioningConfiguration: { status: "Enabled" } });
const lifecycle = (days: number, noncurrent = true) =>
  side("bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backups-lifecycle", {
    rules: [
      { id: "expire", status: "Enabled", expiration: { days }, ...(noncurrent && { noncurrentVersionExpiration: { noncurrentDays: 7 } }) },
    ],
  });
const complete = [component, bucket, block, encryption, versioning, lifecycle(30)];

describe.each(["s3-public-access-block", "s3-encryption", "s3-versioning", "s3-lifecycle"])("%s", (name) => {
  test("GIVEN the platform's backup bucket with every side resource THEN it passes", async () => {
    expect(await check(name, complete)).toMatchObject({ evaluated: 1, messages: [] });
  });
});

describe("s3-public-access-block", () => {
  test("GIVEN a bucket without a block THEN the bucket is reported", async () => {
    const result = await check("s3-public-access-block", [bucket]);
    expect(result.violations).toEqual([
      {
        urn: bucket.urn,
        message:
          "bucket backups-bucket has no public access block: create an aws.s3.BucketPublicAccessBlock for it with all four settings true",
      },
    ]);
  });

  test("GIVEN a block with two settings off THEN the block is reported", async () => {
    const partial = side("bucketPublicAccessBlock:BucketPublicAccessBlock", "backups-public-access", {
      blockPublicAcls: true,
      blockPublicPolicy: false,
      ignorePublicAcls: true,
    });
    const result = await check("s3-public-access-block", [bucket, partial]);
    expect(result.violations).toEqual([
      {
        urn: partial.urn,
        message:
          "public access block backups-public-access of bucket backups-bucket leaves blockPublicPolicy, restrictPublicBuckets off: set them to true",
      },
    ]);
  });

  test("GIVEN a block for another bucket THEN this bucket still has none", async () => {
    const other = resource("aws:s3/bucket:Bucket", "logs-bucket", {});
    expect(
      (
        await check("s3-public-access-block", [
          bucket,
          other,
          side(
            "bucketPublicAccessBlock:BucketPublicAccessBlock",
            "logs-pab",
            { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            other,
          ),
        ])
      ).messages,
    ).toEqual([
      "bucket backups-bucket has no public access block: create an aws.s3.BucketPublicAccessBlock for it with all four settings true",
    ]);
  });
});

describe("s3-encryption", () => {
  test.each<[string, RecordedResource[], string]>([
    [
      "no encryption configuration",
      [],
      'bucket backups-bucket has no default encryption: create an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms"',
    ],
    [
      "S3-managed keys",
      [
        side("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "backups-encryption", {
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }),
      ],
      'bucket backups-bucket encrypts with AES256: set sseAlgorithm to "aws:kms" with a customer-managed kmsMasterKeyId',
    ],
  ])("GIVEN %s THEN the bucket is reported", async (_, extra, message) => {
    expect((await check("s3-encryption", [bucket, ...extra])).messages).toEqual([message]);
  });

  test("GIVEN the deprecated inline KMS configuration THEN it passes", async () => {
    const inline = {
      ...bucket,
      inputs: { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } } },
    };
    expect((await check("s3-encryption", [inline])).messages).toEqual([]);
  });
});

describe("s3-versioning", () => {
  test.each<[string, RecordedResource[]]>([
    ["no versioning resource", []],
    [
      "versioning suspended",
      [side("bucketVersioning:BucketVersioning", "backups-versioning", { versioningConfiguration: { status: "Suspended" } })],
    ],
  ])("GIVEN a backup bucket with %s THEN it is reported", async (_, extra) => {
    expect((await check("s3-versioning", [component, bucket, ...extra])).messages).toEqual([
      'backup bucket backups-bucket is not versioned: create an aws.s3.BucketVersioning for it with status "Enabled"',
    ]);
  });

  test("GIVEN an unversioned bucket that holds no backups THEN it is not this policy's concern", async () => {
    expect((await check("s3-versioning", [resource("aws:s3/bucket:Bucket", "assets", {})])).messages).toEqual([]);
  });

  test("GIVEN a configured pattern naming the bucket THEN it counts as a backup bucket", async () => {
    expect(
      (await check("s3-versioning", [resource("aws:s3/bucket:Bucket", "pg-dumps", {})], { backupBucketPattern: "dumps" })).messages,
    ).toEqual(['backup bucket pg-dumps is not versioned: create an aws.s3.BucketVersioning for it with status "Enabled"']);
  });
});

describe("s3-lifecycle", () => {
  test.each<[string, RecordedResource[], Record<string, unknown>, string[]]>([
    ["dev keeps 7 days", [lifecycle(7)], { environment: "dev", retentionDays: 7 }, []],
    [
      "staging expiring after 30 days",
      [lifecycle(30)],
      { environment: "staging", retentionDays: 14 },
      ["backup bucket backups-bucket expires objects after 30 days: staging keeps backups 14 days, set expiration.days to 14"],
    ],
    [
      "no lifecycle",
      [],
      { environment: "production", retentionDays: 30 },
      [
        "backup bucket backups-bucket never expires objects: add a lifecycle rule with expiration.days 30 (production retention) and a noncurrentVersionExpiration",
      ],
    ],
    [
      "old versions kept forever",
      [lifecycle(30, false)],
      {},
      ["backup bucket backups-bucket is versioned but keeps old versions forever: add noncurrentVersionExpiration to its lifecycle rule"],
    ],
  ])("GIVEN %s THEN the result follows the environment's retention", async (_, extra, settings, messages) => {
    expect((await check("s3-lifecycle", [component, bucket, versioning, ...extra], settings)).messages).toEqual(messages);
  });
});
