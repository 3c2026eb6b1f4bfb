// The GCP half of the bootstrap: a Workload Identity Federation pool whose provider accepts GitHub Actions
// tokens of one repository, deploy and preview service accounts each usable by its own GitHub subjects only,
// the Cloud Storage bucket Pulumi keeps the platform's state in, and the Cloud KMS key of its secrets.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { grantedEncryptionKey } from "../components/gcp/kms";
import { GCP_PREVIEW_SECRET_READS, GCP_PREVIEW_SECRETS_ROLE_ID } from "./permissions/gcp-roles";
import {
  GITHUB_ISSUER,
  type GithubRepository,
  type SubjectGroup,
  subjectsOf,
  WIF_ATTRIBUTE_MAPPING,
  wifAttributeCondition,
  wifSubjectMember,
} from "./github";

export interface GithubWorkloadIdentityArgs {
  /** The repository, by its ids: the provider refuses tokens of any other repository. */
  repository: GithubRepository;
  /** GitHub subjects that may act as the deploy service account (environments from the deploy ref, a branch). */
  deployTrust: SubjectGroup[];
  /** GitHub subjects that may act as the preview service account (the `-preview` environments). */
  previewTrust: SubjectGroup[];
  /** Project roles of the deploy service account. */
  deployRoles: string[];
  /** Project roles of the preview service account. */
  previewRoles: string[];
  /** Project the pool and the service accounts live in. */
  project: string;
}

/** One service account, the GitHub subjects that may impersonate it, and its project roles. */
interface ServiceAccountSpec {
  kind: "deploy" | "preview";
  subjects: string[];
  roles: string[];
}

export class GithubWorkloadIdentity extends pulumi.ComponentResource {
  /** `projects/<number>/locations/global/workloadIdentityPools/<id>`. */
  readonly poolName: pulumi.Output<string>;
  /** GCP_WORKLOAD_IDENTITY_PROVIDER: `projects/<number>/locations/global/workloadIdentityPools/<id>/providers/<id>`. */
  readonly providerName: pulumi.Output<string>;
  /** GCP_DEPLOY_SERVICE_ACCOUNT. */
  readonly deployServiceAccount: pulumi.Output<string>;
  /** GCP_PREVIEW_SERVICE_ACCOUNT. */
  readonly previewServiceAccount: pulumi.Output<string>;
  /** `serviceAccount:<deploy email>`, for grants on the state backend. */
  readonly deployMember: pulumi.Output<string>;
  /** `serviceAccount:<preview email>`. */
  readonly previewMember: pulumi.Output<string>;

  constructor(name: string, args: GithubWorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:bootstrap:GithubWorkloadIdentity", name, {}, opts);
    const pool = new gcp.iam.WorkloadIdentityPool(
      `${name}-pool`,
      { workloadIdentityPoolId: "github", displayName: "GitHub Actions", description: `GitHub Actions of ${args.repository.name}` },
      { parent: this },
    );
    const provider = new gcp.iam.WorkloadIdentityPoolProvider(
      `${name}-provider`,
      {
        workloadIdentityPoolId: pool.workloadIdentityPoolId,
        workloadIdentityPoolProviderId: "github-actions",
        displayName: "GitHub Actions OIDC",
        oidc: { issuerUri: GITHUB_ISSUER },
        attributeMapping: { ...WIF_ATTRIBUTE_MAPPING },
        // Both identities' groups: a deploy environment's token is refused off its ref before any binding is read.
        attributeCondition: wifAttributeCondition(args.repository, [...args.deployTrust, ...args.previewTrust]),
      },
      { parent: this },
    );
    const deploy = this.serviceAccount(name, pool, args.project, {
      kind: "deploy",
      subjects: subjectsOf(args.deployTrust),
      roles: args.deployRoles,
    });
    const preview = this.serviceAccount(name, pool, args.project, {
      kind: "preview",
      subjects: subjectsOf(args.previewTrust),
      roles: args.previewRoles,
    });

    previewSecretReads(name, args.project, preview, this);

    this.poolName = pool.name;
    this.providerName = provider.name;
    this.deployServiceAccount = deploy.email;
    this.previewServiceAccount = preview.email;
    this.deployMember = deploy.member;
    this.previewMember = preview.member;
    this.registerOutputs({
      providerName: this.providerName,
      deployServiceAccount: this.deployServiceAccount,
      previewServiceAccount: this.previewServiceAccount,
    });
  }

