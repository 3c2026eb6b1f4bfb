// The bootstrap's stack config: one zod schema for every `platform-bootstrap:*` key. Every problem becomes
// one line naming the stack file and the key, e.g.
//   bootstrap/Pulumi.aws.yaml: platform-bootstrap:repository must be a GitHub repository written owner/name (got "platform")
// and the program stops before it creates anything.
import { Region as AwsRegion } from "@pulumi/aws/types/enums";
import { z } from "zod";
import * as f from "../components/formats";
import { ConfigError } from "../infra/config";
import { parseStructured } from "../infra/stack-config";
import {
  BRANCH,
  deployTrust,
  ENVIRONMENT_NAME,
  GITHUB_ID,
  type GithubRepository,
  GOOGLE_SUBJECT_MAX_LENGTH,
  previewTrust,
  REPOSITORY,
  subjectsOf,
} from "./github";

export const NAMESPACE = "platform-bootstrap";
const AWS_REGIONS: readonly string[] = Object.values(AwsRegion);
// Kept as text: the ids are compared as the strings GitHub's token carries them as.
const SCALAR_KEYS = new Set(["cloud", "environment", "region", "repository", "repositoryOwnerId", "repositoryId", "deployBranch"]);
/** IAM allows one provider per issuer URL in an account, so an existing GitHub provider has exactly this ARN. */
const GITHUB_OIDC_PROVIDER_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):oidc-provider\/token\.actions\.githubusercontent\.com$/;

const says = (error: string) => ({ error });
const matching = (pattern: RegExp, what: string) => z.string(says(`must be ${what}`)).regex(pattern, says(`must be ${what}`));

/**
 * Project roles the GCP deploy service account gets: what the platform program creates, and no basic role.
 * test/bootstrap/coverage.test.ts holds them to every type the shipped stacks register (bootstrap/permissions/).
 */
export const GCP_DEPLOY_ROLES = [
  "roles/compute.networkAdmin",
  "roles/compute.securityAdmin",
  "roles/container.admin",
  "roles/cloudsql.admin",
  "roles/redis.admin",
  "roles/storage.admin",
  "roles/cloudkms.admin",
  "roles/secretmanager.admin",
  "roles/servicenetworking.networksAdmin",
  "roles/serviceusage.serviceUsageAdmin",
  "roles/iam.serviceAccountAdmin",
  "roles/iam.serviceAccountUser",
  "roles/resourcemanager.projectIamAdmin",
  // The log buckets (_Default's retention, the database audit bucket) and the audit log sink.
  "roles/logging.configWriter",
] as const;
/**
 * Project roles the GCP preview service account gets: what a `pulumi preview --refresh` reads, read-only. The
 * Memorystore AUTH string and Kubernetes Secrets come from a custom role the bootstrap makes (bootstrap/gcp.ts,
 * GCP_PREVIEW_SECRET_READS): every predefined role that reads them may also change what it reads.
 */
export const GCP_PREVIEW_ROLES = [
  // Networks, subnets, firewalls, routers, the private services range and its peering (servicenetworking.services.get).
  "roles/compute.networkViewer",
  "roles/container.viewer",
  "roles/cloudsql.viewer",
  "roles/redis.viewer",
  "roles/cloudkms.viewer",
  "roles/secretmanager.viewer",
  "roles/iam.securityReviewer",
  "roles/logging.viewer",
  "roles/storage.bucketViewer",
] as const;

const projectRole = matching(
  /^(roles|projects\/[a-z][a-z0-9-]+\/roles)\/[A-Za-z0-9_.]+$/,
  "a predefined or custom role such as roles/container.admin",
);
const roles = z
  .array(projectRole, says("must be a list of roles"))
  .refine(
    (list) => !list.some((r) => ["roles/owner", "roles/editor", "roles/viewer"].includes(r)),
    says("must not hold a basic role (owner, editor, viewer): list predefined roles"),
  );

