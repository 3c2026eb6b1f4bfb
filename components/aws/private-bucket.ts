// A private S3 bucket as the platform keeps every bucket (backups, Pulumi state): owner-enforced, closed to
// the public, versioned, SSE-KMS with a given key and no SSE-C, and reachable over TLS only.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "./iam";

/** The bucket, owner-enforced and closed to the public, versioned and encrypted by default with `key`. */
export function privateBucket(
  name: string,
  key: aws.kms.Key,
  protect: boolean,
  parent: pulumi.Resource,
): { bucket: aws.s3.Bucket; publicAccessBlock: aws.s3.BucketPublicAccessBlock } {
  // Never forceDestroy: deleting the stack must not delete what the bucket holds with it.
  const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: false }, { parent, protect });
  const opt = { parent };
  new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opt);
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access-block`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opt,
  );
  new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opt);
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket: bucket.id,
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
          // One data key per bucket instead of per object: fewer KMS calls, same key.
          bucketKeyEnabled: true,
          blockedEncryptionTypes: ["SSE-C"],
        },
      ],
    },
    opt,
  );
  return { bucket, publicAccessBlock };
}

/** The bucket policy: any request without TLS is denied. */
export function denyInsecureTransport(
  name: string,
  bucket: aws.s3.Bucket,
  publicAccessBlock: aws.s3.BucketPublicAccessBlock,
  parent: pulumi.Resource,
): void {
  new aws.s3.BucketPolicy(
    `${name}-policy`,
    {
      bucket: bucket.id,
      policy: policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    },
    // S3 refuses concurrent changes to one bucket's access settings (OperationAborted).
    { parent, dependsOn: [publicAccessBlock] },
  );
}