  /** The account, `roles/iam.workloadIdentityUser` on it for each of its subjects alone, and its project roles. */
  private serviceAccount(
    name: string,
    pool: gcp.iam.WorkloadIdentityPool,
    project: string,
    spec: ServiceAccountSpec,
  ): gcp.serviceaccount.Account {
    const account = new gcp.serviceaccount.Account(
      `${name}-${spec.kind}`,
      {
        accountId: `github-${spec.kind}`,
        displayName: `GitHub Actions ${spec.kind}`,
        description: `GitHub Actions ${spec.kind}s the platform`,
      },
      { parent: this },
    );
    spec.subjects.forEach(
      (subject, i) =>
        new gcp.serviceaccount.IAMMember(
          `${name}-${spec.kind}-federated-${i}`,
          {
            serviceAccountId: account.name,
            role: "roles/iam.workloadIdentityUser",
            member: pool.name.apply((p) => wifSubjectMember(p, subject)),
          },
          { parent: this },
        ),
    );
    spec.roles.forEach(
      (role) =>
        new gcp.projects.IAMMember(
          `${name}-${spec.kind}-${role.split("/").pop()!.replace(/\./g, "-").toLowerCase()}`,
          { project, role, member: account.member },
          { parent: this },
        ),
    );
    return account;
  }
}

/**
 * A refresh reads the Memorystore AUTH string and, through the GKE API, Kubernetes Secrets and Helm's release
 * records; no predefined role grants those reads without also granting writes. A custom role of exactly these
 * reads, given to the preview account alone. The values are in the state too, which a preview decrypts anyway.
 */
function previewSecretReads(name: string, project: string, preview: gcp.serviceaccount.Account, parent: pulumi.Resource): void {
  const role = new gcp.projects.IAMCustomRole(
    `${name}-preview-secret-reader`,
    {
      project,
      roleId: GCP_PREVIEW_SECRETS_ROLE_ID,
      title: "Platform preview: secret reads",
      description:
        "What a pulumi preview --refresh of the platform reads beyond the viewer roles: the cache's AUTH string, Kubernetes Secrets",
      permissions: Object.keys(GCP_PREVIEW_SECRET_READS).sort(),
      stage: "GA",
    },
    { parent },
  );
  new gcp.projects.IAMMember(`${name}-preview-secret-reads`, { project, role: role.name, member: preview.member }, { parent });
}

export interface GcsStateBackendArgs {
  /** The bucket's globally unique name. */
  bucketName: string;
  /** Region of the bucket and of the key ring. */
  location: string;
  /** Members that write state and encrypt and decrypt secrets. */
  writers: pulumi.Input<string>[];
  /** Members that read state and decrypt secrets, and write nothing (previews and drift checks take no lock). */
  readers: pulumi.Input<string>[];
  /** Days an overwritten or deleted state file's old version is kept. @default 90 */
  noncurrentVersionDays?: number;
}

/** The state bucket (uniform access, public access prevention, versioned) and the secrets key (`gcpkms://`), all protected. */
export class GcsStateBackend extends pulumi.ComponentResource {
  /** `gs://<bucket>`: PULUMI_BACKEND_URL. */
  readonly backendUrl: pulumi.Output<string>;
  /** `gcpkms://projects/.../cryptoKeys/<key>`: the platform stacks' `--secrets-provider`. */
  readonly secretsProvider: pulumi.Output<string>;
  readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: GcsStateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:bootstrap:GcsStateBackend", name, {}, opts);
    const bucket = new gcp.storage.Bucket(
      `${name}-bucket`,
      {
        name: args.bucketName,
        location: args.location,
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        versioning: { enabled: true },
        forceDestroy: false,
        lifecycleRules: [
          { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: args.noncurrentVersionDays ?? 90, withState: "ARCHIVED" } },
        ],
      },
      { parent: this, protect: true },
    );
    const bucketGrant = (kind: string, role: string, members: pulumi.Input<string>[]) =>
      members.forEach(
        (member, i) => new gcp.storage.BucketIAMMember(`${name}-${kind}-${i}`, { bucket: bucket.name, role, member }, { parent: this }),
      );
    bucketGrant("writer", "roles/storage.objectAdmin", args.writers);
    // Previews and drift checks take no lock (bootstrap/aws.ts previewStatements says where Pulumi shows it): read only.
    bucketGrant("reader", "roles/storage.objectViewer", args.readers);
    const key = grantedEncryptionKey(`${name}-secrets`, { location: args.location, users: args.writers, protect: true }, this).key;
    args.readers.forEach(
      (member, i) =>
        new gcp.kms.CryptoKeyIAMMember(
          `${name}-secrets-reader-${i}`,
          { cryptoKeyId: key.id, role: "roles/cloudkms.cryptoKeyDecrypter", member },
          { parent: this },
        ),
    );
    this.bucketName = bucket.name;
    this.backendUrl = pulumi.interpolate`gs://${bucket.name}`;
    this.secretsProvider = pulumi.interpolate`gcpkms://${key.id}`;
    this.registerOutputs({ backendUrl: this.backendUrl, secretsProvider: this.secretsProvider });
  }
}