export const bootstrapSchema = z.strictObject(
  {
    cloud: z.enum(["aws", "gcp"], says("must be aws or gcp")),
    // The bootstrap holds every environment's state and deploy identities: it is held to production's rules.
    environment: z.literal("production", says("must be production: the bootstrap guards every environment's state and deploy identities")),
    region: z.string(says("must be a region such as eu-west-1 (AWS) or europe-west1 (GCP)")),
    repository: matching(REPOSITORY, "a GitHub repository written owner/name, e.g. example-org/platform"),
    repositoryOwnerId: matching(GITHUB_ID, "the numeric id of the repository's owner, quoted (gh api repos/OWNER/REPO --jq .owner.id)"),
    repositoryId: matching(GITHUB_ID, "the repository's numeric id, quoted (gh api repos/OWNER/REPO --jq .id)"),
    nameOnlySubjects: z.boolean(says("must be true or false")).optional(),
    environments: z
      .array(matching(ENVIRONMENT_NAME, "a GitHub environment name such as production"), says("must be a list of GitHub environment names"))
      .min(1, says("must name at least one GitHub environment that deploys, e.g. [staging, production]"))
      .refine((list) => new Set(list).size === list.length, says("must not name an environment twice")),
    deployBranch: matching(BRANCH, "a branch name such as main, with no wildcard").optional(),
    aws: z
      .strictObject(
        {
          accountId: matching(f.AWS_ACCOUNT_ID, "a 12-digit AWS account ID, quoted"),
          existingOidcProviderArn: matching(
            GITHUB_OIDC_PROVIDER_ARN,
            "the ARN of the account's GitHub OIDC provider, arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com",
          ).optional(),
        },
        says("must be a mapping with accountId"),
      )
      .optional(),
    gcp: z
      .strictObject(
        {
          project: matching(f.GCP_PROJECT_ID, "a GCP project ID such as example-platform-prod"),
          deployRoles: roles.optional(),
          previewRoles: roles.optional(),
        },
        says("must be a mapping with project"),
      )
      .optional(),
    stateNoncurrentVersionDays: z
      .int(says("must be a whole number from 7 to 3650"))
      .min(7, says("must be a whole number from 7 to 3650"))
      .max(3650, says("must be a whole number from 7 to 3650"))
      .optional(),
  },
  says("must be a mapping of platform-bootstrap settings"),
);

export type BootstrapSettings = z.infer<typeof bootstrapSchema>;

/** The validated config, with defaults applied. */
export interface BootstrapConfig extends Omit<
  BootstrapSettings,
  "gcp" | "stateNoncurrentVersionDays" | "repository" | "repositoryOwnerId" | "repositoryId" | "nameOnlySubjects"
> {
  /** The repository, its ids, and whether name-only subjects are trusted too (nameOnlySubjects @default false). */
  repository: GithubRepository;
  /** The GCP settings with the role lists' defaults applied. @default - none: set on GCP stacks only */
  gcp?: { project: string; deployRoles: string[]; previewRoles: string[] };
  /** Days an overwritten state file's old version is kept. @default 90 */
  stateNoncurrentVersionDays: number;
}

type Path = ReadonlyArray<PropertyKey>;

/** `platform-bootstrap:gcp.deployRoles[0]`: the form `pulumi config set --path` takes. */
export function keyName(path: Path): string {
  if (path.length === 0) return `the ${NAMESPACE} config`;
  const [head, ...rest] = path;
  return `${NAMESPACE}:${String(head)}` + rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    root,
  );
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  if (issue.code === "unrecognized_keys") return issue.keys.map((key) => `${keyName([...issue.path, key])} is not a known key`);
  const value = valueAt(input, issue.path);
  if (value === undefined) return [`${keyName(issue.path)} is required: it ${issue.message}`];
  return [`${keyName(issue.path)} ${issue.message} (got ${JSON.stringify(value)})`];
}

/** The repository as the trust policies read it. */
function githubRepository(c: BootstrapSettings): GithubRepository {
  return { name: c.repository, ownerId: c.repositoryOwnerId, id: c.repositoryId, nameOnlySubjects: c.nameOnlySubjects ?? false };
}

