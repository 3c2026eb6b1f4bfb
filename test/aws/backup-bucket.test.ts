// GIVEN a BackupBucket for a dev-like stack (7-day expiry, unprotected) and for a production-like one
//       (30-day expiry, protected)
// WHEN the component is recorded under the offline engine
// THEN the engine receives exactly the bucket (never force-destroyed), its ownership controls, all four
//      public access blocks, versioning, KMS encryption with its own key, lifecycle expiry and a TLS-only
//      policy ordered after the public access block; the writer and reader policies are scoped to this
//      bucket and key (the writer cannot delete or read); grants attach them to a workload's role; and
//      bad arguments are refused, naming the argument, before anything is registered.
import { describe, expect, test } from "@jest/globals";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BackupBucket, type BackupBucketArgs } from "../../components/aws/backup-bucket";
import { PostgresDatabase } from "../../components/aws/postgres";
import { RedisCache } from "../../components/aws/redis";
import type { RecordedResource } from "../../review/engine";
import { awsProvider, FACTS, idOf, once, type Recorded, recordProgram, stateOf, stubIdentity, valueOf } from "../harness";

const T = {
  component: "platform:aws:BackupBucket",
  bucket: "aws:s3/bucket:Bucket",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  iamPolicy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
};

const DEV: BackupBucketArgs = { retentionDays: 7, protect: false };
const PROD: BackupBucketArgs = { retentionDays: 30, noncurrentVersionDays: 30, protect: true };

const CASES: Array<[string, BackupBucketArgs, { retention: number; noncurrent: number; protect: boolean }]> = [
  ["dev-like", DEV, { retention: 7, noncurrent: 14, protect: false }],
  ["production-like", PROD, { retention: 30, noncurrent: 30, protect: true }],
];

const REGION = FACTS.region;

interface Run {
  r: Recorded;
  outputs: Record<string, unknown>;
}

const run = once(async (args: BackupBucketArgs): Promise<Run> => {
  let outputs: Record<string, unknown> = {};
  const r = await recordProgram(async () => {
    const bucket = new BackupBucket("backups", args, { providers: [awsProvider()] });
    bucket.grantWrite(stubIdentity("backups", "pg-dump"));
    bucket.grantRead(stubIdentity("backups", "restore-check"));
    outputs = {
      bucketName: await valueOf(bucket.bucketName),
      url: await valueOf(bucket.url),
      bucketArn: await valueOf(bucket.bucketArn),
      writerPolicyArn: await valueOf(bucket.writerPolicyArn),
      readerPolicyArn: await valueOf(bucket.readerPolicyArn),
      rcloneEnv: await valueOf(bucket.rcloneEnv),
    };
  });
  return { r, outputs };
});

