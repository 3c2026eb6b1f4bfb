// Who may use the CI identities: the claims GitHub Actions puts in its OIDC token, the trust conditions AWS
// and Google check them against, and a small evaluator of AWS's string conditions so tests can show which
// tokens a trust policy admits. Pure: no Pulumi resources, tested directly.
//
// GitHub's `sub` claim is `repo:<owner>/<repo>:environment:<name>` for a job that names an environment,
// `repo:<owner>/<repo>:pull_request` for a pull request's job without one, and
// `repo:<owner>/<repo>:ref:refs/heads/<branch>` for any other job on a branch (unless the repository
// customises its subject template). The platform's workflows name an environment on every job that
// authenticates: `<stack>` to deploy, `<stack>-preview` to preview and check drift (.github/workflows).

/** The `iss` claim of GitHub Actions' tokens, and the URL of its OIDC discovery document. */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
/** The issuer as IAM prefixes its condition keys: `token.actions.githubusercontent.com:sub`. */
export const GITHUB_ISSUER_HOST = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials asks GitHub for. */
export const AWS_AUDIENCE = "sts.amazonaws.com";

/** `owner/name` as GitHub writes it; letters, digits, `-`, `_` and `.` only, so it can sit inside a CEL string. */
export const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** A GitHub environment name as the deploy jobs use it (the platform's stack names). */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** A branch name with no wildcard or quote in it. */
export const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/;

/** The subjects that may deploy: a job of each environment, and pushes to `branch` when one is given. */
export function deploySubjects(repository: string, environments: readonly string[], branch?: string): string[] {
  return [
    ...environments.map((environment) => `repo:${repository}:environment:${environment}`),
    ...(branch === undefined ? [] : [`repo:${repository}:ref:refs/heads/${branch}`]),
  ];
}

/** The subjects that may preview: the `<environment>-preview` environment's jobs (pull-request previews, drift checks). */
export function previewSubjects(repository: string, environments: readonly string[]): string[] {
  return environments.map((environment) => `repo:${repository}:environment:${environment}-preview`);
}

/** An IAM condition block: operator -> condition key -> value or values. */
export type Condition = Record<string, Record<string, string | string[]>>;

/** The trust condition of a role GitHub jobs assume: the AWS audience and one of `subjects`, both exact. */
export function awsTrustCondition(subjects: readonly string[]): Condition {
  return {
    StringEquals: {
      [`${GITHUB_ISSUER_HOST}:aud`]: AWS_AUDIENCE,
      [`${GITHUB_ISSUER_HOST}:sub`]: [...subjects],
    },
  };
}

/** Matches IAM's StringLike: `*` any run of characters, `?` one character, everything else literally. */
function like(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "s").test(value);
}

const OPERATORS: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (expected, actual) => expected === actual,
  StringLike: like,
};

/**
 * Whether a token with `claims` (`sub`, `aud`, ...) satisfies `condition` as IAM evaluates it: every key of
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

/** How Google maps GitHub's claims onto the identities of the pool: the subject, the repository and its owner, the ref. */
export const WIF_ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = {
  "google.subject": "assertion.sub",
  "attribute.repository": "assertion.repository",
  "attribute.repository_owner": "assertion.repository_owner",
  "attribute.ref": "assertion.ref",
};

/** The CEL condition the pool's provider checks every token against: issued for this repository alone. */
export function wifAttributeCondition(repository: string): string {
  if (!REPOSITORY.test(repository)) throw new Error(`repository must be owner/name (got ${JSON.stringify(repository)})`);
  return `assertion.repository == '${repository}'`;
}

/** The IAM member that is one GitHub subject of the pool: `principal://iam.googleapis.com/<pool>/subject/<sub>`. */
export function wifSubjectMember(poolName: string, subject: string): string {
  return `principal://iam.googleapis.com/${poolName}/subject/${subject}`;
}
