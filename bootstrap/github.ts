// Who may use the CI identities: the claims GitHub Actions puts in its OIDC token, the trust conditions AWS
// and Google check them against, and a small evaluator of AWS's trust policies so tests can show which
// tokens a role admits. Pure: no Pulumi resources, tested directly.
//
// GitHub's `sub` claim is `repo:<owner>@<owner id>/<repo>@<repo id>:environment:<name>` for a job that names an
// environment (`:pull_request` for a pull request's job without one, `:ref:refs/heads/<branch>` for any other
// job on a branch). The numeric ids are the "immutable subject claims": the default for repositories created,
// renamed or transferred on or after 2026-07-15, and opt-in for older ones, which otherwise still send the
// name-only `repo:<owner>/<repo>:...` (https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens,
// github/docs#45221, https://docs.github.com/en/actions/reference/security/oidc#immutable-subject-claims).
// The platform's workflows name an environment on every job that authenticates: `<stack>` to deploy,
// `<stack>-preview` to preview and check drift (.github/workflows).

/** The `iss` claim of GitHub Actions' tokens, and the URL of its OIDC discovery document. */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
/** The issuer as IAM prefixes its condition keys: `token.actions.githubusercontent.com:sub`. */
export const GITHUB_ISSUER_HOST = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials asks GitHub for. */
export const AWS_AUDIENCE = "sts.amazonaws.com";
/** The ref deploy jobs run on: deploy.yml deploys pushes to main, and nothing else may act as a deploy environment. */
export const DEPLOY_REF = "refs/heads/main";

/** `owner/name` as GitHub writes it; letters, digits, `-`, `_` and `.` only, so it can sit inside a CEL string. */
export const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** A GitHub numeric id (`repository_owner_id`, `repository_id`): digits only, no leading zero. */
export const GITHUB_ID = /^[1-9][0-9]{0,19}$/;
/** A GitHub environment name as the deploy jobs use it (the platform's stack names). */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** A branch name with no wildcard or quote in it. */
export const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/;

/** The repository whose workflows may use the identities. */
export interface GithubRepository {
  /** `owner/name`. */
  name: string;
  /** `repository_owner_id`: `gh api repos/OWNER/REPO --jq .owner.id`. */
  ownerId: string;
  /** `repository_id`: `gh api repos/OWNER/REPO --jq .id`. */
  id: string;
  /** Trust the name-only subjects too, for a repository that has not opted in to immutable subject claims. @default false */
  nameOnlySubjects?: boolean;
}

/** Subjects trusted together, and the `ref` claim their tokens must carry as well. */
export interface SubjectGroup {
  /** Names the group: the AWS trust statement's Sid. */
  sid: string;
  subjects: string[];
  /** The `ref` claim every token of these subjects must carry. @default - any ref */
  ref?: string;
}

/** `repo:<owner>@<owner id>/<name>@<id>`, then `repo:<owner>/<name>` only when the repository asks for it. */
export function subjectPrefixes(repository: GithubRepository): string[] {
  const [owner, name] = repository.name.split("/");
  return [
    `repo:${owner}@${repository.ownerId}/${name}@${repository.id}`,
    ...(repository.nameOnlySubjects ? [`repo:${repository.name}`] : []),
  ];
}

const suffixed = (repository: GithubRepository, suffixes: readonly string[]) =>
  suffixes.flatMap((suffix) => subjectPrefixes(repository).map((prefix) => `${prefix}:${suffix}`));

/**
 * Who may deploy: a job of each environment, run on DEPLOY_REF (GitHub's deployment branch policy says the
 * same; the cloud checks it again), and push jobs of `branch` when one is given.
 */
export function deployTrust(repository: GithubRepository, environments: readonly string[], branch?: string): SubjectGroup[] {
  return [
    {
      sid: "DeployEnvironments",
      subjects: suffixed(
        repository,
        environments.map((e) => `environment:${e}`),
      ),
      ref: DEPLOY_REF,
    },
    ...(branch === undefined ? [] : [{ sid: "DeployBranch", subjects: suffixed(repository, [`ref:refs/heads/${branch}`]) }]),
  ];
}

/** Who may preview: the `<environment>-preview` environment's jobs (pull-request previews, drift checks), on any ref. */
export function previewTrust(repository: GithubRepository, environments: readonly string[]): SubjectGroup[] {
  return [
    {
      sid: "PreviewEnvironments",
      subjects: suffixed(
        repository,
        environments.map((e) => `environment:${e}-preview`),
      ),
    },
  ];
}

/** Every subject of the groups, in order. */
export const subjectsOf = (groups: readonly SubjectGroup[]): string[] => groups.flatMap((g) => g.subjects);

/** An IAM condition block: operator -> condition key -> value or values. */
export type Condition = Record<string, Record<string, string | string[]>>;

/**
 * The trust condition of one group: the AWS audience and one of its subjects, both exact, and, given the
 * repository's id, that id and the group's ref as well. STS checks GitHub's `repository_id` and `ref` claims as
 * `token.actions.githubusercontent.com:<claim>` since 2026-02
 * (https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/,
 * aws-actions/configure-aws-credentials README "Claims and scoping permissions"); without the id (partitions that
 * may not check them yet) the condition names `aud` and `sub` alone.
 */
