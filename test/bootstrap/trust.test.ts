// GIVEN the bootstrap stacks as shipped (repository example-org/platform, owner id 98765432, repository id 123456789,
//       one deploy environment each), and the same stacks with name-only subjects asked for or an existing AWS
//       OIDC provider named
// WHEN GitHub Actions tokens of every kind are checked against the recorded trust: IAM's evaluation of the roles'
//      trust policies, and Google's of the pool provider's attributeCondition plus the service accounts' bindings
// THEN a deploy environment's token from main with GitHub's immutable subject (`repo:owner@id/name@id:...`) may
//      deploy, the `-preview` environment's token from any ref may preview, and nothing else gets in: not the
//      name-only subject unless asked, not another repository or owner id, not a deploy environment off main, not
//      another environment or event; an existing OIDC provider is used instead of a new one.
import { beforeAll, describe, expect, test } from "@jest/globals";
import {
  AWS_AUDIENCE,
  awsTrustCondition,
  deployTrust,
  type GithubRepository,
  previewTrust,
  stsChecksGithubClaims,
  trustAdmits,
  trustPolicyAdmits,
  type TrustPolicy,
  wifAttributeCondition,
} from "../../bootstrap/github";
import type { RecordedResource } from "../../review/engine";
import type { ReviewReport } from "../../review/review";
import { bootstrapReview } from "../reviews";
import { celAdmits } from "./cel";
import { bootstrapReviewWith } from "./review-with";

