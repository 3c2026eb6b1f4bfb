// The AWS half of the bootstrap: the S3 bucket and KMS keys Pulumi keeps the platform's state and secrets
// in, and the roles GitHub Actions assumes through OIDC to preview and deploy it.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AccountInfo, accountInfo } from "../components/aws/account";
import { managedPolicyArn, policyDocument, type Statement } from "../components/aws/iam";
import { encryptionKey, keyAliasName } from "../components/aws/kms";
import { denyInsecureTransport, privateBucket } from "../components/aws/private-bucket";
import { awsTrustCondition, GITHUB_ISSUER, AWS_AUDIENCE, type SubjectGroup } from "./github";

export interface AwsStateBackendArgs {
  /** Days an overwritten or deleted state file's old version is kept, 7-3650. @default 90 */
  noncurrentVersionDays?: number;
}

/**
 * The state bucket (versioned, SSE-KMS with its own rotating key, public access blocked, TLS only) and the
 * key Pulumi encrypts the platform's secrets with (`awskms://`). Every one is protected: losing the bucket
 * or a key loses every stack's state or secrets.
 */
export class AwsStateBackend extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** The key the bucket encrypts state files with. */
  readonly stateKeyArn: pulumi.Output<string>;
  /** The key of Pulumi's secrets provider. */
  readonly secretsKeyArn: pulumi.Output<string>;
  /** `s3://<bucket>`: PULUMI_BACKEND_URL. */
  readonly backendUrl: pulumi.Output<string>;
  /** `awskms://alias/...?region=<region>`: the platform stacks' `--secrets-provider`. */
  readonly secretsProvider: pulumi.Output<string>;

  constructor(name: string, args: AwsStateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:bootstrap:AwsStateBackend", name, {}, opts);
    const account = accountInfo(this);
    const stateKey = encryptionKey(
      `${name}-state-key`,
      { description: `Pulumi state bucket ${name}: objects`, account, protect: true },
      this,
    );
    const secretsKey = encryptionKey(
      `${name}-secrets-key`,
      { description: "Pulumi secrets provider of the platform stacks", account, protect: true },
      this,
    );
    const bucket = stateBucket(name, stateKey, args.noncurrentVersionDays ?? 90, this);

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.stateKeyArn = stateKey.arn;
    this.secretsKeyArn = secretsKey.arn;
    this.backendUrl = pulumi.interpolate`s3://${bucket.bucket}`;
    this.secretsProvider = pulumi.interpolate`awskms://${keyAliasName(`${name}-secrets-key`)}?region=${account.region}`;
    this.registerOutputs({ bucketName: this.bucketName, backendUrl: this.backendUrl, secretsProvider: this.secretsProvider });
  }
}

/** The bucket (components/aws/private-bucket.ts: owner-enforced, closed to the public, versioned, SSE-KMS, TLS only), protected. */
function stateBucket(name: string, key: aws.kms.Key, noncurrentVersionDays: number, parent: pulumi.Resource): aws.s3.Bucket {
  // Protected always: deleting this stack must not delete the platform's state with it.
  const { bucket, publicAccessBlock } = privateBucket(name, key, true, parent);
  const opt = { parent };
  // Current state files never expire; old versions, the history to roll back to, do after the given days.
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: { prefix: "" },
          noncurrentVersionExpiration: { noncurrentDays: noncurrentVersionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    opt,
  );
  denyInsecureTransport(name, bucket, publicAccessBlock, parent);
  return bucket;
}

/** The AWS services the platform program creates resources in; the deploy role may act in these alone. */
export const PLATFORM_SERVICES = ["ec2", "eks", "rds", "elasticache", "s3", "kms", "logs", "secretsmanager", "iam"] as const;

export interface GithubDeployIdentityArgs {
  /** GitHub subjects that may assume the deploy role (environments from the deploy ref, a branch): one trust statement per group. */
  deployTrust: SubjectGroup[];
  /** GitHub subjects that may assume the read-only preview role (the `-preview` environments). */
  previewTrust: SubjectGroup[];
  /** The state backend both roles use; the deploy role may not change or delete it. */
  state: AwsStateBackend;
  /** ARN of the account's existing GitHub OIDC provider (IAM allows one per URL). @default - one is created */
  existingProviderArn?: string;
  /**
   * The repository's `repository_id`: the trust checks it, and each group's ref, beside the subject (STS checks
   * those claims in the commercial partition). @default - the trust checks `sub` and `aud` alone
   */
  repositoryId?: string;
}

/** The roles' names: one pair per account, known before they exist. */
export const GITHUB_ROLE_NAMES = { deploy: "platform-github-deploy", preview: "platform-github-preview" } as const;

/**
 * How long a role's sessions may last (IAM allows 1 to 12 hours). A deploy holds its credentials for the whole
 * `pulumi up`, and a first EKS plus Multi-AZ RDS deploy, or an upgrade that rolls node groups, can run well past
 * an hour; when the session ends mid-update every call fails with ExpiredToken and the stack is left with pending
 * operations. Three hours cover the review's estimate of every AWS stack's first deploy (the critical path times
 * four, and every resource created one after another). Previews only read, and take minutes.
 * deploy.yml asks for the deploy role's full duration (role-duration-seconds); test/workflow-safety.test.ts ties the two.
 */
export const SESSION_SECONDS = { deploy: 3 * 3600, preview: 3600 } as const;

/**
 * The account's GitHub Actions OIDC provider (or the one it already has), a deploy role and a preview role. Each
 * role trusts only tokens for the AWS audience whose subject is one of its own groups, with that group's ref.
 */
