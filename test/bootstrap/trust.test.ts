// GIVEN the bootstrap stacks as shipped (bootstrap/Pulumi.aws.yaml, Pulumi.gcp.yaml, repository example-org/platform)
// WHEN they are reviewed offline
// THEN the deploy role trusts only GitHub tokens for the AWS audience from the repository's environment of the
//      account's stack (production), the preview role only that environment's `-preview` twin, which the workflows'
//      previews and drift checks run in; a token of another repository, environment or event matches neither; the
//      Workload Identity provider refuses other repositories and each service account admits only its own subjects.
import { describe, expect, test } from "@jest/globals";
import { awsTrustCondition, deploySubjects, previewSubjects, trustAdmits, wifAttributeCondition } from "../../bootstrap/github";
import type { RecordedResource } from "../../review/engine";
import { bootstrapReview } from "../reviews";

const aws = bootstrapReview("aws");
const gcp = bootstrapReview("gcp");
const one = (resources: RecordedResource[], type: string, name: string) => {
  const found = resources.filter((r) => r.type === type && r.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const trustOf = (name: string) =>
  JSON.parse(one(aws.resources, "aws:iam/role:Role", name).inputs.assumeRolePolicy as string) as {
    Statement: { Condition: Parameters<typeof trustAdmits>[0] }[];
  };
const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

describe("AWS trust policies", () => {
  test("the deploy role: AssumeRoleWithWebIdentity from the GitHub provider, aud sts.amazonaws.com, sub one of the repository's environments", () => {
    expect(trustOf("github-deploy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "GithubActions",
          Effect: "Allow",
          Principal: { Federated: PROVIDER_ARN },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": ["repo:example-org/platform:environment:production"],
            },
          },
        },
      ],
    });
  });

  test("the preview role: the repository's production-preview environment alone", () => {
    expect(trustOf("github-preview").Statement[0]!.Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": ["repo:example-org/platform:environment:production-preview"],
      },
    });
  });

  test("the OIDC provider is GitHub's, for the AWS audience, with no thumbprint (AWS trusts GitHub's CA itself)", () => {
    expect(one(aws.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc").inputs).toEqual({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
  });

  const deploy = () => trustOf("github-deploy").Statement[0]!.Condition;
  const preview = () => trustOf("github-preview").Statement[0]!.Condition;
  const token = (sub: string, aud = "sts.amazonaws.com") => ({ sub, aud });

  test.each([
    ["repo:example-org/platform:environment:production", true, false],
    ["repo:example-org/platform:environment:production-preview", false, true],
    ["repo:example-org/platform:environment:staging", false, false],
    ["repo:example-org/platform:environment:staging-preview", false, false],
    ["repo:example-org/platform:pull_request", false, false],
    ["repo:other-org/platform:environment:production", false, false],
    ["repo:other-org/platform:environment:production-preview", false, false],
    ["repo:example-org/platform-fork:environment:production", false, false],
    ["repo:example-org/platform:environment:dev", false, false],
    ["repo:example-org/platform:ref:refs/heads/main", false, false],
    ["repo:other-org/platform:pull_request", false, false],
  ])("a token with sub %s: deploy %s, preview %s", (sub, deploys, previews) => {
    expect(trustAdmits(deploy(), token(sub))).toBe(deploys);
    expect(trustAdmits(preview(), token(sub))).toBe(previews);
  });

  test("a token for another audience, or without a sub, matches nothing", () => {
    expect(trustAdmits(deploy(), token("repo:example-org/platform:environment:production", "https://github.com/example-org"))).toBe(false);
    expect(trustAdmits(deploy(), { aud: "sts.amazonaws.com" })).toBe(false);
  });

  test("the evaluator reads StringLike wildcards and fails closed on operators it does not know", () => {
    const like = { StringLike: { "token.actions.githubusercontent.com:sub": "repo:example-org/*" } };
    expect(trustAdmits(like, { sub: "repo:example-org/platform:pull_request" })).toBe(true);
    expect(trustAdmits(like, { sub: "repo:other-org/platform:pull_request" })).toBe(false);
    expect(trustAdmits({ StringNotEquals: { "token.actions.githubusercontent.com:sub": "x" } }, { sub: "y" })).toBe(false);
  });

  test("a deploy branch adds exactly its ref subject", () => {
    expect(deploySubjects("example-org/platform", ["production"], "main")).toEqual([
      "repo:example-org/platform:environment:production",
      "repo:example-org/platform:ref:refs/heads/main",
    ]);
    expect(awsTrustCondition(previewSubjects("a/b", ["staging", "production"]))).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": ["repo:a/b:environment:staging-preview", "repo:a/b:environment:production-preview"],
      },
    });
  });
});

describe("GCP Workload Identity Federation", () => {
  test("the provider takes GitHub's tokens of example-org/platform alone, mapping the subject, repository, owner and ref", () => {
    expect(one(gcp.resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "github-provider").inputs).toEqual({
      workloadIdentityPoolId: "github",
      workloadIdentityPoolProviderId: "github-actions",
      displayName: "GitHub Actions OIDC",
      oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
      attributeMapping: {
        "google.subject": "assertion.sub",
        "attribute.repository": "assertion.repository",
        "attribute.repository_owner": "assertion.repository_owner",
        "attribute.ref": "assertion.ref",
      },
      attributeCondition: "assertion.repository == 'example-org/platform'",
    });
  });

  test("the repository cannot break out of the CEL string", () => {
    expect(() => wifAttributeCondition("example-org/platform' || true || '")).toThrow(/owner\/name/);
  });

  test("each service account is usable by its own GitHub subjects only, as roles/iam.workloadIdentityUser", () => {
    const pool = "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/subject/";
    const grants = gcp.resources
      .filter((r) => r.type === "gcp:serviceaccount/iAMMember:IAMMember")
      .map((r) => [r.inputs.serviceAccountId, r.inputs.role, r.inputs.member]);
    const account = (kind: string) =>
      `projects/example-platform-prod/serviceAccounts/github-${kind}@example-platform-prod.iam.gserviceaccount.com`;
    expect(grants).toEqual([
      [account("deploy"), "roles/iam.workloadIdentityUser", `${pool}repo:example-org/platform:environment:gcp-production`],
      [account("preview"), "roles/iam.workloadIdentityUser", `${pool}repo:example-org/platform:environment:gcp-production-preview`],
    ]);
  });

  test("the outputs are what the workflows need", () => {
    expect(gcp.outputs).toMatchObject({
      workloadIdentityProvider: "projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-actions",
      deployServiceAccount: "github-deploy@example-platform-prod.iam.gserviceaccount.com",
      previewServiceAccount: "github-preview@example-platform-prod.iam.gserviceaccount.com",
      backendUrl: "gs://example-platform-prod-pulumi-state",
    });
    expect(gcp.outputs.secretsProvider).toMatch(
      /^gcpkms:\/\/projects\/example-platform-prod\/locations\/europe-west1\/keyRings\/[a-z0-9-]+\/cryptoKeys\/state-secrets$/,
    );
  });
});