const aws = bootstrapReview("aws");
const gcp = bootstrapReview("gcp");
const one = (resources: RecordedResource[], type: string, name: string) => {
  const found = resources.filter((r) => r.type === type && r.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const OWNER_ID = "98765432";
const REPO_ID = "123456789";
const IMMUTABLE = `repo:example-org@${OWNER_ID}/platform@${REPO_ID}`;
const NAME_ONLY = "repo:example-org/platform";
const MAIN = "refs/heads/main";

interface TokenOptions {
  prefix?: string;
  ref?: string;
  aud?: string;
  ownerId?: string;
  repoId?: string;
}
/** The claims of a job's token as GitHub writes them (docs.github.com, "OIDC token claims"): numeric ids as strings. */
const token = (suffix: string, o: TokenOptions = {}): Record<string, string> => ({
  sub: `${o.prefix ?? IMMUTABLE}:${suffix}`,
  aud: o.aud ?? AWS_AUDIENCE,
  ref: o.ref ?? MAIN,
  repository: "example-org/platform",
  repository_owner: "example-org",
  repository_id: o.repoId ?? REPO_ID,
  repository_owner_id: o.ownerId ?? OWNER_ID,
});

/** Every kind of token, for a stack whose one deploy environment is `env`: [what, claims, may deploy, may preview]. */
const tokens = (env: string): [string, Record<string, string>, boolean, boolean][] => [
  ["the deploy environment's job on main", token(`environment:${env}`), true, false],
  ["the deploy environment's job on another branch", token(`environment:${env}`, { ref: "refs/heads/feature" }), false, false],
  ["the deploy environment's job of a pull request", token(`environment:${env}`, { ref: "refs/pull/7/merge" }), false, false],
  ["the preview environment's job of a pull request", token(`environment:${env}-preview`, { ref: "refs/pull/7/merge" }), false, true],
  ["the preview environment's drift check on main", token(`environment:${env}-preview`), false, true],
  ["the deploy environment's name-only subject", token(`environment:${env}`, { prefix: NAME_ONLY }), false, false],
  ["the preview environment's name-only subject", token(`environment:${env}-preview`, { prefix: NAME_ONLY }), false, false],
  [
    "another repository with the same name (another repository id)",
    token(`environment:${env}`, { prefix: `repo:example-org@${OWNER_ID}/platform@555`, repoId: "555" }),
    false,
    false,
  ],
  [
    "a re-registered owner name (another owner id)",
    token(`environment:${env}-preview`, { prefix: `repo:example-org@777/platform@${REPO_ID}`, ownerId: "777" }),
    false,
    false,
  ],
  ["another environment", token("environment:staging"), false, false],
  ["another environment's preview", token("environment:staging-preview"), false, false],
  ["a pull request's job without an environment", token("pull_request", { ref: "refs/pull/7/merge" }), false, false],
  ["a push to main without an environment", token(`ref:${MAIN}`), false, false],
];

const trustOf = (report: ReviewReport, name: string) =>
  JSON.parse(one(report.resources, "aws:iam/role:Role", name).inputs.assumeRolePolicy as string) as TrustPolicy & { Version: string };

/** Whether IAM lets the token assume the deploy or preview role of the AWS review. */
const awsAdmits = (report: ReviewReport, kind: "deploy" | "preview", claims: Record<string, string>) =>
  trustPolicyAdmits(trustOf(report, `github-${kind}`), PROVIDER_ARN, claims);

/** Whether Google lets the token act as the deploy or preview service account of the GCP review. */
function gcpAdmits(report: ReviewReport, kind: "deploy" | "preview", claims: Record<string, string>): boolean {
  const provider = one(report.resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "github-provider");
  const mapping = provider.inputs.attributeMapping as Record<string, string>;
  expect(mapping["google.subject"]).toBe("assertion.sub");
  if (!celAdmits(provider.inputs.attributeCondition as string, claims)) return false;
  const pool = "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/subject/";
  return report.resources.some(
    (r) =>
      r.type === "gcp:serviceaccount/iAMMember:IAMMember" &&
      String(r.inputs.serviceAccountId).includes(`/github-${kind}@`) &&
      r.inputs.role === "roles/iam.workloadIdentityUser" &&
      r.inputs.member === `${pool}${claims.sub}`,
  );
}

describe("AWS trust policies", () => {
  test("the deploy role: AssumeRoleWithWebIdentity from the GitHub provider, aud sts.amazonaws.com, production's immutable subject, the repository id, main", () => {
    expect(trustOf(aws, "github-deploy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DeployEnvironments",
          Effect: "Allow",
          Principal: { Federated: PROVIDER_ARN },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": [`${IMMUTABLE}:environment:production`],
              "token.actions.githubusercontent.com:repository_id": REPO_ID,
              "token.actions.githubusercontent.com:ref": MAIN,
            },
          },
        },
      ],
    });
  });

  test("the preview role: production-preview's immutable subject and the repository id alone, from any ref", () => {
    expect(trustOf(aws, "github-preview").Statement).toEqual([
      {
        Sid: "PreviewEnvironments",
        Effect: "Allow",
        Principal: { Federated: PROVIDER_ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [`${IMMUTABLE}:environment:production-preview`],
            "token.actions.githubusercontent.com:repository_id": REPO_ID,
          },
        },
      },
    ]);
  });

  test("the OIDC provider is GitHub's, for the AWS audience, with no thumbprint (AWS trusts GitHub's CA itself)", () => {
    expect(one(aws.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc").inputs).toEqual({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
  });

  test.each(tokens("production"))("%s: deploy %s, preview %s", (_what, claims, deploys, previews) => {
    expect([awsAdmits(aws, "deploy", claims), awsAdmits(aws, "preview", claims)]).toEqual([deploys, previews]);
  });

  test("a token for another audience, or without a sub, a ref or a repository id, matches nothing", () => {
    expect(awsAdmits(aws, "deploy", token("environment:production", { aud: "https://github.com/example-org" }))).toBe(false);
    const without = (claim: string) => Object.fromEntries(Object.entries(token("environment:production")).filter(([k]) => k !== claim));
    expect(["sub", "ref", "repository_id"].map((claim) => awsAdmits(aws, "deploy", without(claim)))).toEqual([false, false, false]);
  });

  test("the name-only trust of earlier releases refuses every token of a repository that sends immutable subjects", () => {
    const nameOnly = { sid: "Old", subjects: [`${NAME_ONLY}:environment:production`] };
    expect(trustAdmits(awsTrustCondition(nameOnly), token("environment:production"))).toBe(false);
  });

  test("the evaluator reads StringLike wildcards and fails closed on operators it does not know", () => {
    const like = { StringLike: { "token.actions.githubusercontent.com:sub": "repo:example-org/*" } };
    expect(trustAdmits(like, { sub: "repo:example-org/platform:pull_request" })).toBe(true);
    expect(trustAdmits(like, { sub: "repo:other-org/platform:pull_request" })).toBe(false);
    expect(trustAdmits({ StringNotEquals: { "token.actions.githubusercontent.com:sub": "x" } }, { sub: "y" })).toBe(false);
  });

  test("STS checks the repository id and ref claims in the commercial partition only; elsewhere the condition names sub and aud alone", () => {
    expect(
      ["eu-west-1", "us-east-1", "cn-north-1", "us-gov-west-1", "us-isob-east-1", "eusc-de-east-1"].map(stsChecksGithubClaims),
    ).toEqual([true, true, false, false, false, false]);
    const [environments] = deployTrust({ name: "a/b", ownerId: "1", id: "2" }, ["production"]);
    expect(awsTrustCondition(environments!)).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": ["repo:a@1/b@2:environment:production"],
      },
    });
  });
});