export class GithubDeployIdentity extends pulumi.ComponentResource {
  readonly providerArn: pulumi.Output<string>;
  /** AWS_DEPLOY_ROLE_ARN, and the platform stacks' `platform:cluster.adminRoleArns`. */
  readonly deployRoleArn: pulumi.Output<string>;
  /** AWS_PREVIEW_ROLE_ARN: ReadOnlyAccess, state read, secrets decrypt. */
  readonly previewRoleArn: pulumi.Output<string>;

  constructor(name: string, args: GithubDeployIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:bootstrap:GithubDeployIdentity", name, {}, opts);
    const account = accountInfo(this);
    this.providerArn =
      args.existingProviderArn !== undefined
        ? pulumi.output(args.existingProviderArn)
        : new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: GITHUB_ISSUER, clientIdLists: [AWS_AUDIENCE] }, { parent: this }).arn;
    const role = (kind: "deploy" | "preview", groups: SubjectGroup[], description: string) =>
      new aws.iam.Role(
        `${name}-${kind}`,
        {
          // A fixed name, so the platform's stack files can list the deploy role in cluster.adminRoleArns.
          name: GITHUB_ROLE_NAMES[kind],
          description,
          maxSessionDuration: SESSION_SECONDS[kind],
          assumeRolePolicy: policyDocument(
            groups.map((group) => ({
              Sid: group.sid,
              Effect: "Allow",
              Principal: { Federated: this.providerArn },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: awsTrustCondition(group, args.repositoryId),
            })),
          ),
        },
        { parent: this },
      );
    const deploy = role("deploy", args.deployTrust, "GitHub Actions deploys the platform");
    const preview = role("preview", args.previewTrust, "GitHub Actions previews the platform and checks it for drift");
    new aws.iam.RolePolicy(
      `${name}-deploy-policy`,
      { role: deploy.id, policy: policyDocument(deployStatements(args.state, [deploy, preview], account)) },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-preview-read-only`,
      { role: preview.name, policyArn: managedPolicyArn(aws.iam.ManagedPolicy.ReadOnlyAccess, account.partition) },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-preview-policy`,
      { role: preview.id, policy: policyDocument(previewStatements(args.state)) },
      { parent: this },
    );
    this.deployRoleArn = deploy.arn;
    this.previewRoleArn = preview.arn;
    this.registerOutputs({ providerArn: this.providerArn, deployRoleArn: this.deployRoleArn, previewRoleArn: this.previewRoleArn });
  }
}

/**
 * The deploy role acts in the platform's services, and may not weaken or delete the bootstrap: neither its
 * own roles, nor the state bucket's settings, nor the state and secrets keys.
 */
export function deployStatements(state: AwsStateBackend, roles: aws.iam.Role[], account: AccountInfo): pulumi.Input<Statement>[] {
  const keys = [state.stateKeyArn, state.secretsKeyArn];
  return [
    {
      Sid: "PlatformServices",
      Effect: "Allow",
      Action: [...PLATFORM_SERVICES.map((s) => `${s}:*`), "sts:GetCallerIdentity"],
      Resource: "*",
    },
    {
      Sid: "KeepBootstrapRoles",
      Effect: "Deny",
      Action: "iam:*",
      Resource: [
        ...roles.map((r) => r.arn),
        pulumi.interpolate`arn:${account.partition}:iam::${account.accountId}:oidc-provider/${GITHUB_ISSUER.replace("https://", "")}`,
      ],
    },
    {
      Sid: "KeepStateBucket",
      Effect: "Deny",
      Action: [
        "s3:DeleteBucket",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketVersioning",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketOwnershipControls",
      ],
      Resource: state.bucketArn,
    },
    {
      Sid: "KeepStateKeys",
      Effect: "Deny",
      Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:DisableKeyRotation"],
      Resource: keys,
    },
  ];
}

/**
 * Beyond ReadOnlyAccess, a preview reads and decrypts the state and the secrets, and writes nothing: the DIY
 * backend takes the stack's lock only for operations that write state, never for `pulumi preview` or
 * `pulumi refresh --preview-only` (pulumi/pulumi pkg/backend/diy/backend.go@v3.259.0: Preview and the PreviewOnly
 * branch of Refresh apply a dry run without b.Lock, and a dry run persists no snapshot or history).
 */
export function previewStatements(state: AwsStateBackend): pulumi.Input<Statement>[] {
  return [
    {
      Sid: "ReadState",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:ListBucket"],
      Resource: [state.bucketArn, pulumi.interpolate`${state.bucketArn}/*`],
    },
    {
      Sid: "DecryptStateAndSecrets",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [state.stateKeyArn, state.secretsKeyArn],
    },
    // A refresh reads each secret version the stacks manage (GetSecretValue, which ReadOnlyAccess leaves out),
    // and Secrets Manager decrypts it with the caller's kms:Decrypt. Only what the platform tags as its own
    // (every platform resource carries managed-by=pulumi): those values are in the state, which a preview
    // decrypts anyway, so it learns nothing new.
    {
      Sid: "ReadPlatformSecretValues",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
      Condition: { StringEquals: { "aws:ResourceTag/managed-by": "pulumi" } },
    },
    {
      Sid: "DecryptPlatformSecretValues",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { "aws:ResourceTag/managed-by": "pulumi" }, StringLike: { "kms:ViaService": "secretsmanager.*" } },
    },
    // RDS keeps the database's master password in a secret of its own (`rds!db-...`), which no state holds.
    {
      Sid: "NotDatabaseMasterPasswords",
      Effect: "Deny",
      Action: "secretsmanager:GetSecretValue",
      Resource: "arn:*:secretsmanager:*:*:secret:rds!*",
    },
  ];
}