describe.each(CASES)("BackupBucket, %s", (_label, args, x) => {
  const bucketOf = (r: Recorded) => r.one(T.bucket);
  const keyArn = (r: Recorded) => stateOf(r.one(T.key)).arn as string;

  test("registers exactly these resources, all under the component and its provider, with no secret inputs", async () => {
    const { r } = await run(args);
    const component = r.one(T.component);
    const provider = r.one("pulumi:providers:aws");
    const children = r.resources.filter((c) => c.parent === component.urn);
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
      [
        `${T.alias} backups-key-alias`,
        `${T.attachment} backups-read-backups-restore-check`,
        `${T.attachment} backups-write-backups-pg-dump`,
        `${T.bucket} backups-bucket`,
        `${T.encryption} backups-encryption`,
        `${T.iamPolicy} backups-reader-policy`,
        `${T.iamPolicy} backups-writer-policy`,
        `${T.key} backups-key`,
        `${T.lifecycle} backups-lifecycle`,
        `${T.ownership} backups-ownership`,
        `${T.policy} backups-policy`,
        `${T.publicAccessBlock} backups-public-access-block`,
        `${T.versioning} backups-versioning`,
      ].sort(),
    );
    for (const child of children)
      expect({ name: child.name, provider: child.provider, secrets: child.secretInputs }).toEqual({
        name: child.name,
        provider: provider.urn,
        secrets: [],
      });
  });

  test("the bucket and its key: protected as asked, never force-destroyed", async () => {
    const { r } = await run(args);
    const bucket = bucketOf(r);
    expect(bucket.inputs).toEqual({ forceDestroy: false });
    expect(bucket.protect).toBe(x.protect);
    const key = r.one(T.key);
    expect(key.protect).toBe(x.protect);
    expect(key.inputs).toMatchObject({
      description: "Backup bucket platform-test-backups: objects",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
  });

  test("ownership enforced, all four public access blocks, versioning, KMS default encryption with bucket keys", async () => {
    const { r } = await run(args);
    const bucket = idOf(bucketOf(r));
    expect(r.one(T.ownership).inputs).toEqual({ bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    expect(r.one(T.publicAccessBlock).inputs).toEqual({
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(r.one(T.versioning).inputs).toEqual({ bucket, versioningConfiguration: { status: "Enabled" } });
    expect(r.one(T.encryption).inputs).toEqual({
      bucket,
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn(r) },
          bucketKeyEnabled: true,
          blockedEncryptionTypes: ["SSE-C"],
        },
      ],
    });
    expect(r.one(T.encryption).propertyDependencies).toEqual({ bucket: [bucketOf(r).urn], rules: [r.one(T.key).urn] });
    for (const type of [T.ownership, T.publicAccessBlock, T.versioning, T.lifecycle, T.policy])
      expect(r.one(type).propertyDependencies.bucket).toEqual([bucketOf(r).urn]);
  });

  test("lifecycle: expiry after the retention, noncurrent versions after their own days, stale uploads aborted", async () => {
    const { r } = await run(args);
    expect(r.one(T.lifecycle).inputs).toEqual({
      bucket: idOf(bucketOf(r)),
      rules: [
        {
          id: "expire-backups",
          status: "Enabled",
          filter: { prefix: "" },
          expiration: { days: x.retention },
          noncurrentVersionExpiration: { noncurrentDays: x.noncurrent },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    });
  });

  test("bucket policy denies every request without TLS, and is applied after the public access block", async () => {
    const { r } = await run(args);
    const policy = r.one(T.policy);
    const arn = stateOf(bucketOf(r)).arn as string;
    expect(policy.inputs.bucket).toBe(idOf(bucketOf(r)));
    expect(JSON.parse(policy.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [arn, `${arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
    expect(policy.dependencies).toContain(r.one(T.publicAccessBlock).urn);
  });

  test("writer policy: put, abort and list on this bucket, encrypt with its key through S3; no delete, no read", async () => {
    const { r } = await run(args);
    const arn = stateOf(bucketOf(r)).arn as string;
    const writer = r.named("backups-writer-policy");
    expect(writer.inputs.description).toBe("Write backups to bucket platform-test-backups: no delete, no reads");
    expect(JSON.parse(writer.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ListBackups", Effect: "Allow", Action: "s3:ListBucket", Resource: arn },
        { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: `${arn}/*` },
        {
          Sid: "EncryptBackups",
          Effect: "Allow",
          Action: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"],
          Resource: keyArn(r),
          Condition: { StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } },
        },
      ],
    });
    const actions = (JSON.parse(writer.inputs.policy as string) as { Statement: Array<{ Action: string | string[] }> }).Statement.flatMap(
      (s) => s.Action,
    );
    expect(actions.filter((a) => /Delete|GetObject|\*/.test(a))).toEqual([]);
  });

  test("reader policy: get and list on this bucket, decrypt with its key through S3", async () => {
    const { r } = await run(args);
    const arn = stateOf(bucketOf(r)).arn as string;
    const reader = r.named("backups-reader-policy");
    expect(reader.inputs.description).toBe("Read backups from bucket platform-test-backups");
    expect(JSON.parse(reader.inputs.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ListBackups", Effect: "Allow", Action: "s3:ListBucket", Resource: arn },
        { Sid: "ReadBackups", Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/*` },
        {
          Sid: "DecryptBackups",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: keyArn(r),
          Condition: { StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } },
        },
      ],
    });
  });

  test("grantWrite and grantRead attach the writer and reader policies to the identities' roles", async () => {
    const { r } = await run(args);
    const write = r.named("backups-write-backups-pg-dump");
    const read = r.named("backups-read-backups-restore-check");
    expect(write.inputs).toEqual({ role: "backups-pg-dump", policyArn: stateOf(r.named("backups-writer-policy")).arn });
    expect(read.inputs).toEqual({ role: "backups-restore-check", policyArn: stateOf(r.named("backups-reader-policy")).arn });
    expect(write.propertyDependencies).toEqual({ policyArn: [r.named("backups-writer-policy").urn] });
  });

  test("outputs: the bucket's name, s3:// URL, ARN, policy ARNs and the rclone remote for workload identity", async () => {
    const { r, outputs } = await run(args);
    const bucket = stateOf(bucketOf(r));
    expect(outputs).toEqual({
      bucketName: bucket.bucket,
      url: `s3://${String(bucket.bucket)}`,
      bucketArn: bucket.arn,
      writerPolicyArn: stateOf(r.named("backups-writer-policy")).arn,
      readerPolicyArn: stateOf(r.named("backups-reader-policy")).arn,
      rcloneEnv: {
        RCLONE_CONFIG_BACKUP_TYPE: "s3",
        RCLONE_CONFIG_BACKUP_PROVIDER: "AWS",
        RCLONE_CONFIG_BACKUP_ENV_AUTH: "true",
        RCLONE_CONFIG_BACKUP_REGION: "eu-west-1",
        RCLONE_CONFIG_BACKUP_NO_CHECK_BUCKET: "true",
        RCLONE_CONFIG_BACKUP_NO_HEAD: "true",
        RCLONE_CONFIG_BACKUP_CHUNK_SIZE: "64M",
      },
    });
    expect(outputs.bucketName).toMatch(/^backups-bucket-[0-9a-f]{7}$/);
  });
});

describe("BackupBucket arguments", () => {
  const bad: Array<[string, string, Partial<BackupBucketArgs>, string]> = [
    [
      "a name S3 cannot take",
      "Backups",
      {},
      'name must be 1-24 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, because it becomes part of AWS resource names (got "Backups")',
    ],
    ["no retention", "backups", { retentionDays: 0 }, "args.retentionDays must be a whole number from 1 to 3650 (got 0)"],
    ["a fractional retention", "backups", { retentionDays: 7.5 }, "args.retentionDays must be a whole number from 1 to 3650 (got 7.5)"],
    [
      "no noncurrent version days",
      "backups",
      { noncurrentVersionDays: 0 },
      "args.noncurrentVersionDays must be a whole number from 1 to 365 (got 0)",
    ],
  ];

  test.each(bad)("refuses %s, naming the argument", async (_label, name, override, message) => {
    const attempt = recordProgram(() => new BackupBucket(name, { ...DEV, ...override }, { providers: [awsProvider()] }));
    await expect(attempt).rejects.toThrow(new Error(`BackupBucket ${name}: ${message}`));
  });
});

// GIVEN the database, the cache and the backup bucket built on one stub network (a VPC, two isolated
//       subnets and the node security group, as the Network component would make them)
// WHEN the three are recorded together
// THEN everything any of them registers depends, transitively, only on the stub network and on its own
//      children: nothing waits for the cluster or for another data component, so a first deploy builds
//      them in parallel with the cluster.
describe("data components on a shared network", () => {
  class StubNetwork extends pulumi.ComponentResource {
    readonly vpc: aws.ec2.Vpc;
    readonly subnets: aws.ec2.Subnet[];
    readonly nodes: aws.ec2.SecurityGroup;
    readonly cidrs = ["10.0.208.0/23", "10.0.210.0/23"];
    constructor(opts: pulumi.ComponentResourceOptions) {
      super("test:index:StubNetwork", "net", {}, opts);
      this.vpc = new aws.ec2.Vpc("net-vpc", { cidrBlock: "10.0.0.0/16" }, { parent: this });
      this.subnets = this.cidrs.map(
        (cidrBlock, i) => new aws.ec2.Subnet(`net-isolated-${i}`, { vpcId: this.vpc.id, cidrBlock }, { parent: this }),
      );
      this.nodes = new aws.ec2.SecurityGroup("net-nodes", { vpcId: this.vpc.id, description: "nodes" }, { parent: this });
      this.registerOutputs({});
    }
  }

  test("nothing depends on anything but the stub network and the component's own children", async () => {
    const r = await recordProgram(() => {
      const providers = [awsProvider()];
      const net = new StubNetwork({ providers });
      const network = {
        vpcId: net.vpc.id,
        subnetIds: net.subnets.map((s) => s.id),
        subnetCidrs: net.cidrs,
        allowedSecurityGroupIds: [net.nodes.id],
      };
      new PostgresDatabase(
        "database",
        {
          ...network,
          instanceClass: "db.t4g.small",
          storageGb: 20,
          maxStorageGb: 100,
          multiAz: false,
          backupRetentionDays: 7,
          backupWindow: "03:00-04:00",
          maintenanceWindow: "sun:04:30-sun:05:30",
          deletionProtection: false,
          protect: false,
        },
        { providers },
      );
      new RedisCache(
        "cache",
        { ...network, nodeType: "cache.t4g.micro", nodes: 1, maintenanceWindow: "sun:05:30-sun:06:30", protect: false },
        { providers },
      );
      new BackupBucket("backups", { retentionDays: 7, protect: false }, { providers });
    });
    const byUrn = new Map(r.resources.map((x) => [x.urn, x]));
    const descendants = (root: string): Set<string> => {
      const found = new Set<string>();
      const visit = (urn: string) => r.resources.filter((x) => x.parent === urn).forEach((x) => (found.add(x.urn), visit(x.urn)));
      visit(root);
      return found;
    };
    const reach = (from: RecordedResource): Set<string> => {
      const seen = new Set<string>();
      const stack = [from];
      while (stack.length > 0) {
        const x = stack.pop()!;
        for (const urn of [...x.dependencies, ...Object.values(x.propertyDependencies).flat()]) {
          if (seen.has(urn)) continue;
          seen.add(urn);
          stack.push(byUrn.get(urn)!);
        }
      }
      return seen;
    };
    const network = descendants(r.one("test:index:StubNetwork").urn);
    expect(network.size).toBe(4);
    for (const type of ["platform:aws:PostgresDatabase", "platform:aws:RedisCache", "platform:aws:BackupBucket"]) {
      const own = descendants(r.one(type).urn);
      const outside = [...own].flatMap((urn) =>
        [...reach(byUrn.get(urn)!)].filter((dep) => !own.has(dep) && !network.has(dep)).map((dep) => `${urn} -> ${dep}`),
      );
      expect({ type, outside }).toEqual({ type, outside: [] });
    }
    // And the database and cache do sit on the network: VPC, subnets and node group reach them.
    for (const name of ["database", "cache"]) {
      const used = new Set(
        [...descendants(r.one(name === "database" ? "platform:aws:PostgresDatabase" : "platform:aws:RedisCache").urn)].flatMap((urn) => [
          ...reach(byUrn.get(urn)!),
        ]),
      );
      expect([...network].filter((urn) => !used.has(urn))).toEqual([]);
    }
  });
});