describe("GCP Workload Identity Federation", () => {
  test("the provider takes GitHub's tokens of the repository's owner and repository ids alone, and a deploy environment's from main alone", () => {
    expect(one(gcp.resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "github-provider").inputs).toEqual({
      workloadIdentityPoolId: "github",
      workloadIdentityPoolProviderId: "github-actions",
      displayName: "GitHub Actions OIDC",
      oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
      attributeMapping: {
        "google.subject": "assertion.sub",
        "attribute.repository_id": "assertion.repository_id",
        "attribute.repository_owner_id": "assertion.repository_owner_id",
        "attribute.repository": "assertion.repository",
        "attribute.repository_owner": "assertion.repository_owner",
        "attribute.ref": "assertion.ref",
      },
      attributeCondition:
        `assertion.repository_owner_id == '${OWNER_ID}' && assertion.repository_id == '${REPO_ID}'` +
        ` && (assertion.ref == 'refs/heads/main' || !(assertion.sub in ['${IMMUTABLE}:environment:gcp-production']))`,
    });
  });

  test("each service account is usable by its own immutable GitHub subject only, as roles/iam.workloadIdentityUser", () => {
    const pool = "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/subject/";
    const grants = gcp.resources
      .filter((r) => r.type === "gcp:serviceaccount/iAMMember:IAMMember")
      .map((r) => [r.inputs.serviceAccountId, r.inputs.role, r.inputs.member]);
    const account = (kind: string) =>
      `projects/example-platform-prod/serviceAccounts/github-${kind}@example-platform-prod.iam.gserviceaccount.com`;
    expect(grants).toEqual([
      [account("deploy"), "roles/iam.workloadIdentityUser", `${pool}${IMMUTABLE}:environment:gcp-production`],
      [account("preview"), "roles/iam.workloadIdentityUser", `${pool}${IMMUTABLE}:environment:gcp-production-preview`],
    ]);
  });

  test.each(tokens("gcp-production"))("%s: deploy %s, preview %s", (_what, claims, deploys, previews) => {
    expect([gcpAdmits(gcp, "deploy", claims), gcpAdmits(gcp, "preview", claims)]).toEqual([deploys, previews]);
  });

  test("the name-based condition of earlier releases admits a repository re-created under the same name; the ids do not", () => {
    const recreated = token("environment:gcp-production-preview", { repoId: "555" });
    expect(celAdmits("assertion.repository == 'example-org/platform'", recreated)).toBe(true);
    expect(
      celAdmits(
        one(gcp.resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "github-provider").inputs
          .attributeCondition as string,
        recreated,
      ),
    ).toBe(false);
  });

  test("the condition holds digits and quote-free subjects only, so nothing breaks out of a CEL string", () => {
    const repository: GithubRepository = { name: "example-org/platform", ownerId: "1", id: "2" };
    expect(() => wifAttributeCondition({ ...repository, id: "2' || true || '" }, [])).toThrow(/must be digits/);
    expect(() => wifAttributeCondition(repository, [{ sid: "X", subjects: ["repo:a/b' || true"], ref: MAIN }])).toThrow(/quote/);
  });

  test("the CEL evaluator refuses a token whose condition errs, absorbs an error the other side decides, and rejects syntax it cannot read", () => {
    expect(celAdmits("assertion.environment == 'x'", { sub: "s" })).toBe(false);
    expect(celAdmits("assertion.sub == 's' || assertion.environment == 'x'", { sub: "s" })).toBe(true);
    expect(celAdmits("assertion.sub != 's' && assertion.environment == 'x'", { sub: "s" })).toBe(false);
    expect(() => celAdmits("assertion.sub.startsWith('s')", { sub: "s" })).toThrow(SyntaxError);
  });
});

