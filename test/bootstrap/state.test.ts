// GIVEN the bootstrap stacks as shipped
// WHEN they are reviewed offline with the production policy config
// THEN no policy fails; the state buckets are protected, versioned, private and encrypted, the keys rotate and
//      are protected; the deploy role may not weaken the bootstrap, and the preview identities only read: previews
//      and drift checks take no lock in Pulumi's DIY backend, so they write nothing to the state.
import { describe, expect, test } from "@jest/globals";
import type { RecordedResource } from "../../review/engine";
import { bootstrapReview } from "../reviews";

const aws = bootstrapReview("aws");
const gcp = bootstrapReview("gcp");
const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const one = (resources: RecordedResource[], type: string) => {
  const found = ofType(resources, type);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const BUCKET_ARN = "arn:aws:s3:::state-bucket-"; // the auto-named bucket's ARN starts so

describe.each([
  ["aws", aws, 20],
  ["gcp", gcp, 42],
])("bootstrap stack %s", (_stack, report, count) => {
  test(`registers ${count} resources and passes every policy of the pack (production config)`, () => {
    expect(report.resources.filter((r) => r.parent !== null)).toHaveLength(count);
    expect(report.config["platform-bootstrap:environment"]).toBe("production");
    expect(report.policies.length).toBeGreaterThan(40);
    expect(report.policies.flatMap((p) => p.violations)).toEqual([]);
  });
});

describe("AWS state backend", () => {
  test("the bucket is protected and never force-destroyed, versioned, SSE-KMS with its own key, closed to the public", () => {
    const bucket = one(aws.resources, "aws:s3/bucket:Bucket");
    expect(bucket).toMatchObject({ name: "state-bucket", protect: true, inputs: { forceDestroy: false } });
    expect(one(aws.resources, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    const stateKey = aws.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "state-state-key")!;
    expect(
      one(aws.resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules,
    ).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: expect.stringMatching(/^arn:aws:kms:eu-west-1:123456789012:key\//),
        },
        bucketKeyEnabled: true,
        blockedEncryptionTypes: ["SSE-C"],
      },
    ]);
    expect(stateKey.protect).toBe(true);
    expect(one(aws.resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  });

  test("old state versions expire after 90 days, current ones never; requests without TLS are denied", () => {
    expect(one(aws.resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules).toEqual([
      {
        id: "expire-old-state-versions",
        status: "Enabled",
        filter: { prefix: "" },
        noncurrentVersionExpiration: { noncurrentDays: 90 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
    const policy = JSON.parse(one(aws.resources, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy as string) as { Statement: unknown[] };
    expect(policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [expect.stringMatching(new RegExp(`^${BUCKET_ARN}[0-9a-f]{7}$`)), expect.stringMatching(/\/\*$/)],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("both keys rotate and are protected; the secrets provider is the secrets key's alias in the stack's region", () => {
    const keys = ofType(aws.resources, "aws:kms/key:Key");
    expect(keys.map((k) => [k.name, k.protect, k.inputs.enableKeyRotation])).toEqual([
      ["state-state-key", true, true],
      ["state-secrets-key", true, true],
    ]);
    expect(aws.outputs.secretsProvider).toBe("awskms://alias/platform-bootstrap-aws-state-secrets-key?region=eu-west-1");
    expect(ofType(aws.resources, "aws:kms/alias:Alias").map((a) => a.inputs.name)).toContain(
      "alias/platform-bootstrap-aws-state-secrets-key",
    );
    expect(aws.outputs.backendUrl).toMatch(/^s3:\/\/state-bucket-[0-9a-f]{7}$/);
    expect([aws.outputs.deployRoleArn, aws.outputs.previewRoleArn]).toEqual([
      "arn:aws:iam::123456789012:role/platform-github-deploy",
      "arn:aws:iam::123456789012:role/platform-github-preview",
    ]);
  });

  const policyOf = (name: string) =>
    JSON.parse(aws.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === name)!.inputs.policy as string) as {
      Statement: { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[] }[];
    };

  test("the deploy role acts in the platform's services and may not change its own roles, the state bucket's settings or the keys", () => {
    const statements = policyOf("github-deploy-policy").Statement;
    expect(statements.map((s) => [s.Sid, s.Effect])).toEqual([
      ["PlatformServices", "Allow"],
      ["KeepBootstrapRoles", "Deny"],
      ["KeepStateBucket", "Deny"],
      ["KeepStateKeys", "Deny"],
    ]);
    expect(statements[0]!.Action).toEqual([
      "ec2:*",
      "eks:*",
      "rds:*",
      "elasticache:*",
      "s3:*",
      "kms:*",
      "logs:*",
      "secretsmanager:*",
      "iam:*",
      "sts:GetCallerIdentity",
    ]);
    expect(statements[1]!.Resource).toEqual([
      "arn:aws:iam::123456789012:role/platform-github-deploy",
      "arn:aws:iam::123456789012:role/platform-github-preview",
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    ]);
    expect(statements[2]!.Action).toContain("s3:DeleteBucket");
    expect(statements[3]!.Action).toEqual(["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:DisableKeyRotation"]);
  });

  test("the preview role reads everything, reads the state, and decrypts", () => {
    expect(one(aws.resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn).toBe(
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    );
    const statements = policyOf("github-preview-policy").Statement;
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ["ReadState", ["s3:GetObject", "s3:ListBucket"]],
      ["DecryptStateAndSecrets", ["kms:Decrypt", "kms:GenerateDataKey"]],
      ["ReadPlatformSecretValues", "secretsmanager:GetSecretValue"],
      ["DecryptPlatformSecretValues", "kms:Decrypt"],
      ["NotDatabaseMasterPasswords", "secretsmanager:GetSecretValue"],
    ]);
  });
});

describe("GCP state backend", () => {
  test("the bucket is protected, uniform, public access prevention enforced, versioned, old versions deleted after 90 days", () => {
    const bucket = one(gcp.resources, "gcp:storage/bucket:Bucket");
    expect(bucket.protect).toBe(true);
    expect(bucket.inputs).toMatchObject({
      name: "example-platform-prod-pulumi-state",
      location: "europe-west1",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      forceDestroy: false,
      lifecycleRules: [{ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 90, withState: "ARCHIVED" } }],
    });
  });

  test("the secrets key rotates every 90 days and, with its ring, is protected; deploy encrypts, preview only decrypts", () => {
    const key = one(gcp.resources, "gcp:kms/cryptoKey:CryptoKey");
    expect([key.protect, key.inputs.rotationPeriod, key.inputs.purpose]).toEqual([true, "7776000s", "ENCRYPT_DECRYPT"]);
    expect(one(gcp.resources, "gcp:kms/keyRing:KeyRing").protect).toBe(true);
    expect(ofType(gcp.resources, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((g) => [g.inputs.role, g.inputs.member])).toEqual([
      ["roles/cloudkms.cryptoKeyEncrypterDecrypter", "serviceAccount:github-deploy@example-platform-prod.iam.gserviceaccount.com"],
      ["roles/cloudkms.cryptoKeyDecrypter", "serviceAccount:github-preview@example-platform-prod.iam.gserviceaccount.com"],
    ]);
  });

  test("no basic role is granted; the preview account gets viewer roles and the custom role of secret reads only", () => {
    const roles = ofType(gcp.resources, "gcp:projects/iAMMember:IAMMember").map((g) => g.inputs.role as string);
    expect(roles.filter((r) => ["roles/owner", "roles/editor", "roles/viewer"].includes(r))).toEqual([]);
    const preview = ofType(gcp.resources, "gcp:projects/iAMMember:IAMMember")
      .filter((g) => String(g.inputs.member).includes("github-preview"))
      .map((g) => g.inputs.role);
    expect(preview).toEqual([
      "roles/compute.networkViewer",
      "roles/container.viewer",
      "roles/cloudsql.viewer",
      "roles/redis.viewer",
      "roles/cloudkms.viewer",
      "roles/secretmanager.viewer",
      "roles/iam.securityReviewer",
      "roles/logging.viewer",
      "roles/storage.bucketViewer",
      "projects/example-platform-prod/roles/platformPreviewSecretReader",
    ]);
    // The custom role reads and writes nothing else.
    expect(one(gcp.resources, "gcp:projects/iAMCustomRole:IAMCustomRole").inputs.permissions).toEqual([
      "container.secrets.get",
      "container.secrets.list",
      "redis.instances.getAuthString",
    ]);
  });
});

// `pulumi preview` and `pulumi refresh --preview-only` run as dry runs that neither take the stack's lock nor
// persist a snapshot or history in the DIY backend (pulumi/pulumi pkg/backend/diy/backend.go@v3.259.0: Preview and
// the PreviewOnly branch of Refresh call apply with DryRun and no b.Lock; apply persists only when !DryRun). So an
// identity that previews needs no write to the state, and one that could write would let a pull request's code
// rewrite any stack's state.
const S3_READS = /^s3:(Get|List)[A-Za-z]*$/;
const GCS_READ_ROLES = ["roles/storage.objectViewer"];

/** Every Allow of an S3 action that is not a Get or List: what a statement list lets its role write to buckets. */
function s3Writes(statements: { Sid?: string; Effect: string; Action: string | string[] }[]): string[] {
  return statements.flatMap((s) =>
    s.Effect === "Allow"
      ? [s.Action]
          .flat()
          .filter((a) => a.startsWith("s3:") && !S3_READS.test(a))
          .map((a) => `${s.Sid}: ${a}`)
      : [],
  );
}

/** Every bucket grant to `member` beyond reading objects. */
function gcsWrites(resources: RecordedResource[], member: string): string[] {
  return resources
    .filter((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember" && r.inputs.member === member)
    .filter((r) => !GCS_READ_ROLES.includes(r.inputs.role as string))
    .map((r) => `${r.name}: ${String(r.inputs.role)}`);
}

describe("the preview identities write nothing to the state", () => {
  const previewRole = "platform-github-preview";
  const previewMember = "serviceAccount:github-preview@example-platform-prod.iam.gserviceaccount.com";

  test("AWS: no inline policy of the preview role allows an S3 action beyond Get and List", () => {
    const inline = aws.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === previewRole);
    expect(inline.map((r) => r.name)).toEqual(["github-preview-policy"]);
    expect(
      inline.flatMap((r) => s3Writes((JSON.parse(r.inputs.policy as string) as { Statement: Parameters<typeof s3Writes>[0] }).Statement)),
    ).toEqual([]);
    expect(
      aws.resources
        .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.inputs.role === previewRole)
        .map((r) => r.inputs.policyArn),
    ).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  test("GCP: the preview service account's only grant on the state bucket is objectViewer", () => {
    expect(gcsWrites(gcp.resources, previewMember)).toEqual([]);
    expect(
      ofType(gcp.resources, "gcp:storage/bucketIAMMember:BucketIAMMember").map((r) => [r.name, r.inputs.role, r.inputs.member]),
    ).toEqual([
      ["state-writer-0", "roles/storage.objectAdmin", "serviceAccount:github-deploy@example-platform-prod.iam.gserviceaccount.com"],
      ["state-reader-0", "roles/storage.objectViewer", previewMember],
    ]);
  });

  test("the checks report the lock grants earlier releases gave previews", () => {
    expect(
      s3Writes([
        { Sid: "ReadState", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"] },
        { Sid: "LockStack", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"] },
        { Sid: "Everything", Effect: "Allow", Action: "s3:*" },
      ]),
    ).toEqual(["LockStack: s3:PutObject", "LockStack: s3:DeleteObject", "Everything: s3:*"]);
    const reader = gcp.resources.find((r) => r.name === "state-reader-0")!;
    const locker = { ...reader, name: "state-locker-0", inputs: { ...reader.inputs, role: "roles/storage.objectUser" } };
    expect(gcsWrites([...gcp.resources, locker], previewMember)).toEqual(["state-locker-0: roles/storage.objectUser"]);
  });
});