/**
 * Rules across keys: the cloud's own key is set, the other cloud's is not, the region fits the cloud, an existing
 * OIDC provider is the stack's account's, and every subject fits Google's google.subject.
 */
function crossChecks(c: BootstrapSettings): string[] {
  const problems: string[] = [];
  const other = c.cloud === "aws" ? "gcp" : "aws";
  if (c[c.cloud] === undefined) problems.push(`${keyName([c.cloud])} is required on ${c.cloud} stacks`);
  if (c[other] !== undefined) problems.push(`${keyName([other])} applies to ${other} stacks only; this stack's cloud is ${c.cloud}`);
  if (c.cloud === "aws" && !AWS_REGIONS.includes(c.region))
    problems.push(`${keyName(["region"])} must be an AWS region such as eu-west-1 (got ${JSON.stringify(c.region)})`);
  if (c.cloud === "gcp" && !f.GCP_REGION.test(c.region))
    problems.push(`${keyName(["region"])} must be a GCP region such as europe-west1 (got ${JSON.stringify(c.region)})`);
  const providerAccount = c.aws?.existingOidcProviderArn && GITHUB_OIDC_PROVIDER_ARN.exec(c.aws.existingOidcProviderArn)?.[1];
  if (providerAccount && providerAccount !== c.aws!.accountId)
    problems.push(
      `${keyName(["aws", "existingOidcProviderArn"])} must be a provider of account ${c.aws!.accountId} (platform-bootstrap:aws.accountId), not of ${providerAccount}`,
    );
  if (c.cloud === "gcp") problems.push(...longSubjects(c));
  return problems;
}

/** Google refuses a token whose mapped google.subject (the `sub` claim) is longer than 127 characters. */
function longSubjects(c: BootstrapSettings): string[] {
  const repository = githubRepository(c);
  const subjects = subjectsOf([...deployTrust(repository, c.environments, c.deployBranch), ...previewTrust(repository, c.environments)]);
  return subjects
    .filter((s) => s.length > GOOGLE_SUBJECT_MAX_LENGTH)
    .map(
      (s) =>
        `${keyName(["environments"])} and ${keyName(["repository"])} make the subject ${s} (${s.length} characters), longer than the ${GOOGLE_SUBJECT_MAX_LENGTH} Google accepts as google.subject: use shorter environment names`,
    );
}

/**
 * Validates the engine's flat config map (`platform-bootstrap:repository` -> text) or throws a ConfigError
 * naming `stackFile` and each key. No key may be a secret: the bootstrap reads none.
 */
export function resolveBootstrapConfig(
  all: Record<string, string>,
  isSecret: (key: string) => boolean,
  stackFile: string,
): BootstrapConfig {
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
    const [namespace, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    if (namespace === "pulumi") continue;
    if (namespace !== NAMESPACE) problems.push(`${key} is not read by this program: the providers are configured from ${NAMESPACE}:* keys`);
    else if (isSecret(key)) problems.push(`${key} must not be a secret: the bootstrap reads no secrets`);
    else settings[name] = SCALAR_KEYS.has(name) ? value : parseStructured(value);
  }
  const parsed = bootstrapSchema.safeParse(settings);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, settings)));
  else problems.push(...crossChecks(parsed.data));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(stackFile, problems);
  const { gcp, stateNoncurrentVersionDays, cloud, environment, region, environments, deployBranch, aws } = parsed.data;
  return {
    cloud,
    environment,
    region,
    repository: githubRepository(parsed.data),
    environments,
    ...(deployBranch !== undefined && { deployBranch }),
    ...(aws && { aws }),
    ...(gcp && {
      gcp: {
        project: gcp.project,
        deployRoles: gcp.deployRoles ?? [...GCP_DEPLOY_ROLES],
        previewRoles: gcp.previewRoles ?? [...GCP_PREVIEW_ROLES],
      },
    }),
    stateNoncurrentVersionDays: stateNoncurrentVersionDays ?? 90,
  };
}