describe("name-only subjects, when the stack file asks for them", () => {
  let awsOld: ReviewReport;
  let gcpOld: ReviewReport;
  beforeAll(async () => {
    awsOld = await bootstrapReviewWith("aws", { "platform-bootstrap:nameOnlySubjects": "true" });
    gcpOld = await bootstrapReviewWith("gcp", { "platform-bootstrap:nameOnlySubjects": "true" });
  });

  test.each([
    ["aws", "production"],
    ["gcp", "gcp-production"],
  ] as const)("%s: both forms of each environment's subject are trusted, with the same ref rule", (cloud, env) => {
    const report = cloud === "aws" ? awsOld : gcpOld;
    const admits = cloud === "aws" ? awsAdmits : gcpAdmits;
    const cases: [Record<string, string>, boolean, boolean][] = [
      [token(`environment:${env}`), true, false],
      [token(`environment:${env}`, { prefix: NAME_ONLY }), true, false],
      [token(`environment:${env}`, { prefix: NAME_ONLY, ref: "refs/heads/feature" }), false, false],
      [token(`environment:${env}-preview`, { prefix: NAME_ONLY, ref: "refs/pull/7/merge" }), false, true],
      [token(`environment:${env}`, { prefix: "repo:example-org/platform-fork" }), false, false],
      [token(`environment:${env}`, { prefix: NAME_ONLY, repoId: "555" }), false, false],
    ];
    expect(cases.map(([claims]) => [admits(report, "deploy", claims), admits(report, "preview", claims)])).toEqual(
      cases.map(([, deploys, previews]) => [deploys, previews]),
    );
    expect(report.policies.flatMap((p) => p.violations)).toEqual([]);
  });

  test("the subjects: immutable first, then name-only, for each group", () => {
    const repository: GithubRepository = { name: "a/b", ownerId: "1", id: "2", nameOnlySubjects: true };
    expect(deployTrust(repository, ["staging", "production"], "release")).toEqual([
      {
        sid: "DeployEnvironments",
        subjects: [
          "repo:a@1/b@2:environment:staging",
          "repo:a/b:environment:staging",
          "repo:a@1/b@2:environment:production",
          "repo:a/b:environment:production",
        ],
        ref: MAIN,
      },
      { sid: "DeployBranch", subjects: ["repo:a@1/b@2:ref:refs/heads/release", "repo:a/b:ref:refs/heads/release"] },
    ]);
    expect(previewTrust({ ...repository, nameOnlySubjects: false }, ["staging"])).toEqual([
      { sid: "PreviewEnvironments", subjects: ["repo:a@1/b@2:environment:staging-preview"] },
    ]);
  });
});

describe("an account that already trusts GitHub (platform-bootstrap:aws.existingOidcProviderArn)", () => {
  let existing: ReviewReport;
  beforeAll(async () => {
    existing = await bootstrapReviewWith("aws", {
      "platform-bootstrap:aws": JSON.stringify({ accountId: "123456789012", existingOidcProviderArn: PROVIDER_ARN }),
    });
  });

  test("no OIDC provider is created, the roles trust the named one, and the stack still passes every policy", () => {
    const providers = (report: ReviewReport) =>
      report.resources.filter((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((r) => r.name);
    expect([providers(aws), providers(existing)]).toEqual([["github-oidc"], []]);
    const count = (report: ReviewReport) => report.resources.filter((r) => r.parent !== null).length;
    expect([count(aws), count(existing)]).toEqual([20, 19]);
    for (const kind of ["deploy", "preview"] as const)
      expect(trustOf(existing, `github-${kind}`).Statement.map((s) => s.Principal)).toEqual([{ Federated: PROVIDER_ARN }]);
    expect(existing.outputs.oidcProviderArn).toBe(PROVIDER_ARN);
    expect(awsAdmits(existing, "deploy", token("environment:production"))).toBe(true);
    expect(existing.policies.flatMap((p) => p.violations)).toEqual([]);
  });

  test("the roles wait for the provider they trust only when the stack creates it", () => {
    const waits = (report: ReviewReport) =>
      one(report.resources, "aws:iam/role:Role", "github-deploy").propertyDependencies.assumeRolePolicy ?? [];
    const created = one(aws.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc").urn;
    expect([waits(aws), waits(existing)]).toEqual([[created], []]);
  });
});