export function awsTrustCondition(group: SubjectGroup, repositoryId?: string): Condition {
  return {
    StringEquals: {
      [`${GITHUB_ISSUER_HOST}:aud`]: AWS_AUDIENCE,
      [`${GITHUB_ISSUER_HOST}:sub`]: [...group.subjects],
      ...(repositoryId !== undefined && { [`${GITHUB_ISSUER_HOST}:repository_id`]: repositoryId }),
      ...(repositoryId !== undefined && group.ref !== undefined && { [`${GITHUB_ISSUER_HOST}:ref`]: group.ref }),
    },
  };
}

/**
 * Whether STS checks GitHub's claims beyond `sub` and `aud` in the region's partition: announced for the
 * commercial regions (above); China, GovCloud, ISO and the European Sovereign Cloud keep `sub` and `aud` alone.
 */
export function stsChecksGithubClaims(region: string): boolean {
  return !/^(cn|us-gov|us-iso[a-z]?|eusc)-/.test(region);
}

/**
 * IAM's wildcard match: `*` any run of characters, `?` one character, everything else literally. Condition values
 * (StringLike) compare case-sensitively; action names case-insensitively (`ignoreCase`), as IAM does.
 */
export function iamMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "si" : "s").test(value);
}

const OPERATORS: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (expected, actual) => expected === actual,
  StringLike: (expected, actual) => iamMatch(expected, actual),
};

/**
 * Whether a token with `claims` (`sub`, `aud`, `ref` ...) satisfies `condition` as IAM evaluates it: every key of
 * every operator must match, a key matches when the claim equals (or is like) one of its values, and a
 * missing claim matches nothing. An operator this evaluator does not know fails closed.
 */
export function trustAdmits(condition: Condition, claims: Record<string, string>): boolean {
  return Object.entries(condition).every(([operator, keys]) => {
    const test = OPERATORS[operator];
    if (!test) return false;
    return Object.entries(keys).every(([key, expected]) => {
      if (!key.startsWith(`${GITHUB_ISSUER_HOST}:`)) return false;
      const actual = claims[key.slice(GITHUB_ISSUER_HOST.length + 1)];
      const values = Array.isArray(expected) ? expected : [expected];
      return actual !== undefined && values.some((value) => test(value, actual));
    });
  });
}

/** A trust policy as IAM reads it: the statements that matter to a web-identity token. */
export interface TrustPolicy {
  Statement: { Effect: string; Action: string | string[]; Principal?: { Federated?: string }; Condition?: Condition }[];
}

/** Whether any Allow statement for AssumeRoleWithWebIdentity from `providerArn` admits the token (no Deny is used). */
export function trustPolicyAdmits(policy: TrustPolicy, providerArn: string, claims: Record<string, string>): boolean {
  return policy.Statement.some(
    (s) =>
      s.Effect === "Allow" &&
      [s.Action].flat().includes("sts:AssumeRoleWithWebIdentity") &&
      s.Principal?.Federated === providerArn &&
      trustAdmits(s.Condition ?? {}, claims),
  );
}

/**
 * How Google maps GitHub's claims onto the identities of the pool: the subject, the repository and its owner by
 * id and by name, the ref. Every one is a claim GitHub always sends, so no mapping fails on a missing claim.
 */
export const WIF_ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = {
  "google.subject": "assertion.sub",
  "attribute.repository_id": "assertion.repository_id",
  "attribute.repository_owner_id": "assertion.repository_owner_id",
  "attribute.repository": "assertion.repository",
  "attribute.repository_owner": "assertion.repository_owner",
  "attribute.ref": "assertion.ref",
};

/** Google's limit on the mapped `google.subject` (the provider's attribute_mapping reference); a longer one is refused. */
export const GOOGLE_SUBJECT_MAX_LENGTH = 127;

const celList = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(", ")}]`;

/**
 * The CEL condition the pool's provider checks every token against: issued for this repository alone, by its
 * owner's and its own numeric ids (a name can be re-registered by someone else once it is freed), and each
 * group with a ref only from that ref (google-github-actions/auth README recommends a condition on the
 * repository; the ids are GitHub's `repository_owner_id` and `repository_id` claims).
 */
export function wifAttributeCondition(repository: GithubRepository, groups: readonly SubjectGroup[]): string {
  if (!GITHUB_ID.test(repository.ownerId) || !GITHUB_ID.test(repository.id))
    throw new Error(`repository ids must be digits (got ${JSON.stringify([repository.ownerId, repository.id])})`);
  const refs = groups.flatMap((g) => {
    if (g.ref === undefined) return [];
    const quotable = [g.ref, ...g.subjects].every((v) => !/['\\]/.test(v));
    if (!quotable) throw new Error(`subjects and refs must not hold a quote or backslash (group ${g.sid})`);
    return [`(assertion.ref == '${g.ref}' || !(assertion.sub in ${celList(g.subjects)}))`];
  });
  return [`assertion.repository_owner_id == '${repository.ownerId}'`, `assertion.repository_id == '${repository.id}'`, ...refs].join(
    " && ",
  );
}

/** The IAM member that is one GitHub subject of the pool: `principal://iam.googleapis.com/<pool>/subject/<sub>`. */
export function wifSubjectMember(poolName: string, subject: string): string {
  return `principal://iam.googleapis.com/${poolName}/subject/${subject}`;
}
